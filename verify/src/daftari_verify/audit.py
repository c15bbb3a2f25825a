"""Audit of a whole exported book: every root rebuilt from every leaf.

Export directory layout:

- ``leaves.jsonl``        leaf ``i`` on line ``i + 1`` (0-based index), the exact leaf bytes, ``\\n`` after each
- ``checkpoints/*.txt``   signed checkpoints, any names, any number
- ``records.jsonl``       optional: ``{"index": i, "record": {...}, "salt": "<hex>"}`` per line, for
                          records whose commitment should be rechecked (an export for an oversight body
                          leaves it out: it holds personal data)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import SALT_SIZE, Leaf, check_commit, loads_strict

LEAVES_FILE = "leaves.jsonl"
CHECKPOINTS_DIR = "checkpoints"
RECORDS_FILE = "records.jsonl"

_BLOCK = 1 << 22

Progress = Callable[[int, int], None]
"""``(bytes done, bytes total)`` while the leaves are hashed."""


@dataclass(frozen=True)
class AuditReport:
    origin: str | None
    leaves: int
    checkpoints: int
    signed_size: int
    records_checked: int
    leaves_checked: int

    @property
    def unsigned_leaves(self) -> int:
        return self.leaves - self.signed_size


def write_export(
    directory: str | Path,
    *,
    leaves: Iterable[bytes],
    checkpoints: Iterable[str],
    records: Iterable[tuple[int, Mapping[str, Any], bytes]] = (),
) -> None:
    """Write an export directory that ``audit_export`` reads (the server's export command uses this)."""
    root = Path(directory)
    (root / CHECKPOINTS_DIR).mkdir(parents=True, exist_ok=True)
    with (root / LEAVES_FILE).open("wb") as f:
        for i, leaf_bytes in enumerate(leaves):
            if not leaf_bytes or b"\n" in leaf_bytes:
                raise ValueError(f"leaf {i} cannot be written as one line")
            f.write(leaf_bytes + b"\n")
    for n, signed in enumerate(checkpoints):
        (root / CHECKPOINTS_DIR / f"{n:08d}.txt").write_text(signed, encoding="utf-8")
    lines = [
        json.dumps({"index": index, "record": dict(record), "salt": salt.hex()}, sort_keys=True, ensure_ascii=True)
        for index, record, salt in records
    ]
    if lines:
        (root / RECORDS_FILE).write_text("".join(line + "\n" for line in lines), encoding="ascii")


def _load_checkpoints(root: Path, verifiers: list[note.Verifier]) -> list[tuple[str, Checkpoint]]:
    folder = root / CHECKPOINTS_DIR
    if not folder.is_dir():
        raise FormatError(f"{folder} is missing")
    loaded: list[tuple[str, Checkpoint]] = []
    for path in sorted(folder.glob("*.txt")):
        name = f"{CHECKPOINTS_DIR}/{path.name}"
        try:
            loaded.append((name, open_checkpoint(path.read_bytes(), verifiers)))
        except VerificationError as exc:
            raise VerificationError(f"{name}: {exc}") from None
        except FormatError as exc:
            raise FormatError(f"{name}: {exc}") from None
    return loaded


def _load_records(root: Path) -> dict[int, tuple[dict[str, Any], bytes]]:
    path = root / RECORDS_FILE
    if not path.exists():
        return {}
    records: dict[int, tuple[dict[str, Any], bytes]] = {}
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            where = f"{RECORDS_FILE} line {number}"
            try:
                obj = loads_strict(line)
            except FormatError as exc:
                raise FormatError(f"{where}: {exc}") from None
            if not isinstance(obj, dict) or set(obj) != {"index", "record", "salt"}:
                raise FormatError(f"{where}: needs exactly index, record and salt")
            index, record, salt_hex = obj["index"], obj["record"], obj["salt"]
            if type(index) is not int or index < 0 or not isinstance(record, dict) or not isinstance(salt_hex, str):
                raise FormatError(f"{where}: index must be a leaf index, record an object, salt hex")
            try:
                salt = bytes.fromhex(salt_hex)
            except ValueError:
                raise FormatError(f"{where}: salt is not hex") from None
            if len(salt) != SALT_SIZE:
                raise FormatError(f"{where}: salt must be {SALT_SIZE} bytes")
            records[index] = (record, salt)
    return records


def _hash_leaves(path: Path, keep: set[int], progress: Progress | None) -> tuple[list[bytes], dict[int, bytes]]:
    """Leaf hashes of every line, plus the bytes of the lines in ``keep``; one pass, block by block."""
    if not path.is_file():
        raise FormatError(f"{path} is missing")
    total = path.stat().st_size
    sha = hashlib.sha256
    hashes: list[bytes] = []
    kept: dict[int, bytes] = {}
    pending = sorted(keep, reverse=True)
    done = 0
    rest = b""

    def take(lines: list[bytes]) -> None:
        start = len(hashes)
        if not all(lines):
            raise FormatError(f"{LEAVES_FILE} line {start + lines.index(b'') + 1} is empty")
        hashes.extend([sha(b"\x00" + line).digest() for line in lines])
        while pending and pending[-1] < len(hashes):
            i = pending.pop()
            kept[i] = lines[i - start]

    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            done += len(block)
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            take(lines)
            if progress:
                progress(done, total)
    if rest:
        take([rest])
    if progress:
        progress(total, total)
    return hashes, kept


def audit_export(
    directory: str | Path,
    verifiers: note.Verifier | Iterable[note.Verifier],
    *,
    check_leaves: bool = False,
    progress: Progress | None = None,
) -> AuditReport:
    """Check an export: every checkpoint signed by a known key, of one log, its root rebuilt from the
    leaves, each consistent with the one before; every record in ``records.jsonl`` matches its
    leaf's commitment; with ``check_leaves``, every leaf is a canonical v1 leaf of that log.

    Raises ``VerificationError`` naming the checkpoint or leaf at the first failure.
    """
    root = Path(directory)
    if not root.is_dir():
        raise FormatError(f"{root} is not a directory")
    known = [verifiers] if isinstance(verifiers, note.Verifier) else list(verifiers)
    checkpoints = _load_checkpoints(root, known)
    origins = {cp.origin for _, cp in checkpoints}
    if len(origins) > 1:
        raise VerificationError(f"checkpoints of more than one log: {', '.join(sorted(origins))}")
    origin = next(iter(origins), None)
    records = _load_records(root)

    hashes, kept = _hash_leaves(root / LEAVES_FILE, set(records), progress)
    tree = merkle.MerkleTree(hashes, check=False)

    checkpoints.sort(key=lambda item: item[1].size)
    previous: tuple[str, Checkpoint] | None = None
    for name, cp in checkpoints:
        if cp.size > tree.size:
            raise VerificationError(f"{name}: signs size {cp.size} but the export has only {tree.size} leaves")
        if tree.root(cp.size) != cp.root:
            since = previous[1].size if previous else 0
            raise VerificationError(
                f"{name}: root of size {cp.size} does not match the leaves (a leaf in {since}..{cp.size - 1} "
                f"differs from what was signed)"
            )
        if previous is not None:
            prev_name, prev = previous
            try:
                merkle.verify_consistency(
                    prev.size, cp.size, prev.root, cp.root, tree.consistency_proof(prev.size, cp.size)
                )
            except VerificationError as exc:
                raise VerificationError(f"{prev_name} -> {name}: {exc}") from None
        previous = (name, cp)

    for index in sorted(records):
        if index >= tree.size:
            raise FormatError(f"{RECORDS_FILE}: leaf {index} is not in the export")
        try:
            leaf = Leaf.from_bytes(kept[index])
            check_commit(leaf.commit, *records[index])
        except (FormatError, VerificationError) as exc:
            raise VerificationError(f"leaf {index}: {exc}") from None

    leaves_checked = 0
    if check_leaves:
        leaves_checked = _check_every_leaf(root / LEAVES_FILE, origin)

    return AuditReport(
        origin=origin,
        leaves=tree.size,
        checkpoints=len(checkpoints),
        signed_size=previous[1].size if previous else 0,
        records_checked=len(records),
        leaves_checked=leaves_checked,
    )


def _check_every_leaf(path: Path, origin: str | None) -> int:
    count = 0
    with path.open("rb") as f:
        for index, line in enumerate(f):
            try:
                leaf = Leaf.from_bytes(line.rstrip(b"\n"))
            except FormatError as exc:
                raise VerificationError(f"leaf {index}: {exc}") from None
            if origin is not None and leaf.log != origin:
                raise VerificationError(f"leaf {index}: belongs to log {leaf.log!r}, not {origin!r}")
            if leaf.prev is not None and leaf.prev >= index:
                raise VerificationError(f"leaf {index}: refers to leaf {leaf.prev}, which is not earlier")
            count += 1
    return count
