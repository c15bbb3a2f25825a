"""C2SP tlog-checkpoint: ``<origin>\\n<size>\\n<base64 root>\\n`` plus optional extension lines,
carried as the text of a signed note; and the JSON proofs the server hands out beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from daftari_verify import merkle, note
from daftari_verify.errors import FormatError, VerificationError

_DECIMAL = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise FormatError("checkpoint origin must be one non-empty line")
        if self.size < 0:
            raise FormatError("checkpoint size must not be negative")
        if len(self.root) != merkle.HASH_SIZE:
            raise FormatError(f"checkpoint root must be {merkle.HASH_SIZE} bytes")
        for ext in self.extensions:
            if not ext or "\n" in ext:
                raise FormatError("checkpoint extension lines must be non-empty single lines")

    def to_text(self) -> str:
        lines = [self.origin, str(self.size), note.b64encode(self.root), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise FormatError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise FormatError("checkpoint needs origin, size and root lines")
        origin, size_line, root_line, *extensions = lines
        if not _DECIMAL.fullmatch(size_line):
            raise FormatError(f"checkpoint size {size_line!r} is not a decimal number")
        root = note.b64decode_strict(root_line, "checkpoint root")
        return cls(origin, int(size_line), root, tuple(extensions))

    def sign(self, *signers: note.Signer) -> str:
        return note.sign(self.to_text(), *signers)


def open_checkpoint(
    signed: str | bytes, verifiers: note.Verifier | Iterable[note.Verifier], *, origin: str | None = None
) -> Checkpoint:
    """The checkpoint of a signed note, once a known key's signature checks out.

    With ``origin``, a checkpoint of any other log is refused.
    """
    checkpoint = Checkpoint.from_text(note.verify(signed, verifiers))
    if origin is not None and checkpoint.origin != origin:
        raise VerificationError(f"checkpoint is for log {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


# Proofs as JSON (the server's /proof/inclusion and /proof/consistency answers) ----------------


def _int_field(data: dict[str, Any], key: str, what: str) -> int:
    value = data.get(key)
    if type(value) is not int or value < 0:
        raise FormatError(f"{what}: {key!r} must be a non-negative integer")
    return value


def _hashes_field(data: dict[str, Any], what: str) -> tuple[bytes, ...]:
    value = data.get("hashes")
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise FormatError(f"{what}: 'hashes' must be a list of base64 strings")
    hashes = tuple(note.b64decode_strict(h, f"{what} hash {i}") for i, h in enumerate(value))
    for i, h in enumerate(hashes):
        if len(h) != merkle.HASH_SIZE:
            raise FormatError(f"{what}: hash {i} is {len(h)} bytes, not {merkle.HASH_SIZE}")
    return hashes


def _load_object(data: str | bytes | dict[str, Any], what: str, keys: set[str]) -> dict[str, Any]:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise FormatError(f"{what} is not JSON") from None
    if not isinstance(data, dict):
        raise FormatError(f"{what} must be a JSON object")
    if set(data) != keys:
        raise FormatError(f"{what} must have exactly the keys {sorted(keys)}")
    return data


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    hashes: tuple[bytes, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "size": self.size, "hashes": [note.b64encode(h) for h in self.hashes]}

    @classmethod
    def from_json(cls, data: str | bytes | dict[str, Any]) -> InclusionProof:
        what = "inclusion proof"
        obj = _load_object(data, what, {"index", "size", "hashes"})
        return cls(_int_field(obj, "index", what), _int_field(obj, "size", what), _hashes_field(obj, what))

    def verify(self, leaf_hash: bytes, checkpoint: Checkpoint) -> None:
        """Leaf hash ``leaf_hash`` is leaf ``index`` of the book the checkpoint signs.

        The size must be the checkpoint's: RFC 9162 verification alone does not bind the tree
        size (a proof for size 5 also "verifies" for size 7 against the same root), the
        signature over size and root does.
        """
        if self.size != checkpoint.size:
            raise VerificationError(
                f"inclusion proof is for size {self.size}, the checkpoint is size {checkpoint.size}"
            )
        merkle.verify_inclusion(leaf_hash, self.index, self.size, self.hashes, checkpoint.root)


@dataclass(frozen=True)
class ConsistencyProof:
    old: int
    new: int
    hashes: tuple[bytes, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "hashes": [note.b64encode(h) for h in self.hashes]}

    @classmethod
    def from_json(cls, data: str | bytes | dict[str, Any]) -> ConsistencyProof:
        what = "consistency proof"
        obj = _load_object(data, what, {"old", "new", "hashes"})
        return cls(_int_field(obj, "old", what), _int_field(obj, "new", what), _hashes_field(obj, what))

    def verify(self, old: Checkpoint, new: Checkpoint) -> None:
        """Checkpoint ``new`` extends checkpoint ``old`` of the same log."""
        if old.origin != new.origin:
            raise VerificationError(f"checkpoints are of two logs: {old.origin!r} and {new.origin!r}")
        if (self.old, self.new) != (old.size, new.size):
            raise VerificationError(
                f"consistency proof is for sizes {self.old}->{self.new}, the checkpoints are {old.size}->{new.size}"
            )
        merkle.verify_consistency(old.size, new.size, old.root, new.root, self.hashes)
