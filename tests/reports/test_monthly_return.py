"""The monthly crime return of a station and a county, as CSV and PDF (issue 12)."""

import csv
import io
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from pypdf import PdfReader

from daftari.occurrences.rules import COUNTING_RULE, OffenceInput, crime_rules
from daftari.occurrences.services import record_occurrence
from daftari.reports import rollup
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, at_nairobi, complaint

pytestmark = pytest.mark.django_db

NOW = at_nairobi(2026, 11, 20, 12)
NOVEMBER = "2026-11"


def record(officer: User, station: Station, section: str, when: datetime) -> None:
    late = NOW - when > timedelta(hours=12)
    draft = complaint(
        offences=(OffenceInput(section, "as reported"),),
        occurred_at=when,
        late=late,
        late_reason="Reported weeks after it happened." if late else "",
    )
    record_occurrence(actor=officer, station=station, draft=draft)


@pytest.fixture
def book(desk_officer: User, station: Station, make_officer: OfficerFactory, neighbour_station: Station) -> None:
    """Crimes at the station and its neighbour in November, October and November a year ago."""
    neighbour_desk = make_officer("neighbourdesk", [Role.DESK], neighbour_station)
    with time_machine.travel(NOW, tick=False):
        for hours in range(6):
            record(desk_officer, station, "Penal Code s.268", NOW - timedelta(hours=hours + 1))
        record(desk_officer, station, "Penal Code s.296", NOW - timedelta(hours=2))
        record(desk_officer, station, "Penal Code s.251", at_nairobi(2026, 11, 1, 0, 30))
        record(desk_officer, station, "Penal Code s.268", at_nairobi(2026, 10, 31, 23, 30))
        for day in range(1, 6):
            record(desk_officer, station, "Penal Code s.306", at_nairobi(2025, 11, day, 10))
        for _n in range(2):
            record(neighbour_desk, neighbour_station, "Penal Code s.268", NOW - timedelta(hours=3))
        rollup.catch_up()


