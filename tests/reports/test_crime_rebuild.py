"""Counting the whole book again set-based gives what the worker counted entry by entry, and the county
and station sums the wider figures read always add up to the cells (issue 12, scale)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import OffenceInput
from daftari.occurrences.services import record_occurrence
from daftari.reports import rollup
from daftari.reports.models import (
    CrimeCount,
    CrimeCountyDay,
    CrimeCountyHour,
    CrimeStationDay,
    CrimeTally,
    RollupMark,
)
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.reports.test_crime_rollup import SECTIONS, correct

LOST_ID = {"document_kind": "national_id", "lost_on": "2026-01-04"}
ENTRY_TYPES = ["COMPLAINT", "GBV", "LOST_DOC"]


def record(officer: User, station: Station, entry_type: str, sections: list[str], hours_ago: int) -> Occurrence:
    draft = complaint(
        entry_type=entry_type,
        details=LOST_ID if entry_type == "LOST_DOC" else {},
        offences=tuple(OffenceInput(s, "as reported") for s in sections),
        occurred_at=timezone.now() - timedelta(hours=hours_ago),
    )
    return record_occurrence(actor=officer, station=station, draft=draft).entry


def tallies() -> dict[str, tuple[object, ...]]:
    return {str(t.entry_id): (t.station_code, str(t.day), t.hour, t.category) for t in CrimeTally.objects.all()}


def forget() -> None:
    for model in (CrimeTally, CrimeCount, RollupMark, *rollup.SUMS):
        model.objects.all().delete()


def kept_sums() -> dict[str, Counter[tuple[object, ...]]]:
    """The county and station sums as the rollup keeps them (cells at 0 are nothing)."""
    return {
        "county_day": Counter(
            {(r.county_code, r.day, r.category): r.count for r in CrimeCountyDay.objects.filter(count__gt=0)}
        ),
        "county_hour": Counter(
            {(r.county_code, r.day, r.hour): r.count for r in CrimeCountyHour.objects.filter(count__gt=0)}
        ),
        "station_day": Counter(
            {(r.station_code, r.county_code, r.day): r.count for r in CrimeStationDay.objects.filter(count__gt=0)}
        ),
    }


def sums_of(counts: Counter[rollup.Cell]) -> dict[str, Counter[tuple[object, ...]]]:
    """The same sums worked out from a naive recount's cells."""
    county_of = dict(Station.objects.values_list("code", "county_id"))
    sums: dict[str, Counter[tuple[object, ...]]] = {
        "county_day": Counter(),
        "county_hour": Counter(),
        "station_day": Counter(),
    }
    for cell, n in counts.items():
        county = county_of[cell.station_code]
        sums["county_day"][(county, cell.day, cell.category)] += n
        sums["county_hour"][(county, cell.day, cell.hour)] += n
        sums["station_day"][(cell.station_code, county, cell.day)] += n
    return sums


books = st.lists(
    st.tuples(
        st.sampled_from(ENTRY_TYPES),
        st.lists(st.sampled_from(SECTIONS), max_size=3),
        st.integers(min_value=0, max_value=20),
        st.one_of(st.none(), st.sampled_from(SECTIONS)),
        st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=books, other_station_share=st.integers(min_value=0, max_value=2))
def test_a_set_based_rebuild_counts_a_random_book_with_corrections_exactly_as_the_worker_and_a_naive_recount(
    desk_officer: User,
    officer_elsewhere: User,
    station: Station,
    other_station: Station,
    book: list[tuple[str, list[str], int, str | None, bool]],
    other_station_share: int,
) -> None:
    forget()
    entries = []
    for i, (entry_type, sections, hours_ago, correction, correct_the_first) in enumerate(book):
        here = i % 3 >= other_station_share
        officer, at = (desk_officer, station) if here else (officer_elsewhere, other_station)
        entries.append(record(officer, at, entry_type, sections, hours_ago))
        if correction is not None:
            target = entries[0] if correct_the_first else entries[-1]
            correct(desk_officer if target.station_id == station.pk else officer_elsewhere, target, correction)
    rollup.catch_up()
    by_the_worker, worker_tallies = rollup.rolled_up_counts(), tallies()
    naive = rollup.naive_counts()
    assert by_the_worker == naive
    assert kept_sums() == sums_of(naive)
    forget()
    counted = rollup.rebuild()
    assert rollup.rolled_up_counts() == by_the_worker
    assert tallies() == worker_tallies
    assert kept_sums() == sums_of(naive)
    assert counted == len(worker_tallies)
    assert rollup.catch_up() == 0  # the worker goes on from the rebuild and finds nothing left to move


@pytest.mark.django_db
def test_a_rebuild_counts_a_correction_that_moves_the_category_under_the_new_one_only(
    desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station, "COMPLAINT", ["Penal Code s.268"], 2)
    correct(desk_officer, entry, "Penal Code s.296")
    record(desk_officer, station, "GBV", [], 3)  # no section yet: the entry type's fallback
    record(desk_officer, station, "LOST_DOC", ["Penal Code s.268"], 3)  # records no crime
    assert rollup.rebuild() == 2
    assert sorted((c.category, n) for c, n in rollup.rolled_up_counts().items()) == [("MORALITY", 1), ("ROBBERY", 1)]


@pytest.mark.django_db
def test_a_rebuild_of_a_book_whose_offences_no_rule_places_counts_by_the_entry_type_alone(
    desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, "GBV", ["stealing"], 1)
    record(desk_officer, station, "COMPLAINT", [], 1)
    assert rollup.rebuild() == 1
    assert [(c.category, n) for c, n in rollup.rolled_up_counts().items()] == [("MORALITY", 1)]


@pytest.mark.django_db
def test_an_offence_involving_a_police_officer_is_counted_under_police_by_the_worker_and_a_rebuild_alike(
    desk_officer: User, station: Station
) -> None:
    from daftari.occurrences.services import amend_occurrence

    suspected = {"suspected_officer": desk_officer.officer.service_number}
    robbery = OffenceInput("Penal Code s.296", "Robbery")
    for details in (suspected, suspected, {}):
        draft = complaint(offences=(robbery,), details=details, occurred_at=timezone.now() - timedelta(hours=2))
        entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    first = Occurrence.objects.filter(details__has_key="suspected_officer").order_by("recorded_at").first()
    assert first is not None
    amend_occurrence(
        actor=desk_officer,
        occurrence=first,
        reason="A county askari, not a police officer.",
        changes={"suspected_officer": "none"},
    )
    amend_occurrence(
        actor=desk_officer, occurrence=entry, reason="The robber was identified as a police officer.", changes=suspected
    )
    rollup.catch_up()
    by_the_worker = rollup.rolled_up_counts()
    assert sorted((c.category, n) for c, n in by_the_worker.items()) == [("POLICE", 2), ("ROBBERY", 1)]
    assert by_the_worker == rollup.naive_counts()
    forget()
    assert rollup.rebuild() == 3
    assert rollup.rolled_up_counts() == by_the_worker
