"""At the hub: the books mirrored from station nodes, found by national search.

Each entry of a node's book is indexed by the worker after its leaf was accepted and stored
(``store``, then ``index_new``), and read back
for the existing search (``found_in_mirror``, registered with ``occurrences.search``) as an
``Occurrence`` built from the record the node sent, never saved: the desk page and the API render
it, and log the read, exactly as an entry recorded at the hub.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Model, Q, QuerySet
from psycopg.types.json import Jsonb

from daftari.core import append_only
from daftari.core.errors import NotFound
from daftari.ledger.redaction import KIND_REDACTION
from daftari.nodes import figures, rules
from daftari.nodes.models import AcceptedCheckpoint, EnrolledNode, MirroredEntry, MirroredLeaf, MirroredMention
from daftari.occurrences import other_books
from daftari.occurrences import rules as book
from daftari.occurrences.models import Occurrence, Offence, Party, PropertyItem, Vehicle
from daftari.occurrences.queries import EntryView, view_entries
from daftari.occurrences.search import MAX_WORDS, SearchQuery
from daftari.stations.models import AccessEvent, Officer, scope_of
from daftari.stations.rules import Scope, station_filter
from daftari.stations.services import log_refused


@dataclass(slots=True)
class NewLeaf:
    """A leaf of an accepted batch, verified, not yet stored: plain values, as building a model
    instance a leaf cost a tenth of the accept."""

    index: int
    kind: str
    record_id: str
    data: bytes
    record: dict[str, Any] | None
    salt: bytes | None


def store(node: EnrolledNode, rows: list[NewLeaf], *, received_at: datetime) -> None:
    """Stores the leaves of an accepted batch (``rows``, verified, not yet saved), and erases the
    record of every leaf a ``redaction`` leaf among them names, with its search index.

    A few statements a batch, whatever its size and however long the book already is: the hub's
    ingest rate rests on it (issue 13 asks for 30% of bare INSERTs). On PostgreSQL the rows go in by
    COPY. National search's index of the new entries is built after the commit (``index_new``).
    """
    redacted = {
        row.record["redacts"]
        for row in rows
        if row.kind == KIND_REDACTION and row.record is not None and isinstance(row.record.get("redacts"), int)
    }
    for row in rows:
        if row.index in redacted:
            # Erased in the batch that brings it: kept as the leaf alone, never indexed.
            row.record, row.salt = None, None
    if redacted:
        # Under the node's lock (hub._accept), so an index run waits and then reads the blanked record.
        MirroredEntry.objects.filter(leaf__node=node, leaf__index__in=redacted).delete()
        _erase_records(node, redacted)
    if connection.vendor == "postgresql":
        _copy_leaves(node, rows, received_at)
        return
    MirroredLeaf.objects.bulk_create(
        MirroredLeaf(
            node=node,
            index=r.index,
            kind=r.kind,
            record_id=r.record_id,
            data=r.data,
            record=r.record,
            salt=r.salt,
            received_at=received_at,
        )
        for r in rows
    )


# Leaves indexed a transaction: the node's row is locked that long (an accept of its next batch waits).
INDEX_CHUNK = 2048


def index_new(node_id: int | None = None) -> int:
    """The hub worker's job: indexes for national search the entries of every mirrored book (or of
    node ``node_id``'s) accepted since its "indexed up to" mark (``EnrolledNode.indexed_size``), in
    bulk; the number of entries indexed.

    Idempotent: each chunk is indexed and the mark moved in one transaction, under the node's row
    lock, so two runs at once, or one run twice, index each entry once. It reads the records as
    stored: one erased by lawful order (blanked, under the same lock, by ``store``) is never indexed.
    It runs every 30 s, and right after a push is accepted (queued on commit, when the book was
    indexed up to that push; else the job already queued or running takes it), so search lags seconds.
    """
    if settings.DAFTARI_ROLE != "hub":
        return 0
    behind = EnrolledNode.objects.filter(joined_at__isnull=False, size__gt=F("indexed_size"))
    if node_id is not None:
        behind = behind.filter(pk=node_id)
    indexed = 0
    for pk in list(behind.order_by("pk").values_list("pk", flat=True)):
        while True:
            with transaction.atomic():
                node = EnrolledNode.objects.select_for_update().get(pk=pk)
                if node.indexed_size >= node.size:
                    break
                upto = min(node.size, node.indexed_size + INDEX_CHUNK)
                leaves = list(
                    MirroredLeaf.objects.filter(node=node, index__gte=node.indexed_size, index__lt=upto)
                    .exclude(record__isnull=True)
                    .only("pk", "index", "kind", "record")
                    .order_by("index")
                )
                indexed += _index(node, leaves)
                EnrolledNode.objects.filter(pk=pk).update(indexed_size=upto)
    return indexed


def waiting_for_search(node: EnrolledNode) -> int:
    """Leaves of the node's book the hub holds that national search does not read yet."""
    return max(node.size - node.indexed_size, 0)


