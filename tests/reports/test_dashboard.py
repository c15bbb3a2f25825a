"""The OCS's station dashboard: each figure is right, links to the list behind it, and is the OCS's only."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody import rules as custody_rules
from daftari.custody.rules import NAIROBI
from daftari.custody.services import book_in
from daftari.fines import services as fines
from daftari.ledger import keys
from daftari.occurrences.casework import assign_investigator, update_case_status
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import PASSWORD, OfficerFactory, complaint
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer
from tests.fines.conftest import draft as notice_draft


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


@pytest.fixture
def ocs_client(client: Client, ocs: User) -> Client:
    client.force_login(ocs)
    return client


def test_signing_in_takes_the_ocs_to_the_station_dashboard_and_the_desk_to_todays_book(
    client: Client, ocs: User, desk_officer: User
) -> None:
    landed = client.post("/signin", {"username": "ocs", "password": PASSWORD}, follow=True)
    assert landed.redirect_chain[-1][0] == "/station"
    assert "Station dashboard" in landed.content.decode()
    client.post("/signout")
    landed = client.post("/signin", {"username": "desk", "password": PASSWORD}, follow=True)
    assert landed.redirect_chain[-1][0] == "/"


def test_unassigned_complaints_are_counted_and_listed_and_each_read_is_logged(
    ocs_client: Client, ocs: User, investigator: User, desk_officer: User, station: Station
) -> None:
    waiting = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    taken = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assign_investigator(actor=ocs, occurrence=taken, investigator=investigator.officer)  # type: ignore[attr-defined]
    page = ocs_client.get("/station")
    assert page.context["unassigned"] == 1
    assert 'href="/station/cases?show=unassigned"' in page.content.decode()
    listed = ocs_client.get("/station/cases?show=unassigned").content.decode()
    assert waiting.ob_number in listed and taken.ob_number not in listed
    assert "phone was snatched" in listed
    assert AccessEvent.objects.filter(
        username="ocs", record_id=str(waiting.pk), purpose=AccessEvent.Purpose.LIST, outcome="shown"
    ).exists()


def test_cases_are_counted_by_status_and_each_count_opens_its_cases(
    ocs_client: Client, ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    assign_investigator(actor=ocs, occurrence=recorded_complaint, investigator=investigator.officer)  # type: ignore[attr-defined]
    update_case_status(actor=investigator, occurrence=recorded_complaint, status="suspect_arrested")
    by_status = {value: count for value, _label, count in ocs_client.get("/station").context["by_status"]}
    assert by_status["suspect_arrested"] == 1 and by_status["assigned"] == 0
    listed = ocs_client.get("/station/cases?status=suspect_arrested").content.decode()
    assert recorded_complaint.ob_number in listed
    assert recorded_complaint.ob_number not in ocs_client.get("/station/cases?status=in_court").content.decode()


def test_the_workload_counts_each_investigators_open_and_overdue_cases(
    ocs_client: Client, ocs: User, make_officer: OfficerFactory, desk_officer: User, station: Station
) -> None:
    busy = make_officer("busy", [Role.INVESTIGATOR], station)
    make_officer("idle", [Role.INVESTIGATOR], station)
    cases = [record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry for _ in range(3)]
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        assign_investigator(actor=ocs, occurrence=cases[0], investigator=busy.officer)  # type: ignore[attr-defined]
    assign_investigator(actor=ocs, occurrence=cases[1], investigator=busy.officer)  # type: ignore[attr-defined]
    assign_investigator(actor=ocs, occurrence=cases[2], investigator=busy.officer)  # type: ignore[attr-defined]
    update_case_status(actor=ocs, occurrence=cases[2], status="closed", reason="Complainant withdrew")
    page = ocs_client.get("/station")
    workload = {w.investigator.user.username: (w.open_cases, w.overdue) for w in page.context["workload"]}
    assert workload == {"busy": (2, 1), "idle": (0, 0)}
    assert page.context["overdue"] == 1
    overdue_link = f"/station/cases?investigator={busy.officer.pk}&amp;overdue=on"  # type: ignore[attr-defined]
    assert overdue_link in page.content.decode()
    listed = ocs_client.get(f"/station/cases?investigator={busy.officer.pk}&overdue=on").content.decode()  # type: ignore[attr-defined]
    assert cases[0].ob_number in listed and cases[1].ob_number not in listed and cases[2].ob_number not in listed


def test_people_in_the_cells_show_with_their_clocks_through_the_custody_read_model(
    ocs_client: Client, desk_officer: User, station: Station
) -> None:
    enrol_arresting_officer(station)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    record = book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    page = ocs_client.get("/station")
    body = page.content.decode()
    assert "Otieno Ouma" in body and arrest.ob_number in body
    deadline = record.court_deadline.astimezone(NAIROBI)
    assert deadline.strftime("%a %-d %b %H:%M") in body
    band = custody_rules.board_colour(record.court_deadline, timezone.now())
    assert f'data-band="{band}"' in body and str(custody_rules.BAND_WORDS[band]) in body
    assert 'href="/custody"' in body
    assert AccessEvent.objects.filter(
        username="ocs", record_type="custody", record_id=str(record.pk), purpose=AccessEvent.Purpose.LIST
    ).exists()


def test_notices_awaiting_a_decision_are_counted_and_listed(
    ocs_client: Client, traffic_officer: User, station: Station
) -> None:
    overdue = fines.issue_notice(actor=traffic_officer, station=station, draft=notice_draft()).notice
    contested = fines.issue_notice(actor=traffic_officer, station=station, draft=notice_draft(plate="KDA 456B")).notice
    fines.contest_notice(actor=traffic_officer, number=contested.number, note="Denies the offence")
    with time_machine.travel(overdue.due_at + timedelta(hours=1)):
        fines.escalate_overdue_now()
    # Issued today: still within its days to pay, nothing to decide.
    within_time = fines.issue_notice(
        actor=traffic_officer, station=station, draft=notice_draft(plate="KBZ 789C")
    ).notice
    page = ocs_client.get("/station")
    assert (page.context["awaiting_decision"], page.context["contested"]) == (1, 1)
    assert 'href="/station/notices?show=overdue"' in page.content.decode()
    awaiting = ocs_client.get("/station/notices?show=overdue").content.decode()
    assert overdue.number in awaiting
    assert contested.number not in awaiting and within_time.number not in awaiting
    assert contested.number in ocs_client.get("/station/notices?show=contested").content.decode()
    assert AccessEvent.objects.filter(
        username="ocs", record_id=overdue.number, purpose=AccessEvent.Purpose.LIST
    ).exists()


def test_a_wrong_filter_is_named_beside_its_field(ocs_client: Client) -> None:
    response = ocs_client.get("/station/cases?status=lost&investigator=99999")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a case status from the list." in body and "Choose an investigator of this station." in body
    assert ocs_client.get("/station/notices?show=everything").status_code == 400


def test_another_stations_cases_are_not_on_the_dashboard(
    ocs_client: Client, officer_elsewhere: User, other_station: Station
) -> None:
    elsewhere = record_occurrence(actor=officer_elsewhere, station=other_station, draft=complaint()).entry
    assert ocs_client.get("/station").context["unassigned"] == 0
    assert elsewhere.ob_number not in ocs_client.get("/station/cases?show=unassigned").content.decode()


@pytest.mark.parametrize(
    "persona", ["desk_officer", "investigator", "traffic_officer", "commander", "analyst", "oversight", "admin_officer"]
)
@pytest.mark.parametrize("path", ["/station", "/station/cases", "/station/notices"])
def test_the_dashboard_and_its_lists_are_the_ocss_only(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str, path: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(path).status_code == 403
