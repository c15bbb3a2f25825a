"""On a station node: ``apply_feed`` verifies everything the hub sent, then applies it in one transaction.

Checks, in order, each named in the result when it fails (and then nothing at all is stored):
``format`` (the payload's shape), ``signature`` (the checkpoint is signed by the pinned hub key, for
the hub's log), ``since`` (the feed starts where this node's last verified copy ends),
``truncated`` (a leaf for every index up to the checkpoint's size), ``leaf`` (each leaf is a canonical
v1 leaf of the hub's log), ``record`` (each record matches its leaf's commitment; only another
station's officers and lawfully erased records may be withheld), ``root`` (the last verified tree
plus these leaves hashes to the checkpoint's root), ``consistency`` (RFC 9162 proof from the last
verified checkpoint). Then stations, officers with their password hashes (so they sign in with no
link), the offence schedule, gazetted holidays, alerts and refugee documents' states are written to
the local tables, and the checkpoint is kept as "hub data as of" its signing time.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint, open_checkpoint
from daftari_verify.errors import DaftariVerifyError
from daftari_verify.leaf import Leaf as LeafV1
from daftari_verify.leaf import check_commit
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from daftari.alerts import erasure as alert_erasure
from daftari.alerts import records as alert_records
from daftari.alerts.models import Alert, AlertWithdrawal
from daftari.core import append_only
from daftari.custody.models import GazettedHoliday
from daftari.fines.models import OffenceCatalogue, ScheduledOffence
from daftari.hubfeed.models import PublishedRecord, VerifiedHubData
from daftari.hubfeed.publish import (
    FEED_VERSION,
    WITHHELD_OTHER_STATION,
    WITHHELD_REDACTED,
    station_of_record_id,
)
from daftari.ledger.redaction import KIND_REDACTION
from daftari.refugees import node_copy
from daftari.stations.models import County, Officer, Station

log = logging.getLogger(__name__)
K = PublishedRecord.Kind


@dataclass(frozen=True)
class LastVerified:
    """The hub checkpoint this node last verified: its size, root and the tree's right edge there."""

    size: int
    root: bytes
    edge: bytes


@dataclass
class FeedResult:
    ok: bool
    failed_check: str | None = None
    message: str = ""
    size: int = 0
    as_of: datetime | None = None
    applied: dict[str, int] = field(default_factory=dict)


class FeedRefused(Exception):
    def __init__(self, check: str, message: str) -> None:
        self.check = check
        super().__init__(message)


def last_verified() -> LastVerified | None:
    """What this node last verified of the hub's log (None before its first feed)."""
    row = VerifiedHubData.objects.order_by("-size", "-applied_at").first()
    if row is None:
        return None
    return LastVerified(size=row.size, root=bytes(row.root), edge=bytes(row.edge))


def hub_data_as_of() -> datetime | None:
    """When the hub signed the copy of its data this node works from ("hub data as of ...")."""
    return VerifiedHubData.objects.order_by("-size", "-applied_at").values_list("as_of", flat=True).first()


@dataclass(frozen=True)
class _Checked:
    checkpoint: Checkpoint
    edge: bytes
    as_of: datetime
    records: list[tuple[int, LeafV1, dict[str, Any]]]


