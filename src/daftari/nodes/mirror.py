"""At the hub: the books mirrored from station nodes, found by national search.

Each entry of a node's book is indexed when its leaf is accepted (``index_leaves``), and read back
for the existing search (``found_in_mirror``, registered with ``occurrences.search``) as an
``Occurrence`` built from the record the node sent, never saved: the desk page and the API render
it, and log the read, exactly as an entry recorded at the hub.
"""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User

from daftari.ledger.redaction import KIND_REDACTION
from daftari.nodes import rules
from daftari.nodes.models import EnrolledNode, MirroredEntry, MirroredLeaf, MirroredMention
from daftari.occurrences import rules as book
from daftari.occurrences.models import Occurrence, Offence, Party, PropertyItem, Vehicle
from daftari.occurrences.search import MAX_WORDS, SearchQuery
from daftari.stations.models import Officer
from daftari.stations.rules import Scope, station_filter


def index_leaves(node: EnrolledNode, rows: list[MirroredLeaf]) -> None:
    """Indexes the entries among ``rows`` (just stored) and drops the index of any record a
    ``redaction`` leaf among them erases."""
    mentions = []
    for row in rows:
        if row.kind == KIND_REDACTION and row.record is not None and isinstance(row.record.get("redacts"), int):
            MirroredEntry.objects.filter(leaf__node=node, leaf__index=row.record["redacts"]).delete()
            continue
        found = rules.findable(row.kind, row.record)
        if found is None:
            continue
        entry = MirroredEntry.objects.create(leaf=row, station_id=node.station_id, **found.index_fields())
        mentions += [MirroredMention(entry=entry, kind=kind, value=value) for kind, value in sorted(found.mentions)]
    MirroredMention.objects.bulk_create(mentions)


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


def _as_entries(rows: list[MirroredEntry]) -> list[Occurrence]:
    records = {row.entry_id: (row, row.leaf.record or {}) for row in rows}
    numbers = {str(record.get("recorded_by", "")) for _row, record in records.values()}
    officers = {o.service_number: o for o in Officer.objects.filter(service_number__in=numbers).select_related("user")}
    return [_as_entry(row, record, officers) for row, record in records.values()]


def _as_entry(row: MirroredEntry, record: dict[str, Any], officers: dict[str, Officer]) -> Occurrence:
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
        refers_to=_earlier(record.get("refers_to")),
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
