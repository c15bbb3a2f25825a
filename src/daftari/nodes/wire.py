"""What travels between a node and the hub: the push batch and the node's request signature.

A push is one JSON object (docs in README, "Run a station node"):

    {"origin": "<the node's log origin>", "start": <index of the first leaf>,
     "leaves": [{"leaf": "<base64 leaf bytes>", "record": {...} | null, "salt": "<base64>" | null}, ...],
     "checkpoint": "<C2SP checkpoint of size start + len(leaves), signed note, the node's key>",
     "proof": ["<base64 hash>", ...]}      # RFC 9162 consistency proof from `start` to the new size

Every request a node makes carries ``X-Daftari-Node-Signature``: base64 of a signed note (the
node's key) over ``daftari-node-request/v1``, the origin, the method and path, and the SHA-256 of
the body, so only the enrolled node can push, and a batch altered on the way is never mistaken
for one the node sent (which would raise a false alarm of tampering).
"""

import base64
import binascii
import gzip
import hashlib
import zlib
from dataclasses import dataclass
from typing import Any

from daftari_verify import note
from daftari_verify.errors import DaftariVerifyError, FormatError
from daftari_verify.leaf import canonical_json, loads_strict
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _

from daftari.core.errors import InvalidInput
from daftari.nodes.rules import code_fingerprint, hash_code, key_fingerprint

BATCH_SIZE = 256  # leaves per push, as C2SP tlog-mirror
# A batch grows past 256 leaves only to reach the redaction leaf of a record erased before it was sent.
MAX_BATCH = 4 * BATCH_SIZE
SIGNATURE_HEADER = "X-Daftari-Node-Signature"
MAX_INDEX = 2**63 - 1
# A push travels gzip-compressed (a batch of complaints shrinks about fourfold on a slow modem link);
# the signature covers the JSON itself, so the hub checks what it parsed.
CONTENT_ENCODING = "gzip"