def _index(node: EnrolledNode, leaves: list[MirroredLeaf]) -> int:
    entries: list[tuple[MirroredLeaf, rules.Findable]] = []
    for leaf in leaves:
        found = rules.findable(leaf.kind, leaf.record)
        if found is not None:
            entries.append((leaf, found))
    indexed = 0
    if entries:
        indexed = _store_index(node, entries)
        other_books.arrived(_arrivals(node, entries))  # the figures count them, in this transaction
    figures.tell(node, leaves)  # and recount the custody and follow-up figures of the days they touched
    return indexed


def _store_index(node: EnrolledNode, entries: list[tuple[MirroredLeaf, rules.Findable]]) -> int:
    if connection.vendor == "postgresql":
        entry_ids = _copy(
            MirroredEntry,
            _ENTRY_COLUMNS,
            [(leaf.pk, node.station_id, *_index_values(found)) for leaf, found in entries],
        )
        _copy(
            MirroredMention,
            ("entry_id", "kind", "value"),
            [
                (entry_id, kind, value)
                for entry_id, (_leaf, found) in zip(entry_ids, entries, strict=True)
                for kind, value in sorted(found.mentions)
            ],
            with_ids=False,
        )
        return len(entries)
    made = MirroredEntry.objects.bulk_create(
        MirroredEntry(leaf=leaf, station_id=node.station_id, **found.index_fields()) for leaf, found in entries
    )
    MirroredMention.objects.bulk_create(
        MirroredMention(entry=entry, kind=kind, value=value)
        for entry, (_leaf, found) in zip(made, entries, strict=True)
        for kind, value in sorted(found.mentions)
    )
    return len(entries)


def _arrivals(node: EnrolledNode, entries: list[tuple[MirroredLeaf, rules.Findable]]) -> list[other_books.Arrival]:
    """The original entries this chunk of the node's book brings or corrects, each with every correction
    of it so far. A correction comes after its entry in the book, so an entry new here and not corrected
    here has none yet; one corrected here (new, mirrored before, or recorded at the hub before the node
    took the book) is read back with all of its corrections."""
    station = node.station
    originals: list[Occurrence] = []
    amended: set[uuid.UUID] = set()
    for leaf, found in entries:
        record = leaf.record or {}
        if found.entry_type == "AMENDMENT":
            if (original := _entry_id(record, "refers_to")) is not None:
                amended.add(original)
        elif not record.get("refers_to"):
            originals.append(_as_entry(MirroredEntry(leaf=leaf, station=station, **found.index_fields()), record, {}))
    arrivals: list[other_books.Arrival] = [(entry, []) for entry in originals if entry.pk not in amended]
    for original in amended:
        arrival = _with_every_correction(original)
        if arrival is not None:
            arrivals.append(arrival)
    return arrivals


