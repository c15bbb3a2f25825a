"""At the hub: the custody and follow-up figures of node stations, read from the mirrored books
(issues 12, 13).

A node station's arrests, bookings, custody events, reports and case updates are at the hub only as
leaves of its mirrored book. When the worker indexes a chunk of a book (``mirror.index_new``), it
tells the figures which station-days the chunk touched (``tell``, in the indexing transaction, so
indexing again recounts the same station-days to the same figures), and the figures recount those
station-days whole, reading the node stations' rows back here (``custody_rows``, ``reports``; the
sources registered with ``custody.other_registers`` and ``occurrences.other_books``), as plain values.
A few statements a chunk, whatever its size.
"""

import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from daftari.custody import other_registers
from daftari.custody.models import CustodyRecord, CustodyState
from daftari.custody.records import KIND_CUSTODY
from daftari.nodes import rules
from daftari.nodes.models import (
    ArrestMoment,
    CustodyEventBooking,
    CustodyEventType,
    CustodyMoment,
    EnrolledNode,
    MirroredEntry,
    MirroredLeaf,
)
from daftari.occurrences import other_books
from daftari.occurrences.casework import KIND_CASE_UPDATE
from daftari.occurrences.entry_types import BY_CODE
from daftari.occurrences.models import Occurrence
from daftari.occurrences.records import KIND_OCCURRENCE
from daftari.occurrences.rules import NAIROBI, format_ob_number

StationDay = tuple[int, date]
PUBLIC_FACING = tuple(spec.code for spec in BY_CODE.values() if spec.public_facing)


def _day(moment: datetime) -> date:
    return moment.astimezone(NAIROBI).date()


def tell(node: EnrolledNode, leaves: list[MirroredLeaf]) -> None:
    """Tells the figures which of the node station's days this chunk of its book touched: the custody
    figures' (an arrest's day, a booking's, an event's and its booking's) and the follow-up figures'
    (the day a report was recorded, brought or updated here)."""
    station = node.station_id
    custody: set[StationDay] = set()
    reports: set[StationDay] = set()
    bookings: set[str] = set()
    updated: set[uuid.UUID] = set()
    for leaf in leaves:
        record = leaf.record
        if not isinstance(record, dict):
            continue
        if leaf.kind == KIND_OCCURRENCE and not record.get("refers_to"):
            if record.get("entry_type") == "ARREST" and (at := rules.moment_of(record, "occurred_at")):
                custody.add((station, _day(at)))
            if record.get("entry_type") in PUBLIC_FACING and (at := rules.moment_of(record, "recorded_at")):
                reports.add((station, _day(at)))
        elif leaf.kind == KIND_CUSTODY:
            moment = rules.moment_of(record, "booked_in_at" if record.get("type") == "book_in" else "at")
            if moment is not None:
                custody.add((station, _day(moment)))
            if record.get("type") != "book_in" and record.get("custody"):
                bookings.add(str(record["custody"]))  # its booking's Art. 49 may have moved
        elif leaf.kind == KIND_CASE_UPDATE:
            try:
                updated.add(uuid.UUID(str(record.get("occurrence"))))
            except ValueError:
                continue
    if bookings:
        booked = MirroredLeaf.objects.filter(node__station_id=station, kind=KIND_CUSTODY, record_id__in=bookings)
        records = list(booked.exclude(record__isnull=True).values_list("record", flat=True))
        for record in records:
            if isinstance(record, dict) and (at := rules.moment_of(record, "booked_in_at")):
                custody.add((station, _day(at)))
        if unmirrored := bookings - {str(r.get("id")) for r in records if isinstance(r, dict)}:
            # A booking the hub recorded before the node took the station's book, its custody gone on at the node.
            held = CustodyRecord.objects.filter(pk__in=[pk for b in unmirrored if (pk := _uuid(b)) is not None])
            custody.update((s, _day(at)) for s, at in held.values_list("station_id", "booked_in_at"))
    if updated:
        found = MirroredEntry.objects.filter(entry_id__in=updated, entry_type__in=PUBLIC_FACING)
        mirrored = list(found.values_list("entry_id", "station_id", "recorded_at"))
        reports.update((s, _day(at)) for _id, s, at in mirrored)
        if missing := updated - {entry_id for entry_id, _s, _at in mirrored}:
            # A report the hub recorded before the node took the station's book, its case gone on at the node.
            own = Occurrence.objects.filter(pk__in=missing, entry_type__in=PUBLIC_FACING, refers_to=None)
            reports.update((s, _day(at)) for s, at in own.values_list("station_id", "recorded_at"))
    other_registers.touched(custody)
    other_books.reports_touched(reports)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _around(cells: list[StationDay], station: str) -> Q:
    """Rows of these station-days by a moment kept in a mirrored record (the annotation ``moment``, its
    ISO text): the day with a day's margin either side, so any offset is in; the caller keeps the day."""
    where = Q(pk__in=[])
    for station_id, day in cells:
        where |= Q(
            **{station: station_id},
            moment__gte=(day - timedelta(days=1)).isoformat(),
            moment__lt=(day + timedelta(days=2)).isoformat(),
        )
    return where


