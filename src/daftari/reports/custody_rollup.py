"""The custody rollup: the worker keeps ``CustodyDay`` current with the book and the cell register (issue 12).

Like the crime rollup, outside the recording transaction (the cell register is no slower) and every
30 s. Everything that moves a custody figure is recorded with a time the worker can follow: an ARREST
entry (``recorded_at``), a booking (its cells line's ``recorded_at``) and a custody event
(``recorded_at``; releases and court change how a booking kept Art. 49, deaths and serious injuries
are counted by themselves). The worker finds the station-days those touched since its mark (less an
overlap, for transactions that committed late) and recounts each of them whole, set-based, so running
it twice or from any mark changes nothing. ``rebuild`` recounts every station-day at once.

At the hub, node stations count too: their arrests, bookings and custody events are in the mirror of
the node's book only. The mirror tells which station-days a chunk it indexed touched
(``count_touched``, through ``custody.other_registers``, in that transaction), and every recount of a
station-day adds the node stations' rows the mirror reads back for it.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from daftari.custody import other_registers
from daftari.custody.models import CustodyEvent, CustodyRecord
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.rules import NAIROBI
from daftari.reports.models import CustodyDay, RollupMark
from daftari.stations.models import Station

MARK = "custody"
OVERLAP = timedelta(minutes=2)
CHUNK = 200
FIELDS = ("arrested", "held", "within", "late", "deaths", "serious_injuries")
StationDay = tuple[int, date]


def _nairobi_day(moment: datetime) -> date:
    return moment.astimezone(NAIROBI).date()


def _on_days(field: str, station_field: str, cells: Iterable[StationDay]) -> Q:
    """The rows of these station-days: each the station's Nairobi day, midnight to midnight."""
    where = Q(pk__in=[])
    for station_id, day in cells:
        start = datetime.combine(day, time.min, tzinfo=NAIROBI)
        where |= Q(**{station_field: station_id, f"{field}__gte": start, f"{field}__lt": start + timedelta(days=1)})
    return where


def _grouped(rows: QuerySet[Any], station_field: str, field: str, **counts: Any) -> Iterable[dict[str, Any]]:
    return (
        rows.annotate(at_station=F(station_field), day=TruncDate(field, tzinfo=NAIROBI))
        .order_by()
        .values("at_station", "day")
        .annotate(**counts)
    )