def _field(payload: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = payload.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise FeedRefused("format", f"the feed's {key!r} is missing or of the wrong type")
    return value


def _verify(payload: Any, hub_public_key: str, last: LastVerified | None, station_code: str) -> _Checked:
    if not isinstance(payload, dict) or payload.get("v") != FEED_VERSION:
        raise FeedRefused("format", "not a version 1 hub feed")
    origin = _field(payload, "origin", str)
    since = _field(payload, "since", int)
    leaves = _field(payload, "leaves", list)
    proof_text = _field(payload, "consistency", list)
    if payload.get("station") != station_code:
        raise FeedRefused("format", f"the feed is for station {payload.get('station')!r}, not {station_code}")
    try:
        as_of = datetime.fromisoformat(_field(payload, "checkpoint_at", str))
        proof = [note.b64decode_strict(h, "consistency hash") for h in proof_text]
        verifier = note.Verifier.parse(hub_public_key)
    except (ValueError, DaftariVerifyError) as exc:
        raise FeedRefused("format", str(exc)) from None
    try:
        checkpoint = open_checkpoint(_field(payload, "checkpoint", str), verifier, origin=origin)
    except DaftariVerifyError as exc:
        raise FeedRefused("signature", f"the checkpoint is not signed by the hub's key: {exc}") from None
    if not origin.endswith("/hub"):
        raise FeedRefused("signature", f"{origin} is not a hub's log")

    last_size = last.size if last is not None else 0
    if since != last_size:
        raise FeedRefused("since", f"the feed starts at {since}; this node verified {last_size}")
    if checkpoint.size < last_size:
        raise FeedRefused("consistency", f"the hub's checkpoint ({checkpoint.size}) is older than this node's")
    if len(leaves) != checkpoint.size - since:
        raise FeedRefused("truncated", f"{len(leaves)} leaves for {checkpoint.size - since} indices")

    state = merkle.TreeState.from_bytes(last.edge) if last is not None else merkle.TreeState()
    records: list[tuple[int, LeafV1, dict[str, Any]]] = []
    for expected, entry in enumerate(leaves, start=since):
        if not isinstance(entry, dict) or entry.get("index") != expected:
            raise FeedRefused("truncated", f"leaf {expected} is missing")
        try:
            data = note.b64decode_strict(str(entry.get("data", "")), "leaf")
            leaf = LeafV1.from_bytes(data)
        except DaftariVerifyError as exc:
            raise FeedRefused("leaf", f"leaf {expected}: {exc}") from None
        if leaf.log != origin:
            raise FeedRefused("leaf", f"leaf {expected} belongs to {leaf.log}")
        record = _checked_record(entry, leaf, expected, station_code)
        if record is not None:
            records.append((expected, leaf, record))
        state.append(merkle.leaf_hash(data))
    if state.root() != checkpoint.root:
        raise FeedRefused("root", f"the leaves do not hash to the checkpoint's root at size {checkpoint.size}")
    if last is not None and last_size:
        try:
            merkle.verify_consistency(last_size, checkpoint.size, last.root, checkpoint.root, proof)
        except DaftariVerifyError as exc:
            raise FeedRefused("consistency", f"not consistent with the last verified checkpoint: {exc}") from None
    return _Checked(checkpoint=checkpoint, edge=state.to_bytes(), as_of=as_of, records=records)


def _checked_record(entry: dict[str, Any], leaf: LeafV1, index: int, station_code: str) -> dict[str, Any] | None:
    withheld = entry.get("withheld")
    record, salt_text = entry.get("record"), entry.get("salt")
    if record is None:
        others = leaf.kind == K.OFFICER and station_of_record_id(leaf.record) != station_code
        if withheld == WITHHELD_OTHER_STATION and others:
            return None
        if withheld == WITHHELD_REDACTED:
            return None  # its personal data was erased by lawful order; the redaction leaf says so
        raise FeedRefused("record", f"leaf {index} ({leaf.kind}) came without its record")
    if not isinstance(record, dict) or not isinstance(salt_text, str):
        raise FeedRefused("record", f"leaf {index}: a record is an object with its salt")
    try:
        check_commit(leaf.commit, record, note.b64decode_strict(salt_text, "salt"))
    except DaftariVerifyError as exc:
        raise FeedRefused("record", f"leaf {index} ({leaf.kind}): {exc}") from None
    if leaf.kind == K.OFFICER and station_of_record_id(leaf.record) != station_code:
        raise FeedRefused("record", f"leaf {index}: another station's officer was sent to this node")
    return record


def apply_feed(
    payload: Any, hub_public_key: str, last_verified: LastVerified | None, *, station_code: str
) -> FeedResult:
    """Verifies the hub's feed for this node's ``station`` against ``last_verified`` (``last_verified()``),
    then applies all of it in one transaction; a feed failing any check applies nothing."""
    try:
        checked = _verify(payload, hub_public_key, last_verified, station_code)
    except FeedRefused as refused:
        log.warning("hub feed refused (%s): %s", refused.check, refused)
        return FeedResult(ok=False, failed_check=refused.check, message=str(refused))
    applied: dict[str, int] = {}
    with transaction.atomic():
        for index, leaf, record in checked.records:
            _apply(leaf, record, index, station_code)
            applied[leaf.kind] = applied.get(leaf.kind, 0) + 1
        if last_verified is None or checked.checkpoint.size > last_verified.size:
            VerifiedHubData.objects.create(
                size=checked.checkpoint.size,
                root=checked.checkpoint.root,
                edge=checked.edge,
                signed_note=payload["checkpoint"],
                as_of=checked.as_of,
                applied_at=timezone.now(),
            )
    return FeedResult(ok=True, size=checked.checkpoint.size, as_of=checked.as_of, applied=applied)


# --- Applying each kind ----------------------------------------------------------------------


def _apply(leaf: LeafV1, record: dict[str, Any], index: int, station_code: str) -> None:
    if leaf.kind == K.STATION:
        _apply_station(record)
    elif leaf.kind == K.OFFICER:
        _apply_officer(record, station_code)
    elif leaf.kind == K.OFFENCES:
        _apply_offences(record)
    elif leaf.kind == K.HOLIDAYS:
        _apply_holidays(record)
    elif leaf.kind == alert_records.KIND_ALERT:
        if not Alert.objects.filter(pk=record["id"]).exists():
            alert_records.alert_from_record(record, hub_index=index).save(force_insert=True)
    elif leaf.kind == alert_records.KIND_WITHDRAWAL:
        if not AlertWithdrawal.objects.filter(pk=record["id"]).exists():
            alert_records.withdrawal_from_record(record, hub_index=index).save(force_insert=True)
    elif leaf.kind == K.REFUGEE_DOCUMENT:
        node_copy.keep_copy(record, hub_index=index)
    elif leaf.kind == KIND_REDACTION:
        _apply_redaction(record)
    else:
        log.warning("hub feed: leaf %d of unknown kind %s left aside", index, leaf.kind)


def _apply_station(record: dict[str, Any]) -> None:
    fields = {
        "name": record["name"],
        "county": County.objects.get(pk=record["county"]),
        "sub_county": record["sub_county"],
        "lat": Decimal(record["lat"]) if record["lat"] is not None else None,
        "lon": Decimal(record["lon"]) if record["lon"] is not None else None,
    }
    Station.objects.update_or_create(code=record["code"], defaults=fields)


def _apply_officer(record: dict[str, Any], station_code: str) -> None:
    """The account as the hub holds it, password hash included, so the officer signs in with no link;
    an officer who left the station can no longer sign in here."""
    station = Station.objects.get(code=station_code)
    user = User.objects.filter(username=record["username"]).first()
    if record["removed"]:
        if user is not None and Officer.objects.filter(user=user, station=station).exists():
            user.is_active = False
            user.save(update_fields=["is_active"])
        return
    user = user or User(username=record["username"])
    user.password = record["password"]
    user.first_name, user.last_name, user.is_active = record["first_name"], record["last_name"], record["is_active"]
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in record["roles"]])
    Officer.objects.update_or_create(
        user=user,
        defaults={
            "service_number": record["service_number"],
            "rank": record["rank"],
            "station": station,
            "phone": record["phone"],
        },
    )