def custody_records_on(cells: list[StationDay] | None, types: list[str]) -> QuerySet[MirroredLeaf]:
    """The node stations' custody records of these types (``book_in``, ``death``...) on these station-days
    (with a day's margin either side; all when None), found by the index of their moments
    (``mirrored_custody_moment``: the node, then the booking's or the event's moment)."""
    found = MirroredLeaf.objects.filter(kind=KIND_CUSTODY, record__type__in=types).exclude(record__isnull=True)
    found = found.annotate(moment=CustodyMoment())
    return found if cells is None else found.filter(_around(cells, "node__station_id"))


def arrests_on(cells: list[StationDay] | None) -> QuerySet[MirroredLeaf]:
    """The node stations' ARREST entries (as indexed for search) on these station-days (with a day's margin
    either side; all when None), found by the index of their moments (``mirrored_arrest_moment``: the node,
    then when the arrest happened)."""
    found = MirroredLeaf.objects.annotate(moment=ArrestMoment()).filter(moment__isnull=False)
    found = found.filter(entry__entry_type="ARREST")
    return found if cells is None else found.filter(_around(cells, "node__station_id"))


def custody_events_of(types: list[str], bookings: list[str] | None) -> QuerySet[MirroredLeaf]:
    """The node stations' custody events of these types (of these bookings; of any when None), found by the
    index of their types and bookings (``mirrored_custody_event``)."""
    found = MirroredLeaf.objects.annotate(event_type=CustodyEventType(), booking=CustodyEventBooking())
    found = found.filter(event_type__in=types)
    return found if bookings is None else found.filter(booking__in=bookings)


def custody_rows(cells: list[StationDay] | None) -> other_registers.Rows:
    """The node stations' arrests, bookings (each with whether it kept Art. 49) and counted custody
    events on these station-days (all when None), from the mirrored books."""
    found = other_registers.Rows([], [], [])
    if cells is not None and not cells:
        return found
    arrests = arrests_on(cells)
    bookings = custody_records_on(cells, ["book_in"])
    events = custody_records_on(cells, sorted(rules.CUSTODY_COUNTED))
    for station_id, record in arrests.values_list("node__station_id", "record"):
        if isinstance(record, dict) and not record.get("refers_to") and (at := rules.moment_of(record, "occurred_at")):
            found.arrests.append(other_registers.Arrest(station_id, at, rules.suspects_named(record)))
    booked = [(s, r) for s, r in bookings.values_list("node__station_id", "record") if isinstance(r, dict)]
    ended_by = None if cells is None else [str(r.get("id")) for _s, r in booked]
    closings = custody_events_of(sorted(rules.CUSTODY_CLOSINGS), ended_by)
    ended: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if booked:
        for record in closings.order_by("node_id", "index").values_list("record", flat=True):
            if isinstance(record, dict):
                ended[str(record.get("custody"))].append(record)
    for station_id, record in booked:
        if at := rules.moment_of(record, "booked_in_at"):
            within = rules.brought_within_deadline(record, ended.get(str(record.get("id")), []))
            found.bookings.append(other_registers.Booking(station_id, at, within))
    for station_id, record in events.values_list("node__station_id", "record"):
        if isinstance(record, dict) and (at := rules.moment_of(record, "at")):
            found.events.append(other_registers.Event(station_id, str(record.get("type")), at))
    return found


