"""Lawful erasure (Kenya Data Protection Act 2019, s. 40): ``daftari ledger redact``.

The record loses its personal data and its salt; the book gains a ``redaction`` leaf that says
which leaf, on what authority and by whom. The redacted leaf itself is never touched, so every
proof and checkpoint issued before still verifies; only the record can no longer be reopened
against its commitment, which ``daftari ledger verify`` reports as redacted, not as a failure.
"""

import logging
from datetime import datetime
from typing import Any

from daftari_verify.leaf import Leaf as LeafV1
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from daftari.core import append_only
from daftari.core.errors import DomainError, InvalidInput, NotFound, NotPermitted
from daftari.ledger import records, services
from daftari.ledger.models import Commitment, Leaf, Redaction
from daftari.stations.models import scope_of
from daftari.stations.rules import can_erase_personal_data

KIND_REDACTION = "redaction"

log = logging.getLogger(__name__)


class AlreadyRedacted(DomainError):
    code = "already_redacted"
    status = 409
    default_message = _("This entry's personal data was already erased.")


class NotErasable(DomainError):
    code = "not_erasable"
    default_message = _("Records of this kind cannot be erased.")


def redaction_record(redaction: Redaction) -> dict[str, Any]:
    return {
        "redacts": redaction.leaf.index,
        "record": redaction.leaf.record_id,
        "authority": redaction.authority,
        "by": redaction.by,
    }


def stored_redaction(record_id: str) -> dict[str, Any] | None:
    """The record of a ``redaction`` leaf as stored now (the loader registered for that kind)."""
    redaction = Redaction.objects.select_related("leaf").filter(pk=record_id).first()
    return redaction_record(redaction) if redaction is not None else None


def redact(*, actor: User, record_id: str, authority: str, now: datetime | None = None) -> Redaction:
    """Erases the personal data of ``record_id`` and appends the ``redaction`` leaf, in one transaction."""
    scope = scope_of(actor)
    if not can_erase_personal_data(scope):
        raise NotPermitted(gettext("Only an administrator may erase personal data from the book."))
    authority = authority.strip()
    if not authority:
        raise InvalidInput(
            fields={"authority": gettext("State the court order or ODPC decision that requires the erasure.")}
        )
    now = now or timezone.now()
    with transaction.atomic():
        target = (
            Leaf.objects.filter(record_id=record_id)
            .exclude(kind=KIND_REDACTION)
            .select_related("log__station")
            .order_by("index")
            .first()
        )
        if target is None:
            raise NotFound()
        station = target.log.station
        if station is None:
            # The hub's own log (an alert) or an app's own (the refugee register's): the redaction
            # goes into the log that holds the leaf it redacts, so that log alone tells the story.
            services.lock_own_log(target.log)
        else:
            services.lock_log(station)  # one writer on this book until commit
        if services.is_redacted(target):
            raise AlreadyRedacted()
        erasure = records.erasure(target.kind)
        if erasure is None:
            raise NotErasable()
        # The other records this erasure changes too: their leaves are redacted with it.
        followers = [
            leaf
            for leaf in Leaf.objects.filter(record_id__in=erasure.also(record_id), log=target.log)
            .exclude(kind=KIND_REDACTION)
            .order_by("index")
            if not services.is_redacted(leaf)
        ]
        # Recorded entries are append-only at the database, so the guards come off exactly the
        # tables this erasure writes, and go back on before commit. DDL is transactional on both
        # engines: if anything below fails, the rollback restores the guards with the data. While
        # they are off, nobody else can slip a change through: on PostgreSQL DROP TRIGGER holds an
        # ACCESS EXCLUSIVE lock on each table until commit; on SQLite this IMMEDIATE transaction
        # holds the database's only write lock.
        connection = transaction.get_connection()
        append_only.uninstall(connection, erasure.tables)
        erasure.erase(record_id)
        append_only.install(connection, erasure.tables)
        redaction = _record_redaction(target, authority=authority, actor=actor, now=now)
        for leaf in followers:
            _record_redaction(leaf, authority=authority, actor=actor, now=now)
        if connection.vendor == "sqlite":
            # Until a checkpoint the -wal file still holds the erased rows' old page images; TRUNCATE empties it.
            transaction.on_commit(_checkpoint_wal, using=connection.alias)
    return redaction


def _record_redaction(target: Leaf, *, authority: str, actor: User, now: datetime) -> Redaction:
    """The salt of ``target`` goes, and a ``redaction`` leaf naming it goes into its log."""
    station = target.log.station
    Commitment.objects.filter(leaf=target).delete()
    redaction = Redaction.objects.create(leaf=target, authority=authority, by=actor.username, at=now)
    if station is None:
        services.append_to_own_log(
            log_=target.log,
            kind=KIND_REDACTION,
            record_id=str(redaction.pk),
            record=redaction_record(redaction),
            by=actor.officer.service_number,
            prev=target.index,
            at=now,
        )
    else:
        services.append(
            station=station,
            kind=KIND_REDACTION,
            record_id=str(redaction.pk),
            record=redaction_record(redaction),
            by=actor.officer.service_number,
            ob=LeafV1.from_bytes(bytes(target.data)).ob,
            prev=target.index,
            at=now,
        )
    return redaction


def _checkpoint_wal() -> None:
    with transaction.get_connection().cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _, _ = cursor.fetchone()
    if busy:
        log.warning(
            "A reader kept the SQLite WAL busy: the erased data stays in the -wal file until the next checkpoint."
        )
