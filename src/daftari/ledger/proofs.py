"""Whether a record stands in its signed log as stored now: the answer a public verify page gives."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daftari_verify import merkle
from daftari_verify.checkpoint import InclusionProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import Leaf as LeafV1

from daftari.ledger import keys
from daftari.ledger import services as ledger
from daftari.ledger.models import Commitment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordProof:
    leaf_index: int | None  # None: no leaf carries the record
    checkpoint_at: datetime | None  # None: no signed checkpoint covers the leaf yet
    ok: bool  # the latest checkpoint proves the leaf, and the leaf commits to the record as stored now


def prove_record(record_id: str, stored: dict[str, Any] | None) -> RecordProof:
    """The record's leaf, proved against its log's latest signed checkpoint (by daftari_verify) and
    opened against ``stored``, the record as it is read back now."""
    leaf = ledger.leaf_for(record_id)
    if leaf is None:
        return RecordProof(None, None, False)
    checkpoint = ledger.latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        return RecordProof(leaf.index, None, False)
    data = bytes(leaf.data)
    try:
        signed = open_checkpoint(checkpoint.signed_note, [keys.verifier()], origin=leaf.log.origin)
        hashes = tuple(ledger.inclusion_proof(leaf.log, leaf.index, checkpoint.size))
        InclusionProof(leaf.index, checkpoint.size, hashes).verify(merkle.leaf_hash(data), signed)
        if stored is None:
            return RecordProof(leaf.index, checkpoint.signed_at, False)
        salt = Commitment.objects.filter(leaf=leaf).values_list("salt", flat=True).first()
        LeafV1.from_bytes(data).check_record(stored, bytes(salt or b""))
    except (VerificationError, FormatError, ValueError):
        log.exception("ledger: record %s failed verification against its checkpoint", record_id)
        return RecordProof(leaf.index, checkpoint.signed_at, False)
    return RecordProof(leaf.index, checkpoint.signed_at, True)