def _apply_offences(record: dict[str, Any]) -> None:
    effective_to = record["effective_to"]
    catalogue = OffenceCatalogue.objects.filter(version=record["version"]).first()
    if catalogue is not None:
        # A later version ends this one: the only thing a published schedule ever gains.
        OffenceCatalogue.objects.filter(pk=catalogue.pk).update(effective_to=effective_to)
        return
    catalogue = OffenceCatalogue.objects.create(
        version=record["version"],
        effective_from=record["effective_from"],
        effective_to=effective_to,
        imported_at=datetime.fromisoformat(record["imported_at"]),
        source_file=record["source_file"],
    )
    ScheduledOffence.objects.bulk_create(
        ScheduledOffence(
            catalogue=catalogue,
            **{k: o[k] for k in ("code", "offence", "fine_kes", "legal_reference", "status", "source")},
        )
        for o in record["offences"]
    )


def _apply_holidays(record: dict[str, Any]) -> None:
    GazettedHoliday.objects.all().delete()
    GazettedHoliday.objects.bulk_create(
        GazettedHoliday(date=h["date"], name=h["name"], gazette_notice=h["gazette_notice"]) for h in record["holidays"]
    )


def _apply_redaction(record: dict[str, Any]) -> None:
    """A lawful erasure at the hub reaches this node's copy of the record too."""
    try:
        target = str(uuid.UUID(str(record["record"])))
    except ValueError:
        return  # not an alert: an officer's published record, whose account here is the node's own
    connection = transaction.get_connection()
    if Alert.objects.filter(pk=target).exists():
        tables, erase = alert_erasure.TABLES, alert_erasure.erase
    elif AlertWithdrawal.objects.filter(pk=target).exists():
        tables, erase = alert_erasure.WITHDRAWAL_TABLES, alert_erasure.erase_withdrawal
    else:
        return
    append_only.uninstall(connection, tables)
    erase(target)
    append_only.install(connection, tables)
