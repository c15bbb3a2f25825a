import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from daftari.core.errors import DuplicateWithDifferentContent, InvalidInput, NotPermittedAtStation
from daftari.occurrences.models import Occurrence, Party, Person
from daftari.occurrences.records import stored_record
from daftari.occurrences.rules import EntryDraft, PartyInput
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint


def test_the_first_entry_of_the_day_is_ob_1_and_the_next_ob_2(desk_officer: User, station: Station) -> None:
    first = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    second = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    today = timezone.localdate()
    assert first.ob_number == f"OB 1/{today.day}/{today.month}/{today.year}"
    assert second.ob_seq == 2


def test_each_station_counts_its_own_book(
    desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station
) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    elsewhere = record_occurrence(actor=officer_elsewhere, station=other_station, draft=complaint()).entry
    assert elsewhere.ob_seq == 1


def test_the_entry_and_its_parties_are_stored_as_given(desk_officer: User, station: Station) -> None:
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    entry.refresh_from_db()
    assert entry.entry_type == "COMPLAINT"
    assert entry.recorded_by == desk_officer.officer
    party = entry.parties.get()
    assert (party.role, party.name, party.phone) == ("complainant", "Wanjiku Kamau", "+254712345678")
    assert not entry.is_late


def test_an_officer_cannot_record_in_another_stations_book(officer_elsewhere: User, station: Station) -> None:
    with pytest.raises(NotPermittedAtStation):
        record_occurrence(actor=officer_elsewhere, station=station, draft=complaint())
    assert not Occurrence.objects.exists()


def test_invalid_input_raises_field_errors_and_writes_nothing(desk_officer: User, station: Station) -> None:
    with pytest.raises(InvalidInput) as raised:
        record_occurrence(actor=desk_officer, station=station, draft=complaint(place="", parties=()))
    assert {"place", "parties"} <= set(raised.value.fields)
    assert not Occurrence.objects.exists()


def test_a_retry_with_the_same_id_and_body_returns_the_stored_entry(desk_officer: User, station: Station) -> None:
    client_id = uuid.uuid4()
    draft = complaint()
    first = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=client_id)
    again = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=client_id)
    assert first.created and not again.created
    assert again.entry.pk == first.entry.pk == client_id
    assert Occurrence.objects.count() == 1


def test_the_same_id_with_a_different_body_is_a_conflict(desk_officer: User, station: Station) -> None:
    client_id = uuid.uuid4()
    record_occurrence(actor=desk_officer, station=station, draft=complaint(), client_id=client_id)
    with pytest.raises(DuplicateWithDifferentContent):
        record_occurrence(actor=desk_officer, station=station, draft=complaint(place="Kencom"), client_id=client_id)


def test_an_entry_recorded_days_after_the_event_is_flagged_late_with_its_reason(
    desk_officer: User, station: Station
) -> None:
    reason = "The complainant was in hospital until today."
    draft = complaint(occurred_at=timezone.now() - timedelta(days=3), late=True, late_reason=reason)
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    assert (entry.is_late, entry.late_reason) == (True, reason)
    committed = stored_record(str(entry.pk))
    assert committed is not None and committed["late_reason"] == reason


def test_an_entry_days_after_the_event_without_a_late_reason_is_refused(desk_officer: User, station: Station) -> None:
    draft = complaint(occurred_at=timezone.now() - timedelta(days=3))
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=draft)
    assert "Recorded late" in refused.value.fields["occurred_at"]
    assert not Occurrence.objects.exists()


def test_an_entry_in_the_future_is_refused_even_with_a_late_reason(desk_officer: User, station: Station) -> None:
    draft = complaint(occurred_at=timezone.now() + timedelta(hours=1), late=True, late_reason="Typed ahead")
    with pytest.raises(InvalidInput) as refused:
        record_occurrence(actor=desk_officer, station=station, draft=draft)
    assert refused.value.fields["occurred_at"] == "This time is in the future."


def test_parties_with_the_same_id_number_are_one_person(desk_officer: User, station: Station) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    again = complaint(
        parties=(
            PartyInput(role="complainant", name="Otieno"),
            PartyInput(role="witness", name="W. Kamau", id_number="12 345 678"),
        )
    )
    record_occurrence(actor=desk_officer, station=station, draft=again)
    assert Person.objects.count() == 1
    assert Party.objects.filter(person__id_number="12345678").count() == 2