def rows_of(body: bytes) -> dict[str, list[str]]:
    lines = [line for line in body.decode().splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    return {row["category"]: [row["this_month"], row["previous_month"], row["same_month_last_year"]] for row in reader}


def naive(station_codes: set[str], month: str) -> Counter[str]:
    """A recount of the whole book, entry by entry, for the stations and the month."""
    found: Counter[str] = Counter()
    for cell, n in rollup.naive_counts().items():
        if cell.station_code in station_codes and cell.day.strftime("%Y-%m") == month:
            found[cell.category] += n
    return found


@override_settings(DAFTARI_SMALL_NUMBER_THRESHOLD=1)
def test_the_csv_return_equals_a_naive_recount_of_the_book_in_the_published_order(
    client: Client, analyst: User, book: None, station: Station, neighbour_station: Station
) -> None:
    client.force_login(analyst)
    for level, code, stations in (
        ("station", station.code, {station.code}),
        ("county", str(station.county_id), {station.code, neighbour_station.code}),
    ):
        response = client.get(f"/figures/crimes/return.csv?level={level}&code={code}&month={NOVEMBER}")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = rows_of(response.content)
        assert list(rows) == [c for c, _name in crime_rules().categories] + ["TOTAL"]
        now, before, year_ago = naive(stations, "2026-11"), naive(stations, "2026-10"), naive(stations, "2025-11")
        for category, shown in rows.items():
            if category != "TOTAL":
                assert shown == [str(now[category]), str(before[category]), str(year_ago[category])], category
        assert rows["TOTAL"] == [str(sum(now.values())), str(sum(before.values())), str(sum(year_ago.values()))]
    assert naive({station.code}, "2026-11")["STEALING"] == 6  # the midnight-crossing entries fall where they happened
    assert naive({station.code}, "2026-10")["STEALING"] == 1


def test_the_csv_return_shows_the_same_suppressed_counts_as_the_page_and_states_its_rule(
    client: Client, ocs: User, book: None, station: Station
) -> None:
    client.force_login(ocs)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/figures/crimes?level=station&code={station.code}&start=2026-11-01&end=2026-11-30")
        body = client.get(f"/figures/crimes/return.csv?level=station&code={station.code}&month={NOVEMBER}").content
    html = page.content.decode()
    assert f"/figures/crimes/return.csv?level=station&amp;code={station.code}&amp;month={NOVEMBER}" in html
    assert "/figures/crimes/return.pdf?" in html
    table = html.split('id="category-table"')[1].split("</table>")[0]
    page_now = re.findall(r"<tr><th scope=\"row\">[^<]*</th><td>([^<]*)</td>", table)
    rows = rows_of(body)
    assert [now for now, _before, _year in rows.values()] == [n.replace("&lt;", "<") for n in page_now]
    assert rows["STEALING"] == ["6", "<5", "0"] and rows["ROBBERY"] == ["<5", "0", "0"]
    assert rows["BREAKINGS"] == ["0", "0", "5"]
    first_lines = body.decode().splitlines()[:2]
    assert "recorded by the police" in first_lines[1] and COUNTING_RULE in first_lines[1]
    assert "Central Police Station" in first_lines[0] and "Wanjiku" not in body.decode()


def test_the_pdf_return_parses_and_carries_the_counting_rule_and_its_numbers(
    client: Client, commander: User, book: None, station: Station
) -> None:
    client.force_login(commander)
    response = client.get(f"/figures/crimes/return.pdf?level=county&code={station.county_id}&month={NOVEMBER}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Monthly crime return" in text and "November 2026" in text and "Nairobi" in text
    assert "Crimes recorded by the police. Counting rule: one per entry, under its principal offence." in text
    assert COUNTING_RULE in text
    assert re.search(r"Stealing\s+8\s+<5\s+0", text), text  # 6 here and 2 at the neighbour
    assert "Wanjiku" not in text and "12345678" not in text


def test_the_pdf_return_is_in_kiswahili_for_a_kiswahili_reader(
    client: Client, ocs: User, book: None, station: Station
) -> None:
    client.force_login(ocs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    response = client.get(f"/figures/crimes/return.pdf?level=station&code={station.code}&month={NOVEMBER}")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ripoti ya uhalifu ya mwezi" in text and "Mwezi uliopita" in text


@pytest.mark.parametrize(
    ("who", "level", "where", "status"),
    [
        ("ocs", "station", "mine", 200),
        ("ocs", "station", "neighbour", 403),
        ("ocs", "county", "mine", 403),
        ("commander", "county", "mine", 200),
        ("commander", "station", "neighbour", 200),
        ("commander", "county", "other", 403),
        ("commander", "station", "other", 403),
        ("desk_officer", "station", "mine", 403),
        ("analyst", "county", "other", 200),
        ("oversight", "station", "other", 200),
    ],
)
def test_the_return_is_given_only_to_the_roles_that_hold_its_level(
    request: pytest.FixtureRequest,
    client: Client,
    station: Station,
    neighbour_station: Station,
    other_station: Station,
    who: str,
    level: str,
    where: str,
    status: int,
) -> None:
    place = {"mine": station, "neighbour": neighbour_station, "other": other_station}[where]
    code = place.code if level == "station" else str(place.county_id)
    client.force_login(request.getfixturevalue(who))
    for fmt in ("csv", "pdf"):
        response = client.get(f"/figures/crimes/return.{fmt}?level={level}&code={code}&month={NOVEMBER}")
        assert response.status_code == status, (fmt, response.content[:200])


def test_a_bad_question_for_the_return_answers_400_with_every_message_and_an_unknown_station_404(
    client: Client, analyst: User
) -> None:
    client.force_login(analyst)
    response = client.get("/figures/crimes/return.csv?level=national&code=&month=November")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose station or county." in body and "Enter a month like 2026-11." in body
    assert client.get("/figures/crimes/return.pdf?level=county&code=48&month=2026-11").status_code == 400
    assert client.get("/figures/crimes/return.csv?level=county&code=47&month=0001-01").status_code == 400
    assert client.get("/figures/crimes/return.csv?level=county&code=47&month=9999-12").status_code == 400
    assert client.get("/figures/crimes/return.pdf?level=station&code=NOWHERE&month=2026-11").status_code == 404
