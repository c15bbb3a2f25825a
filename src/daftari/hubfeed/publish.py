"""At the hub: the signed down-log a station node pulls (NODES.md rule 5), and ``build_feed``.

The hub's own log (origin ``<DAFTARI_LOG_ORIGIN>/hub``, leaves and checkpoints exactly as a station's
book, signed with the ledger key) holds every alert and its withdrawal (daftari.alerts) and each version
of the reference data a node needs to work alone: stations, the officers of each station with their
password hashes, the offence schedule, the gazetted court holidays, and each refugee document's state
(what a desk's check needs, nothing of the holder). ``publish_reference_data`` appends a leaf for
whatever changed since it was last published; ``build_feed`` publishes, signs, and answers a node with
everything after the size it last verified.

An officer's record goes only to the node of the officer's own station: its leaf (a salted
commitment, no data) is in every feed, since every leaf is needed to rebuild the root, but its record
and salt are withheld from other stations' nodes, and the leaf's record id names the station so a
node can tell which withheld records are rightly not its own.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from daftari_verify import note
from daftari_verify.leaf import canonical_json
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from daftari.core.errors import DomainError
from daftari.custody.models import GazettedHoliday
from daftari.fines.models import OffenceCatalogue
from daftari.hubfeed.models import PublishedRecord
from daftari.ledger import records as ledger_records
from daftari.ledger import services as ledger
from daftari.ledger.models import Commitment, Leaf, Redaction
from daftari.refugees import node_copy, register_log
from daftari.stations.models import Officer, Station

FEED_VERSION = 1
KINDS = tuple(PublishedRecord.Kind.values)
HUB_SIGNER = "hub"  # a leaf's "by" for what the hub itself publishes
WITHHELD_OTHER_STATION = "other_station"
WITHHELD_REDACTED = "redacted"


class FeedAhead(DomainError):
    """The node says it has verified more of the hub's log than the hub holds: it must not be fed."""

    code = "feed_ahead"
    status = 409


# --- Records -------------------------------------------------------------------------------


def officer_record_id(station_code: str, record_id: uuid.UUID) -> str:
    """The leaf's record id of an officer's record: the station first, so nodes know whose it is."""
    return f"{station_code}/{record_id.hex}"


def station_of_record_id(record_id: str) -> str | None:
    """The station an officer's record is for, from its leaf's record id (None if not such an id)."""
    code, sep, _rest = record_id.rpartition("/")
    return code if sep else None


def _published_id(record_id: str) -> uuid.UUID:
    return uuid.UUID(record_id.rpartition("/")[2])


def stored_record(record_id: str) -> dict[str, Any] | None:
    published = PublishedRecord.objects.filter(pk=_published_id(record_id)).first()
    return published.record if published is not None else None


def _station_record(station: Station) -> dict[str, Any]:
    return {
        "code": station.code,
        "name": station.name,
        "county": station.county_id,
        "sub_county": station.sub_county,
        "lat": str(station.lat) if station.lat is not None else None,
        "lon": str(station.lon) if station.lon is not None else None,
    }


def _officer_record(officer: Officer, roles: list[str]) -> dict[str, Any]:
    user = officer.user
    return {
        "service_number": officer.service_number,
        "station": officer.station.code if officer.station else "",
        "username": user.username,
        "password": user.password,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "rank": officer.rank,
        "phone": officer.phone,
        "roles": roles,
        "removed": False,
    }


def _officer_gone(last: dict[str, Any]) -> dict[str, Any]:
    """An officer no longer of the station (moved, or the account gone): the node stops their sign-in."""
    return {**last, "password": "", "is_active": False, "phone": "", "roles": [], "removed": True}


def _offences_record(catalogue: OffenceCatalogue) -> dict[str, Any]:
    return {
        "version": catalogue.version,
        "effective_from": catalogue.effective_from.isoformat(),
        "effective_to": catalogue.effective_to.isoformat() if catalogue.effective_to else None,
        "imported_at": catalogue.imported_at.astimezone(UTC).isoformat(),
        "source_file": catalogue.source_file,
        "offences": [
            {
                "code": o.code,
                "offence": o.offence,
                "fine_kes": o.fine_kes,
                "legal_reference": o.legal_reference,
                "status": o.status,
                "source": o.source,
            }
            for o in catalogue.offences.order_by("code", "pk")
        ],
    }


