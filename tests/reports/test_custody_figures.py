"""Persons arrested and custody figures on the figures page and GET /api/v1/stats/custody: counts
only, Art. 49 as on the compliance page, small numbers suppressed (issue 12)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody import rules, services
from daftari.custody.models import CustodyRecord
from daftari.occurrences.rules import NAIROBI
from daftari.occurrences.services import record_occurrence
from daftari.reports import custody_figures, custody_rollup
from daftari.stations.models import Station
from tests.custody.conftest import HELD_ELSEWHERE, arrest_draft, booking, enrol_arresting_officer
from tests.occurrences.test_api import Api

pytestmark = pytest.mark.django_db


def period() -> dict[str, str]:
    """From the day an hour ago (the arrests) to today (the bookings): the same two days just after
    Nairobi's midnight, one day otherwise."""
    now = timezone.now()
    return {
        "from": (now - timedelta(hours=1)).astimezone(NAIROBI).date().isoformat(),
        "to": now.astimezone(NAIROBI).date().isoformat(),
    }


def figures_url() -> str:
    asked = period()
    return f"/figures/crimes?level=national&code=&start={asked['from']}&end={asked['to']}"


def book(desk_officer: User, station: Station, name: str, **overrides: object) -> CustodyRecord:
    """An ARREST entry naming one suspect, and the suspect booked into the cells from it."""
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    detainee = rules.DetaineeInput(name=name, sex="M", age=30)
    return services.book_in(
        actor=desk_officer, station=station, booking=booking(detainee=detainee, **overrides), arrest=arrest
    ).record


@pytest.fixture
def three_held(desk_officer: User, station: Station) -> dict[str, CustodyRecord]:
    """Taken to court in time; seriously injured and still held with time left; booked in five days
    after the arrest and so held past the deadline."""
    enrol_arresting_officer(station)
    in_time = book(desk_officer, station, "Otieno Ouma")
    services.take_to_court(actor=desk_officer, custody=in_time, court="Milimani", outcome="remanded")
    injured = book(desk_officer, station, "Kamau Njoroge")
    services.record_death_or_serious_injury(
        actor=desk_officer, custody=injured, kind="serious_injury", note="Fell in the cell; taken to hospital."
    )
    late = book(
        desk_officer,
        station,
        "Mwangi Kariuki",
        arrested_at=timezone.now() - timedelta(days=5),
        late=True,
        late_reason=HELD_ELSEWHERE,
    )
    custody_rollup.catch_up()  # the worker's tick
    return {"in_time": in_time, "injured": injured, "late": late}


def test_arrests_bookings_and_art_49_are_counted_for_the_station_its_county_and_the_country(
    settings, station: Station, three_held: dict[str, CustodyRecord]
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_SMALL_NUMBER_THRESHOLD = 1  # nothing suppressed: the counts themselves
    day = timezone.now().astimezone(NAIROBI).date()
    for level, code in (("station", station.code), ("county", str(station.county_id)), ("national", "")):
        found_at = timezone.now()
        found = custody_figures.custody_figures(level, code, day - timedelta(days=1), day, now=found_at)
        assert found.persons_arrested == 3 and found.held == 3
        assert (found.within, found.past_deadline, found.awaiting) == (1, 1, 1)
        assert (found.deaths, found.serious_injuries) == (0, 1)
        assert found.shown()["within_deadline_percent"] == "50"
        assert found == custody_figures.naive_custody_figures(level, code, day - timedelta(days=1), day, now=found_at)
    elsewhere = custody_figures.custody_figures("station", "KISUMU-CTL", day, day, now=timezone.now())
    assert elsewhere.held == 0 and elsewhere.shown()["within_deadline_percent"] == ""


def test_the_share_within_the_deadline_is_withheld_when_either_count_is_suppressed() -> None:
    figures = custody_figures.CustodyFigures(40, 40, 36, 4, 0, 0, 0)
    assert figures.shown()["past_deadline"] == "<5"
    assert figures.within_percent_shown == "—"  # 90% would give the 4 away
    assert custody_figures.CustodyFigures(50, 50, 40, 10, 0, 0, 0).within_percent_shown == "80"


def test_the_analyst_sees_the_custody_figures_suppressed_and_without_a_single_name(
    settings, client: Client, analyst: User, three_held: dict[str, CustodyRecord]
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(analyst)
    body = client.get(figures_url()).content.decode()
    assert 'id="custody-figures"' in body
    assert "Persons booked into police cells</th><td>&lt;5</td>" in body
    assert "Serious injuries in custody</th><td>&lt;5</td>" in body
    assert "Deaths in custody</th><td>0</td>" in body
    assert '<td id="within-deadline-percent">—</td>' in body
    for name in ("Otieno", "Kamau", "Mwangi", "23456789", "Milimani"):
        assert name not in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    body = client.get(figures_url()).content.decode()
    assert "Kukamatwa na mahabusu" in body and "Watu walioingizwa katika seli za polisi</th><td>&lt;5</td>" in body


def test_the_custody_api_gives_the_same_numbers_as_the_page_within_the_reader_s_reach(
    client: Client, analyst: User, ocs: User, desk_officer: User, station: Station, three_held: dict
) -> None:  # type: ignore[type-arg]
    asked = period()
    body = Api(client, analyst).get("/stats/custody", level="county", code=str(station.county_id), **asked).json()
    assert body["persons_arrested"] == "<5" and body["persons_held"] == "<5"
    assert body["deaths_in_custody"] == "0" and body["within_deadline_percent"] == "—"
    assert body["suppressed_below"] == 5 and body["recorded_by"] == "police"
    assert not {"Otieno", "Kamau", "Mwangi"} & set(str(body).split())
    mine = Api(client, ocs).get("/stats/custody", level="station", code=station.code, **asked)
    assert mine.status_code == 200 and mine.json()["persons_held"] == "<5"
    assert Api(client, ocs).get("/stats/custody", level="national", **asked).status_code == 403
    assert (
        Api(client, desk_officer).get("/stats/custody", level="station", code=station.code, **asked).status_code == 403
    )
    bad = Api(client, analyst).get("/stats/custody", level="planet", **{"from": "yesterday", "to": ""})
    assert bad.status_code == 422 and {"level", "from", "to"} <= set(bad.json()["fields"])
