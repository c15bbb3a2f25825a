"""The evidence bundle of one entry: a zip a court can check offline with ``daftari-verify entry``.

Files (all at the top of the zip):

- ``leaf.json``             the leaf, byte for byte as it was hashed
- ``record.json``           the full record (any JSON layout; its canonical form is what was committed)
- ``salt.txt``              the record's 32-byte salt in hex
- ``inclusion-proof.json``  ``{"index": I, "size": N, "hashes": [base64, ...]}``
- ``checkpoint.txt``        the signed checkpoint the proof leads to
- ``key.txt``               the verifier key string(s) of the server, one per line (for reference only:
                            check against a key obtained independently, which is what ``--key`` takes)
- ``README.txt``            how to check the bundle
"""

from __future__ import annotations

import binascii
import io
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint, InclusionProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import SALT_SIZE, Leaf, check_commit, loads_strict

LEAF_FILE = "leaf.json"
RECORD_FILE = "record.json"
SALT_FILE = "salt.txt"
PROOF_FILE = "inclusion-proof.json"
CHECKPOINT_FILE = "checkpoint.txt"
KEY_FILE = "key.txt"
README_FILE = "README.txt"

README_TEXT = """\
Evidence bundle of one entry of a Daftari Occurrence Book
=========================================================

This bundle lets anyone check, without trusting the police server, that the record in
record.json is the entry the station's signed book holds at the position given in
inclusion-proof.json.

Check it with the daftari-verify tool (from Daftari's source: pip install ./verify):

    daftari-verify entry THIS.zip --key "<verifier key obtained independently>"

It checks, in order:
  1. checkpoint.txt is signed by the key you give (a C2SP signed note, Ed25519);
  2. the SHA-256 leaf hash of leaf.json is included, at the index of inclusion-proof.json,
     in the tree whose size and root the checkpoint signs (RFC 9162 inclusion proof);
  3. leaf.json belongs to the checkpoint's log;
  4. SHA-256(salt || canonical JSON of record.json) equals the leaf's "commit".
Exit code 0 means verified, 1 that a check failed (the reason is printed), 2 unreadable input.

key.txt holds the key the server says it signs with. Compare it with a key you obtained from
another source (the court registry, IPOA, a newspaper notice): a bundle cannot vouch for itself.
"""


@dataclass(frozen=True)
class Evidence:
    leaf_bytes: bytes
    record: dict[str, Any]
    salt: bytes
    proof: InclusionProof
    checkpoint: str
    verifier_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryReport:
    index: int
    leaf: Leaf
    checkpoint: Checkpoint


def build_evidence_zip(
    *,
    leaf_bytes: bytes,
    record: Mapping[str, Any],
    salt: bytes,
    proof: InclusionProof,
    checkpoint: str,
    verifier_keys: Sequence[str],
    readme: str = README_TEXT,
) -> bytes:
    """The bundle as zip bytes, ready to serve as ``application/zip``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(LEAF_FILE, leaf_bytes)
        zf.writestr(RECORD_FILE, json.dumps(dict(record), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        zf.writestr(SALT_FILE, salt.hex() + "\n")
        zf.writestr(PROOF_FILE, json.dumps(proof.to_json()) + "\n")
        zf.writestr(CHECKPOINT_FILE, checkpoint)
        zf.writestr(KEY_FILE, "".join(f"{key}\n" for key in verifier_keys))
        zf.writestr(README_FILE, readme)
    return buffer.getvalue()


def read_evidence_zip(source: bytes | str | Path) -> Evidence:
    """Read a bundle; ``FormatError`` if it is not a readable bundle."""
    try:
        opened = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise FormatError(f"not a readable zip: {exc}") from None
    with opened as zf:
        names = set(zf.namelist())

        def read(name: str) -> bytes:
            if name not in names:
                raise FormatError(f"the bundle has no {name}")
            try:
                return zf.read(name)
            except (zipfile.BadZipFile, OSError) as exc:
                raise FormatError(f"{name} cannot be read from the zip: {exc}") from None

        def read_text(name: str) -> str:
            try:
                return read(name).decode("utf-8")
            except UnicodeDecodeError:
                raise FormatError(f"{name} is not UTF-8") from None

        record = loads_strict(read(RECORD_FILE))
        if not isinstance(record, dict):
            raise FormatError(f"{RECORD_FILE} must hold a JSON object")
        try:
            salt = bytes.fromhex(read_text(SALT_FILE).strip())
        except (ValueError, binascii.Error):
            raise FormatError(f"{SALT_FILE} must hold the salt in hex") from None
        if len(salt) != SALT_SIZE:
            raise FormatError(f"{SALT_FILE} must hold {SALT_SIZE} bytes of salt")
        keys = (
            tuple(line.strip() for line in read_text(KEY_FILE).splitlines() if line.strip())
            if KEY_FILE in names
            else ()
        )
        return Evidence(
            leaf_bytes=read(LEAF_FILE),
            record=record,
            salt=salt,
            proof=InclusionProof.from_json(read(PROOF_FILE)),
            checkpoint=read_text(CHECKPOINT_FILE),
            verifier_keys=keys,
        )


def verify_evidence(evidence: Evidence, verifiers: note.Verifier | Iterable[note.Verifier]) -> EntryReport:
    """Check signature, inclusion, leaf and commit, in that order; raise on the first failure.

    Messages name the leaf, e.g. ``leaf 41: commit does not match the record``.
    """
    index = evidence.proof.index
    try:
        checkpoint = open_checkpoint(evidence.checkpoint, verifiers)
    except VerificationError as exc:
        raise VerificationError(f"checkpoint: {exc}") from None
    try:
        evidence.proof.verify(merkle.leaf_hash(evidence.leaf_bytes), checkpoint)
    except VerificationError as exc:
        raise VerificationError(f"leaf {index}: not in the signed book ({exc})") from None
    try:
        leaf = Leaf.from_bytes(evidence.leaf_bytes)
    except FormatError as exc:
        raise VerificationError(f"leaf {index}: {exc}") from None
    if leaf.log != checkpoint.origin:
        raise VerificationError(
            f"leaf {index}: belongs to log {leaf.log!r}, the checkpoint is of {checkpoint.origin!r}"
        )
    try:
        check_commit(leaf.commit, evidence.record, evidence.salt)
    except VerificationError as exc:
        raise VerificationError(f"leaf {index}: {exc}") from None
    return EntryReport(index=index, leaf=leaf, checkpoint=checkpoint)