def reports(cells: list[StationDay] | None) -> list[other_books.Report]:
    """The node stations' reports from the public recorded on these station-days (all when None), each
    with its case updates in book order, from the mirrored books."""
    entries = MirroredEntry.objects.filter(entry_type__in=PUBLIC_FACING)
    if cells is not None:
        if not cells:
            return []
        entries = entries.filter(_on_station_days(cells, "recorded_at"))
    found = [
        (str(entry_id), station_id, recorded_at)
        for entry_id, station_id, recorded_at, refers_to in entries.values_list(
            "entry_id", "station_id", "recorded_at", "leaf__record__refers_to"
        )
        if not refers_to
    ]
    if not found:
        return []
    updates = _case_updates()
    if cells is not None:
        updates = updates.filter(record__occurrence__in=[entry_id for entry_id, _s, _at in found])
    by_report = _by_report(updates)
    return [
        other_books.Report(station_id, recorded_at, by_report.get(entry_id, []))
        for entry_id, station_id, recorded_at in found
    ]


def _on_station_days(cells: list[StationDay], field: str) -> Q:
    """Rows whose station is the cell's and whose ``field`` falls on its day (Nairobi), for any of ``cells``."""
    where = Q(pk__in=[])
    for station_id, day in cells:
        start = datetime.combine(day, time.min, tzinfo=NAIROBI)
        where |= Q(station_id=station_id, **{f"{field}__gte": start, f"{field}__lt": start + timedelta(days=1)})
    return where


def _case_updates() -> QuerySet[MirroredLeaf]:
    return MirroredLeaf.objects.filter(kind=KIND_CASE_UPDATE).exclude(record__isnull=True)


def _by_report(updates: QuerySet[MirroredLeaf]) -> dict[str, list[other_books.Update]]:
    """The mirrored case updates by the report they update, each report's in book order."""
    by_report: dict[str, list[other_books.Update]] = defaultdict(list)
    for record in updates.order_by("node_id", "index").values_list("record", flat=True):
        if (update := _update_of(record)) is not None and isinstance(record, dict):
            by_report[str(record.get("occurrence"))].append(update)
    return by_report


def _update_of(record: Any) -> other_books.Update | None:
    if not isinstance(record, dict) or (at := rules.moment_of(record, "recorded_at")) is None:
        return None
    investigator = record.get("investigator")
    return other_books.Update(str(record.get("status")), str(investigator) if investigator else None, at)


def updates_of_hub_reports(cells: list[StationDay] | None) -> dict[uuid.UUID, list[other_books.Update]]:
    """The case updates the mirrored books hold for reports the hub itself recorded on these station-days
    (all when None), before the station's node took the book, by report in book order."""
    updates = _case_updates()
    if cells is not None:
        if not cells:
            return {}
        own = Occurrence.objects.filter(
            _on_station_days(cells, "recorded_at"), entry_type__in=PUBLIC_FACING, refers_to=None
        )
        updates = updates.filter(record__occurrence__in=[str(pk) for pk in own.values_list("pk", flat=True)])
    by_report = _by_report(updates)
    if not by_report:
        return {}
    known = Occurrence.objects.filter(pk__in=list(by_report), entry_type__in=PUBLIC_FACING, refers_to=None)
    return {pk: by_report[str(pk)] for pk in known.values_list("pk", flat=True)}


