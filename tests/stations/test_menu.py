"""The menu offers each role only what it can open: every link in it answers 200."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory

PERSONAS = [
    "desk_officer",
    "ocs",
    "investigator",
    "traffic_officer",
    "commander",
    "analyst",
    "oversight",
    "admin_officer",
]


def menu_links(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main"[^>]*>(.*?)</nav>', page, re.S)
    assert nav is not None, "the page has no main menu"
    return re.findall(r'href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_in_a_roles_menu_opens(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    links = menu_links(client.get("/").content.decode())
    assert links
    for link in links:
        assert client.get(link).status_code == 200, (persona, link)


def test_a_commander_is_not_offered_new_entry(client: Client, commander: User) -> None:
    client.force_login(commander)
    assert "/entries/new" not in menu_links(client.get("/").content.decode())


def test_the_desk_is_offered_new_entry_and_the_cells(desk_client: Client) -> None:
    links = menu_links(desk_client.get("/").content.decode())
    assert "/entries/new" in links and "/custody" in links


@pytest.mark.parametrize("persona", ["analyst", "oversight", "admin_officer"])
def test_a_national_role_is_offered_the_custody_compliance_figures_not_one_stations_cells(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    links = menu_links(client.get("/").content.decode())
    assert "/custody/compliance" in links and "/custody" not in links


def test_an_analyst_is_offered_the_fines_figures(client: Client, analyst: User) -> None:
    client.force_login(analyst)
    assert "/fines/figures" in menu_links(client.get("/").content.decode())


def test_an_investigator_is_offered_the_cases_assigned_to_them(
    client: Client, make_officer: OfficerFactory, station: Station
) -> None:
    client.force_login(make_officer("hassan", [Role.INVESTIGATOR], station))
    assert "/cases" in menu_links(client.get("/").content.decode())


def test_the_ocs_is_offered_the_station_dashboard(client: Client, ocs: User) -> None:
    client.force_login(ocs)
    assert "/station" in menu_links(client.get("/").content.decode())


def test_a_traffic_officer_is_offered_the_notices_of_their_day(client: Client, traffic_officer: User) -> None:
    client.force_login(traffic_officer)
    assert "/fines/mine" in menu_links(client.get("/").content.decode())
