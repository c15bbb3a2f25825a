"""Entries of the books kept elsewhere: at the hub, the books of the station nodes (issues 12, 13).

The hub's figures count every station's crimes, those of node stations too. The Occurrence Book sits
below both the hub's mirror of the nodes' books and the figures, so neither may ask the other: the
mirror tells the book what arrived (``arrived``, in the transaction that indexes it, so an entry is
told once however often indexing runs), the figures listen (``on_arrival``), and a recount from
scratch reads every mirrored entry back (``every_entry``, from the source the mirror ``provide``s).

Each arrival is an original entry as its node recorded it, never saved here, with every correction
of it recorded so far, oldest first: what the figures need to place it as corrected.

The follow-up figures likewise: the mirror tells which station-days of recording a chunk's reports
and case updates touched (``reports_touched``), and the figures recount them whole from the reports
the mirror ``provide_reports`` (``reports_on``), as plain values.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import NamedTuple
from uuid import UUID

from daftari.occurrences.models import Occurrence

Arrival = tuple[Occurrence, list[Occurrence]]
Listener = Callable[[list[Arrival]], object]
Source = Callable[[], Iterator[Arrival]]

_listeners: list[Listener] = []
_sources: list[Source] = []


def on_arrival(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def provide(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def arrived(arrivals: list[Arrival]) -> None:
    """Entries of another book, new or newly corrected, as each listener must see them now."""
    if arrivals:
        for listener in _listeners:
            listener(arrivals)


def every_entry() -> Iterator[Arrival]:
    """Every original entry of the other books, with its corrections."""
    for source in _sources:
        yield from source()


# --- Reports of other books and their case updates (the follow-up figures) --------------------

StationDay = tuple[int, date]  # a station's id and a Nairobi day


class Update(NamedTuple):
    """A case update of a report of another book, as its node recorded it."""

    status: str
    investigator: str | None  # the investigator's service number after the update
    recorded_at: datetime


class Report(NamedTuple):
    """A report from the public (an original entry) of another book, with its case updates in book order."""

    station_id: int
    recorded_at: datetime
    updates: list[Update]


DaysListener = Callable[[set[StationDay]], object]
ReportSource = Callable[[list[StationDay] | None], list[Report]]
# The case updates other books recorded for reports of this book (recorded here before a node took the book).
UpdateSource = Callable[[list[StationDay] | None], dict[UUID, list[Update]]]

_days_listeners: list[DaysListener] = []
_report_sources: list[ReportSource] = []
_update_sources: list[UpdateSource] = []


def on_reports_touched(listener: DaysListener) -> None:
    if listener not in _days_listeners:
        _days_listeners.append(listener)


def provide_reports(source: ReportSource) -> None:
    if source not in _report_sources:
        _report_sources.append(source)


def provide_updates(source: UpdateSource) -> None:
    if source not in _update_sources:
        _update_sources.append(source)


def updates_of_own(cells: list[StationDay] | None) -> dict[UUID, list[Update]]:
    """The case updates the other books hold for this book's reports recorded on these station-days (all
    when None), by report, in book order: a station's report recorded here, taken on at its node."""
    found: dict[UUID, list[Update]] = {}
    for source in _update_sources:
        for report, updates in source(cells).items():
            found.setdefault(report, []).extend(updates)
    return found


def reports_touched(cells: Iterable[StationDay]) -> None:
    """Station-days (of recording) whose reports another book brought or updated, in the indexing transaction."""
    found = set(cells)
    if found:
        for listener in _days_listeners:
            listener(found)


def reports_on(cells: list[StationDay] | None) -> list[Report]:
    """The other books' reports recorded on these station-days (every one when None), with their updates."""
    return [report for source in _report_sources for report in source(cells)]


# --- Entries of other books read back by what they name (vetting, the refugee register's figures) ---
#
# At the hub, vetting finds the officers suspected in node stations' entries, and the register's figures
# place the incidents of node stations by their parties: the mirror finds those entries by its own
# indexes and hands each back with every correction of it, as an ``Arrival``.

SuspectedSource = Callable[[], list[Arrival]]
NamingSource = Callable[[set[str], tuple[str, ...]], list[Arrival]]
EntrySource = Callable[[UUID], Arrival | None]

_suspected_sources: list[SuspectedSource] = []
_naming_sources: list[NamingSource] = []
_entry_sources: list[EntrySource] = []
_death_sources: list[SuspectedSource] = []


def provide_officer_suspected(source: SuspectedSource) -> None:
    if source not in _suspected_sources:
        _suspected_sources.append(source)


def provide_naming_ids(source: NamingSource) -> None:
    if source not in _naming_sources:
        _naming_sources.append(source)


def provide_entry(source: EntrySource) -> None:
    if source not in _entry_sources:
        _entry_sources.append(source)


def provide_deaths_in_custody(source: SuspectedSource) -> None:
    if source not in _death_sources:
        _death_sources.append(source)


def deaths_in_custody() -> list[Arrival]:
    """The DEATH_IN_CUSTODY entries of the other books (few nationwide), each with its corrections: a fixed
    number of queries, however many."""
    return [arrival for source in _death_sources for arrival in source()]


def officer_suspected() -> list[Arrival]:
    """The original entries of the other books that name a police officer suspected, as recorded or as a
    correction changes it, each with its corrections: a fixed number of queries, however many."""
    return [arrival for source in _suspected_sources for arrival in source()]


def naming_ids(numbers: set[str], prefixes: tuple[str, ...]) -> list[Arrival]:
    """The original entries of the other books whose parties, as recorded or corrected, carry one of these
    ID numbers (as search normalises them) or one starting with a prefix, each with its corrections."""
    return [arrival for source in _naming_sources for arrival in source(numbers, prefixes)]


def entry(entry_id: UUID) -> Arrival | None:
    """One original entry of another book with its corrections, or None when no other book holds it."""
    for source in _entry_sources:
        if (found := source(entry_id)) is not None:
            return found
    return None
