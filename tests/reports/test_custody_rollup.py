"""The custody rollup gives the custody figures a naive recount of the register gives, whatever was
booked, decided and suffered in custody and whenever the worker ran (issue 12, scale)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daftari.custody import services
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import NAIROBI
from daftari.reports import custody_figures, custody_rollup
from daftari.reports.models import CustodyDay, RollupMark
from daftari.stations.models import Station
from tests.custody.conftest import HELD_ELSEWHERE, enrol_arresting_officer
from tests.reports.test_custody_figures import book

OUTCOMES = ("held", "court", "release", "death", "serious_injury")


def decide(officer: User, held: object, outcome: str) -> None:
    if outcome == "court":
        services.take_to_court(actor=officer, custody=held, court="Milimani", outcome="remanded")  # type: ignore[arg-type]
    elif outcome == "release":
        services.release(actor=officer, custody=held, on="police_bond")  # type: ignore[arg-type]
    elif outcome in ("death", "serious_injury"):
        services.record_death_or_serious_injury(
            actor=officer,
            custody=held,
            kind=outcome,
            note="Found in the cell; taken to hospital.",  # type: ignore[arg-type]
        )


def assert_rollup_equals_naive(station: Station) -> None:
    now = timezone.now()
    today = now.astimezone(NAIROBI).date()
    for level, code in (("station", station.code), ("county", str(station.county_id)), ("national", "")):
        for start, end in ((today - timedelta(days=6), today), (today - timedelta(days=1), today - timedelta(days=1))):
            rolled = custody_figures.custody_figures(level, code, start, end, now=now)
            assert rolled == custody_figures.naive_custody_figures(level, code, start, end, now=now)


# Each booking: booked some hours after the last, late or not; then decided some hours after booking
# (within the 24-hour deadline, or a day or two after it), or left in the cells; the worker runs or not
# at each step. The steps happen in time order, across days, so a decision moves an earlier day's figures.
registers = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=20),
        st.booleans(),
        st.sampled_from(OUTCOMES),
        st.sampled_from([2, 30, 50]),
        st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(register=registers)
def test_the_custody_rollup_always_equals_a_naive_recount_of_a_random_register(
    desk_officer: User, station: Station, register: list[tuple[int, bool, str, int, bool]]
) -> None:
    CustodyDay.objects.all().delete()
    RollupMark.objects.filter(name=custody_rollup.MARK).delete()
    if not hasattr(station, "_arresting"):
        enrol_arresting_officer(station)
        station._arresting = True  # type: ignore[attr-defined]
    steps: list[tuple[datetime, int, str, int, bool]] = []
    # After everything an earlier example recorded: nothing in the book is ever recorded in the future.
    latest = Occurrence.objects.aggregate(latest=Max("recorded_at"))["latest"]
    at = max(timezone.now(), latest or timezone.now()) + timedelta(days=1)
    for i, (hours_after, booked_late, outcome, decided_after, worker_runs) in enumerate(register):
        at += timedelta(hours=hours_after)
        steps.append((at, i, "book", int(booked_late), worker_runs))
        steps.append((at + timedelta(hours=decided_after), i, outcome, 0, worker_runs))
    held: dict[int, object] = {}
    for moment, i, what, booked_late, worker_runs in sorted(steps, key=lambda step: step[:2]):
        with time_machine.travel(moment):
            if what == "book":
                late = {"arrested_at": moment - timedelta(days=3), "late": True, "late_reason": HELD_ELSEWHERE}
                held[i] = book(desk_officer, station, f"Detainee {i}", **(late if booked_late else {}))
            else:
                decide(desk_officer, held[i], what)
            if worker_runs:
                custody_rollup.catch_up()
    with time_machine.travel(max(steps)[0] + timedelta(hours=1)):
        custody_rollup.catch_up()
        assert_rollup_equals_naive(station)
        kept = sorted(CustodyDay.objects.values_list(*custody_rollup.FIELDS, "station_code", "day"))
        custody_rollup.rebuild()
        assert_rollup_equals_naive(station)
        assert sorted(CustodyDay.objects.values_list(*custody_rollup.FIELDS, "station_code", "day")) == kept


def test_the_worker_keeps_the_custody_rollup_with_the_crime_rollup() -> None:
    from daftari.core import periodic

    assert {"reports.crime_rollup", "reports.custody_rollup"} <= set(periodic.names())
