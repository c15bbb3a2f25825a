"""A traffic officer's notices of the day: theirs only, today's only, each with where it stands."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.fines import services
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.fines.conftest import draft


@pytest.fixture
def traffic_client(client: Client, traffic_officer: User) -> Client:
    client.force_login(traffic_officer)
    return client


def test_my_notices_today_lists_todays_notices_with_their_state(
    traffic_client: Client, traffic_officer: User, ocs: User, station: Station
) -> None:
    kept = services.issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    withdrawn = services.issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KDA 456B")).notice
    services.cancel_notice(actor=ocs, number=withdrawn.number, reason="Wrong plate read at the roadside")
    response = traffic_client.get("/fines/mine")
    body = response.content.decode()
    assert kept.number in body and withdrawn.number in body
    assert '<tr data-state="issued">' in body and '<tr data-state="cancelled">' in body
    assert kept.plate in body
    # The cancelled notice is owed by nobody: only the standing one counts as due.
    assert "2 notices today · KES 2500 due · KES 0 paid" in body
    assert AccessEvent.objects.filter(username="traffic", record_id=kept.number, purpose="list").exists()


def test_yesterdays_notices_and_a_colleagues_are_not_on_the_list(
    traffic_client: Client, traffic_officer: User, make_officer: OfficerFactory, station: Station
) -> None:
    colleague = make_officer("colleague", [Role.TRAFFIC], station)
    yesterday = timezone.now() - timedelta(days=1)
    with time_machine.travel(yesterday):
        old = services.issue_notice(actor=traffic_officer, station=station, draft=draft(issued_at=yesterday)).notice
    theirs = services.issue_notice(actor=colleague, station=station, draft=draft(plate="KDA 456B")).notice
    body = traffic_client.get("/fines/mine").content.decode()
    assert old.number not in body and theirs.number not in body
    assert "You have issued no notice today." in body


@pytest.mark.parametrize(
    "persona", ["desk_officer", "ocs", "investigator", "commander", "analyst", "oversight", "admin_officer"]
)
def test_only_traffic_officers_have_a_list_of_their_notices(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/fines/mine").status_code == 403
