"""The figures page's map and charts: drawn server-side as SVG from the same suppressed numbers as
its tables (issue 12)."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.occurrences.rules import NAIROBI
from daftari.reports import charts, figures
from daftari.stations.models import Station
from tests.reports.test_crime_figures import record_crimes


def recorded_today() -> date:
    return (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI).date()


def place(station: Station, lat: str, lon: str) -> None:
    Station.objects.filter(pk=station.pk).update(lat=lat, lon=lon)


def svg_of(body: str, figure_id: str) -> str:
    match = re.search(rf'<figure class="chart" id="{figure_id}">(.*?)</figure>', body, re.S)
    assert match, f"no #{figure_id} on the page"
    return match.group(1)


@pytest.fixture
def two_counties(desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station) -> None:
    """Nairobi (47) records 2 crimes, a count that is suppressed; Kisumu (42) records 6."""
    place(station, "-1.283600", "36.824900")
    place(other_station, "-0.103000", "34.753600")
    record_crimes(desk_officer, station, ["Penal Code s.268", "Penal Code s.296"])
    record_crimes(officer_elsewhere, other_station, ["Penal Code s.268"] * 6)


@pytest.mark.django_db
def test_the_national_map_draws_every_county_once_darkest_where_the_rate_is_highest_and_hatches_suppressed_ones(
    client: Client, analyst: User, two_counties: None
) -> None:
    today = recorded_today()
    client.force_login(analyst)
    response = client.get(f"/figures/crimes?level=national&code=&start={today}&end={today}")
    body = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 100_000
    drawn = svg_of(body, "county-map")
    shades = dict(re.findall(r'<path d="[^"]+" fill="[^"]+" data-county="(\d+)" data-shade="(\w+)">', drawn))
    assert sorted(map(int, shades)) == list(range(1, 48))
    assert shades["42"] == "4"  # Kisumu: 6 crimes, the highest rate shown
    assert shades["47"] == "suppressed"  # Nairobi: 2 crimes, suppressed in the table as on the map
    assert {shades[c] for c in shades if c not in ("42", "47")} == {"0"}
    assert (
        "<title>Kisumu: " in drawn
        and "<title>Nairobi City: fewer than 5 crimes recorded, rate not shown</title>" in drawn
    )
    assert "OpenStreetMap contributors" in drawn
    # The stations with coordinates are points, their counts as suppressed as in the station table.
    assert "<title>Central Police Station: &lt;5</title>" in drawn
    assert "<title>Kisumu Central Police Station: 6</title>" in drawn
    assert '<th scope="row">Central Police Station</th><td>&lt;5</td>' in body
    assert "<script" not in drawn


@pytest.mark.django_db
def test_a_suppressed_category_has_no_bar_only_the_same_sign_as_its_table_cell(
    client: Client, analyst: User, two_counties: None
) -> None:
    today = recorded_today()
    client.force_login(analyst)
    body = client.get(f"/figures/crimes?level=station&code=CENTRAL-NBI&start={today}&end={today}").content.decode()
    bars = svg_of(body, "category-bars")
    robbery = re.search(r'<rect [^>]*width="([\d.]+)"[^>]*><title>Robbery: ([^<]+)</title>', bars)
    stealing = re.search(r'<rect [^>]*width="([\d.]+)"[^>]*><title>Stealing: ([^<]+)</title>', bars)
    assert robbery and stealing
    assert robbery.groups() == ("0.0", "&lt;5") and stealing.groups() == ("0.0", "&lt;5")
    assert '<th scope="row">Robbery</th><td>&lt;5</td>' in body
    # No count from 1 to 4 appears in any chart's labels or hover titles.
    for figure in ("category-bars", "trend"):
        texts = re.findall(r"<(?:title|text)[^>]*>([^<]*)</", svg_of(body, figure))
        assert not [t for t in texts if re.fullmatch(r"[1-4]", t.strip())]
    assert "county-map" not in body  # a station's figures have no map


@pytest.mark.django_db
def test_the_highest_category_has_the_longest_bar(desk_officer: User, station: Station) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 8 + ["Penal Code s.296"] * 5)
    today = recorded_today()
    chart = charts.category_bars(figures.crime_table("station", station.code, today, today))
    by_name = {b.name: b for b in chart.bars}
    assert chart.top == 10 and len(chart.bars) == 17
    assert by_name["Stealing"].length == pytest.approx(260 * 8 / 10)
    assert by_name["Robbery"].length == pytest.approx(260 * 5 / 10)
    assert by_name["Homicide"].length == 0 and by_name["Homicide"].shown == "0"


@pytest.mark.django_db
def test_the_trend_counts_each_day_against_the_previous_period_and_breaks_the_line_at_a_suppressed_day(
    desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 3)
    today = recorded_today()
    chart = charts.trend("station", station.code, today - timedelta(days=6), today)
    assert chart.grain == "day" and len(chart.rows) == 7
    assert [r.now_shown for r in chart.rows] == ["0"] * 6 + ["<5"]
    assert [r.previous_shown for r in chart.rows] == ["0"] * 7
    assert (chart.previous_start, chart.previous_end) == (today - timedelta(days=13), today - timedelta(days=7))
    # Six zero days drawn, the suppressed seventh left out of the line and marked in the band.
    assert chart.now_path.count("L") == 5 and chart.now_path.count("M") == 1
    today_marker = [m for m in chart.markers if not m.previous][-1]
    assert today_marker.shown == "<5" and chart.band_y < today_marker.y < chart.bottom


@pytest.mark.django_db
def test_a_shown_day_is_drawn_at_its_count(desk_officer: User, station: Station) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 7)
    today = recorded_today()
    chart = charts.trend("station", station.code, today - timedelta(days=1), today)
    assert [r.now_shown for r in chart.rows] == ["0", "7"]
    top_y = {t.value: t.y for t in chart.ticks}
    assert chart.now_path.endswith(f"{chart.right:.1f} {top_y[10] + (top_y[0] - top_y[10]) * 0.3:.1f}")


def test_a_long_period_is_cut_into_calendar_months_and_a_short_one_into_days() -> None:
    assert charts.buckets(date(2026, 1, 15), date(2026, 4, 10)) == [
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 10)),
    ]
    days = charts.buckets(date(2026, 11, 1), date(2026, 11, 30))
    assert len(days) == 30 and all(a == b for a, b in days)


@pytest.mark.django_db
def test_a_commander_s_map_is_their_county_and_its_stations_only(
    client: Client, commander: User, two_counties: None
) -> None:
    today = recorded_today()
    client.force_login(commander)
    body = client.get(f"/figures/crimes?level=county&code=47&start={today}&end={today}").content.decode()
    drawn = svg_of(body, "county-map")
    assert re.findall(r'data-county="(\d+)"', drawn) == ["47"]
    assert "Central Police Station: &lt;5" in drawn and "Kisumu" not in body
    assert len(body.encode()) < 100_000


@pytest.mark.django_db
def test_every_chart_on_the_page_has_its_table(client: Client, analyst: User, two_counties: None) -> None:
    today = recorded_today()
    client.force_login(analyst)
    body = client.get(f"/figures/crimes?level=national&code=&start={today - timedelta(days=200)}&end={today}")
    text = body.content.decode()
    for chart_id, table_id in (
        ("category-bars", "category-table"),
        ("county-map", "county-rates"),
        ("trend", "trend-table"),
    ):
        assert f'id="{chart_id}"' in text and f'id="{table_id}"' in text
    assert "Crimes recorded by month" in text
    assert len(body.content) < 100_000


@pytest.mark.django_db
def test_the_map_and_charts_speak_kiswahili_with_the_same_numbers(
    client: Client, analyst: User, two_counties: None
) -> None:
    today = recorded_today()
    client.force_login(analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    body = client.get(f"/figures/crimes?level=national&code=&start={today}&end={today}").content.decode()
    assert "Ramani: uhalifu ulioandikwa kwa kila watu 100,000 kwa kaunti" in body
    assert "Nairobi City: uhalifu ulioandikwa ni chini ya 5, kiwango hakionyeshwi" in body
    assert "Chati: uhalifu ulioandikwa kwa siku" in body and "Mipaka ya kaunti" in body
    assert 'data-county="42" data-shade="4"' in body


@pytest.mark.django_db
def test_crimes_by_hour_and_day_of_the_week_are_bars_with_their_tables_suppressed_alike(
    settings, client: Client, analyst: User, desk_officer: User, station: Station
) -> None:  # type: ignore[no-untyped-def]
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 6)
    happened = (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI)
    day = happened.date()
    hours = charts.hour_bars("station", station.code, day, day)
    assert [b.name for b in hours.bars][:2] == ["00:00", "01:00"] and len(hours.bars) == 24
    assert [b.shown for b in hours.bars if b.shown != "0"] == ["6"]
    assert hours.bars[happened.hour].length == pytest.approx(260 * 6 / 10)
    weekdays = charts.weekday_bars("station", station.code, day, day)
    assert weekdays.bars[0].name == "Monday" and weekdays.bars[day.weekday()].shown == "6"
    client.force_login(analyst)
    body = client.get(f"/figures/crimes?level=national&code=&start={day}&end={day}").content.decode()
    for chart_id in ("hour-bars", "weekday-bars"):
        assert f'id="{chart_id}"' in body and f'id="{chart_id}-table"' in body
    assert f'<th scope="row">{happened.hour:02d}:00</th><td>6</td>' in body
    settings.DAFTARI_SMALL_NUMBER_THRESHOLD = 7
    body = client.get(f"/figures/crimes?level=national&code=&start={day}&end={day}").content.decode()
    assert f'<th scope="row">{happened.hour:02d}:00</th><td>&lt;7</td>' in body
    hour_chart = svg_of(body, "hour-bars")
    assert f"<title>{happened.hour:02d}:00: &lt;7</title>" in hour_chart and 'data-suppressed="yes"' in hour_chart
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    body = client.get(f"/figures/crimes?level=national&code=&start={day}&end={day}").content.decode()
    assert "Uhalifu ulioandikwa kwa siku ya juma" in body and "Jumatatu" in body
    assert len(body.encode()) < 100_000


@pytest.mark.django_db
def test_the_legend_tells_low_rate_classes_apart_and_shows_one_class_when_nothing_was_recorded(
    desk_officer: User, station: Station
) -> None:
    day = recorded_today()
    empty = charts.national_map(figures.county_rates(day, day), {})
    assert [(c.low, c.high) for c in empty.legend] == [("0.00", "0.00")]
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 9)
    rates = figures.county_rates(day, day)
    legend = charts.national_map(rates, {}).legend
    top = 9 * 100000 / figures.county_population()[station.county_id]
    assert len(legend) == 5 and legend[-1].high == f"{top:.2f}" and legend[0].low == "0.00"
    assert len({c.high for c in legend}) == 5
