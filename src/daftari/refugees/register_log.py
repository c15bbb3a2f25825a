"""The register's own signed log: one leaf per status step, document and document event.

Named like the station books and the hub's (LEDGER.md): origin ``<DAFTARI_LOG_ORIGIN>/drs-register``.
The ledger appends only to a station's log or the hub's, so the register writes its leaves here in
the ledger's own shape: the log head locked, the next index, the salted commitment and the size.
The worker's checkpoint job signs this log like any grown log, and ``daftari ledger verify``
re-reads each leaf's record through the loaders registered in apps.py.
"""

from datetime import datetime
from typing import Any

from daftari_verify.leaf import Leaf as LeafV1
from daftari_verify.leaf import new_salt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from daftari.ledger.models import Commitment, Leaf, Log

NAME = "drs-register"


def origin() -> str:
    return f"{settings.DAFTARI_LOG_ORIGIN}/{NAME}"


def _locked_head() -> Log:
    # SQLite has no FOR UPDATE; its write transactions are serial anyway.
    head = Log.objects.select_for_update().filter(station=None, origin=origin()).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            Log.objects.create(station=None, origin=origin())
    except IntegrityError:
        pass  # another desk created it first
    return Log.objects.select_for_update().get(station=None, origin=origin())


def append(*, kind: str, record_id: str, record: dict[str, Any], by: str, at: datetime) -> Leaf:
    """Adds one leaf for ``record`` to the register's log, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the register's log is appended inside the transaction that writes the record")
    head = _locked_head()
    salt = new_salt()
    leaf = LeafV1.for_record(
        at=at, by=by, kind=kind, log=head.origin, ob=None, prev=None, record_id=record_id, record=record, salt=salt
    )
    row = Leaf.objects.create(
        log=head, index=head.size, kind=kind, record_id=record_id, data=leaf.to_bytes(), appended_at=at
    )
    Commitment.objects.create(leaf=row, salt=salt)
    Log.objects.filter(pk=head.pk).update(size=F("size") + 1)
    return row


def register_log() -> Log | None:
    return Log.objects.filter(station=None, origin=origin()).first()
