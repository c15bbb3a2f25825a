"""``daftari ledger verify``: every station's book checked against itself, its signatures and its records.

The log is rebuilt from its stored leaf bytes alone (daftari_verify's MerkleTree), then every stored
hash, the log head, every checkpoint and every record as stored now is compared with it. A record
changed behind the application's back (a guard dropped by a DBA) shows as a leaf whose commit no
longer matches; a leaf changed after the fact shows as a stored hash or a signed root that differs.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from daftari_verify import merkle
from daftari_verify.checkpoint import InclusionProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import Leaf as LeafV1
from daftari_verify.leaf import check_commit
from django.db.models import Q
from django.utils.translation import gettext as _

from daftari.ledger import keys, records, services
from daftari.ledger.models import Checkpoint, Commitment, Leaf, Log, Redaction, TreeNode
from daftari.ledger.services import log_name, origin_prefix

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""``(station code, leaves done, leaves in that book)``."""


@dataclass(frozen=True)
class Problem:
    station: str
    index: int | None
    message: str

    def __str__(self) -> str:
        if self.index is None:
            return f"{self.station}: {self.message}"
        return _("%(station)s leaf %(index)d: %(message)s") % {
            "station": self.station,
            "index": self.index,
            "message": self.message,
        }


@dataclass
class Report:
    leaves: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    redacted: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_book(station: str | None = None, *, progress: Progress | None = None) -> Report:
    """Verifies every log (or the one of ``station``); returns what was wrong, never raises for it."""
    report = Report()
    logs = Log.objects.select_related("station").order_by("station__code", "origin")
    if station is not None:
        # A station's code, or the name of a log of no station's book (``hub``, ``KILIMANI/fines``).
        logs = logs.filter(Q(station__code=station) | Q(station__isnull=True, origin=f"{origin_prefix()}{station}"))
    for head in logs:
        _verify_log(head, report, progress)
    return report


def _verify_log(head: Log, report: Report, progress: Progress | None) -> None:
    code = log_name(head)
    problems = report.problems

    def problem(index: int | None, message: str) -> None:
        problems.append(Problem(code, index, message))

    total = head.size
    stored_leaf_hashes = {
        index: bytes(h)
        for index, h in TreeNode.objects.filter(log=head, level=0)
        .values_list("index", "hash")
        .iterator(chunk_size=5000)
    }
    salts = {
        leaf_id: bytes(salt)
        for leaf_id, salt in Commitment.objects.filter(leaf__log=head).values_list("leaf_id", "salt")
    }
    redacted = set(Redaction.objects.filter(leaf__log=head).values_list("leaf_id", flat=True))
    tree = merkle.MerkleTree()
    leaf_hashes_differ = False
    rows = Leaf.objects.filter(log=head).order_by("index").values_list("pk", "index", "kind", "record_id", "data")
    for done, (pk, index, kind, record_id, data) in enumerate(rows.iterator(chunk_size=2000), start=1):
        data = bytes(data)
        if index != tree.size:
            problem(tree.size, _("missing: the next stored leaf is %(index)d") % {"index": index})
            break
        leaf_hash = merkle.leaf_hash(data)
        tree.append(leaf_hash)
        if index < head.integrated and stored_leaf_hashes.get(index) != leaf_hash:
            leaf_hashes_differ = True
            problem(index, _("the leaf bytes do not hash to the stored leaf hash"))
        try:
            leaf = LeafV1.from_bytes(data)
        except FormatError as exc:
            problem(index, _("not a canonical v1 leaf (%(reason)s)") % {"reason": exc})
        else:
            _check_leaf(leaf, head, index, kind, record_id, problem)
            if pk in redacted:
                report.redacted.append((code, index))
            else:
                _check_record(leaf, kind, record_id, salts.get(pk), index, problem)
        if progress is not None:
            progress(code, done, total)
    report.leaves += tree.size

    _check_tree(head, tree, problem, upper_levels=not leaf_hashes_differ)
    report.checkpoints += _check_checkpoints(head, tree, problem)


def _check_leaf(
    leaf: LeafV1, head: Log, index: int, kind: str, record_id: str, problem: Callable[[int | None, str], None]
) -> None:
    if leaf.log != head.origin:
        problem(index, _("belongs to log %(log)s, not %(origin)s") % {"log": leaf.log, "origin": head.origin})
    if (leaf.kind, leaf.record) != (kind, record_id):
        problem(index, _("the leaf bytes name another record than the row that holds them"))
    if leaf.prev is not None and leaf.prev >= index:
        problem(index, _("refers to leaf %(prev)d, which is not earlier") % {"prev": leaf.prev})


def _check_record(
    leaf: LeafV1,
    kind: str,
    record_id: str,
    salt: bytes | None,
    index: int,
    problem: Callable[[int | None, str], None],
) -> None:
    if salt is None:
        problem(index, _("the record's salt is missing, and no redaction explains it"))
        return
    try:
        record = records.load(kind, record_id)
    except KeyError:
        problem(index, _("no loader knows records of kind %(kind)s") % {"kind": kind})
        return
    if record is None:
        problem(index, _("the record is missing from the database"))
        return
    try:
        check_commit(leaf.commit, record, salt)
    except (VerificationError, FormatError):
        problem(index, _("commit does not match the record as stored"))


