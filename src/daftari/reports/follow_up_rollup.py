"""The follow-up rollup: the worker keeps ``FollowUpDay`` and ``FollowUpCloseDays`` current with the book
and the case updates (issue 12).

Like the crime and custody rollups, outside the recording transaction and every 30 s. A report's
figures are kept on the station-day it was recorded (Nairobi time); they move when the report is
recorded and when its case takes an update (an assignment, court, closing: each a ``CaseUpdate``
with its ``recorded_at``). The worker finds the station-days those touched since its mark (less an
overlap, for transactions that committed late) and recounts each of them whole, set-based, so running
it twice or from any mark changes nothing. ``rebuild`` recounts every station-day at once.

The days to close are kept as a histogram per station-day (how many reports were closed after so
many whole days, ``whole_days``), so that the median of any period and area, summed from it, is the
median of the reports' own days to close exactly.

At the hub, node stations count too: their reports and case updates are in the mirror of the node's
book only. The mirror tells which station-days of recording a chunk it indexed touched
(``count_touched``, through ``occurrences.other_books``, in that transaction), and every recount of a
station-day adds the node stations' reports the mirror reads back for it, with their updates.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from daftari.occurrences import other_books
from daftari.occurrences.models import CaseStatusChoice, CaseUpdate, Occurrence
from daftari.occurrences.queries import PUBLIC_FACING_TYPES
from daftari.occurrences.rules import NAIROBI
from daftari.reports.models import FollowUpCloseDays, FollowUpDay, RollupMark
from daftari.stations.models import Station

MARK = "follow_up"
OVERLAP = timedelta(minutes=2)
CHUNK = 200
FIELDS = ("reports", "assigned", "charged", "closed")
StationDay = tuple[int, date]


def whole_days(reported_at: datetime, closed_at: datetime) -> int:
    """The days from a report's recording to its case's closing, in whole days elapsed (24 h each)."""
    return (closed_at - reported_at) // timedelta(days=1)


def public_reports() -> QuerySet[Occurrence]:
    """The reports from the public, each with its case: the follow-up figures' cohort, by when recorded."""
    return Occurrence.objects.filter(entry_type__in=PUBLIC_FACING_TYPES, refers_to=None)


def charged() -> Q:
    """Reports whose case reached court (an update "in court" ever, whatever came after)."""
    # A correlated EXISTS (an index look-up per report), not IN over every "in court" update: PostgreSQL cannot
    # hash that list once it outgrows work_mem and then rescans it for every report (a 1M-entry rebuild hung).
    return Q(Exists(CaseUpdate.objects.filter(occurrence_id=OuterRef("pk"), status=CaseStatusChoice.IN_COURT)))


def _nairobi_day(moment: datetime) -> date:
    return moment.astimezone(NAIROBI).date()


def _on_days(cells: Iterable[StationDay], prefix: str = "") -> Q:
    """The reports of these station-days: each recorded at the station, midnight to midnight (Nairobi)."""
    where = Q(pk__in=[])
    for station_id, day in cells:
        start = datetime.combine(day, time.min, tzinfo=NAIROBI)
        where |= Q(
            **{
                f"{prefix}station_id": station_id,
                f"{prefix}recorded_at__gte": start,
                f"{prefix}recorded_at__lt": start + timedelta(days=1),
            }
        )
    return where


