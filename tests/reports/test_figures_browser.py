"""The figures page's map and charts in a real Chromium: the SVG the server draws renders, one shape
per county, the darkest where the rate is highest, and the whole page stays under 100 KB."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from daftari.occurrences.rules import NAIROBI
from daftari.reports import figures, svg
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, complete_second_factor
from tests.conftest import PASSWORD
from tests.reports.test_crime_figures import record_crimes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in_as_analyst(page: Page, base_url: str) -> None:
    """The analyst signs in (with the second factor) and lands on the page meant for them."""
    page.goto(f"{base_url}/signin")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/signin" not in url)
    complete_second_factor(page)


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_the_analyst_s_county_map_and_charts_render_in_chromium_darkest_where_the_rate_is_highest(
    chromium: BrowserThread,
    live_server: Any,
    analyst: User,
    desk_officer: User,
    officer_elsewhere: User,
    station: Station,
    other_station: Station,
) -> None:
    Station.objects.filter(pk=station.pk).update(lat="-1.283600", lon="36.824900")
    Station.objects.filter(pk=other_station.pk).update(lat="-0.103000", lon="34.753600")
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 9)  # Nairobi City: 9 of 4.4 million
    record_crimes(
        officer_elsewhere, other_station, ["Penal Code s.268"] * 6 + ["Penal Code s.296"]
    )  # Kisumu: 7 of 1.2 million
    today = (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI).date()
    rates = figures.county_rates(today, today)
    highest = max(rates, key=lambda r: r.count / r.population)
    assert highest.code == 42
    base = live_server.url

    def look(page: Page) -> dict[str, Any]:
        sign_in_as_analyst(page, base)
        response = page.goto(f"{base}/figures/crimes?level=national&code=&start={today}&end={today}")
        assert response is not None and response.ok
        counties = page.locator("#county-map > svg path[data-county]")
        expect(counties).to_have_count(47)
        fills = counties.evaluate_all(
            "paths => paths.map(p => [p.dataset.county, getComputedStyle(p).fill, p.getBBox().width])"
        )
        map_box = page.locator("#county-map > svg").bounding_box()
        stealing = page.locator("#category-bars rect", has=page.locator("title", has_text="Stealing:"))
        expect(page.locator("#trend > svg path.now")).to_have_attribute("d", re.compile(r"^M"))
        return {
            "bytes": len(response.body()),
            "fills": fills,
            "map_box": map_box,
            "stealing_width": stealing.bounding_box(),
            "stations": page.locator("#county-map > svg circle").count(),
            "trend_box": page.locator("#trend > svg").bounding_box(),
            "attribution": page.locator("#county-map > svg > text").text_content(),
        }

    seen = chromium.run(look)
    assert seen["bytes"] < 100_000
    assert seen["map_box"]["width"] > 300 and seen["map_box"]["height"] > 300
    assert seen["trend_box"]["width"] > 300
    assert seen["stations"] == 2
    assert "OpenStreetMap contributors" in seen["attribution"]
    fills = {county: (fill, width) for county, fill, width in seen["fills"]}
    assert all(width > 0 for _fill, width in fills.values())  # every county drawn, none collapsed
    assert fills["42"][0] == rgb(svg.SHADES[-1])  # the highest rate, the darkest class
    assert fills["47"][0] not in (rgb(svg.SHADES[-1]), rgb(svg.SHADES[0]))
    assert {fill for county, (fill, _w) in fills.items() if county not in ("42", "47")} == {rgb(svg.SHADES[0])}
    assert seen["stealing_width"]["width"] > 100  # 15 thefts: the longest bar
