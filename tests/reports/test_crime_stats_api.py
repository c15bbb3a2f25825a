"""GET /api/v1/stats/crimes: the same numbers as the page, validated, within the reader's reach (issue 12)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.occurrences.rules import NAIROBI
from daftari.stations.models import Station
from tests.occurrences.test_api import Api
from tests.reports.test_crime_figures import record_crimes

pytestmark = pytest.mark.django_db


def day() -> str:
    return (timezone.now() - timedelta(hours=1)).astimezone(NAIROBI).date().isoformat()


def test_the_api_gives_the_analyst_the_same_category_counts_as_the_page_with_small_numbers_suppressed(
    client: Client, analyst: User, desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 5 + ["Penal Code s.296"])
    api = Api(client, analyst)
    response = api.get("/stats/crimes", level="county", code=str(station.county_id), **{"from": day(), "to": day()})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {r["key"]: r["count"] for r in body["rows"]}
    assert rows["STEALING"] == "5" and rows["ROBBERY"] == "<5" and rows["HOMICIDE"] == "0"
    assert body["counting_rule"] == "one-per-entry-principal-offence" and body["suppressed_below"] == 5
    client.force_login(analyst)
    page = client.get(f"/figures/crimes?level=county&code={station.county_id}&start={day()}&end={day()}")
    assert "<td>5</td>" in page.content.decode() and "<td>&lt;5</td>" in page.content.decode()


def test_the_api_splits_by_station_and_by_hour(
    client: Client, analyst: User, desk_officer: User, station: Station
) -> None:
    record_crimes(desk_officer, station, ["Penal Code s.268"] * 6)
    api = Api(client, analyst)
    by_station = api.get("/stats/crimes", level="national", by="station", **{"from": day(), "to": day()}).json()
    assert by_station["rows"] == [{"key": station.code, "count": "6"}]
    by_hour = api.get("/stats/crimes", level="national", by="hour", **{"from": day(), "to": day()}).json()
    assert len(by_hour["rows"]) == 24 and sum(r["count"] == "6" for r in by_hour["rows"]) == 1


def test_bad_questions_answer_422_naming_every_field(client: Client, analyst: User) -> None:
    api = Api(client, analyst)
    response = api.get("/stats/crimes", level="planet", by="weather", **{"from": "yesterday", "to": ""})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert {"level", "by", "from", "to"} <= set(fields)


def test_the_desk_gets_403_from_the_crime_stats(client: Client, desk_officer: User, station: Station) -> None:
    api = Api(client, desk_officer)
    response = api.get("/stats/crimes", level="station", code=station.code, **{"from": day(), "to": day()})
    assert response.status_code == 403


def test_the_api_splits_by_day_of_week_from_the_daily_counts(
    client: Client, analyst: User, desk_officer: User, station: Station
) -> None:
    from datetime import date

    record_crimes(desk_officer, station, ["Penal Code s.268"] * 6)
    api = Api(client, analyst)
    rows = api.get("/stats/crimes", level="national", by="weekday", **{"from": day(), "to": day()}).json()["rows"]
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[date.fromisoformat(day()).weekday()]
    assert [r["key"] for r in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert {r["key"]: r["count"] for r in rows}[weekday] == "6"
    assert sum(r["count"] == "0" for r in rows) == 6


def test_a_period_too_far_back_or_ahead_answers_422_not_500(client: Client, analyst: User) -> None:
    api = Api(client, analyst)
    for path in ("/stats/crimes", "/stats/custody", "/stats/follow-up"):
        response = api.get(path, level="national", **{"from": "0001-01-01", "to": "0001-01-05"})
        assert response.status_code == 422, (path, response.content)
        assert set(response.json()["fields"]) == {"from", "to"}
    client.force_login(analyst)
    assert client.get("/figures/crimes?level=national&code=&start=9999-12-01&end=9999-12-31").status_code == 400
