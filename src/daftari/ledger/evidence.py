"""Where an entry stands in its station's signed book, and its evidence bundle for a court.

The bundle is built with daftari_verify.evidence, so ``daftari-verify entry`` reads exactly
what the server writes. It holds the full record (personal data), so handing it out is
limited to roles that see personal data, and every hand-out or refusal is logged.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from daftari_verify import merkle
from daftari_verify.checkpoint import InclusionProof
from daftari_verify.evidence import build_evidence_zip
from django.contrib.auth.models import User
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from daftari.core.errors import DomainError, NotFound, NotPermitted
from daftari.ledger import keys, records
from daftari.ledger.models import Checkpoint, Commitment, Leaf
from daftari.ledger.services import InconsistentLog, inclusion_proof, latest_checkpoint, leaf_for, sign_log
from daftari.stations.models import AccessEvent, Station, scope_of
from daftari.stations.rules import sees_personal_data
from daftari.stations.services import log_access

log = logging.getLogger(__name__)

PURPOSE = AccessEvent.Purpose.EVIDENCE
SHORT_HASH_HEX = 8


class Erased(DomainError):
    """The record's personal data and salt were deleted by a lawful erasure: nothing left to prove."""

    code = "erased"
    status = 410
    default_message = _("This entry's record was lawfully erased; its evidence bundle can no longer be made.")


class BookUnsigned(DomainError):
    """The stored book no longer extends its last checkpoint, so no new checkpoint is signed."""

    code = "book_inconsistent"
    status = 503
    default_message = _("The station's book cannot be signed just now. The system administrator has been alerted.")


@dataclass(frozen=True)
class BookPosition:
    """An entry's leaf, and the first checkpoint that signed it (None while awaiting the next one)."""

    index: int
    leaf_hash: bytes
    signed_at: datetime | None

    @property
    def short_hash(self) -> str:
        return self.leaf_hash.hex()[:SHORT_HASH_HEX]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


def position_of(record_id: str) -> BookPosition | None:
    """Where the record is in the signed book; None if it has no leaf."""
    leaf = leaf_for(record_id)
    if leaf is None:
        return None
    first_signed = (
        Checkpoint.objects.filter(log_id=leaf.log_id, size__gt=leaf.index)
        .order_by("size")
        .values_list("signed_at", flat=True)
        .first()
    )
    return BookPosition(index=leaf.index, leaf_hash=merkle.leaf_hash(bytes(leaf.data)), signed_at=first_signed)


def _covering_checkpoint(leaf: Leaf) -> Checkpoint:
    """The latest checkpoint, signing one first if the leaf is newer than it."""
    checkpoint = latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        try:
            sign_log(leaf.log)
        except InconsistentLog:
            log.exception("Refused to sign %s for an evidence bundle", leaf.log.origin)
            raise BookUnsigned() from None
        checkpoint = latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        # sign_checkpoint signs the whole log, which holds this leaf: this cannot happen.
        raise RuntimeError(f"{leaf.log.origin}: no checkpoint covers leaf {leaf.index}")
    return checkpoint


def build_bundle(record_id: str) -> tuple[Leaf, bytes]:
    """The record's leaf and its evidence zip, proved against the log's latest checkpoint."""
    leaf = leaf_for(record_id)
    if leaf is None:
        raise NotFound()
    record = records.load(leaf.kind, record_id)
    salt = Commitment.objects.filter(leaf=leaf).values_list("salt", flat=True).first()
    if record is None or not salt:  # the erasure deleted the salt (or blanked it)
        raise Erased()
    checkpoint = _covering_checkpoint(leaf)
    proof = InclusionProof(leaf.index, checkpoint.size, tuple(inclusion_proof(leaf.log, leaf.index, checkpoint.size)))
    bundle = build_evidence_zip(
        leaf_bytes=bytes(leaf.data),
        record=record,
        salt=bytes(salt),
        proof=proof,
        checkpoint=checkpoint.signed_note,
        verifier_keys=[keys.verifier_key()],
    )
    return leaf, bundle


def evidence_for(
    *, actor: User, record_type: str, record_id: str, station: Station, channel: str, restricted: bool = False
) -> bytes:
    """The evidence zip of a record the actor may already see; the hand-out is logged.

    The caller has checked the actor may see the record's station (others get a 404 there), and says
    whether the record is ``restricted`` for the actor (a GBV entry outside its circle): refused as well.
    """
    if restricted or not sees_personal_data(scope_of(actor)):
        log_access(
            actor=actor,
            record_type=record_type,
            record_id=record_id,
            record_station=station,
            purpose=PURPOSE,
            outcome=AccessEvent.Outcome.DENIED,
            channel=channel,
        )
        raise NotPermitted(gettext("The evidence bundle holds personal data, which your role does not see."))
    bundle = build_bundle(record_id)[1]
    log_access(
        actor=actor,
        record_type=record_type,
        record_id=record_id,
        record_station=station,
        purpose=PURPOSE,
        outcome=AccessEvent.Outcome.SHOWN,
        channel=channel,
    )
    return bundle


def bundle_filename(ob_number: str | None, record_id: str) -> str:
    """e.g. ``evidence-OB-12-29-11-2026.zip``: safe in a Content-Disposition header."""
    name = (ob_number or record_id).replace(" ", "-").replace("/", "-")
    safe = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-_"))
    return f"evidence-{safe or 'entry'}.zip"
