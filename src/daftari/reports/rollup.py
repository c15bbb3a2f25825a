"""The crime rollup: the worker brings ``CrimeCount`` up to date with the book (issue 12).

Not in the recording transaction, so recording is no slower: the worker runs ``catch_up`` every
30 s (core/periodic.py), so figures are at most about a minute behind the book. It reads entries
recorded since its high-water mark, less an overlap (``OVERLAP``) so that an entry whose transaction
committed late is still seen; it is idempotent because each counted entry has one ``CrimeTally`` row
that is recomputed from the entry as corrected, and only the difference moves the counts. It can be
stopped and restarted at any point, or run from scratch (``rebuild``, set-based: a national book of
ten million entries is counted in minutes, where entry by entry would take a day).

At the hub the books of the station nodes count too: their entries are not in the hub's book but in
its mirror, which hands each over as it indexes it (``count_arrivals``, through
``occurrences.other_books``), with its corrections; a rebuild reads them all back the same way.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UniqueConstraint,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from daftari.occurrences import other_books, queries
from daftari.occurrences.entry_types import SUSPECTED_OFFICER
from daftari.occurrences.models import Occurrence, Offence
from daftari.occurrences.rules import NAIROBI, categorise_offence, crime_rules, police_officer_rule
from daftari.reports.models import (
    CrimeCount,
    CrimeCountyDay,
    CrimeCountyHour,
    CrimeStationDay,
    CrimeTally,
    RollupMark,
)
from daftari.stations.models import Station

Counted = CrimeCount | CrimeCountyDay | CrimeCountyHour | CrimeStationDay
SUMS = (CrimeCountyDay, CrimeCountyHour, CrimeStationDay)
MARK = "crimes"
OVERLAP = timedelta(minutes=2)
BATCH = 2000


class Cell(NamedTuple):
    station_code: str
    day: date
    hour: int
    category: str


def cell_of(entry: Occurrence, corrections: list[Occurrence] | None = None) -> Cell | None:
    """Where an original entry counts under the counting rule (one per entry, principal offence), as
    corrected (by ``corrections`` when given: an entry of another book brings its own)."""
    if entry.refers_to_id is not None:
        return None  # follow-ups and corrections are never counted themselves
    category = queries.crime_category_of(entry, corrections)
    if category is None:
        return None
    occurred = datetime.fromisoformat(str(queries.as_corrected(entry, corrections)["occurred_at"])).astimezone(NAIROBI)
    return Cell(entry.station.code, occurred.date(), occurred.hour, category.code)


def naive_counts(entries: Iterable[Occurrence] | None = None) -> Counter[Cell]:
    """Recounts the whole book entry by entry: what the rollup must always equal (tests, bench)."""
    found: Counter[Cell] = Counter()
    book = entries if entries is not None else Occurrence.objects.filter(refers_to=None).select_related("station")
    for entry in book:
        cell = cell_of(entry)
        if cell is not None:
            found[cell] += 1
    if entries is None:
        for entry, corrections in other_books.every_entry():
            cell = cell_of(entry, corrections)
            if cell is not None:
                found[cell] += 1
    return found


def rolled_up_counts() -> Counter[Cell]:
    return Counter(
        {Cell(c.station_code, c.day, c.hour, c.category): c.count for c in CrimeCount.objects.filter(count__gt=0)}
    )


def _add(model: type[Counted], keys: tuple[str, ...], rows: Counter[tuple[Any, ...]]) -> None:
    """Adds each row's delta to its cell, creating the cells not there yet: one statement per
    thousand cells (an upsert that adds, on both engines), so a chunk costs the same whatever its size."""
    table, quote = model._meta.db_table, connection.ops.quote_name
    [cell] = [c.fields for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
    columns = ", ".join(quote(k) for k in (*keys, "count"))
    changed = [(*key, delta) for key, delta in rows.items() if delta]
    for start in range(0, len(changed), 1000):
        chunk = changed[start : start + 1000]
        values = ", ".join(["(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(table)} ({columns}) VALUES {values} "  # noqa: S608 - our table, our columns
                f"ON CONFLICT ({', '.join(quote(k) for k in cell)}) "
                f"DO UPDATE SET count = {quote(table)}.count + excluded.count",
                [value for row in chunk for value in row],
            )


def _move(deltas: Counter[Cell]) -> None:
    """Entries in or out of their cells, and of the county and station sums the wider figures read."""
    deltas = Counter({cell: delta for cell, delta in deltas.items() if delta})
    if not deltas:
        return
    # A station unknown here counts at its own level only, as the county figures read stations.
    counties = dict(Station.objects.filter(code__in={c.station_code for c in deltas}).values_list("code", "county_id"))
    county_day: Counter[tuple[Any, ...]] = Counter()
    county_hour: Counter[tuple[Any, ...]] = Counter()
    station_day: Counter[tuple[Any, ...]] = Counter()
    for cell, delta in deltas.items():
        county = counties.get(cell.station_code)
        if county is not None:
            county_day[(county, cell.day, cell.category)] += delta
            county_hour[(county, cell.day, cell.hour)] += delta
            station_day[(cell.station_code, county, cell.day)] += delta
    _add(CrimeCount, ("station_code", "day", "hour", "category"), Counter({tuple(c): d for c, d in deltas.items()}))
    _add(CrimeCountyDay, ("county_code", "day", "category"), county_day)
    _add(CrimeCountyHour, ("county_code", "day", "hour"), county_hour)
    _add(CrimeStationDay, ("station_code", "county_code", "day"), station_day)


def _retally(entries: Iterable[tuple[Occurrence, list[Occurrence] | None]]) -> int:
    """Brings original entries' tallies in line with them as corrected (by the corrections given, else
    by those in the book), a chunk at a time in a fixed number of statements; how many entries moved."""
    moved = 0
    pending = list(entries)
    for start in range(0, len(pending), BATCH):
        wanted = {entry.pk: cell_of(entry, corrections) for entry, corrections in pending[start : start + BATCH]}
        had = {
            t.entry_id: Cell(t.station_code, t.day, t.hour, t.category)
            for t in CrimeTally.objects.select_for_update().filter(entry_id__in=list(wanted))
        }
        changed = {pk: cell for pk, cell in wanted.items() if had.get(pk) != cell}
        deltas: Counter[Cell] = Counter()
        for pk, cell in changed.items():
            if pk in had:
                deltas[had[pk]] -= 1
            if cell is not None:
                deltas[cell] += 1
        _move(deltas)
        gone = [pk for pk, cell in changed.items() if cell is None and pk in had]
        if gone:
            CrimeTally.objects.filter(entry_id__in=gone).delete()
        CrimeTally.objects.bulk_create(
            [CrimeTally(entry_id=pk, **cell._asdict()) for pk, cell in changed.items() if cell is not None],
            update_conflicts=True,
            unique_fields=["entry_id"],
            update_fields=["station_code", "day", "hour", "category"],
        )
        moved += len(changed)
    return moved


def catch_up(now: datetime | None = None) -> int:
    """Counts what was recorded since the mark; returns how many entries' counts moved."""
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        mark, _created = RollupMark.objects.select_for_update().get_or_create(
            name=MARK, defaults={"recorded_at": datetime(1970, 1, 1, tzinfo=NAIROBI)}
        )
        since = mark.recorded_at - OVERLAP
        fresh = (
            Occurrence.objects.filter(recorded_at__gt=since, recorded_at__lte=now)
            .select_related("refers_to", "station", "refers_to__station")
            .order_by("recorded_at", "id")
        )
        originals: dict[object, Occurrence] = {}
        latest = mark.recorded_at
        for entry in fresh.iterator(chunk_size=BATCH):
            latest = max(latest, entry.recorded_at)
            if entry.refers_to_id is None:
                originals[entry.pk] = entry
            elif entry.entry_type == "AMENDMENT" and entry.refers_to is not None:
                originals[entry.refers_to.pk] = entry.refers_to
        moved = _retally((entry, None) for entry in originals.values())
        mark.recorded_at = latest
        mark.save(update_fields=["recorded_at"])
    return moved


