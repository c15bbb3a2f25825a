"""Case follow-up of a complaint: who assigns and updates it, its append-only record and ledger
leaves, and the SMS that tell the complainant."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client

from daftari.core import append_only
from daftari.core.errors import InvalidInput, NotFound, NotPermitted
from daftari.ledger import keys
from daftari.ledger import records as ledger_records
from daftari.ledger.models import Leaf
from daftari.notifications.models import SmsMessage
from daftari.occurrences import casework
from daftari.occurrences.casework import Status, assign_investigator, update_case_status
from daftari.occurrences.models import CaseStatus, CaseUpdate, Occurrence
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint
from tests.notifications.support import CommitCallbacks, run_ready_jobs, sent_sms


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_PUBLIC_BASE_URL = "https://daftari.example.ke"
    keys.signer.cache_clear()


@pytest.fixture(autouse=True)
def sms_to_a_file(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.DAFTARI_SMS_FILE_PATH


def _assigned(ocs: User, investigator: User, entry: Occurrence) -> CaseUpdate:
    return assign_investigator(actor=ocs, occurrence=entry, investigator=investigator.officer)


# --- Who may -------------------------------------------------------------------------------


def test_the_ocs_assigns_an_investigator_of_the_station(
    ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    update = _assigned(ocs, investigator, recorded_complaint)

    assert update.status == Status.ASSIGNED
    assert update.investigator == investigator.officer
    current = CaseStatus.objects.get(occurrence=recorded_complaint)
    assert (current.status, current.investigator) == (Status.ASSIGNED, investigator.officer)


def test_a_desk_officer_may_not_assign(desk_officer: User, investigator: User, recorded_complaint: Occurrence) -> None:
    with pytest.raises(NotPermitted):
        _assigned(desk_officer, investigator, recorded_complaint)
    assert not CaseUpdate.objects.exists()


def test_the_ocs_of_another_station_gets_not_found(
    make_officer: OfficerFactory, other_station: Station, investigator: User, recorded_complaint: Occurrence
) -> None:
    other_ocs = make_officer("ocs2", [Role.OCS], other_station)
    with pytest.raises(NotFound):
        _assigned(other_ocs, investigator, recorded_complaint)


def test_an_investigator_of_another_station_cannot_be_assigned(
    ocs: User, make_officer: OfficerFactory, other_station: Station, recorded_complaint: Occurrence
) -> None:
    stranger = make_officer("far", [Role.INVESTIGATOR], other_station)
    with pytest.raises(InvalidInput) as raised:
        _assigned(ocs, stranger, recorded_complaint)
    assert "investigator" in raised.value.fields


def test_a_desk_officer_cannot_be_assigned_as_investigator(
    ocs: User, desk_officer: User, recorded_complaint: Occurrence
) -> None:
    with pytest.raises(InvalidInput):
        _assigned(ocs, desk_officer, recorded_complaint)


def test_the_assigned_investigator_updates_the_status(
    ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    _assigned(ocs, investigator, recorded_complaint)
    update_case_status(
        actor=investigator, occurrence=recorded_complaint, status=Status.SUSPECT_ARRESTED, note="Arrested at Gikomba"
    )

    current = CaseStatus.objects.get(occurrence=recorded_complaint)
    assert current.status == Status.SUSPECT_ARRESTED
    # The investigator stays with the case through later updates.
    assert current.investigator == investigator.officer
    assert [u.status for u in casework.history(recorded_complaint)] == [Status.ASSIGNED, Status.SUSPECT_ARRESTED]


def test_another_investigator_of_the_station_may_not_update_the_case(
    ocs: User, investigator: User, make_officer: OfficerFactory, station: Station, recorded_complaint: Occurrence
) -> None:
    colleague = make_officer("colleague", [Role.INVESTIGATOR], station)
    _assigned(ocs, investigator, recorded_complaint)
    with pytest.raises(NotPermitted):
        update_case_status(actor=colleague, occurrence=recorded_complaint, status=Status.IN_COURT)


def test_an_investigator_may_not_update_an_unassigned_case(investigator: User, recorded_complaint: Occurrence) -> None:
    with pytest.raises(NotPermitted):
        update_case_status(actor=investigator, occurrence=recorded_complaint, status=Status.UNDER_INVESTIGATION)


def test_the_ocs_updates_the_status_too(ocs: User, recorded_complaint: Occurrence) -> None:
    update_case_status(actor=ocs, occurrence=recorded_complaint, status=Status.UNDER_INVESTIGATION)
    assert CaseStatus.objects.get(occurrence=recorded_complaint).status == Status.UNDER_INVESTIGATION


def test_closing_needs_a_reason_and_a_closed_case_takes_no_more_updates(
    ocs: User, recorded_complaint: Occurrence
) -> None:
    with pytest.raises(InvalidInput) as raised:
        update_case_status(actor=ocs, occurrence=recorded_complaint, status=Status.CLOSED)
    assert "reason" in raised.value.fields

    update_case_status(actor=ocs, occurrence=recorded_complaint, status=Status.CLOSED, reason="Complainant withdrew")
    with pytest.raises(InvalidInput):
        update_case_status(actor=ocs, occurrence=recorded_complaint, status=Status.IN_COURT)
    assert CaseUpdate.objects.get(status=Status.CLOSED).reason == "Complainant withdrew"


def test_assigned_is_not_a_status_to_set_by_hand(ocs: User, recorded_complaint: Occurrence) -> None:
    with pytest.raises(InvalidInput):
        update_case_status(actor=ocs, occurrence=recorded_complaint, status=Status.ASSIGNED)


def test_an_entry_that_is_not_public_facing_has_no_case(
    ocs: User, investigator: User, desk_officer: User, station: Station
) -> None:
    arrest_like = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(entry_type="VISITOR", details={"purpose": "Visit"}, parties=(), narrative="A visitor."),
    ).entry
    assert not arrest_like.spec.public_facing
    with pytest.raises(InvalidInput):
        _assigned(ocs, investigator, arrest_like)


# --- Append-only and the ledger ------------------------------------------------------------


def test_each_update_is_a_ledger_leaf_that_follows_the_entry(
    ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    update = _assigned(ocs, investigator, recorded_complaint)

    leaf = Leaf.objects.get(kind=casework.KIND_CASE_UPDATE, record_id=str(update.pk))
    entry_leaf = Leaf.objects.get(record_id=str(recorded_complaint.pk))
    assert leaf.index == entry_leaf.index + 1
    assert b'"prev":%d' % entry_leaf.index in bytes(leaf.data)
    stored = ledger_records.load(casework.KIND_CASE_UPDATE, str(update.pk))
    assert stored is not None
    assert stored["status"] == "assigned"
    assert stored["investigator"] == investigator.officer.service_number


def test_a_case_update_cannot_be_changed_or_deleted(
    ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    assert "occurrences_caseupdate" in append_only.guarded_tables(connection)
    _assigned(ocs, investigator, recorded_complaint)
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseUpdate.objects.update(status=Status.CLOSED)
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseUpdate.objects.all().delete()
    assert CaseUpdate.objects.get().status == Status.ASSIGNED


# --- SMS to the complainant ----------------------------------------------------------------


def test_recording_a_complaint_sends_the_ob_number_and_status_link(
    desk_officer: User, station: Station, django_capture_on_commit_callbacks: CommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    run_ready_jobs()

    [sms] = sent_sms()
    assert sms["to"] == "+254712345678"
    assert entry.ob_number in sms["body"]
    assert "Central Police Station" in sms["body"]
    assert "https://daftari.example.ke/public/status" in sms["body"]
    assert SmsMessage.objects.get().event_key == f"complaint_recorded:{entry.pk}"


def test_a_retried_recording_sends_no_second_sms(desk_officer: User, station: Station) -> None:
    import uuid

    client_id, draft = uuid.uuid4(), complaint()
    record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=client_id)
    again = record_occurrence(actor=desk_officer, station=station, draft=draft, client_id=client_id)
    assert not again.created
    assert SmsMessage.objects.filter(template="complaint_recorded").count() == 1


def test_no_sms_without_a_complainant_phone(desk_officer: User, station: Station) -> None:
    record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(parties=(PartyInput(role="complainant", name="Otieno Ouma"),)),
    )
    assert not SmsMessage.objects.exists()


def test_an_entry_that_is_not_public_facing_sends_no_sms(desk_officer: User, station: Station) -> None:
    record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(
            entry_type="VISITOR",
            details={"purpose": "Collect a relative's phone"},
            parties=(PartyInput(role="reporter", name="Otieno", phone="0722000111"),),
            narrative="Visitor came to collect a phone.",
        ),
    )
    assert not SmsMessage.objects.exists()


def test_each_status_change_sends_one_sms_in_the_complainants_language(
    ocs: User,
    investigator: User,
    recorded_complaint: Occurrence,
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    from django.utils import timezone

    from daftari.notifications.models import Recipient

    Recipient.objects.create(phone="+254712345678", language="sw", updated_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        _assigned(ocs, investigator, recorded_complaint)
        update_case_status(actor=investigator, occurrence=recorded_complaint, status=Status.IN_COURT)
    run_ready_jobs()

    # The first was sent when the complaint was recorded, before the language was known.
    recorded, *bodies = [m["body"] for m in sent_sms()]
    assert "your report is recorded" in recorded
    assert len(bodies) == 2
    assert all(recorded_complaint.ob_number in b for b in bodies)
    assert "imepewa mpelelezi" in bodies[0]
    assert "mahakamani" in bodies[1]
    keys_ = set(SmsMessage.objects.filter(template="case_status").values_list("event_key", flat=True))
    assert keys_ == {f"case_status:{u.pk}" for u in CaseUpdate.objects.all()}


# --- The case panel on the entry page ------------------------------------------------------


def _page(client: Client, user: User, entry: Occurrence) -> str:
    client.force_login(user)
    response = client.get(f"/entries/{entry.pk}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_ocs_sees_the_assign_form_and_the_history(
    client: Client, ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    _assigned(ocs, investigator, recorded_complaint)
    page = _page(client, ocs, recorded_complaint)
    assert 'id="case-panel"' in page
    assert 'name="investigator"' in page
    assert "Assigned to an investigator" in page


def test_a_desk_officer_sees_the_history_but_no_forms(
    client: Client, desk_officer: User, recorded_complaint: Occurrence
) -> None:
    page = _page(client, desk_officer, recorded_complaint)
    assert 'id="case-panel"' in page
    assert 'name="investigator"' not in page
    assert 'name="status"' not in page


def test_the_ocs_assigns_from_the_entry_page(
    client: Client, ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(ocs)
    response = client.post(
        f"/entries/{recorded_complaint.pk}/case/assign", {"investigator": investigator.officer.pk, "note": ""}
    )
    assert response.status_code == 302
    assert CaseStatus.objects.get(occurrence=recorded_complaint).investigator == investigator.officer


def test_the_investigator_updates_from_the_entry_page_and_a_missing_reason_is_shown(
    client: Client, ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    _assigned(ocs, investigator, recorded_complaint)
    client.force_login(investigator)
    url = f"/entries/{recorded_complaint.pk}/case/status"
    asked = client.post(url, {"status": "closed", "note": "", "reason": ""})
    assert asked.status_code == 200 and "Are you sure?" in asked.content.decode()
    refused = client.post(f"/entries/{recorded_complaint.pk}/case/close", {"reason": ""})
    assert refused.status_code == 422 and "Enter the reason the case is closed" in refused.content.decode()
    assert CaseStatus.objects.get(occurrence=recorded_complaint).status == Status.ASSIGNED

    client.post(url, {"status": "suspect_arrested", "note": "Picked up at home", "reason": ""})
    assert CaseStatus.objects.get(occurrence=recorded_complaint).status == Status.SUSPECT_ARRESTED


def test_a_desk_officer_posting_an_assignment_gets_403(
    client: Client, desk_officer: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(desk_officer)
    response = client.post(f"/entries/{recorded_complaint.pk}/case/assign", {"investigator": investigator.officer.pk})
    assert response.status_code == 403
    assert not CaseUpdate.objects.exists()


def test_an_officer_from_another_station_gets_404_on_the_case_forms(
    client: Client, officer_elsewhere: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(officer_elsewhere)
    response = client.post(f"/entries/{recorded_complaint.pk}/case/status", {"status": "in_court"})
    assert response.status_code == 404
    [refused] = AccessEvent.objects.filter(username=officer_elsewhere.username)
    assert (refused.record_id, refused.purpose, refused.outcome) == (str(recorded_complaint.pk), "casework", "denied")
