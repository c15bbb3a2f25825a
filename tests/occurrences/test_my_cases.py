"""An investigator's list of the cases assigned to them: theirs only, and only for investigators."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

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
