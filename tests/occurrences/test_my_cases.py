"""An investigator's list of the cases assigned to them: theirs only, and only for investigators."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.ledger import keys
from daftari.occurrences.casework import assign_investigator, update_case_status
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def test_an_investigator_sees_the_cases_assigned_to_them_and_not_a_colleagues(
    client: Client,
    make_officer: OfficerFactory,
    ocs: User,
    investigator: User,
    desk_officer: User,
    station: Station,
    recorded_complaint: Occurrence,
) -> None:
    colleague = make_officer("colleague", [Role.INVESTIGATOR], station)
    theirs = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assign_investigator(actor=ocs, occurrence=recorded_complaint, investigator=investigator.officer)
    update_case_status(actor=investigator, occurrence=recorded_complaint, status="under_investigation")
    assign_investigator(actor=ocs, occurrence=theirs, investigator=colleague.officer)
    client.force_login(investigator)
    page = client.get("/cases").content.decode()
    assert recorded_complaint.ob_number in page and "Under investigation" in page
    assert theirs.ob_number not in page


def test_an_investigator_with_no_case_is_told_so(client: Client, investigator: User) -> None:
    client.force_login(investigator)
    assert "No case is assigned to you." in client.get("/cases").content.decode()


@pytest.mark.parametrize("persona", ["desk_officer", "ocs", "traffic_officer", "commander", "analyst", "oversight"])
def test_only_investigators_have_a_list_of_their_cases(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/cases").status_code == 403


def test_my_cases_puts_what_is_overdue_first_and_says_so(
    client: Client, ocs: User, investigator: User, desk_officer: User, station: Station
) -> None:
    stale = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    fresh = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        assign_investigator(actor=ocs, occurrence=stale, investigator=investigator.officer)
    assign_investigator(actor=ocs, occurrence=fresh, investigator=investigator.officer)
    client.force_login(investigator)
    page = client.get("/cases").content.decode()
    assert "1 case is overdue: record its next step." in page
    assert page.index(stale.ob_number) < page.index(fresh.ob_number)
    stale_row = page[page.index(stale.ob_number) : page.index("</tr>", page.index(stale.ob_number))]
    fresh_row = page[page.index(fresh.ob_number) : page.index("</tr>", page.index(fresh.ob_number))]
    assert "Overdue" in stale_row and "Overdue" not in fresh_row


def test_recording_the_next_step_takes_a_case_off_the_overdue_list(
    client: Client, ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        assign_investigator(actor=ocs, occurrence=recorded_complaint, investigator=investigator.officer)
    client.force_login(investigator)
    assert "1 case is overdue" in client.get("/cases").content.decode()
    update_case_status(actor=investigator, occurrence=recorded_complaint, status="under_investigation")
    assert "case is overdue: record" not in client.get("/cases").content.decode()