def _with_every_correction(entry_id: uuid.UUID) -> other_books.Arrival | None:
    """An entry of a node's book, or of the hub's, with every correction of it in the node's book
    (and the hub's own, for an entry recorded at the hub)."""
    rows = MirroredEntry.objects.filter(entry_type="AMENDMENT", leaf__record__refers_to=str(entry_id))
    corrections = _as_entries(list(rows.select_related("leaf", "station")))
    mirrored = MirroredEntry.objects.filter(entry_id=entry_id).select_related("leaf", "station").first()
    if mirrored is not None:
        entry = _as_entry(mirrored, mirrored.leaf.record or {}, {})
    else:
        found = Occurrence.objects.filter(pk=entry_id).select_related("station").first()
        if found is None:
            return None  # a correction of an entry this hub never held: nothing to place
        entry = found
        corrections += list(
            Occurrence.objects.filter(refers_to=found, entry_type="AMENDMENT").prefetch_related(
                "parties", "offences", "property_items", "vehicles"
            )
        )
    return entry, sorted(corrections, key=_book_order)


def every_mirrored_entry() -> Iterator[other_books.Arrival]:
    """Every original entry of the mirrored books that the figures may count, with its corrections
    (a recount from scratch: ``reports.rollup.rebuild``)."""
    amendments: dict[uuid.UUID, list[Occurrence]] = {}
    rows = MirroredEntry.objects.select_related("leaf", "station").order_by("pk")
    for row in rows.filter(entry_type="AMENDMENT").iterator(chunk_size=INDEX_CHUNK):
        correction = _as_entry(row, row.leaf.record or {}, {})
        original = _entry_id(row.leaf.record or {}, "refers_to")
        if original is not None:
            amendments.setdefault(original, []).append(correction)
    counted = sorted(book.crime_rules().crime_entry_types)
    for row in rows.filter(entry_type__in=counted).iterator(chunk_size=INDEX_CHUNK):
        record = row.leaf.record or {}
        if not record.get("refers_to"):
            yield _as_entry(row, record, {}), sorted(amendments.get(row.entry_id, []), key=_book_order)


def _read_back(rows: list[MirroredEntry]) -> list[other_books.Arrival]:
    """The original entries these mirrored rows are, or correct, each with every correction of it in the
    mirrored books, oldest first: one more query, whatever their number. A correction of an entry the
    hub itself recorded (before the node took the book) is left to the hub's own book."""
    wanted = {row.entry_id for row in rows if row.refers_to is None and row.entry_type != "AMENDMENT"}
    wanted |= {row.refers_to for row in rows if row.refers_to is not None and row.entry_type == "AMENDMENT"}
    if not wanted:
        return []
    found = MirroredEntry.objects.filter(
        Q(entry_id__in=wanted, refers_to=None) | Q(refers_to__in=wanted, entry_type="AMENDMENT")
    ).select_related("leaf", "station")
    originals: dict[uuid.UUID, Occurrence] = {}
    corrections: dict[uuid.UUID, list[MirroredEntry]] = {}
    for row in found.order_by("pk"):
        if row.refers_to is None:
            if row.entry_type != "AMENDMENT":
                originals[row.entry_id] = _as_entry(row, row.leaf.record or {}, {})
        else:
            corrections.setdefault(row.refers_to, []).append(row)
    return [
        (
            entry,
            sorted(
                (_as_entry(c, c.leaf.record or {}, {}, entry) for c in corrections.get(pk, [])),
                key=_book_order,
            ),
        )
        for pk, entry in originals.items()
    ]


def officer_suspected_entries() -> list[other_books.Arrival]:
    """The original entries of the mirrored books that name a police officer suspected, as recorded or as
    a correction changes it (vetting: such entries are few nationwide), each with every correction of it;
    two queries, found by the mention index."""
    if settings.DAFTARI_ROLE != "hub":
        return []
    naming = MirroredMention.objects.filter(kind=rules.OFFICER_MENTION).values("entry_id")
    return _read_back(list(MirroredEntry.objects.filter(id__in=naming).only("entry_id", "entry_type", "refers_to")))


def death_in_custody_entries() -> list[other_books.Arrival]:
    """The DEATH_IN_CUSTODY entries of the mirrored books (vetting: few nationwide), each with every
    correction of it; two queries, found by the index of entry types."""
    if settings.DAFTARI_ROLE != "hub":
        return []
    rows = MirroredEntry.objects.filter(entry_type="DEATH_IN_CUSTODY", refers_to=None)
    return _read_back(list(rows.only("entry_id", "entry_type", "refers_to")))