def _holidays_record() -> dict[str, Any]:
    return {
        "holidays": [
            {"date": h.date.isoformat(), "name": h.name, "gazette_notice": h.gazette_notice}
            for h in GazettedHoliday.objects.order_by("date")
        ]
    }


def _current_reference_data() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(kind, key, station code or "", record) for everything the hub would publish now."""
    K = PublishedRecord.Kind
    found: list[tuple[str, str, str, dict[str, Any]]] = []
    for station in Station.objects.order_by("code"):
        found.append((K.STATION, station.code, "", _station_record(station)))
    officers = Officer.objects.filter(station__isnull=False).select_related("user", "station")
    for officer in officers.prefetch_related("user__groups").order_by("service_number"):
        assert officer.station is not None
        roles = sorted(g.name for g in officer.user.groups.all())
        key = f"{officer.service_number}@{officer.station.code}"
        found.append((K.OFFICER, key, officer.station.code, _officer_record(officer, roles)))
    for catalogue in OffenceCatalogue.objects.order_by("version"):
        found.append((K.OFFENCES, str(catalogue.version), "", _offences_record(catalogue)))
    found.append((K.HOLIDAYS, "holidays", "", _holidays_record()))
    return found


def publish_reference_data(*, now: datetime | None = None, refugee_documents: int | None = None) -> int:
    """Appends to the hub's log a new version of every piece of reference data that changed since it
    was last published (and the departure of every officer who left a station). Returns how many.
    At most ``refugee_documents`` refugee documents (DAFTARI_REFUGEE_DOCUMENTS_PER_PUBLISH unless given)."""
    now = now or timezone.now()
    if refugee_documents is None:
        refugee_documents = int(settings.DAFTARI_REFUGEE_DOCUMENTS_PER_PUBLISH)
    with transaction.atomic():
        ledger.lock_hub_log()  # one publisher at a time; the alerts' appends wait too
        last: dict[tuple[str, str], PublishedRecord] = {}
        # Refugee documents are many and published as a delta of their own (_publish_refugee_documents).
        for published in PublishedRecord.objects.exclude(kind=PublishedRecord.Kind.REFUGEE_DOCUMENT).order_by(
            "hub_index"
        ):
            last[(published.kind, published.key)] = published
        current = _current_reference_data()
        wanted = {(kind, key): (station, record) for kind, key, station, record in current}
        for (kind, key), published in last.items():
            gone = kind == PublishedRecord.Kind.OFFICER and (kind, key) not in wanted
            if gone and not published.record.get("removed"):
                wanted[(kind, key)] = (published.station_code, _officer_gone(published.record))
        count = 0
        for (kind, key), (station_code, record) in wanted.items():
            previous = last.get((kind, key))
            if previous is not None and canonical_json(previous.record) == canonical_json(record):
                continue
            _publish(kind=kind, key=key, station_code=station_code, record=record, now=now)
            count += 1
        return count + _publish_refugee_documents(now, limit=refugee_documents)


def _publish_refugee_documents(now: datetime, *, limit: int) -> int:
    """A new version of each refugee document the register recorded something of since the last
    publish: found from the register's leaves after the last one published, never by rescanning."""
    kind = PublishedRecord.Kind.REFUGEE_DOCUMENT
    top = PublishedRecord.objects.filter(kind=kind).aggregate(top=Max("register_index"))["top"]
    since = 0 if top is None else top + 1
    register = register_log.register_log()
    if register is None or register.size <= since:
        return 0
    changed = node_copy.states_since(since, limit=limit)
    # In a few statements whatever their number (one read of the documents and their events, one
    # insert each of leaves, salts and published records): 0.3-0.45 ms a document measured, not 0.8-2.
    published = [
        PublishedRecord(
            kind=kind,
            key=state.key,
            station_code="",
            record=state.record,
            published_at=now,
            register_index=state.register_index,
        )
        for state in changed
    ]
    leaves = ledger.append_many_to_hub(entries=[(kind, str(p.pk), p.record) for p in published], by=HUB_SIGNER, at=now)
    for record, leaf in zip(published, leaves, strict=True):
        record.hub_index = leaf.index
    PublishedRecord.objects.bulk_create(published, batch_size=ledger.BULK_BATCH)
    return len(published)


