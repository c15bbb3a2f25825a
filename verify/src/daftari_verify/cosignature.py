"""C2SP tlog-cosignature, Ed25519 ``cosignature/v1``: a witness's statement that it saw a checkpoint.

The cosigner signs, with its own Ed25519 key,

    cosignature/v1\\n
    time <POSIX seconds>\\n
    <the checkpoint's note text, final newline included>

and the signature line is ``— <name> base64(key id ‖ u64 big-endian timestamp ‖ 64-byte signature)``,
added to the checkpoint note beside the log's own signature. Its key id is the first 4 bytes of
SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key); the verifier key string uses the type byte 0x04, so a
cosigner key can never be mistaken for a log's checkpoint key (type 0x01).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from daftari_verify import note
from daftari_verify.checkpoint import Checkpoint
from daftari_verify.errors import FormatError, VerificationError

ALG_COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1


def key_id(name: str, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def signed_message(checkpoint_text: str, timestamp: int) -> bytes:
    """What the cosigner signs: the header line, the time line, then the checkpoint's text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise FormatError("a cosignature's timestamp is between 0 and 2^63 - 1")
    return (HEADER + f"time {timestamp}\n" + checkpoint_text).encode("utf-8")


def _parse_key(rest: str, what: str) -> tuple[str, int, bytes]:
    parts = rest.strip().split("+", 2)
    if len(parts) != 3:
        raise FormatError(f"{what} must be <name>+<hex key id>+<base64 key>")
    name, hex_id, key64 = parts
    if not note.is_valid_key_name(name):
        raise FormatError(f"{what} has an invalid key name")
    if len(hex_id) != 8 or any(ch not in "0123456789abcdef" for ch in hex_id):
        raise FormatError(f"{what} key id must be 8 lowercase hex digits")
    raw = note.b64decode_strict(key64, f"{what} key")
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise FormatError(f"{what} is not an Ed25519 cosignature/v1 key (0x04 and 32 bytes)")
    return name, int(hex_id, 16), raw[1:]


@dataclass(frozen=True)
class CosignatureVerifier:
    name: str
    key_id: int
    public_key: bytes
    _key: Ed25519PublicKey = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> CosignatureVerifier:
        if not note.is_valid_key_name(name):
            raise FormatError(f"invalid key name {name!r}")
        if len(public_key) != 32:
            raise FormatError("an Ed25519 public key is 32 bytes")
        return cls(name, key_id(name, public_key), public_key, Ed25519PublicKey.from_public_bytes(public_key))

    @classmethod
    def parse(cls, vkey: str) -> CosignatureVerifier:
        name, kid, public_key = _parse_key(vkey, "cosigner key")
        verifier = cls.from_public_key(name, public_key)
        if verifier.key_id != kid:
            raise FormatError("cosigner key id does not match its name and key")
        return verifier

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{note.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.public_key)}"

    def verify(self, signed_checkpoint: str | bytes) -> int:
        """The time of this cosigner's signature on the checkpoint note, once it checks out.

        Raises ``VerificationError`` when the note carries no cosignature of this key, or a bad one.
        """
        text, signatures = note.parse(signed_checkpoint)
        Checkpoint.from_text(text)  # a cosignature is only ever over a checkpoint
        found = None
        for sig in signatures:
            if sig.name == self.name and sig.key_id == self.key_id:
                if len(sig.signature) != 8 + 64:
                    raise VerificationError(f"cosignature by {self.name} is not a timestamp and a signature")
                timestamp = int.from_bytes(sig.signature[:8], "big")
                try:
                    self._key.verify(sig.signature[8:], signed_message(text, timestamp))
                except (InvalidSignature, FormatError):
                    raise VerificationError(f"invalid cosignature by {self.name}+{self.key_id:08x}") from None
                found = timestamp
        if found is None:
            raise VerificationError(f"checkpoint is not cosigned by {self.name}+{self.key_id:08x}")
        return found


@dataclass(frozen=True)
class Cosigner:
    name: str
    key_id: int
    seed: bytes = field(repr=False)
    _key: Ed25519PrivateKey = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Cosigner:
        if not note.is_valid_key_name(name):
            raise FormatError(f"invalid key name {name!r}")
        if len(seed) != 32:
            raise FormatError("an Ed25519 seed is 32 bytes")
        key = Ed25519PrivateKey.from_private_bytes(seed)
        public_key = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(name, key_id(name, public_key), seed, key)

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls.from_seed(name, seed)

    @classmethod
    def parse(cls, skey: str) -> Cosigner:
        skey = skey.strip()
        if not skey.startswith("PRIVATE+KEY+"):
            raise FormatError("a signer key starts with PRIVATE+KEY+")
        name, kid, seed = _parse_key(skey.removeprefix("PRIVATE+KEY+"), "cosigner signer key")
        cosigner = cls.from_seed(name, seed)
        if cosigner.key_id != kid:
            raise FormatError("cosigner key id does not match its name and public key")
        return cosigner

    def __str__(self) -> str:
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{note.b64encode(bytes([ALG_COSIGNATURE_V1]) + self.seed)}"

    def __repr__(self) -> str:
        return f"Cosigner({self.verifier()})"

    def verifier(self) -> CosignatureVerifier:
        public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return CosignatureVerifier.from_public_key(self.name, public_key)

    def signature_line(self, checkpoint_text: str, timestamp: int) -> str:
        """The note signature line of this cosigner over ``checkpoint_text`` at ``timestamp``."""
        Checkpoint.from_text(checkpoint_text)
        signature = self._key.sign(signed_message(checkpoint_text, timestamp))
        raw = self.key_id.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + signature
        return f"{note.SIGNATURE_PREFIX}{self.name} {note.b64encode(raw)}\n"

    def cosign(self, signed_checkpoint: str, timestamp: int) -> str:
        """The checkpoint note with this cosigner's signature line added after the ones it holds."""
        text, _signatures = note.parse(signed_checkpoint)
        return signed_checkpoint + self.signature_line(text, timestamp)