def entries_naming_ids(numbers: set[str], prefixes: tuple[str, ...]) -> list[other_books.Arrival]:
    """The original entries of the mirrored books whose parties, as recorded or as a correction writes
    them, carry one of these ID numbers or a number starting with one of these prefixes (as search
    normalises them), each with every correction of it; two queries, found by the mention index."""
    if settings.DAFTARI_ROLE != "hub" or not (numbers or prefixes):
        return []
    naming = id_mentions(numbers, prefixes).values("entry_id")
    return _read_back(list(MirroredEntry.objects.filter(id__in=naming).only("entry_id", "entry_type", "refers_to")))


def id_mentions(numbers: set[str], prefixes: tuple[str, ...]) -> QuerySet[MirroredMention]:
    """The mentions of these ID numbers, or of a number starting with one of these prefixes, read from the
    mention index (``mirrored_mention``, in pattern order on PostgreSQL so that a prefix is a range of it)."""
    which = Q(value__in=sorted(numbers))
    for prefix in prefixes:
        which |= Q(value__startswith=prefix)
    return MirroredMention.objects.filter(which, kind="id_number")


def mirrored_entry_with_corrections(entry_id: uuid.UUID) -> other_books.Arrival | None:
    """An original entry of a mirrored book with every correction of it, for a reader already allowed to
    read it whatever its station (vetting evidence); None when no mirrored book holds it."""
    if settings.DAFTARI_ROLE != "hub":
        return None
    rows = list(MirroredEntry.objects.filter(entry_id=entry_id, refers_to=None).exclude(entry_type="AMENDMENT"))
    found = _read_back(rows)
    if not found:
        return None
    entry, corrections = found[0]
    # Who recorded it and each correction, by name when the hub knows the officer (it sends them down).
    numbers = {e.recorded_by.service_number for e in (entry, *corrections)}
    officers = {o.service_number: o for o in Officer.objects.filter(service_number__in=numbers).select_related("user")}
    for read in (entry, *corrections):
        read.recorded_by = officers.get(read.recorded_by.service_number, read.recorded_by)
    return entry, corrections


def _entry_id(record: dict[str, Any], key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(record[key])) if record.get(key) else None
    except ValueError:
        return None


def _book_order(entry: Occurrence) -> tuple[datetime, int]:
    return (entry.recorded_at, entry.ob_seq)


def _erase_records(node: EnrolledNode, indexes: set[int]) -> None:
    """The hub's copy of a record the node erased by lawful order goes too (its leaf stays, so every
    proof still verifies, as at the node). The mirrored leaves are append-only at the database: the
    guard comes off that table for this one UPDATE and goes back on before commit, as in
    ``ledger.redaction.redact``."""
    held = MirroredLeaf.objects.filter(node=node, index__in=indexes, record__isnull=False)
    if not held.exists():
        return
    table = MirroredLeaf._meta.db_table
    append_only.uninstall(connection, [table])
    held.update(record=None, salt=None)
    append_only.install(connection, [table])


_LEAF_COLUMNS = ("node_id", "index", "kind", "record_id", "data", "record", "salt", "received_at")
_ENTRY_COLUMNS = (
    "leaf_id",
    "station_id",
    "entry_id",
    "ob_date",
    "ob_seq",
    "entry_type",
    "recorded_at",
    "names",
    "words",
    "refers_to",
)


def _copy_leaves(node: EnrolledNode, rows: list[NewLeaf], received_at: datetime) -> None:
    _copy(
        MirroredLeaf,
        _LEAF_COLUMNS,
        [
            (
                node.pk,
                r.index,
                r.kind,
                r.record_id,
                r.data,
                None if r.record is None else Jsonb(r.record),
                r.salt,
                received_at,
            )
            for r in rows
        ],
        with_ids=False,
    )


def _index_values(found: rules.Findable) -> tuple[Any, ...]:
    fields = found.index_fields()
    return tuple(fields[column] for column in _ENTRY_COLUMNS[2:])