def count_arrivals(arrivals: list[other_books.Arrival]) -> int:
    """Entries of a station node's book as the hub indexes them (``other_books.arrived``, in the same
    transaction, so each is counted once): each original placed as its corrections so far say."""
    return _retally(arrivals)


def _principal_category() -> Subquery | Value:
    """The category of an entry's principal offence: of its offence sections as written, the one whose
    category comes first in the published order (every section text of the book is placed once, here)."""
    rules = crime_rules()
    by_category: dict[str, list[str]] = {}
    for section in Offence.objects.order_by().values_list("section", flat=True).distinct().iterator():
        category = categorise_offence(section, rules)
        if category is not None:
            by_category.setdefault(category.code, []).append(section)
    placed = sorted(by_category.items(), key=lambda item: rules.order(item[0]))
    if not placed:
        return Value(None, output_field=CharField())  # no section in the book that a rule places
    rank = Case(*(When(section__in=s, then=Value(rules.order(c))) for c, s in placed), output_field=IntegerField())
    code = Case(*(When(section__in=s, then=Value(c)) for c, s in placed), output_field=CharField())
    principal = (
        Offence.objects.filter(occurrence=OuterRef("pk"))
        .annotate(rank=rank, code=code)
        .filter(rank__isnull=False)
        .order_by("rank")
        .values("code")[:1]
    )
    return Subquery(principal, output_field=CharField())


