"""The crime rollup: the worker brings ``CrimeCount`` up to date with the book (issue 12).

Not in the recording transaction, so recording is no slower: the worker runs ``catch_up`` every
30 s (core/periodic.py), so figures are at most about a minute behind the book. It reads entries
recorded since its high-water mark, less an overlap (``OVERLAP``) so that an entry whose transaction
committed late is still seen; it is idempotent because each counted entry has one ``CrimeTally`` row
that is recomputed from the entry as corrected, and only the difference moves the counts. It can be
stopped and restarted at any point, or run from scratch (``rebuild``).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from daftari.occurrences import queries
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import NAIROBI
from daftari.reports.models import CrimeCount, CrimeTally, RollupMark

MARK = "crimes"
OVERLAP = timedelta(minutes=2)
BATCH = 2000


class Cell(NamedTuple):
    station_code: str
    day: date
    hour: int
    category: str


def cell_of(entry: Occurrence) -> Cell | None:
    """Where an original entry counts under the counting rule (one per entry, principal offence), as corrected."""
    if entry.refers_to_id is not None:
        return None  # follow-ups and corrections are never counted themselves
    category = queries.crime_category_of(entry)
    if category is None:
        return None
    occurred = datetime.fromisoformat(str(queries.as_corrected(entry)["occurred_at"])).astimezone(NAIROBI)
    return Cell(entry.station.code, occurred.date(), occurred.hour, category.code)


def naive_counts(entries: Iterable[Occurrence] | None = None) -> Counter[Cell]:
    """Recounts the whole book entry by entry: what the rollup must always equal (tests, bench)."""
    found: Counter[Cell] = Counter()
    book = entries if entries is not None else Occurrence.objects.filter(refers_to=None).select_related("station")
    for entry in book:
        cell = cell_of(entry)
        if cell is not None:
            found[cell] += 1
    return found


def rolled_up_counts() -> Counter[Cell]:
    return Counter(
        {Cell(c.station_code, c.day, c.hour, c.category): c.count for c in CrimeCount.objects.filter(count__gt=0)}
    )


def _move(cell: Cell, delta: int) -> None:
    row, _created = CrimeCount.objects.select_for_update().get_or_create(
        station_code=cell.station_code, day=cell.day, hour=cell.hour, category=cell.category
    )
    row.count += delta
    row.save(update_fields=["count"])


def _retally(entry: Occurrence) -> bool:
    """Brings one original entry's tally in line with the entry as corrected; True if the counts moved."""
    wanted = cell_of(entry)
    tally = CrimeTally.objects.select_for_update().filter(entry_id=entry.pk).first()
    had = Cell(tally.station_code, tally.day, tally.hour, tally.category) if tally else None
    if had == wanted:
        return False
    if had is not None:
        _move(had, -1)
    if wanted is None:
        CrimeTally.objects.filter(entry_id=entry.pk).delete()
    else:
        _move(wanted, +1)
        CrimeTally.objects.update_or_create(entry_id=entry.pk, defaults=wanted._asdict())
    return True


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
        for entry in originals.values():
            moved += _retally(entry)
        mark.recorded_at = latest
        mark.save(update_fields=["recorded_at"])
    return moved


def rebuild() -> int:
    """Forgets every count and counts the whole book again."""
    with transaction.atomic():
        CrimeTally.objects.all().delete()
        CrimeCount.objects.all().delete()
        RollupMark.objects.filter(name=MARK).delete()
    return catch_up()
