"""Custody kept elsewhere: at the hub, the cell registers of the station nodes (issues 12, 13).

The hub's custody figures count every station, node stations too, but a node station's arrests,
bookings and custody events are at the hub only in its mirror of the node's book. The cell register
sits below both the mirror and the figures, so neither may ask the other: the mirror tells which
station-days a chunk it indexed touched (``touched``, in the transaction that indexes it), the
figures listen (``on_touched``) and recount those station-days whole, reading the node stations'
rows from the source the mirror ``provide``s (``rows_on``), as plain values.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import NamedTuple

StationDay = tuple[int, date]  # a station's id and a Nairobi day


class Arrest(NamedTuple):
    """An ARREST entry (original) of another book: where, when it happened, how many suspects it names."""

    station_id: int
    occurred_at: datetime
    suspects: int


class Booking(NamedTuple):
    """A booking into the cells, and whether the person was brought to court or released within the
    Art. 49 deadline (None while held, or when custody ended otherwise)."""

    station_id: int
    booked_in_at: datetime
    brought_within_deadline: bool | None


class Event(NamedTuple):
    """A custody event the figures count by itself (a death, a serious injury)."""

    station_id: int
    kind: str
    at: datetime


class Rows(NamedTuple):
    arrests: list[Arrest]
    bookings: list[Booking]
    events: list[Event]


Listener = Callable[[set[StationDay]], object]
Source = Callable[[list[StationDay] | None], Rows]
# Bookings of this register, still held here, whose custody another register ended (after a node took the book).
EndedSource = Callable[[list[StationDay] | None], list[Booking]]

_listeners: list[Listener] = []
_sources: list[Source] = []
_ended_sources: list[EndedSource] = []


def on_touched(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def provide(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def provide_ended(source: EndedSource) -> None:
    if source not in _ended_sources:
        _ended_sources.append(source)


def ended_elsewhere(cells: list[StationDay] | None) -> list[Booking]:
    """This register's bookings on these station-days (all when None) that it still holds in custody but
    whose custody another register ended: each with whether that kept Art. 49 (None: ended otherwise)."""
    return [booking for source in _ended_sources for booking in source(cells)]


def touched(cells: Iterable[StationDay]) -> None:
    """Station-days whose custody figures rows of another register, new here, may have moved."""
    found = set(cells)
    if found:
        for listener in _listeners:
            listener(found)


def rows_on(cells: list[StationDay] | None) -> Rows:
    """The other registers' rows of these station-days (every one when None)."""
    rows = Rows([], [], [])
    for source in _sources:
        found = source(cells)
        rows.arrests.extend(found.arrests)
        rows.bookings.extend(found.bookings)
        rows.events.extend(found.events)
    return rows


# --- Deaths and serious injuries in custody of other registers (vetting) ----------------------------
#
# At the hub, vetting finds an officer who arrested or booked in a person who died or was seriously
# injured in custody: in the node stations' cell registers too, which the mirror reads back here.


class Harm(NamedTuple):
    """A death or serious injury in custody recorded in another register, with its booking's officers."""

    kind: str  # the custody event's kind: "death" or "serious_injury"
    at: datetime
    custody_id: str  # the booking
    arresting_officer: str
    booked_by: str  # the service number of the officer who booked the person in
    arrest_id: str | None  # the ARREST entry of the booking
    ob_number: str  # of that entry, "" when no book here holds it
    station_id: int
    station_name: str


HarmSource = Callable[[], list[Harm]]
_harm_sources: list[HarmSource] = []


def provide_harms(source: HarmSource) -> None:
    if source not in _harm_sources:
        _harm_sources.append(source)


def harms() -> list[Harm]:
    """Every death and serious injury in custody of the other registers (few nationwide): a fixed number
    of queries, however many."""
    return [harm for source in _harm_sources for harm in source()]
