"""Follow-up figures: reports from the public recorded in a period, assigned, charged, closed and the
median days to close, on the page and GET /api/v1/stats/follow-up with the same numbers (issue 12)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from daftari.occurrences.casework import Status, assign_investigator, update_case_status
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.reports import follow_up_rollup
from daftari.reports.follow_up_figures import follow_up_figures, naive_follow_up_figures
from daftari.stations.models import Station
from tests.conftest import at_nairobi, complaint
from tests.occurrences.test_api import Api

pytestmark = pytest.mark.django_db

T0 = at_nairobi(2026, 11, 2, 9)
CLOSED_AFTER_DAYS = (1, 2, 3, 4, 10)  # the median is 3 days


def reports(desk: User, station: Station, n: int) -> list[Occurrence]:
    return [record_occurrence(actor=desk, station=station, draft=complaint()).entry for _n in range(n)]


def follow(ocs: User, investigator: User, cases: list[Occurrence], *, charged: int, closed_after: tuple[int, ...]):  # type: ignore[no-untyped-def]
    for case in cases:
        assign_investigator(actor=ocs, occurrence=case, investigator=investigator.officer)
    for case in cases[:charged]:
        update_case_status(actor=investigator, occurrence=case, status=Status.IN_COURT)
    for case, days in zip(cases, closed_after, strict=False):
        with time_machine.travel(T0 + timedelta(days=days), tick=False):
            update_case_status(actor=ocs, occurrence=case, status=Status.CLOSED, reason="Judgment delivered.")


@pytest.fixture
def book(
    desk_officer: User, ocs: User, investigator: User, station: Station, officer_elsewhere: User, other_station: Station
) -> None:
    """Eight reports on 2 November: seven assigned, six in court, five closed after 1, 2, 3, 4 and 10 days;
    a duty entry (no case of its own), a report the day before and one at another station, not counted."""
    with time_machine.travel(T0 - timedelta(days=1), tick=False):
        reports(desk_officer, station, 1)
        reports(officer_elsewhere, other_station, 1)
    with time_machine.travel(T0, tick=False):
        cases = reports(desk_officer, station, 8)
        duty = complaint(
            entry_type="DUTY_ON_OFF",
            parties=(),
            details={"direction": "on", "officers": "PC Desk", "post": "Report office", "persons_in_cells": 0},
        )
        record_occurrence(actor=desk_officer, station=station, draft=duty)
        follow(ocs, investigator, cases[:7], charged=6, closed_after=CLOSED_AFTER_DAYS)
    follow_up_rollup.catch_up()  # the worker's tick


def test_a_worked_example_counts_the_periods_reports_and_where_their_cases_stand(book: None, station: Station) -> None:
    found = follow_up_figures("station", station.code, T0.date(), T0.date())
    assert (found.reports, found.assigned, found.charged, found.closed) == (8, 7, 6, 5)
    assert found.median_days_to_close == pytest.approx(3.0)
    assert found.shown() == {
        "reports": "8",
        "assigned": "7",
        "charged": "6",
        "closed": "5",
        "median_days_to_close": "3.0",
    }
    two_days = follow_up_figures("county", str(station.county_id), T0.date() - timedelta(days=1), T0.date())
    assert two_days.reports == 9
    assert follow_up_figures("national", "", T0.date() - timedelta(days=1), T0.date()).reports == 10
    for level, code in (("station", station.code), ("county", str(station.county_id)), ("national", "")):
        for start in (T0.date() - timedelta(days=1), T0.date()):
            assert follow_up_figures(level, code, start, T0.date()) == naive_follow_up_figures(
                level, code, start, T0.date()
            )


def test_the_median_is_withheld_when_the_closed_count_is_suppressed(
    desk_officer: User, ocs: User, investigator: User, station: Station
) -> None:
    with time_machine.travel(T0, tick=False):
        cases = reports(desk_officer, station, 2)
        follow(ocs, investigator, cases, charged=0, closed_after=(1, 3))
    follow_up_rollup.catch_up()
    shown = follow_up_figures("station", station.code, T0.date(), T0.date()).shown()
    assert shown == {"reports": "<5", "assigned": "<5", "charged": "0", "closed": "<5", "median_days_to_close": "—"}
    assert (
        follow_up_figures("station", station.code, T0.date() + timedelta(days=1), T0.date()).shown()[
            "median_days_to_close"
        ]
        == ""
    )


def test_the_page_and_the_api_give_the_same_follow_up_figures(
    client: Client, commander: User, book: None, station: Station
) -> None:
    day = T0.date().isoformat()
    client.force_login(commander)
    page = client.get(f"/figures/crimes?level=county&code={station.county_id}&start={day}&end={day}")
    assert page.status_code == 200
    table = page.content.decode().split('id="follow-up-figures"')[1].split("</table>")[0]
    on_page = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    body = Api(client, commander).get(
        "/stats/follow-up", level="county", code=str(station.county_id), **{"from": day, "to": day}
    )
    assert body.status_code == 200, body.content
    answer = body.json()
    keys = ["reports", "assigned", "charged", "closed", "median_days_to_close"]
    assert [answer[k] for k in keys] == on_page == ["8", "7", "6", "5", "3.0"]
    assert answer["recorded_by"] == "police" and answer["suppressed_below"] == 5
    assert "Wanjiku" not in page.content.decode()


def test_the_follow_up_api_refuses_what_the_reader_does_not_hold_and_names_bad_fields(
    client: Client, ocs: User, other_station: Station
) -> None:
    api = Api(client, ocs)
    day = T0.date().isoformat()
    refused = api.get("/stats/follow-up", level="station", code=other_station.code, **{"from": day, "to": day})
    assert refused.status_code == 403
    bad = api.get("/stats/follow-up", level="county", code="99", **{"from": "soon", "to": day})
    assert bad.status_code == 422 and {"code", "from"} <= set(bad.json()["fields"])