def _copy(
    model: type[Model], columns: tuple[str, ...], values: list[tuple[Any, ...]], *, with_ids: bool = True
) -> list[int]:
    """COPYs ``values`` into ``model``'s table; the ids given to the rows, in order, when ``with_ids``."""
    if not values:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(values)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            columns, values = ("id", *columns), [(pk, *row) for pk, row in zip(ids, values, strict=True)]
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    return ids


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=book.NAIROBI)


def found_in_mirror(*, scope: Scope, query: SearchQuery, limit: int) -> list[Occurrence]:
    """The mirrored entries the scope may see that match ``query`` (already checked by the search), newest first."""
    scoped = station_filter(scope)
    if settings.DAFTARI_ROLE != "hub" or scoped is None:
        return []
    found = MirroredEntry.objects.filter(**scoped)
    if query.ob_number:
        parsed = book.parse_ob_number(query.ob_number)
        if parsed is not None:
            found = found.filter(ob_seq=parsed[0], ob_date=parsed[1])
    for kind, value in (
        ("id_number", book.normalise_id_number(query.id_number) if query.id_number else ""),
        ("phone", (book.normalise_phone(query.phone) or "") if query.phone else ""),
        ("plate", book.normalise_plate(query.plate) if query.plate else ""),
    ):
        if value:
            found = found.filter(id__in=MirroredMention.objects.filter(kind=kind, value=value).values("entry_id"))
    for word in rules.words_of(query.name, at_most=MAX_WORDS):
        found = found.filter(names__contains=word)
    for word in rules.words_of(query.text, at_most=MAX_WORDS):
        found = found.filter(words__contains=word)
    if query.entry_type:
        found = found.filter(entry_type=query.entry_type)
    if query.date_from:
        found = found.filter(recorded_at__gte=_day_start(query.date_from))
    if query.date_to:
        found = found.filter(recorded_at__lt=_day_start(query.date_to + timedelta(days=1)))
    if query.station_code:
        found = found.filter(station__code=query.station_code)
    rows = list(found.select_related("leaf", "station").order_by("-recorded_at", "-ob_seq")[:limit])
    return _as_entries(rows)


@dataclass(frozen=True)
class MirrorProof:
    """How the hub holds a mirrored entry: its leaf in the station's book, and the node's signed
    checkpoint that first covered it, verified and cosigned by the hub (NODES.md rules 2 and 3)."""

    index: int
    book_size: int
    witnessed_at: datetime
    # The hub refused a later batch of this book: what it holds stays verified, nothing newer comes.
    halted_at: datetime | None


def mirrored_entry_for(*, reader: User, entry_id: uuid.UUID) -> tuple[EntryView, MirrorProof]:
    """One entry of a node's book as the hub mirrors it, for a reader whose scope reaches its
    station: the read is logged like any entry's; outside the scope, NotFound and a denied event."""
    scoped = station_filter(scope_of(reader))
    row = None
    if settings.DAFTARI_ROLE == "hub" and scoped is not None:
        row = MirroredEntry.objects.filter(**scoped, entry_id=entry_id).select_related("leaf__node", "station").first()
    if row is None:
        log_refused(
            actor=reader,
            record_type="occurrence",
            model=MirroredEntry,
            record_id=entry_id,
            purpose=AccessEvent.Purpose.DESK_VIEW,
            channel="desk",
            lookup="entry_id",
        )
        raise NotFound()
    [view] = view_entries(
        reader=reader,
        entries=_as_entries([row]),
        purpose=AccessEvent.Purpose.DESK_VIEW,
        channel="desk",
        with_corrections=False,
    )
    # Every accepted leaf is covered by the checkpoint accepted with its batch.
    covering = AcceptedCheckpoint.objects.filter(node=row.leaf.node, size__gt=row.leaf.index).order_by("size").first()
    assert covering is not None, "a mirrored leaf is stored only with the checkpoint that covers it"
    return view, MirrorProof(
        index=row.leaf.index,
        book_size=covering.size,
        witnessed_at=covering.accepted_at,
        halted_at=row.leaf.node.halted_at,
    )