def test_two_new_parties_with_one_id_number_or_phone_in_one_entry_are_one_new_person(
    desk_officer: User, station: Station
) -> None:
    draft = complaint(
        parties=(
            PartyInput(role="complainant", name="Achieng Otieno", id_number="23456789", phone="0722000111"),
            PartyInput(role="witness", name="A. Otieno", id_number="23456789"),
            PartyInput(role="witness", name="Achieng", phone="+254722000111"),
        )
    )
    record_occurrence(actor=desk_officer, station=station, draft=draft)
    assert Person.objects.count() == 1
    assert Party.objects.filter(person__id_number="23456789").count() == 3


def test_a_follow_up_refers_to_the_earlier_entry_by_its_ob_number(
    desk_officer: User, station: Station, recorded_complaint: Occurrence
) -> None:
    statement = EntryDraft(
        entry_type="STATEMENT",
        occurred_at=timezone.now(),
        place="Report office",
        narrative="Statement of the complainant recorded.",
        details={"maker": "Wanjiku Kamau", "language": "sw"},
        refers_to=recorded_complaint.ob_number,
    )
    entry = record_occurrence(actor=desk_officer, station=station, draft=statement).entry
    assert entry.refers_to == recorded_complaint
    assert list(recorded_complaint.follow_ups.all()) == [entry]


def test_a_follow_up_cannot_refer_to_another_stations_entry(
    officer_elsewhere: User, other_station: Station, recorded_complaint: Occurrence
) -> None:
    statement = EntryDraft(
        entry_type="STATEMENT",
        occurred_at=timezone.now(),
        place="Report office",
        narrative="Statement.",
        details={"maker": "X"},
        refers_to=str(recorded_complaint.pk),
    )
    with pytest.raises(InvalidInput) as raised:
        record_occurrence(actor=officer_elsewhere, station=other_station, draft=statement)
    assert "refers_to" in raised.value.fields


def test_a_correction_is_a_new_entry_and_the_original_is_unchanged(
    desk_officer: User, recorded_complaint: Occurrence
) -> None:
    correction = amend_occurrence(
        actor=desk_officer,
        occurrence=recorded_complaint,
        reason="Wrong street written",
        changes={"place": "Kenyatta Avenue"},
    ).entry
    assert correction.entry_type == "AMENDMENT"
    assert correction.refers_to == recorded_complaint
    assert correction.ob_seq == recorded_complaint.ob_seq + 1
    assert correction.details == {"reason": "Wrong street written", "changes": {"place": "Kenyatta Avenue"}}
    recorded_complaint.refresh_from_db()
    assert recorded_complaint.place == "Moi Avenue, near the bus stage"


def test_a_correction_cannot_move_the_time_of_an_entry_into_the_future(
    desk_officer: User, recorded_complaint: Occurrence
) -> None:
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as refused:
        amend_occurrence(
            actor=desk_officer, occurrence=recorded_complaint, reason="Wrong day", changes={"occurred_at": tomorrow}
        )
    assert refused.value.fields == {"changes.occurred_at": "This time is in the future."}


def test_a_correction_cannot_itself_be_corrected(desk_officer: User, recorded_complaint: Occurrence) -> None:
    correction = amend_occurrence(
        actor=desk_officer, occurrence=recorded_complaint, reason="typo", changes={"place": "Kenyatta Avenue"}
    ).entry
    with pytest.raises(InvalidInput):
        amend_occurrence(actor=desk_officer, occurrence=correction, reason="typo", changes={"place": "X"})


def test_an_officer_of_another_station_cannot_correct_an_entry(
    officer_elsewhere: User, recorded_complaint: Occurrence
) -> None:
    with pytest.raises(NotPermittedAtStation):
        amend_occurrence(actor=officer_elsewhere, occurrence=recorded_complaint, reason="x", changes={"place": "Y"})


GUARDED_STATEMENTS = [
    "UPDATE occurrences_occurrence SET narrative = 'erased for 200 shillings'",
    "DELETE FROM occurrences_occurrence",
    "UPDATE occurrences_party SET name = 'someone else'",
    "DELETE FROM occurrences_party",
]
if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
    GUARDED_STATEMENTS += ["TRUNCATE occurrences_occurrence CASCADE", "TRUNCATE occurrences_party"]


@pytest.mark.parametrize("sql", GUARDED_STATEMENTS)
def test_the_database_refuses_to_change_or_delete_a_recorded_entry(sql: str, recorded_complaint: Occurrence) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; TRUNCATE refuses to run with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)
    recorded_complaint.refresh_from_db()
    assert recorded_complaint.narrative.startswith("Complainant reports")
