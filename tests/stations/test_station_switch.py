"""A county commander switches the book and the cells board between the county's stations; nobody else can."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.ledger import keys
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def test_a_commander_reads_a_neighbour_stations_book_and_the_read_is_logged(
    client: Client, commander: User, make_officer: OfficerFactory, neighbour_station: Station, other_station: Station
) -> None:
    desk = make_officer("kilimani_desk", [Role.DESK], neighbour_station)
    entry = record_occurrence(actor=desk, station=neighbour_station, draft=complaint()).entry
    client.force_login(commander)
    home = client.get("/").content.decode()
    assert 'id="station-switch"' in home and 'value="KILIMANI"' in home and "KISUMU-CTL" not in home
    page = client.get("/?station=kilimani")
    assert page.status_code == 200 and entry.ob_number in page.content.decode()
    assert AccessEvent.objects.filter(
        username="commander", record_type="ob_page", record_station=neighbour_station
    ).exists()


def test_a_commander_cannot_switch_to_another_countys_station(
    client: Client, commander: User, other_station: Station
) -> None:
    client.force_login(commander)
    assert client.get("/?station=KISUMU-CTL").status_code == 404
    assert client.get("/custody?station=KISUMU-CTL").status_code == 404


def test_a_commander_switches_the_cells_board(client: Client, commander: User, neighbour_station: Station) -> None:
    client.force_login(commander)
    board = client.get("/custody?station=KILIMANI")
    assert board.status_code == 200 and "Kilimani Police Station" in board.content.decode()


def test_a_station_officer_has_no_station_to_switch_to(
    desk_client: Client, neighbour_station: Station, station: Station
) -> None:
    assert 'id="station-switch"' not in desk_client.get("/").content.decode()
    assert desk_client.get("/?station=KILIMANI").status_code == 404
    assert desk_client.get("/custody?station=KILIMANI").status_code == 404
    assert desk_client.get("/?station=CENTRAL-NBI").status_code == 200
