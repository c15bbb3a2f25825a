"""Lawful erasure of a case update: its note and closing reason go, the case's follow-up stays."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client

from daftari.core.errors import NotPermitted
from daftari.ledger import keys
from daftari.ledger.models import Commitment, Leaf
from daftari.ledger.redaction import AlreadyRedacted, redact
from daftari.ledger.services import is_redacted, leaf_for
from daftari.notifications.erasure import MARKER
from daftari.notifications.models import Recipient, SmsMessage
from daftari.notifications.services import language_for
from daftari.occurrences.casework import ERASED, Status, assign_investigator, update_case_status
from daftari.occurrences.models import CaseStatus, CaseUpdate, Occurrence
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.erasure_support import ORDER, assert_the_whole_book_verifies, tables_holding

ASSIGN_NOTE = "Speak to Juma Mwangi, the boda rider at the stage"
STATUS_NOTE = "Suspect Kevin Otieno identified from CCTV"
REASON = "Complainant Wanjiku withdrew after a family settlement"
PRIVATE = [ASSIGN_NOTE, STATUS_NOTE, REASON]


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


@pytest.fixture
def updates(ocs: User, investigator: User, recorded_complaint: Occurrence) -> list[CaseUpdate]:
    return [
        assign_investigator(
            actor=ocs, occurrence=recorded_complaint, investigator=investigator.officer, note=ASSIGN_NOTE
        ),
        update_case_status(
            actor=investigator, occurrence=recorded_complaint, status=Status.UNDER_INVESTIGATION, note=STATUS_NOTE
        ),
        update_case_status(actor=ocs, occurrence=recorded_complaint, status=Status.CLOSED, reason=REASON),
    ]


def erase_all(admin: User, updates: list[CaseUpdate]) -> None:
    for update in updates:
        redact(actor=admin, record_id=str(update.pk), authority=ORDER)


def test_erasing_a_case_update_blanks_its_note_and_reason_and_keeps_status_investigator_and_times(
    admin_officer: User, updates: list[CaseUpdate]
) -> None:
    erase_all(admin_officer, updates)
    stored = list(CaseUpdate.objects.order_by("recorded_at"))
    assert [(u.note, u.reason) for u in stored] == [(ERASED, ""), (ERASED, ""), ("", ERASED)]
    assert [(u.status, u.investigator_id, u.recorded_by_id, u.recorded_at) for u in stored] == [
        (u.status, u.investigator_id, u.recorded_by_id, u.recorded_at) for u in updates
    ]
    assert CaseStatus.objects.get(occurrence=updates[0].occurrence).status == Status.CLOSED
    for update in updates:
        leaf = leaf_for(str(update.pk))
        assert leaf is not None and is_redacted(leaf) and not Commitment.objects.filter(leaf=leaf).exists()


def test_after_erasure_the_notes_are_in_no_table(admin_officer: User, updates: list[CaseUpdate]) -> None:
    assert tables_holding(STATUS_NOTE) == ["occurrences_caseupdate"]
    erase_all(admin_officer, updates)
    for private in PRIVATE:
        assert tables_holding(private) == [], private


def test_the_whole_book_still_verifies_after_the_erasure(
    admin_officer: User, updates: list[CaseUpdate], tmp_path: Path
) -> None:
    redact(actor=admin_officer, record_id=str(updates[1].pk), authority=ORDER)
    assert_the_whole_book_verifies(tmp_path)


def test_a_case_update_is_erased_once(admin_officer: User, updates: list[CaseUpdate]) -> None:
    redact(actor=admin_officer, record_id=str(updates[0].pk), authority=ORDER)
    with pytest.raises(AlreadyRedacted):
        redact(actor=admin_officer, record_id=str(updates[0].pk), authority=ORDER)
    assert Leaf.objects.filter(kind="redaction").count() == 1


def test_only_an_admin_may_erase_a_case_update(
    ocs: User, investigator: User, oversight: User, updates: list[CaseUpdate]
) -> None:
    for officer in (ocs, investigator, oversight):
        with pytest.raises(NotPermitted):
            redact(actor=officer, record_id=str(updates[1].pk), authority=ORDER)
    assert CaseUpdate.objects.get(pk=updates[1].pk).note == STATUS_NOTE


def test_the_guard_is_back_on_the_case_updates_after_an_erasure(admin_officer: User, updates: list[CaseUpdate]) -> None:
    redact(actor=admin_officer, record_id=str(updates[0].pk), authority=ORDER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseUpdate.objects.filter(pk=updates[1].pk).update(note="rewritten")


def test_the_entry_page_shows_the_case_history_redacted(
    client: Client, ocs: User, admin_officer: User, updates: list[CaseUpdate]
) -> None:
    erase_all(admin_officer, updates)
    client.force_login(ocs)
    response = client.get(f"/entries/{updates[0].occurrence_id}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="case-panel"' in page and ERASED in page
    assert not any(private in page for private in PRIVATE)


def test_an_erased_entry_leaves_no_word_behind_in_the_search_index(
    desk_officer: User, admin_officer: User, station: Station
) -> None:
    def entry(name: str, id_number: str) -> Occurrence:
        party = PartyInput(role="complainant", name=name, id_number=id_number)
        return record_occurrence(actor=desk_officer, station=station, draft=complaint(parties=(party,))).entry

    before = [entry(f"Before Person{i}", f"1000000{i}") for i in range(3)]
    target = entry("Nduta Wairimu", "27182818")
    after = [entry(f"After Person{i}", f"2000000{i}") for i in range(3)]
    assert "occurrences_occurrence" in tables_holding("27182818")
    redact(actor=admin_officer, record_id=str(target.pk), authority=ORDER)
    # On SQLite the FTS5 index keeps a deleted row's terms in its segments until they are merged.
    assert tables_holding("27182818") == [] and tables_holding("Wairimu") == []
    assert all(tables_holding(e.parties.get().id_number) for e in before + after)


def test_erasing_an_entry_blanks_the_number_and_text_of_the_sms_sent_to_the_complainant(
    admin_officer: User, updates: list[CaseUpdate]
) -> None:
    entry = updates[0].occurrence
    keys = [f"complaint_recorded:{entry.pk}", *(f"case_status:{u.pk}" for u in updates)]
    sent = SmsMessage.objects.filter(event_key__in=keys)
    assert sent.count() >= 2 and all(m.to == "+254712345678" and m.body for m in sent)
    redact(actor=admin_officer, record_id=str(entry.pk), authority=ORDER)
    assert {(m.to, m.body) for m in SmsMessage.objects.filter(event_key__in=keys)} == {(MARKER, MARKER)}
    assert tables_holding("712345678") == []


def test_erasing_a_case_update_blanks_the_number_and_text_of_its_status_sms(
    admin_officer: User, updates: list[CaseUpdate]
) -> None:
    closed = updates[2]
    assert SmsMessage.objects.get(event_key=f"case_status:{closed.pk}").to == "+254712345678"
    redact(actor=admin_officer, record_id=str(closed.pk), authority=ORDER)
    message = SmsMessage.objects.get(event_key=f"case_status:{closed.pk}")
    assert (message.to, message.body, message.template) == (MARKER, MARKER, "case_status")
    recorded = SmsMessage.objects.get(event_key=f"complaint_recorded:{closed.occurrence_id}")
    assert recorded.to == "+254712345678"  # the entry's own SMS goes with the entry's erasure


def test_erasing_an_entry_deletes_the_complainants_remembered_language_when_nothing_else_uses_the_number(
    admin_officer: User, updates: list[CaseUpdate]
) -> None:
    language_for(phone="+254712345678", language="sw")
    entry = updates[0].occurrence
    redact(actor=admin_officer, record_id=str(entry.pk), authority=ORDER)
    assert not Recipient.objects.filter(phone="+254712345678").exists()
    assert tables_holding("712345678") == []


def test_erasing_one_of_two_entries_of_the_same_complainant_keeps_her_language_for_the_other(
    desk_officer: User, ocs: User, admin_officer: User, station: Station
) -> None:
    language_for(phone="+254712345678", language="sw")
    erased, kept = (record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry for _ in range(2))
    redact(actor=admin_officer, record_id=str(erased.pk), authority=ORDER)
    assert Recipient.objects.get(phone="+254712345678").language == "sw"
    update_case_status(actor=ocs, occurrence=kept, status=Status.UNDER_INVESTIGATION)
    update = CaseUpdate.objects.filter(occurrence=kept).latest("recorded_at")
    message = SmsMessage.objects.get(event_key=f"case_status:{update.pk}")
    assert (message.to, message.language) == ("+254712345678", "sw")