def _as_date(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def _grouped(reports: QuerySet[Occurrence]) -> QuerySet[Any, dict[str, Any]]:
    """The reports' figures by station and Nairobi day of recording, as one GROUP BY."""
    return (
        reports.annotate(day=TruncDate("recorded_at", tzinfo=NAIROBI))
        .order_by()
        .values("station_id", "day")
        .annotate(
            reports=Count("pk"),
            assigned=Count("pk", filter=Q(case_status__investigator__isnull=False)),
            charged=Count("pk", filter=charged()),
            closed=Count("pk", filter=Q(case_status__status=CaseStatusChoice.CLOSED)),
        )
    )


Counted = tuple[dict[StationDay, dict[str, int]], dict[StationDay, dict[int, int]]]


def _recount(cells: list[StationDay] | None) -> Counted:
    """Every figure and the days-to-close histogram of these station-days (all when None), from the records."""
    reports = public_reports()
    if cells is not None:
        reports = reports.filter(_on_days(cells))
    found: dict[StationDay, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for row in _grouped(reports):
        found[(row["station_id"], _as_date(row["day"]))].update({k: row[k] for k in FIELDS})
    histogram = _closings(cells)
    _add_other_books(cells, found, histogram)
    return found, histogram


class CaseFigures(NamedTuple):
    """What one report adds to its station-day: assigned, charged, and when it was closed (if it is)."""

    assigned: bool
    charged: bool
    closed_at: datetime | None


def case_figures(updates: list[other_books.Update]) -> CaseFigures:
    """A report's figures from its case updates in book order, as the hub's own are counted: assigned by
    the investigator its case has now, charged if it was ever in court, closed if its last update closed it."""
    last = updates[-1] if updates else None
    return CaseFigures(
        assigned=last is not None and last.investigator is not None,
        charged=any(u.status == CaseStatusChoice.IN_COURT for u in updates),
        closed_at=last.recorded_at if last is not None and last.status == CaseStatusChoice.CLOSED else None,
    )


def _count(
    counts: dict[str, int], by_days: dict[int, int], reported_at: datetime, figures: CaseFigures, sign: int = 1
) -> None:
    counts["assigned"] += sign * figures.assigned
    counts["charged"] += sign * figures.charged
    if figures.closed_at is not None:
        counts["closed"] += sign
        by_days[whole_days(reported_at, figures.closed_at)] += sign


def _add_other_books(
    cells: list[StationDay] | None, found: dict[StationDay, dict[str, int]], histogram: dict[StationDay, dict[int, int]]
) -> None:
    """The node stations' reports of these station-days (all when None), counted as the hub's own are."""
    wanted = set(cells) if cells is not None else None
    for report in other_books.reports_on(cells):
        cell = (report.station_id, _nairobi_day(report.recorded_at))
        if wanted is not None and cell not in wanted:
            continue
        found[cell]["reports"] += 1
        _count(found[cell], histogram[cell], report.recorded_at, case_figures(report.updates))
    _add_updates_of_own(cells, found, histogram)


def _add_updates_of_own(
    cells: list[StationDay] | None, found: dict[StationDay, dict[str, int]], histogram: dict[StationDay, dict[int, int]]
) -> None:
    """The hub's own reports of these station-days whose case went on at the station's node: counted
    with every update, the hub's and the node's, in place of the hub's alone."""
    elsewhere = other_books.updates_of_own(cells)
    if not elsewhere:
        return
    own: dict[Any, list[other_books.Update]] = defaultdict(list)
    rows = CaseUpdate.objects.filter(occurrence_id__in=list(elsewhere)).order_by("recorded_at", "pk")
    for report_id, status, investigator, at in rows.values_list(
        "occurrence_id", "status", "investigator__service_number", "recorded_at"
    ):
        own[report_id].append(other_books.Update(status, investigator, at))
    reports = public_reports().filter(pk__in=list(elsewhere)).values_list("pk", "station_id", "recorded_at")
    wanted = set(cells) if cells is not None else None
    for report_id, station_id, reported_at in reports:
        cell = (station_id, _nairobi_day(reported_at))
        if wanted is not None and cell not in wanted:
            continue
        here = own.get(report_id, [])
        every = sorted([*here, *elsewhere[report_id]], key=lambda u: u.recorded_at)
        _count(found[cell], histogram[cell], reported_at, case_figures(here), sign=-1)  # as the hub counted it
        for update in here:  # the hub's histogram counts every closing update it holds
            if update.status == CaseStatusChoice.CLOSED and update.recorded_at != case_figures(here).closed_at:
                histogram[cell][whole_days(reported_at, update.recorded_at)] -= 1
        _count(found[cell], histogram[cell], reported_at, case_figures(every))
    for by_days in histogram.values():
        for days in [d for d, n in by_days.items() if not n]:
            del by_days[days]


def _closings(cells: list[StationDay] | None) -> dict[StationDay, dict[int, int]]:
    """How many of each station-day's reports were closed after so many whole days (all days when None)."""
    closings = CaseUpdate.objects.filter(
        status=CaseStatusChoice.CLOSED, occurrence__entry_type__in=PUBLIC_FACING_TYPES, occurrence__refers_to=None
    )
    if cells is not None:
        closings = closings.filter(_on_days(cells, "occurrence__"))
    # A closed case takes no more updates (casework._record), so each closed report has one closing.
    histogram: dict[StationDay, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = closings.annotate(station=F("occurrence__station_id"), reported_at=F("occurrence__recorded_at"))
    for station_id, reported_at, closed_at in rows.values_list("station", "reported_at", "recorded_at").iterator(
        chunk_size=2000
    ):
        histogram[(station_id, _nairobi_day(reported_at))][whole_days(reported_at, closed_at)] += 1
    return histogram


def _write(cells: list[StationDay] | None, counted: Counted) -> None:
    """Replaces the rows of these station-days (every row when None) with what was counted."""
    found, histogram = counted
    stations = dict(Station.objects.values_list("pk", "code"))
    counties = dict(Station.objects.values_list("pk", "county_id"))
    if cells is None:
        FollowUpDay.objects.all().delete()
        FollowUpCloseDays.objects.all().delete()
    elif cells:
        where = Q(pk__in=[])
        for station_id, day in cells:
            where |= Q(station_code=stations[station_id], day=day)
        FollowUpDay.objects.filter(where).delete()  # one statement each, however many station-days
        FollowUpCloseDays.objects.filter(where).delete()
    FollowUpDay.objects.bulk_create(
        [
            FollowUpDay(station_code=stations[s], county_code=counties[s], day=day, **counts)
            for (s, day), counts in sorted(found.items())
            if any(counts.values())
        ],
        batch_size=2000,
    )
    FollowUpCloseDays.objects.bulk_create(
        [
            FollowUpCloseDays(station_code=stations[s], county_code=counties[s], day=day, days=days, count=n)
            for (s, day), by_days in sorted(histogram.items())
            for days, n in sorted(by_days.items())
        ],
        batch_size=2000,
    )


def _touched(since: datetime, now: datetime) -> set[StationDay]:
    """The station-days whose figures something recorded in (since, now] may have moved."""
    reports = public_reports().filter(recorded_at__gt=since, recorded_at__lte=now)
    touched = {(s, _nairobi_day(at)) for s, at in reports.values_list("station_id", "recorded_at")}
    updates = CaseUpdate.objects.filter(recorded_at__gt=since, recorded_at__lte=now).values_list(
        "occurrence__station_id", "occurrence__recorded_at"
    )
    touched.update((s, _nairobi_day(at)) for s, at in updates)
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
    """Recounts the node station-days the mirror's indexing touched (``other_books.reports_touched``, in
    the indexing transaction, so indexing again recounts the same figures); returns how many."""
    ordered = sorted(cells)
    for first in range(0, len(ordered), CHUNK):
        chunk = ordered[first : first + CHUNK]
        _write(chunk, _recount(chunk))
    return len(ordered)


def rebuild(now: datetime | None = None) -> int:
    """Forgets every row and counts the whole book and its cases again, set-based; returns the days written.

    The figures by one INSERT ... SELECT of the station-days' GROUP BY; the days to close from the closings
    read once (each its whole days, as ``whole_days`` counts them) and written as their histogram."""
    now = now or timezone.now()
    quote = connection.ops.quote_name
    columns = "station_code, county_code, day, " + ", ".join(FIELDS)
    with transaction.atomic():
        mark, _created = RollupMark.objects.select_for_update().get_or_create(
            name=MARK, defaults={"recorded_at": now}
        )  # fmt: skip
        _write(None, ({}, _closings(None)))
        select, params = _grouped(public_reports()).query.sql_with_params()
        figures = ", ".join(f"found.{quote(f)}" for f in FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(FollowUpDay._meta.db_table)} ({columns}) "  # noqa: S608 - our tables
                f"SELECT s.code, s.county_id, found.day, {figures} FROM ({select}) AS found "
                f"JOIN {quote(Station._meta.db_table)} s ON s.id = found.station_id",
                params,
            )
        # The node stations' reports, mirrored here: their station-days recounted whole, with the hub's own.
        days = {(r.station_id, _nairobi_day(r.recorded_at)) for r in other_books.reports_on(None)}
        own = public_reports().filter(pk__in=list(other_books.updates_of_own(None)))
        days.update((s, _nairobi_day(at)) for s, at in own.values_list("station_id", "recorded_at"))
        others = sorted(days)
        for first in range(0, len(others), CHUNK):
            chunk = others[first : first + CHUNK]
            _write(chunk, _recount(chunk))
        mark.recorded_at = now
        mark.save(update_fields=["recorded_at"])
    return FollowUpDay.objects.count()