def _check_tree(
    head: Log, tree: merkle.MerkleTree, problem: Callable[[int | None, str], None], *, upper_levels: bool
) -> None:
    """The head and every stored hash against the rebuilt tree (``upper_levels=False`` when a leaf
    already differs: every hash above it differs too, and saying so adds nothing)."""
    if head.size != tree.size:
        problem(
            None,
            _("the log head says %(head)d leaves, the book holds %(leaves)d")
            % {"head": head.size, "leaves": tree.size},
        )
    # The tree is built in batches (see Log): what is built so far is checked; leaves appended since
    # are checked by their commits above, and join the tree before the next checkpoint signs them.
    built = min(head.integrated, tree.size)
    rebuilt = merkle.TreeState()
    for h in tree.levels[0][:built]:
        rebuilt.append(h)
    if bytes(head.edge) != rebuilt.to_bytes():
        problem(None, _("the log head's tree edge does not match the leaves"))
    expected = {
        (level, index) for level, hashes in enumerate(tree.levels) for index in range(min(len(hashes), built >> level))
    }
    seen: set[tuple[int, int]] = set()
    for level, index, h in (
        TreeNode.objects.filter(log=head).values_list("level", "index", "hash").iterator(chunk_size=5000)
    ):
        seen.add((level, index))
        if (level, index) not in expected:
            problem(
                None,
                _("a stored hash for subtree (%(level)d, %(index)d) is outside the tree")
                % {"level": level, "index": index},
            )
        elif upper_levels and level > 0 and bytes(h) != tree.levels[level][index]:
            problem(
                index << level,
                _("the stored hash of leaves %(first)d..%(last)d differs from the rebuilt tree")
                % {"first": index << level, "last": ((index + 1) << level) - 1},
            )
    for level, index in sorted(expected - seen):
        problem(None, _("no stored hash for subtree (%(level)d, %(index)d)") % {"level": level, "index": index})


def _check_checkpoints(head: Log, tree: merkle.MerkleTree, problem: Callable[[int | None, str], None]) -> int:
    verifier = keys.verifier()
    previous: tuple[int, bytes] | None = None
    count = 0
    for row in Checkpoint.objects.filter(log=head).order_by("size"):
        count += 1
        where = _("checkpoint of size %(size)d") % {"size": row.size}
        try:
            signed = open_checkpoint(row.signed_note, verifier, origin=head.origin)
        except (VerificationError, FormatError) as exc:
            problem(None, f"{where}: {exc}")
            continue
        if (signed.size, signed.root) != (row.size, bytes(row.root)):
            problem(None, _("%(where)s: the signed note and its row disagree") % {"where": where})
        if signed.size > tree.size:
            problem(None, _("%(where)s: signs more leaves than the book holds") % {"where": where})
            continue
        if tree.root(signed.size) != signed.root:
            since = previous[0] if previous else 0
            problem(
                None,
                _("%(where)s: its root does not match the leaves (a leaf in %(first)d..%(last)d changed)")
                % {"where": where, "first": since, "last": signed.size - 1},
            )
            continue
        if previous is not None:
            try:
                merkle.verify_consistency(
                    previous[0], signed.size, previous[1], signed.root, tree.consistency_proof(previous[0], signed.size)
                )
            except VerificationError as exc:
                problem(None, f"{where}: {exc}")
        previous = (signed.size, signed.root)
    return count


# --- One leaf, for a public verify page -------------------------------------------------------


@dataclass(frozen=True)
class LeafProof:
    """Where a record stands in its signed log, as a public verify page states it."""

    leaf_index: int | None
    checkpoint_at: datetime | None
    proved: bool
    erased: bool  # its personal data was erased by lawful order


def prove_record(record_id: str, record: dict[str, Any]) -> LeafProof:
    """Whether the latest signed checkpoint of its log includes the record's leaf (checked here, by
    daftari_verify) and the leaf commits to ``record`` as stored now.

    An erased record can no longer be opened against its commitment (the salt went with the
    personal data): that is the order working, not a forgery, so only its place in the book is proved.
    """
    leaf = services.leaf_for(record_id)
    if leaf is None:
        return LeafProof(None, None, False, False)
    erased = services.is_redacted(leaf)
    checkpoint = services.latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        return LeafProof(leaf.index, None, False, erased)
    data = bytes(leaf.data)
    try:
        signed = open_checkpoint(checkpoint.signed_note, [keys.verifier()], origin=leaf.log.origin)
        hashes = tuple(services.inclusion_proof(leaf.log, leaf.index, checkpoint.size))
        InclusionProof(leaf.index, checkpoint.size, hashes).verify(merkle.leaf_hash(data), signed)
        if not erased:
            salt = Commitment.objects.filter(leaf=leaf).values_list("salt", flat=True).first()
            LeafV1.from_bytes(data).check_record(record, bytes(salt or b""))
    except (VerificationError, FormatError, ValueError):
        log.exception("ledger: %s leaf %d failed verification against its checkpoint", leaf.log.origin, leaf.index)
        return LeafProof(leaf.index, checkpoint.signed_at, False, erased)
    return LeafProof(leaf.index, checkpoint.signed_at, True, erased)
