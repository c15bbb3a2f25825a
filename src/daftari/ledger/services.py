"""Appending to a station's log, signing checkpoints, and the proofs served from stored hashes."""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from daftari_verify import merkle
from daftari_verify.checkpoint import Checkpoint as SignedCheckpoint
from daftari_verify.leaf import Leaf as LeafV1
from daftari_verify.leaf import new_salt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from daftari.ledger import keys
from daftari.ledger.models import Checkpoint, Commitment, Leaf, Log, Redaction, TreeNode
from daftari.stations.models import Station

log = logging.getLogger(__name__)


def origin_for(station: Station) -> str:
    return f"{settings.DAFTARI_LOG_ORIGIN}/{station.code}"


def _locked_log(station: Station) -> Log:
    """The station's log head, locked until the transaction ends (created on the first append)."""
    head = _lock_head(station)
    if head is not None:
        return head
    try:
        with transaction.atomic():
            Log.objects.create(station=station, origin=origin_for(station))
    except IntegrityError:
        pass  # another desk created it first
    head = _lock_head(station)
    assert head is not None
    return head


def _lock_head(station: Station) -> Log | None:
    # Every record of every kind passes here: plain SQL, because building the ORM's query cost
    # as much as running it. SQLite has no FOR UPDATE; its write transactions are serial anyway.
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, origin, size, edge FROM {Log._meta.db_table} WHERE station_id = %s{lock}",  # noqa: S608
            [station.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    log_id, origin, size, edge = row
    return Log(id=log_id, station=station, origin=origin, size=size, edge=bytes(edge))


def append(
    *,
    station: Station,
    kind: str,
    record_id: str,
    record: dict[str, Any],
    by: str,
    ob: str | None,
    prev: int | None,
    at: datetime,
) -> Leaf:
    """Adds one leaf for ``record`` to the station's log, inside the caller's transaction.

    The record itself stays out of the leaf: only a salted commitment to it goes in.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.append must run inside the transaction that writes the record")
    head = _locked_log(station)
    salt = new_salt()
    leaf = LeafV1.for_record(
        at=at, by=by, kind=kind, log=head.origin, ob=ob, prev=prev, record_id=record_id, record=record, salt=salt
    )
    data = leaf.to_bytes()
    state = merkle.TreeState.from_bytes(bytes(head.edge))
    completed = state.append(merkle.leaf_hash(data))
    row = Leaf(log=head, index=head.size, kind=kind, record_id=record_id, data=data, appended_at=at)
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        row.pk = _store_in_one_statement(connection, row, salt, completed, state)
        return row
    row.save(force_insert=True)
    Commitment.objects.create(leaf=row, salt=salt)
    TreeNode.objects.bulk_create(TreeNode(log=head, level=lv, index=ix, hash=h) for lv, ix, h in completed)
    Log.objects.filter(pk=head.pk).update(size=state.size, edge=state.to_bytes())
    return row


def _store_in_one_statement(
    connection: Any, row: Leaf, salt: bytes, completed: list[tuple[int, int, bytes]], state: merkle.TreeState
) -> int:
    """Leaf, salt, completed subtree hashes and the new head in one round trip (PostgreSQL).

    Four separate statements made the ledger cost about half the recording rate; a round trip is
    most of the cost of each.
    """
    nodes = ", ".join(["(%s, %s, %s, %s)"] * len(completed))
    node_params: list[Any] = []
    for level, index, digest in completed:
        node_params += [row.log_id, level, index, digest]
    sql = (
        "WITH new_leaf AS ("  # noqa: S608 - only placeholders are interpolated
        ' INSERT INTO ledger_leaf (log_id, "index", kind, record_id, data, appended_at)'
        " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id),"
        " new_salt AS (INSERT INTO ledger_commitment (leaf_id, salt) SELECT id, %s FROM new_leaf),"
        f' new_nodes AS (INSERT INTO ledger_treenode (log_id, level, "index", hash) VALUES {nodes}),'
        " new_head AS (UPDATE ledger_log SET size = %s, edge = %s WHERE id = %s)"
        " SELECT id FROM new_leaf"
    )
    params = [row.log_id, row.index, row.kind, row.record_id, row.data, row.appended_at, salt, *node_params]
    params += [state.size, state.to_bytes(), row.log_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def lock_log(station: Station) -> Log:
    """The station's log head, locked until the transaction ends: no append gets in meanwhile."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_log must run inside a transaction")
    return _locked_log(station)


def is_redacted(leaf: Leaf) -> bool:
    """Whether the leaf's record lost its personal data and salt to a lawful erasure.

    Such a record can no longer be reopened against its commitment: offer no evidence bundle for it.
    """
    return Redaction.objects.filter(leaf_id=leaf.pk).exists()


def leaf_for(record_id: str) -> Leaf | None:
    return Leaf.objects.filter(record_id=record_id).select_related("log").order_by("index").first()


# --- Reading hashes back ----------------------------------------------------------------


def _subtrees(log_: Log, wanted: Iterable[tuple[int, int]]) -> merkle.SubtreeHash:
    """A SubtreeHash over the stored nodes, fetching everything a proof needs in one query."""
    pairs = sorted(set(wanted))
    found: dict[tuple[int, int], bytes] = {}
    if pairs:
        # Hand-written: the ORM spent five times longer building an OR of 2·log2(n) terms than
        # the database spent answering it. Row values work on both engines.
        rows = ", ".join(["(%s, %s)"] * len(pairs))
        table = TreeNode._meta.db_table
        sql = (
            f'SELECT level, "index", hash FROM {table} '  # noqa: S608 - only placeholders are interpolated
            f'WHERE log_id = %s AND (level, "index") IN (VALUES {rows})'
        )
        params: list[int] = [log_.pk]
        for level, index in pairs:
            params += [level, index]
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(sql, params)
            for level, index, h in cursor.fetchall():
                found[(level, index)] = bytes(h)

    def subtree(level: int, index: int) -> bytes:
        try:
            return found[(level, index)]
        except KeyError:
            raise LookupError(f"{log_.origin}: no stored hash for subtree ({level}, {index})") from None

    return subtree


def _check_size(log_: Log, size: int) -> None:
    if not 0 <= size <= log_.size:
        raise ValueError(f"the log has {log_.size} leaves, not {size}")


def root_at(log_: Log, size: int) -> bytes:
    _check_size(log_, size)
    return merkle.root_from_subtrees(size, _subtrees(log_, merkle.root_subtrees(size)))


def inclusion_proof(log_: Log, index: int, size: int) -> list[bytes]:
    _check_size(log_, size)
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    return merkle.inclusion_proof(index, size, _subtrees(log_, merkle.inclusion_proof_subtrees(index, size)))


def consistency_proof(log_: Log, old_size: int, new_size: int) -> list[bytes]:
    _check_size(log_, new_size)
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    wanted = merkle.consistency_proof_subtrees(old_size, new_size)
    return merkle.consistency_proof(old_size, new_size, _subtrees(log_, wanted))


# --- Checkpoints ------------------------------------------------------------------------


class InconsistentLog(Exception):
    """The stored tree does not extend the last signed checkpoint: never sign it."""


def sign_checkpoint(*, station: Station, now: datetime | None = None) -> Checkpoint | None:
    """Signs the log's current size and root, unless nothing was appended since the last checkpoint."""
    with transaction.atomic():
        head = _locked_log(station)
        last = head.checkpoints.order_by("-size").first()
        if head.size == 0 or (last is not None and last.size == head.size):
            return None
        edge_root = merkle.TreeState.from_bytes(bytes(head.edge)).root()
        stored_root = root_at(head, head.size)
        if edge_root != stored_root:
            raise InconsistentLog(f"{head.origin}: the log head and the stored hashes disagree at {head.size}")
        if last is not None:
            proof = consistency_proof(head, last.size, head.size)
            try:
                merkle.verify_consistency(last.size, head.size, bytes(last.root), edge_root, proof)
            except Exception as exc:
                raise InconsistentLog(f"{head.origin}: {exc}") from exc
        signed = SignedCheckpoint(head.origin, head.size, edge_root).sign(keys.signer())
        return Checkpoint.objects.create(
            log=head, size=head.size, root=edge_root, signed_note=signed, signed_at=now or timezone.now()
        )


def _grown_logs() -> list[Log]:
    grown = []
    for head in Log.objects.select_related("station"):
        last_size = head.checkpoints.order_by("-size").values_list("size", flat=True).first()
        if head.size and head.size != last_size:
            grown.append(head)
    return grown


def sign_grown_logs() -> list[Checkpoint]:
    """A checkpoint for every log that grew since its last one (the worker calls this every minute)."""
    signed = []
    for head in _grown_logs():
        checkpoint = sign_checkpoint(station=head.station)
        if checkpoint is not None:
            signed.append(checkpoint)
    return signed


def checkpoint_tick() -> int:
    """The worker's periodic job: sign every grown book. A rewritten book raises an alarm and gets no
    checkpoint, and does not keep the other stations' books from being signed.

    Returns how many checkpoints were signed.
    """
    signed = 0
    for head in _grown_logs():
        try:
            signed += sign_checkpoint(station=head.station) is not None
        except InconsistentLog:
            log.critical("ledger: refused to sign a checkpoint of %s", head.origin, exc_info=True)
    return signed


def latest_checkpoint(log_: Log) -> Checkpoint | None:
    return log_.checkpoints.order_by("-size").first()