def _as_entries(rows: list[MirroredEntry]) -> list[Occurrence]:
    records = {row.entry_id: (row, row.leaf.record or {}) for row in rows}
    numbers = {str(record.get("recorded_by", "")) for _row, record in records.values()}
    officers = {o.service_number: o for o in Officer.objects.filter(service_number__in=numbers).select_related("user")}
    return [_as_entry(row, record, officers) for row, record in records.values()]


def _as_entry(
    row: MirroredEntry, record: dict[str, Any], officers: dict[str, Officer], earlier: Occurrence | None = None
) -> Occurrence:
    """The entry a mirrored row is, never saved; ``earlier``, when given, the entry it refers to (else read)."""
    number = str(record.get("recorded_by", ""))
    # The officers of a node's station are the hub's own (it sends them down); an unknown number
    # is shown as the number itself.
    officer = officers.get(number) or Officer(service_number=number, rank="", user=User(username=number))
    entry = Occurrence(
        id=row.entry_id,
        station=row.station,
        ob_date=row.ob_date or row.recorded_at.date(),
        ob_seq=row.ob_seq or 0,
        entry_type=row.entry_type,
        occurred_at=_moment(record.get("occurred_at")) or row.recorded_at,
        recorded_at=row.recorded_at,
        recorded_by=officer,
        place=str(record.get("place") or ""),
        lat=_coordinate(record.get("lat")),
        lon=_coordinate(record.get("lon")),
        narrative=str(record.get("narrative") or ""),
        details=record.get("details") if isinstance(record.get("details"), dict) else {},
        refers_to=earlier if earlier is not None else _earlier(record.get("refers_to")),
        is_late=bool(record.get("is_late")),
        late_reason=str(record.get("late_reason") or ""),
    )
    entry.keep_parts(
        parties=[_party(entry, i, p) for i, p in enumerate(rules.rows_of(record, "parties"))],
        offences=[
            Offence(
                occurrence=entry,
                position=i,
                section=str(o.get("section") or ""),
                description=str(o.get("description") or ""),
            )
            for i, o in enumerate(rules.rows_of(record, "offences"))
        ],
        property_items=[
            PropertyItem(
                occurrence=entry,
                position=i,
                description=str(item.get("description") or ""),
                serial_number=str(item.get("serial_number") or ""),
                quantity=int(item.get("quantity") or 1),
                value_kes=item.get("value_kes") if isinstance(item.get("value_kes"), int) else None,
            )
            for i, item in enumerate(rules.rows_of(record, "property_items"))
        ],
        vehicles=[
            Vehicle(
                occurrence=entry,
                position=i,
                plate=str(v.get("plate") or ""),
                plate_unusual=not book.plate_is_usual(str(v.get("plate") or "")),
                make_model=str(v.get("make_model") or ""),
                colour=str(v.get("colour") or ""),
            )
            for i, v in enumerate(rules.rows_of(record, "vehicles"))
        ],
    )
    return entry


def _earlier(reference: Any) -> Occurrence | None:
    """The entry a correction or follow-up refers to: mirrored too, or recorded at the hub before the node joined."""
    if not reference:
        return None
    try:
        entry_id = uuid.UUID(str(reference))
    except ValueError:
        return None
    row = MirroredEntry.objects.filter(entry_id=entry_id).select_related("leaf", "station").first()
    if row is not None:
        return _as_entries([row])[0]
    return Occurrence.objects.filter(pk=entry_id).select_related("station", "recorded_by__user").first()


def _party(entry: Occurrence, position: int, p: dict[str, Any]) -> Party:
    id_number = str(p.get("id_number") or "")
    return Party(
        occurrence=entry,
        position=position,
        role=str(p.get("role") or ""),
        name=str(p.get("name") or ""),
        id_number=id_number,
        id_number_unusual=bool(id_number) and not book.id_number_is_usual(id_number),
        phone=str(p.get("phone") or ""),
        sex=str(p.get("sex") or ""),
        date_of_birth=_day(p.get("date_of_birth")),
        age=p.get("age") if isinstance(p.get("age"), int) else None,
    )


def _moment(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _coordinate(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None