def _publish(
    *,
    kind: str,
    key: str,
    station_code: str,
    record: dict[str, Any],
    now: datetime,
    register_index: int | None = None,
) -> PublishedRecord:
    published = PublishedRecord(
        kind=kind,
        key=key,
        station_code=station_code,
        record=record,
        published_at=now,
        register_index=register_index,
    )
    record_id = officer_record_id(station_code, published.pk) if station_code else str(published.pk)
    leaf = ledger.append_to_hub(kind=kind, record_id=record_id, record=record, by=HUB_SIGNER, prev=None, at=now)
    published.hub_index = leaf.index
    published.save(force_insert=True)
    return published


# --- The feed ------------------------------------------------------------------------------


def publish_tick() -> int:
    """The hub worker's periodic job: publish what changed (not a node's: it keeps no hub log)."""
    if str(settings.DAFTARI_ROLE) == "node":
        return 0
    published = publish_reference_data()
    ledger.sign_hub_checkpoint()
    return published


def build_feed(station: Station, since_index: int) -> dict[str, Any]:
    """What the node of ``station`` pulls: the hub's log after ``since_index`` (the size it last
    verified), with the records it may hold, a freshly signed checkpoint and the consistency proof
    from ``since_index``. Reference data is published by the worker (``publish_tick``, every 30 s),
    not here: a pull every 15 s from each of 1,500 nodes must not rescan every officer.
    Everything in it is checked by ``apply_feed`` before anything is used.

    FeedAhead when ``since_index`` is past the hub's log (the node must be told, never fed).
    """
    ledger.sign_hub_checkpoint()
    head = ledger.hub_log()
    checkpoint = ledger.latest_checkpoint(head) if head is not None else None
    if head is None or checkpoint is None:
        raise FeedAhead("The hub has published nothing yet.")
    size = checkpoint.size
    if not 0 <= since_index <= size:
        raise FeedAhead(f"The hub's log holds {size} leaves, not {since_index}.")
    rows = list(
        Leaf.objects.filter(log=head, index__gte=since_index, index__lt=size)
        .order_by("index")
        .values_list("pk", "index", "kind", "record_id", "data")
    )
    leaf_ids = [pk for pk, *_rest in rows]
    salts = dict(Commitment.objects.filter(leaf_id__in=leaf_ids).values_list("leaf_id", "salt"))
    redacted = set(Redaction.objects.filter(leaf_id__in=leaf_ids).values_list("leaf_id", flat=True))
    leaves = []
    for pk, index, kind, record_id, data in rows:
        entry: dict[str, Any] = {"index": index, "data": note.b64encode(bytes(data)), "record": None, "salt": None}
        if pk in redacted or pk not in salts:
            entry["withheld"] = WITHHELD_REDACTED
        elif kind == PublishedRecord.Kind.OFFICER and station_of_record_id(record_id) != station.code:
            entry["withheld"] = WITHHELD_OTHER_STATION
        else:
            entry["record"] = ledger_records.load(kind, record_id)
            entry["salt"] = note.b64encode(bytes(salts[pk]))
            entry["withheld"] = None
        leaves.append(entry)
    proof = ledger.consistency_proof(head, since_index, size) if since_index else []
    return {
        "v": FEED_VERSION,
        "origin": head.origin,
        "station": station.code,
        "since": since_index,
        "checkpoint": checkpoint.signed_note,
        "checkpoint_at": checkpoint.signed_at.astimezone(UTC).isoformat(),
        "consistency": [note.b64encode(h) for h in proof],
        "leaves": leaves,
    }


def hub_verifier_key() -> str:
    """The key a node pins to verify the hub's feed (the ledger's verifier key string)."""
    from daftari.ledger import keys

    return keys.verifier_key()
