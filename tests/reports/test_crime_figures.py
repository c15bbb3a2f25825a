"""Crime figures by category from the rollup: periods compared, small numbers suppressed (issue 12)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone

from daftari.occurrences.rules import NAIROBI, OffenceInput
from daftari.occurrences.services import record_occurrence
from daftari.reports import figures, rollup
from daftari.stations.models import Station
from tests.conftest import complaint


def test_small_counts_are_suppressed_but_zero_and_larger_counts_are_shown() -> None:
    assert [figures.shown(n) for n in (0, 1, 4, 5, 120)] == ["0", "<5", "<5", "5", "120"]
    with override_settings(DAFTARI_SMALL_NUMBER_THRESHOLD=3):
        assert [figures.shown(n) for n in (2, 3)] == ["<3", "3"]


def test_a_rate_per_100000_is_withheld_when_its_count_is_suppressed() -> None:
    assert figures.rate_shown(3, 1_000_000) == "—"
    assert figures.rate_shown(50, 1_000_000) == "5.0"


def test_the_previous_period_is_as_long_and_ends_the_day_before() -> None:
    assert figures.previous_period(date(2026, 11, 1), date(2026, 11, 30)) == (date(2026, 10, 2), date(2026, 10, 31))
    assert figures.same_period_last_year(date(2024, 2, 29), date(2024, 3, 1)) == (date(2023, 2, 28), date(2023, 3, 1))


def test_every_county_has_its_2019_census_population() -> None:
    population = figures.county_population()
    assert len(population) == 47
    assert sum(population.values()) == 47_564_296


@pytest.mark.django_db
def test_the_table_counts_by_category_in_the_published_order_for_the_station_and_its_county(
    desk_officer: User, station: Station
) -> None:
    for section in ["Penal Code s.268"] * 6 + ["Penal Code s.296"]:
        draft = complaint(
            offences=(OffenceInput(section, "as reported"),), occurred_at=timezone.now() - timedelta(hours=1)
        )
        record_occurrence(actor=desk_officer, station=station, draft=draft)
    rollup.catch_up()
    today = (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI).date()
    for level, code in (("station", station.code), ("county", str(station.county_id)), ("national", "")):
        table = figures.crime_table(level, code, today, today)
        by = {r.code: r for r in table.rows}
        assert [r.code for r in table.rows][:2] == ["HOMICIDE", "MORALITY"] and len(table.rows) == 17
        assert (by["STEALING"].now, by["STEALING"].now_shown) == (6, "6")
        assert (by["ROBBERY"].now, by["ROBBERY"].now_shown) == (1, "<5")
        assert by["STEALING"].previous == 0 and table.total.now == 7
        assert table.counting_rule == "one-per-entry-principal-offence"
    assert figures.crime_table("station", "ELSEWHERE", today, today).total.now == 0


def record_crimes(officer: User, station: Station, sections: list[str]) -> None:
    for section in sections:
        draft = complaint(
            offences=(OffenceInput(section, "as reported"),), occurred_at=timezone.now() - timedelta(hours=1)
        )
        record_occurrence(actor=officer, station=station, draft=draft)
    rollup.catch_up()


@pytest.mark.django_db
def test_the_analyst_sees_national_figures_without_a_single_name_and_small_counts_suppressed(
    client: Client, analyst: User, desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 5 + ["Penal Code s.296"])
    client.force_login(analyst)
    response = client.get("/figures/crimes")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Crimes recorded by the police" in body and "principal offence" in body
    assert "<td>5</td>" in body and "<td>&lt;5</td>" in body
    assert "Wanjiku" not in body and "12345678" not in body and "Moi Avenue" not in body
    assert len(response.content) < 100_000


@pytest.mark.django_db
def test_a_commander_sees_their_county_with_its_rate_but_not_another_county(
    client: Client, commander: User, desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 6)
    client.force_login(commander)
    body = client.get("/figures/crimes").content.decode()
    assert 'id="county-rate"' in body
    other = 1 if station.county_id != 1 else 2
    today = timezone.localdate().isoformat()
    response = client.get(f"/figures/crimes?level=county&code={other}&start={today}&end={today}")
    assert response.status_code == 403
    assert client.get(f"/figures/crimes?level=national&code=&start={today}&end={today}").status_code == 403


@pytest.mark.django_db
def test_an_ocs_sees_their_station_and_the_desk_sees_no_figures(
    client: Client, ocs: User, desk_officer: User, station: Station
) -> None:
    client.force_login(ocs)
    assert client.get("/figures/crimes").status_code == 200
    client.force_login(desk_officer)
    assert client.get("/figures/crimes").status_code == 403


@pytest.mark.django_db
def test_a_bad_filter_answers_400_with_every_field_message_at_once(client: Client, analyst: User) -> None:
    client.force_login(analyst)
    response = client.get("/figures/crimes?level=planet&start=yesterday&end=")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Choose station, county or national." in body
    assert "Enter a date like 2026-11-01." in body and "Enter a date." in body
    response = client.get("/figures/crimes?level=county&code=99&start=2026-11-30&end=2026-11-01")
    body = response.content.decode()
    assert "Enter a county number from 1 to 47." in body
    assert "The end of the period cannot be before its start." in body


@pytest.mark.django_db
def test_the_csv_download_holds_the_same_suppressed_table_and_its_counting_rule(
    client: Client, analyst: User, desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 5 + ["Penal Code s.296"])
    client.force_login(analyst)
    today = (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI).date().isoformat()
    page = client.get(f"/figures/crimes?level=national&code=&start={today}&end={today}").content.decode()
    assert "/figures/crimes.csv?" in page
    response = client.get(f"/figures/crimes.csv?level=national&code=&start={today}&end={today}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert "one-per-entry-principal-offence" in lines[0]
    assert "STEALING,Stealing,5,0,0" in lines and "ROBBERY,Robbery,<5,0,0" in lines
    assert lines[-1] == "TOTAL,Total,6,0,0"
    assert client.get("/figures/crimes.csv?level=planet").status_code == 400


@pytest.mark.django_db
def test_national_figures_give_every_county_its_rate_per_100000_with_small_counts_withheld(
    client: Client, analyst: User, desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 6)
    today = (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI).date()
    rates = {r.code: r for r in figures.county_rates(today, today)}
    assert len(rates) == 47
    mine = rates[station.county_id]
    assert mine.count == 6
    assert mine.rate_shown == f"{6 * 100000 / figures.county_population()[station.county_id]:.1f}"
    assert all(r.count == 0 and r.rate_shown == "0.0" for code, r in rates.items() if code != station.county_id)
    client.force_login(analyst)
    body = client.get(f"/figures/crimes?level=national&code=&start={today}&end={today}").content.decode()
    assert 'id="county-rates"' in body and mine.rate_shown in body
    assert len(body.encode()) < 100_000
