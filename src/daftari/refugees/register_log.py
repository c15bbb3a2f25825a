"""The register's own signed log: one leaf per status step, document and document event.

Named like the station books and the hub's (LEDGER.md): origin ``<DAFTARI_LOG_ORIGIN>/drs-register``.
The register creates its log here and appends through the ledger (``append_to_own_log``), which
also puts a lawful erasure's redaction leaf into this log, beside the leaf it redacts.
The worker's checkpoint job signs this log like any grown log, and ``daftari ledger verify``
re-reads each leaf's record through the loaders registered in apps.py.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from daftari.ledger import services as ledger
from daftari.ledger.models import Leaf, Log

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
    return ledger.append_to_own_log(
        log_=_locked_head(), kind=kind, record_id=record_id, record=record, by=by, prev=None, at=at
    )


def register_log() -> Log | None:
    return Log.objects.filter(station=None, origin=origin()).first()
