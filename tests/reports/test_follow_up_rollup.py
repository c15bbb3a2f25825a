"""The follow-up rollup gives the follow-up figures a naive count of the reports and their cases gives,
whatever was assigned, taken to court and closed, and whenever the worker ran (issue 12, scale)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daftari.occurrences.casework import Status, assign_investigator, update_case_status
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import NAIROBI
from daftari.occurrences.services import record_occurrence
from daftari.reports import follow_up_rollup
from daftari.reports.follow_up_figures import follow_up_figures, median_of, naive_follow_up_figures
from daftari.reports.models import FollowUpCloseDays, FollowUpDay, RollupMark
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory, complaint

# What happens to a report's case, step by step after it is recorded.
FATES = {
    "open": (),
    "assigned": ("assign",),
    "in court": ("assign", "court"),
    "closed": ("assign", "close"),
    "charged and closed": ("assign", "court", "close"),
}


@pytest.fixture
def crews(make_officer: OfficerFactory, station: Station, other_station: Station) -> dict[int, dict[str, User]]:
    """A desk officer, the OCS and an investigator at a station in each of two counties."""
    return {
        i: {
            "desk": make_officer(f"desk{i}", [Role.DESK], at),
            "ocs": make_officer(f"ocs{i}", [Role.OCS], at),
            "investigator": make_officer(f"investigator{i}", [Role.INVESTIGATOR], at),
        }
        for i, at in enumerate((station, other_station))
    }


def act(crew: dict[str, User], report: Occurrence, what: str) -> None:
    if what == "assign":
        assign_investigator(actor=crew["ocs"], occurrence=report, investigator=crew["investigator"].officer)
    elif what == "court":
        update_case_status(actor=crew["investigator"], occurrence=report, status=Status.IN_COURT)
    else:
        update_case_status(actor=crew["ocs"], occurrence=report, status=Status.CLOSED, reason="Judgment delivered.")


def assert_rollup_equals_naive(stations: list[Station], days: list[date]) -> None:
    areas = [(s.code, str(s.county_id)) for s in stations]
    levels = [("national", "")] + [("station", c) for c, _ in areas] + [("county", c) for _, c in areas]
    periods = [(min(days), max(days))] + [(d, d) for d in sorted(set(days))[:3]]
    for level, code in levels:
        for start, end in periods:
            rolled = follow_up_figures(level, code, start, end)
            assert rolled == naive_follow_up_figures(level, code, start, end), (level, code, start, end)


# Each report: at one of the two stations, recorded some hours after the last; its case's steps some
# hours apart (across days, so a closing after 0, 1 or more whole days); the worker runs or not after
# each step. The steps happen in time order, so an update moves an earlier day's figures.
books = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1),
        st.integers(min_value=1, max_value=30),
        st.sampled_from(sorted(FATES)),
        st.sampled_from([1, 11, 23, 25, 49]),
        st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=books)
def test_the_follow_up_rollup_always_equals_a_naive_count_of_a_random_book(
    crews: dict[int, dict[str, User]],
    station: Station,
    other_station: Station,
    book: list[tuple[int, int, str, int, bool]],
) -> None:
    FollowUpDay.objects.all().delete()
    FollowUpCloseDays.objects.all().delete()
    RollupMark.objects.filter(name=follow_up_rollup.MARK).delete()
    # After everything an earlier example recorded: nothing in the book is ever recorded in the future.
    latest = Occurrence.objects.aggregate(latest=Max("recorded_at"))["latest"]
    at = max(timezone.now(), latest or timezone.now()) + timedelta(days=1)
    steps: list[tuple[datetime, int, str, int, bool]] = []
    for i, (where, hours_after, fate, apart, worker_runs) in enumerate(book):
        at += timedelta(hours=hours_after)
        steps.append((at, i, "report", where, worker_runs))
        for n, what in enumerate(FATES[fate], start=1):
            steps.append((at + timedelta(hours=apart * n, minutes=i), i, what, where, worker_runs))
    reports: dict[int, Occurrence] = {}
    for moment, i, what, where, worker_runs in sorted(steps, key=lambda step: step[:2]):
        with time_machine.travel(moment, tick=False):
            crew = crews[where]
            if what == "report":
                at_station = crew["desk"].officer.station
                reports[i] = record_occurrence(actor=crew["desk"], station=at_station, draft=complaint()).entry
            else:
                act(crew, reports[i], what)
            if worker_runs:
                follow_up_rollup.catch_up()
    days = [r.recorded_at.astimezone(NAIROBI).date() for r in reports.values()]
    with time_machine.travel(max(steps)[0] + timedelta(hours=1)):
        follow_up_rollup.catch_up()
        assert_rollup_equals_naive([station, other_station], days)
        kept = sorted(FollowUpCloseDays.objects.values_list("station_code", "day", "days", "count"))
        rows = sorted(FollowUpDay.objects.values_list("station_code", "day", *follow_up_rollup.FIELDS))
        follow_up_rollup.rebuild()
        assert_rollup_equals_naive([station, other_station], days)
        assert sorted(FollowUpCloseDays.objects.values_list("station_code", "day", "days", "count")) == kept
        assert sorted(FollowUpDay.objects.values_list("station_code", "day", *follow_up_rollup.FIELDS)) == rows


@settings(max_examples=200, deadline=None)
@given(days=st.lists(st.integers(min_value=0, max_value=60), max_size=12))
def test_the_median_of_a_histogram_is_the_median_of_the_days_it_counts(days: list[int]) -> None:
    import statistics

    histogram = tuple(sorted((d, days.count(d)) for d in set(days)))
    assert median_of(histogram) == (statistics.median(days) if days else None)


def test_days_to_close_are_whole_days_elapsed() -> None:
    reported = datetime(2026, 11, 2, 23, 30, tzinfo=NAIROBI)
    assert follow_up_rollup.whole_days(reported, reported + timedelta(hours=23, minutes=59)) == 0
    assert follow_up_rollup.whole_days(reported, reported + timedelta(days=1)) == 1
    assert follow_up_rollup.whole_days(reported, reported + timedelta(days=2, hours=23)) == 2


def test_the_worker_keeps_the_follow_up_rollup_with_the_other_figures() -> None:
    from daftari.core import periodic

    assert {"reports.crime_rollup", "reports.custody_rollup", "reports.follow_up_rollup"} <= set(periodic.names())
