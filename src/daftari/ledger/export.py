"""``daftari ledger export``: a station's book in the layout ``daftari-verify audit`` reads."""

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from daftari_verify.audit import write_export

from daftari.ledger import keys, records
from daftari.ledger.models import Checkpoint, Commitment, Leaf, Log, Redaction

KEY_FILE = "key.txt"

Progress = Callable[[int, int], None]


def export_book(log_: Log, directory: Path, *, with_records: bool = True, progress: Progress | None = None) -> int:
    """Writes leaves, checkpoints, the verifier key and (``with_records``) every record with its salt.

    The records hold personal data: an export for an oversight body leaves them out. Redacted
    records have no salt any more and are never exported. Returns the number of leaves written.
    """
    total = log_.size
    rows = list(Leaf.objects.filter(log=log_).order_by("index").values_list("pk", "index", "kind", "record_id"))

    def leaves() -> Iterator[bytes]:
        for done, data in enumerate(
            Leaf.objects.filter(log=log_).order_by("index").values_list("data", flat=True).iterator(chunk_size=5000),
            start=1,
        ):
            if progress is not None:
                progress(done, total)
            yield bytes(data)

    def with_salts() -> Iterator[tuple[int, Mapping[str, Any], bytes]]:
        if not with_records:
            return
        salts = {pk: bytes(s) for pk, s in Commitment.objects.filter(leaf__log=log_).values_list("leaf_id", "salt")}
        redacted = set(Redaction.objects.filter(leaf__log=log_).values_list("leaf_id", flat=True))
        for pk, index, kind, record_id in rows:
            if pk in redacted or pk not in salts:
                continue
            record = records.load(kind, record_id)
            if record is not None:
                yield index, record, salts[pk]

    signed = Checkpoint.objects.filter(log=log_).order_by("size").values_list("signed_note", flat=True)
    write_export(directory, leaves=leaves(), checkpoints=list(signed), records=with_salts())
    (directory / KEY_FILE).write_text(keys.verifier_key() + "\n", encoding="ascii")
    return len(rows)
