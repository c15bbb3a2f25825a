"""The crime rollup equals a naive recount of the book, whatever was recorded and corrected (issue 12)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import OffenceInput, PartCorrection, PartsCorrection
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.reports import rollup
from daftari.reports.models import CrimeCount, CrimeTally, RollupMark
from daftari.stations.models import Station
from tests.conftest import complaint

SECTIONS = ["Penal Code s.268", "Penal Code s.296", "Penal Code s.203", "Sexual Offences Act s.8", "", "stealing"]


def record(officer: User, station: Station, sections: list[str], hours_ago: int = 1) -> Occurrence:
    draft = complaint(
        offences=tuple(OffenceInput(s, "as reported") for s in sections),
        occurred_at=timezone.now() - timedelta(hours=hours_ago),
    )
    return record_occurrence(actor=officer, station=station, draft=draft).entry


def correct(officer: User, entry: Occurrence, section: str) -> None:
    amend_occurrence(
        actor=officer,
        occurrence=entry,
        reason="Offence corrected after the statement",
        changes={},
        parts=PartsCorrection(offences=(PartCorrection(value=OffenceInput(section, "corrected")),)),
    )


@pytest.mark.django_db
def test_the_worker_counts_a_recorded_crime_once_and_a_correction_moves_it_without_double_counting(
    desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station, ["Penal Code s.268"])
    rollup.catch_up()
    [cell] = [c for c, n in rollup.rolled_up_counts().items() if n]
    assert (cell.station_code, cell.category, rollup.rolled_up_counts()[cell]) == (station.code, "STEALING", 1)
    correct(desk_officer, entry, "Penal Code s.296")  # robbery now principal
    rollup.catch_up()
    counts = rollup.rolled_up_counts()
    assert {c.category: n for c, n in counts.items()} == {"ROBBERY": 1}
    assert counts == rollup.naive_counts()


@pytest.mark.django_db
def test_catching_up_twice_or_after_a_restart_counts_nothing_twice(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, ["Penal Code s.251"])
    assert rollup.catch_up() == 1
    assert rollup.catch_up() == 0  # the overlap re-reads the entry and changes nothing
    RollupMark.objects.all().delete()  # a restart from nothing
    assert rollup.catch_up() == 0
    assert sum(rollup.rolled_up_counts().values()) == 1 == CrimeTally.objects.count()


@pytest.mark.django_db
def test_entries_that_record_no_crime_or_cannot_be_placed_are_not_counted(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, ["stealing"])
    record(desk_officer, station, [])
    rollup.catch_up()
    assert not CrimeCount.objects.filter(count__gt=0).exists()


books = st.lists(
    st.tuples(
        st.lists(st.sampled_from(SECTIONS), max_size=2),
        st.integers(min_value=1, max_value=20),
        st.one_of(st.none(), st.sampled_from(SECTIONS[:4])),
        st.booleans(),
    ),
    max_size=4,
)


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=books)
def test_the_rollup_always_equals_a_naive_recount_of_a_random_book_with_its_corrections(
    desk_officer: User, station: Station, book: list[tuple[list[str], int, str | None, bool]]
) -> None:
    CrimeTally.objects.all().delete()
    CrimeCount.objects.all().delete()
    RollupMark.objects.all().delete()
    entries = []
    for sections, hours_ago, correction, catch_up_between in book:
        entries.append(record(desk_officer, station, sections, hours_ago))
        if catch_up_between:
            rollup.catch_up()
        if correction is not None:
            correct(desk_officer, entries[len(entries) // 2], correction)
    rollup.catch_up()
    assert rollup.rolled_up_counts() == rollup.naive_counts()