def hub_bookings_ended_here(cells: list[StationDay] | None) -> list[other_registers.Booking]:
    """The hub's own bookings on these station-days (all when None), still held at the hub, whose custody
    a node's register ended (the station's node took the book with the person in the cells): each with
    whether that kept Art. 49, by the first event in the node's book that ended it."""
    held = CustodyRecord.objects.filter(projection__state=CustodyState.State.IN_CUSTODY)
    if cells is not None:
        if not cells:
            return []
        held = held.filter(_on_station_days(cells, "booked_in_at"))
    bookings = {
        str(pk): (s, at, deadline)
        for pk, s, at, deadline in held.values_list("pk", "station_id", "booked_in_at", "court_deadline")
    }
    if not bookings:
        return []
    ended: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = custody_events_of(sorted(rules.CUSTODY_CLOSINGS), list(bookings)).order_by("node_id", "index")
    for record in rows.values_list("record", flat=True):
        if isinstance(record, dict):
            ended[str(record.get("custody"))].append(record)
    found = []
    for booking_id, events in ended.items():
        station_id, booked_in_at, deadline = bookings[booking_id]
        within = rules.brought_within_deadline({"court_deadline": deadline.isoformat()}, events)
        found.append(other_registers.Booking(station_id, booked_in_at, within))
    return found


def custody_harms() -> list[other_registers.Harm]:
    """Every death and serious injury in custody the node stations' cell registers recorded (vetting), each
    with its booking's arresting and booking officers and its arrest's OB number: three queries (found by
    the index of event types), and one more for bookings or arrests the hub recorded before a node took
    the book."""
    events = list(
        custody_events_of(sorted(rules.CUSTODY_COUNTED), None).values_list(
            "record", "node__station_id", "node__station__name"
        )
    )
    if not events:
        return []
    wanted = {str(record.get("custody")) for record, _s, _n in events if isinstance(record, dict)}
    bookings: dict[str, tuple[str, str, str | None, str]] = {}
    for record in MirroredLeaf.objects.filter(
        kind=KIND_CUSTODY, record_id__in=wanted, record__type="book_in"
    ).values_list("record", flat=True):
        if isinstance(record, dict):
            arrest = str(record["arrest"]) if record.get("arrest") else None
            bookings[str(record.get("id"))] = (
                str(record.get("arresting_officer") or ""),
                str(record.get("recorded_by") or ""),
                arrest,
                "",
            )
    if held := [pk for b in wanted - set(bookings) if (pk := _uuid(b)) is not None]:
        # A booking the hub recorded before the node took the station's book, the person in the cells.
        for pk, arresting, booked_by, arrest_id, seq, day in CustodyRecord.objects.filter(pk__in=held).values_list(
            "pk", "arresting_officer", "recorded_by__service_number", "arrest_id", "arrest__ob_seq", "arrest__ob_date"
        ):
            number = format_ob_number(seq, day) if seq and day else ""
            bookings[str(pk)] = (arresting, booked_by, str(arrest_id) if arrest_id else None, number)
    arrests = [pk for *_o, arrest, number in bookings.values() if arrest and not number and (pk := _uuid(arrest))]
    numbers = {
        str(entry_id): format_ob_number(seq, day)
        for entry_id, seq, day in MirroredEntry.objects.filter(entry_id__in=arrests).values_list(
            "entry_id", "ob_seq", "ob_date"
        )
        if seq and day
    }
    found = []
    for record, station_id, station_name in events:
        if not isinstance(record, dict) or (at := rules.moment_of(record, "at")) is None:
            continue
        booking = str(record.get("custody"))
        if booking not in bookings:
            continue  # a booking no register here holds: no officer to name
        arresting, booked_by, arrest, number = bookings[booking]
        number = number or numbers.get(arrest or "", "")
        found.append(
            other_registers.Harm(
                str(record.get("type")), at, booking, arresting, booked_by, arrest, number, station_id, station_name
            )
        )
    return found