def compress(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def inflate(body: bytes, *, limit: int) -> bytes:
    """A gzip body inflated, never past ``limit`` bytes (a small body must not become a huge one):
    RequestDataTooBig past it (413), InvalidInput for a body that is not whole gzip."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit)
    except zlib.error:
        raise InvalidInput(fields={"body": _("The body is not valid gzip.")}) from None
    if inflater.unconsumed_tail:
        raise RequestDataTooBig()
    if not inflater.eof or inflater.unused_data:
        raise InvalidInput(fields={"body": _("The body is not valid gzip.")})
    return data


@dataclass(frozen=True)
class PushedLeaf:
    data: bytes
    record: dict[str, Any] | None
    salt: bytes | None

    def to_json(self) -> dict[str, Any]:
        return {
            "leaf": note.b64encode(self.data),
            "record": self.record,
            "salt": note.b64encode(self.salt) if self.salt is not None else None,
        }


@dataclass(frozen=True)
class Push:
    origin: str
    start: int
    leaves: tuple[PushedLeaf, ...]
    checkpoint: str
    proof: tuple[bytes, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.leaves)

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "start": self.start,
            "leaves": [leaf.to_json() for leaf in self.leaves],
            "checkpoint": self.checkpoint,
            "proof": [note.b64encode(h) for h in self.proof],
        }


def _b64(value: Any, field: str, errors: dict[str, str]) -> bytes | None:
    if not isinstance(value, str):
        errors[field] = _("Send base64 text.")
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        errors[field] = _("Send base64 text.")
        return None


def parse_push(body: bytes) -> Push:
    """The push in ``body``, or InvalidInput naming every field that is wrong."""
    try:
        data = loads_strict(body)
    except FormatError:
        raise InvalidInput(fields={"body": _("Send one JSON object with integers, not decimals.")}) from None
    if not isinstance(data, dict):
        raise InvalidInput(fields={"body": _("Send one JSON object with integers, not decimals.")})
    errors: dict[str, str] = {}
    origin, start, checkpoint = data.get("origin"), data.get("start"), data.get("checkpoint")
    if not isinstance(origin, str) or not origin:
        errors["origin"] = _("This field is required.")
    if type(start) is not int or not 0 <= start <= MAX_INDEX:
        errors["start"] = _("Send a whole number of at least 0.")
    if not isinstance(checkpoint, str) or not checkpoint:
        errors["checkpoint"] = _("This field is required.")
    leaves: list[PushedLeaf] = []
    raw_leaves = data.get("leaves")
    if not isinstance(raw_leaves, list) or not 1 <= len(raw_leaves) <= MAX_BATCH:
        errors["leaves"] = _("Send between 1 and %(most)d leaves.") % {"most": MAX_BATCH}
        raw_leaves = []
    for i, item in enumerate(raw_leaves):
        where = f"leaves.{i}"
        if not isinstance(item, dict) or set(item) != {"leaf", "record", "salt"}:
            errors[where] = _("Send leaf, record and salt.")
            continue
        leaf = _b64(item["leaf"], f"{where}.leaf", errors)
        record = item["record"]
        if record is not None and not isinstance(record, dict):
            errors[f"{where}.record"] = _("Send a JSON object or null.")
        salt = None if item["salt"] is None else _b64(item["salt"], f"{where}.salt", errors)
        if leaf is not None:
            leaves.append(PushedLeaf(leaf, record if isinstance(record, dict) else None, salt))
    proof: list[bytes] = []
    raw_proof = data.get("proof")
    if not isinstance(raw_proof, list) or len(raw_proof) > 128:
        errors["proof"] = _("Send a list of base64 hashes.")
        raw_proof = []
    for i, item in enumerate(raw_proof):
        h = _b64(item, f"proof.{i}", errors)
        if h is not None:
            proof.append(h)
    if errors:
        raise InvalidInput(fields=errors)
    assert isinstance(origin, str) and isinstance(start, int) and isinstance(checkpoint, str)
    return Push(origin, start, tuple(leaves), checkpoint, tuple(proof))


# --- Request signatures ----------------------------------------------------------------------


def request_text(*, origin: str, method: str, path: str, body: bytes) -> str:
    digest = note.b64encode(hashlib.sha256(body).digest())
    return f"daftari-node-request/v1\n{origin}\n{method.upper()} {path}\n{digest}\n"


def sign_request(signer: note.Signer, *, origin: str, method: str, path: str, body: bytes) -> str:
    signed = note.sign(request_text(origin=origin, method=method, path=path, body=body), signer)
    return note.b64encode(signed.encode("utf-8"))


def request_origin(header: str) -> str | None:
    """The origin a signed request claims (to find the node's pinned key), before any check."""
    try:
        text, _signatures = note.parse(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError, DaftariVerifyError):
        return None
    lines = text.split("\n")
    return lines[1] if len(lines) >= 4 and lines[0] == "daftari-node-request/v1" else None


def request_is_signed_by(
    header: str, verifier: note.Verifier, *, origin: str, method: str, path: str, body: bytes
) -> bool:
    try:
        text = note.verify(base64.b64decode(header, validate=True), verifier)
    except (binascii.Error, ValueError, DaftariVerifyError):
        return False
    return text == request_text(origin=origin, method=method, path=path, body=body)


# --- The hub's signed join answer (NODES.md rule 5) -----------------------------------------------

JOIN_SIGNATURE = "signature"


def join_answer_text(*, code: str, node_key: str, answer: dict[str, Any]) -> str:
    """What the hub signs of a join answer: ``daftari-hub-join/v1``, the hash of the enrolment code
    and the node's key it answers (an answer cannot be replayed to another join), and the SHA-256
    of the answer's canonical JSON (without the signature)."""
    body = {key: value for key, value in answer.items() if key != JOIN_SIGNATURE}
    digest = note.b64encode(hashlib.sha256(canonical_json(body)).digest())
    return f"daftari-hub-join/v1\n{hash_code(code)}\n{node_key}\n{digest}\n"


def sign_join_answer(signer: note.Signer, *, code: str, node_key: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with its ``signature``: a signed note by the hub's own log key."""
    signed = note.sign(join_answer_text(code=code, node_key=node_key, answer=answer), signer)
    return {**answer, JOIN_SIGNATURE: signed}


def verified_join_answer(answer: Any, *, code: str, node_key: str) -> dict[str, Any]:
    """The hub's join answer, once it is signed by the key whose fingerprint ``code`` carries, over
    this very answer to this code and node key; InvalidInput naming what is wrong otherwise."""
    pinned = code_fingerprint(code)
    if pinned is None:
        raise InvalidInput(fields={"code": _("Type the whole enrolment code, as the hub printed it.")})
    if not isinstance(answer, dict) or not isinstance(answer.get(JOIN_SIGNATURE), str):
        raise InvalidInput(
            fields={JOIN_SIGNATURE: _("The hub's answer is not signed: nothing was stored. Is this the hub?")}
        )
    try:
        key = note.Verifier.parse(str(answer.get("feed_key")))
    except DaftariVerifyError:
        key = None
    if key is None or key_fingerprint(str(key)) != pinned:
        raise InvalidInput(
            fields={
                "feed_key": _(
                    "The hub's key is not the one the enrolment code names: nothing was stored. "
                    "Check the hub's address and the code."
                )
            }
        )
    try:
        genuine = note.verify(answer[JOIN_SIGNATURE], key) == join_answer_text(
            code=code, node_key=node_key, answer=answer
        )
    except DaftariVerifyError:
        genuine = False
    if not genuine:
        raise InvalidInput(
            fields={
                JOIN_SIGNATURE: _(
                    "The hub's answer does not match its signature (altered on the way?): nothing was stored."
                )
            }
        )
    return {k: v for k, v in answer.items() if k != JOIN_SIGNATURE}