def _recount(cells: list[StationDay] | None) -> dict[StationDay, dict[str, int]]:
    """Every figure of these station-days (all of them when None), counted from the records themselves."""
    suspects = Party.objects.filter(
        role=Party.Role.SUSPECT, occurrence__entry_type="ARREST", occurrence__refers_to=None
    )  # fmt: skip
    bookings = CustodyRecord.objects.all()
    events = CustodyEvent.objects.filter(kind__in=[CustodyEvent.Kind.DEATH, CustodyEvent.Kind.SERIOUS_INJURY])
    if cells is not None:
        suspects = suspects.filter(_on_days("occurrence__occurred_at", "occurrence__station_id", cells))
        bookings = bookings.filter(_on_days("booked_in_at", "station_id", cells))
        events = events.filter(_on_days("at", "station_id", cells))
    found: dict[StationDay, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for row in _grouped(suspects, "occurrence__station_id", "occurrence__occurred_at", arrested=Count("pk")):
        found[(row["at_station"], row["day"])]["arrested"] = row["arrested"]
    booking_counts = {
        "held": Count("pk"),
        "within": Count("pk", filter=Q(projection__brought_within_deadline=True)),
        "late": Count("pk", filter=Q(projection__brought_within_deadline=False)),
    }
    for row in _grouped(bookings, "station_id", "booked_in_at", **booking_counts):
        found[(row["at_station"], row["day"])].update({k: row[k] for k in booking_counts})
    event_counts = {
        "deaths": Count("pk", filter=Q(kind=CustodyEvent.Kind.DEATH)),
        "serious_injuries": Count("pk", filter=Q(kind=CustodyEvent.Kind.SERIOUS_INJURY)),
    }
    for row in _grouped(events, "station_id", "at", **event_counts):
        found[(row["at_station"], row["day"])].update({k: row[k] for k in event_counts})
    counted: dict[StationDay, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    counted.update({(station, _as_date(day)): counts for (station, day), counts in found.items()})
    _add_other_registers(cells, counted)
    return counted


def _add_other_registers(cells: list[StationDay] | None, counted: dict[StationDay, dict[str, int]]) -> None:
    """The node stations' rows of these station-days (all when None), counted as the hub's own are."""
    wanted = set(cells) if cells is not None else None

    def count(station_id: int, moment: datetime, field: str, n: int = 1) -> None:
        cell = (station_id, _nairobi_day(moment))
        if wanted is None or cell in wanted:
            counted[cell][field] += n

    rows = other_registers.rows_on(cells)
    for arrest in rows.arrests:
        count(arrest.station_id, arrest.occurred_at, "arrested", arrest.suspects)
    for booking in rows.bookings:
        count(booking.station_id, booking.booked_in_at, "held")
        if booking.brought_within_deadline is not None:
            count(booking.station_id, booking.booked_in_at, "within" if booking.brought_within_deadline else "late")
    for booking in other_registers.ended_elsewhere(cells):  # held here, counted held; its end came from the node
        if booking.brought_within_deadline is not None:
            count(booking.station_id, booking.booked_in_at, "within" if booking.brought_within_deadline else "late")
    counted_kinds = {CustodyEvent.Kind.DEATH: "deaths", CustodyEvent.Kind.SERIOUS_INJURY: "serious_injuries"}
    for event in rows.events:
        if event.kind in counted_kinds:
            count(event.station_id, event.at, counted_kinds[CustodyEvent.Kind(event.kind)])


def _as_date(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def _write(cells: list[StationDay] | None, counted: dict[StationDay, dict[str, int]]) -> None:
    """Replaces the rows of these station-days (every row when None) with what was counted."""
    stations = dict(Station.objects.values_list("pk", "code"))
    counties = dict(Station.objects.values_list("pk", "county_id"))
    if cells is None:
        CustodyDay.objects.all().delete()
    elif cells:
        where = Q(pk__in=[])
        for station_id, day in cells:
            where |= Q(station_code=stations[station_id], day=day)
        CustodyDay.objects.filter(where).delete()  # one statement, however many station-days
    CustodyDay.objects.bulk_create(
        [
            CustodyDay(station_code=stations[s], county_code=counties[s], day=day, **counts)
            for (s, day), counts in sorted(counted.items())
            if any(counts.values())
        ],
        batch_size=2000,
    )


def _touched(since: datetime, now: datetime) -> set[StationDay]:
    """The station-days whose figures something recorded in (since, now] may have moved."""
    window = {"gt": since, "lte": now}

    def recorded(prefix: str) -> dict[str, datetime]:
        return {f"{prefix}__{op}": moment for op, moment in window.items()}

    touched: set[StationDay] = set()
    arrests = Occurrence.objects.filter(entry_type="ARREST", refers_to=None, **recorded("recorded_at"))
    touched.update((s, _nairobi_day(at)) for s, at in arrests.values_list("station_id", "occurred_at"))
    bookings = CustodyRecord.objects.filter(
        Q(**recorded("cells_entry__recorded_at")) | Q(cells_entry=None, **recorded("booked_in_at"))
    )
    touched.update((s, _nairobi_day(at)) for s, at in bookings.values_list("station_id", "booked_in_at"))
    events = CustodyEvent.objects.filter(**recorded("recorded_at")).values_list(
        "station_id", "at", "custody__station_id", "custody__booked_in_at"
    )
    for station_id, at, booked_at_station, booked_in_at in events:
        touched.add((station_id, _nairobi_day(at)))
        touched.add((booked_at_station, _nairobi_day(booked_in_at)))  # the booking's Art. 49 may have moved
    return touched


def catch_up(now: datetime | None = None) -> int:
    """Recounts the station-days touched since the mark; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _created = RollupMark.objects.select_for_update().get_or_create(
            name=MARK, defaults={"recorded_at": datetime(1970, 1, 1, tzinfo=NAIROBI)}
        )
        cells = sorted(_touched(mark.recorded_at - OVERLAP, now))
        for first in range(0, len(cells), CHUNK):  # a bounded query each, however long the worker was away
            chunk = cells[first : first + CHUNK]
            _write(chunk, _recount(chunk))
        mark.recorded_at = now
        mark.save(update_fields=["recorded_at"])
    return len(cells)


def count_touched(cells: set[StationDay]) -> int:
    """Recounts the node station-days the mirror's indexing touched (``other_registers.touched``, in the
    indexing transaction, so indexing again recounts the same figures); returns how many."""
    ordered = sorted(cells)
    for first in range(0, len(ordered), CHUNK):
        chunk = ordered[first : first + CHUNK]
        _write(chunk, _recount(chunk))
    return len(ordered)


def rebuild(now: datetime | None = None) -> int:
    """Forgets every row and counts the whole register and book again, set-based; returns the rows written."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _created = RollupMark.objects.select_for_update().get_or_create(
            name=MARK, defaults={"recorded_at": now}
        )  # fmt: skip
        _write(None, _recount(None))
        mark.recorded_at = now
        mark.save(update_fields=["recorded_at"])
    return CustodyDay.objects.count()