def _uncorrected_tallies(book: QuerySet[Occurrence]) -> QuerySet[Any, dict[str, Any]]:
    """``cell_of`` as one query over the entries no correction touched: offences involving police officers
    when the entry names a police officer suspected (checked against the register when it was recorded),
    else the principal offence's category, else the entry type's fallback (None: not counted); the day
    and hour are Nairobi's."""
    rules = crime_rules()
    fallbacks = [When(entry_type=r["entry_type"], then=Value(r["category"])) for r in rules.rules if "entry_type" in r]
    category: Case | Coalesce = Coalesce(
        _principal_category(), Case(*fallbacks, default=None, output_field=CharField())
    )
    police = police_officer_rule(rules)
    if police is not None:
        suspected = Q(details__has_key=SUSPECTED_OFFICER.name)
        category = Case(When(suspected, then=Value(police["category"])), default=category, output_field=CharField())
    return (
        book.filter(entry_type__in=sorted(rules.crime_entry_types))
        .annotate(
            entry_id=F("pk"),
            station_code=F("station__code"),
            day=TruncDate("occurred_at", tzinfo=NAIROBI),
            hour=ExtractHour("occurred_at", tzinfo=NAIROBI),
            category=category,
        )
        .order_by()
        .values("entry_id", "station_code", "day", "hour", "category")
    )


def _sums_sql(count_table: str) -> list[str]:
    """The county and station sums from ``CrimeCount``, as ``_move`` keeps them."""
    quote = connection.ops.quote_name
    stations = quote(Station._meta.db_table)
    joined = f"FROM {count_table} c JOIN {stations} s ON s.code = c.station_code"
    return [
        f"INSERT INTO {quote(CrimeCountyDay._meta.db_table)} (county_code, day, category, count) "
        f"SELECT s.county_id, c.day, c.category, SUM(c.count) {joined} GROUP BY s.county_id, c.day, c.category",
        f"INSERT INTO {quote(CrimeCountyHour._meta.db_table)} (county_code, day, hour, count) "
        f"SELECT s.county_id, c.day, c.hour, SUM(c.count) {joined} GROUP BY s.county_id, c.day, c.hour",
        f"INSERT INTO {quote(CrimeStationDay._meta.db_table)} (station_code, county_code, day, count) "
        f"SELECT c.station_code, s.county_id, c.day, SUM(c.count) {joined} GROUP BY c.station_code, s.county_id, c.day",
    ]


def rebuild(now: datetime | None = None) -> int:
    """Forgets every count and counts the whole book again; returns how many entries are counted.

    Set-based: the entries no correction touched are counted by one INSERT ... SELECT, the few that were
    corrected one by one through ``cell_of``, and the counts summed from the tallies by one more. The
    worker's ``catch_up`` then goes on from the newest entry counted (tests hold the two paths equal).
    """
    now = now or timezone.now()
    quote = connection.ops.quote_name
    tally_table, count_table = quote(CrimeTally._meta.db_table), quote(CrimeCount._meta.db_table)
    columns = "entry_id, station_code, day, hour, category"
    with transaction.atomic():
        mark, _created = RollupMark.objects.select_for_update().get_or_create(
            name=MARK, defaults={"recorded_at": datetime(1970, 1, 1, tzinfo=NAIROBI)}
        )
        for model in (CrimeTally, CrimeCount, *SUMS):
            model.objects.all().delete()
        book = Occurrence.objects.filter(refers_to=None, recorded_at__lte=now)
        corrected = Q(Exists(Occurrence.objects.filter(refers_to=OuterRef("pk"), entry_type="AMENDMENT")))
        select, params = _uncorrected_tallies(book.exclude(corrected)).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {tally_table} ({columns}) SELECT {columns} FROM ({select}) AS found "  # noqa: S608 - ours
                "WHERE category IS NOT NULL",
                params,
            )
        tallies = []
        for entry in book.filter(corrected).select_related("station").iterator(chunk_size=BATCH):
            cell = cell_of(entry)
            if cell is not None:
                tallies.append(CrimeTally(entry_id=entry.pk, **cell._asdict()))
        for entry, corrections in other_books.every_entry():  # the node stations' books mirrored here
            cell = cell_of(entry, corrections)
            if cell is not None:
                tallies.append(CrimeTally(entry_id=entry.pk, **cell._asdict()))
        CrimeTally.objects.bulk_create(tallies, batch_size=BATCH)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {count_table} (station_code, day, hour, category, count) "  # noqa: S608 - our tables
                f"SELECT station_code, day, hour, category, COUNT(*) FROM {tally_table} "
                "GROUP BY station_code, day, hour, category"
            )
            for sql in _sums_sql(count_table):
                cursor.execute(sql)
        mark.recorded_at = book.aggregate(latest=Max("recorded_at"))["latest"] or mark.recorded_at
        mark.save(update_fields=["recorded_at"])
    return CrimeTally.objects.count()
