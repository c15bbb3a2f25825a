"""C2SP signed-note with Ed25519 keys (the format of Go's golang.org/x/mod/sumdb/note).

A note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> <base64(4-byte key id ‖ signature)>``. Key strings:

- verifier: ``<name>+<hex key id>+<base64(0x01 ‖ 32-byte public key)>``
- signer:   ``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ 32-byte seed)>``

with key id = the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from daftari_verify.errors import FormatError, VerificationError

ALG_ED25519 = 0x01
SIGNATURE_PREFIX = "— "  # an em dash and a space
MAX_SIGNATURES = 100

_HEX_ID = re.compile(r"[0-9a-f]{8}")


def b64decode_strict(text: str, what: str) -> bytes:
    """Standard padded base64 whose re-encoding gives back ``text`` (no slack bits, no whitespace)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(f"{what} is not base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise FormatError(f"{what} is not canonical base64")
    return raw


def b64encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name)


def key_id(name: str, public_key: bytes) -> int:
    """The 32-bit key id of an Ed25519 public key under ``name``."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _parse_key_string(rest: str, what: str) -> tuple[str, int, bytes]:
    parts = rest.split("+", 2)
    if len(parts) != 3:
        raise FormatError(f"{what} must be <name>+<hex key id>+<base64 key>")
    name, hex_id, key64 = parts
    if not is_valid_key_name(name):
        raise FormatError(f"{what} has an invalid key name")
    if not _HEX_ID.fullmatch(hex_id):
        raise FormatError(f"{what} key id must be 8 lowercase hex digits")
    raw = b64decode_strict(key64, f"{what} key")
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise FormatError(f"{what} is not an Ed25519 key (0x01 and 32 bytes)")
    return name, int(hex_id, 16), raw[1:]


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: int
    public_key: bytes
    _key: Ed25519PublicKey = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> Verifier:
        if not is_valid_key_name(name):
            raise FormatError(f"invalid key name {name!r}")
        if len(public_key) != 32:
            raise FormatError("an Ed25519 public key is 32 bytes")
        return cls(name, key_id(name, public_key), public_key, Ed25519PublicKey.from_public_bytes(public_key))

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        """A verifier from its key string; the key id must match the name and key."""
        name, kid, public_key = _parse_key_string(vkey.strip(), "verifier key")
        verifier = cls.from_public_key(name, public_key)
        if verifier.key_id != kid:
            raise FormatError("verifier key id does not match its name and key")
        return verifier

    def __str__(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{b64encode(bytes([ALG_ED25519]) + self.public_key)}"

    def verify_signature(self, message: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    key_id: int
    seed: bytes = field(repr=False)
    _key: Ed25519PrivateKey = field(repr=False, compare=False, hash=False)

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        if not is_valid_key_name(name):
            raise FormatError(f"invalid key name {name!r}")
        if len(seed) != 32:
            raise FormatError("an Ed25519 seed is 32 bytes")
        key = Ed25519PrivateKey.from_private_bytes(seed)
        public_key = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(name, key_id(name, public_key), seed, key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls.from_seed(name, seed)

    @classmethod
    def parse(cls, skey: str) -> Signer:
        skey = skey.strip()
        if not skey.startswith("PRIVATE+KEY+"):
            raise FormatError("a signer key starts with PRIVATE+KEY+")
        name, kid, seed = _parse_key_string(skey.removeprefix("PRIVATE+KEY+"), "signer key")
        signer = cls.from_seed(name, seed)
        if signer.key_id != kid:
            raise FormatError("signer key id does not match its name and public key")
        return signer

    def __str__(self) -> str:
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{b64encode(bytes([ALG_ED25519]) + self.seed)}"

    def __repr__(self) -> str:
        return f"Signer({self.verifier()})"

    def verifier(self) -> Verifier:
        public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier.from_public_key(self.name, public_key)

    def sign_bytes(self, message: bytes) -> bytes:
        return self._key.sign(message)


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key pair as ``(signer key string, verifier key string)``; keep the first secret."""
    signer = Signer.generate(name)
    return str(signer), str(signer.verifier())


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    signature: bytes


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise FormatError("note text must end with a newline")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise FormatError("note text contains a control character")


def sign(text: str, *signers: Signer) -> str:
    """The signed note of ``text`` (which must end with a newline)."""
    _check_text(text)
    if not signers:
        raise ValueError("sign needs at least one signer")
    message = text.encode("utf-8")
    lines = [
        f"{SIGNATURE_PREFIX}{s.name} {b64encode(s.key_id.to_bytes(4, 'big') + s.sign_bytes(message))}\n"
        for s in signers
    ]
    return text + "\n" + "".join(lines)


def parse(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a note into its text and signatures, without checking any signature."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("note is not UTF-8") from None
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise FormatError("note contains a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise FormatError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise FormatError("note must end with signature lines")
    signatures: list[Signature] = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise FormatError("signature line does not start with an em dash")
        name, _, sig64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not is_valid_key_name(name) or not sig64:
            raise FormatError("malformed signature line")
        raw = b64decode_strict(sig64, "signature")
        if len(raw) < 5:
            raise FormatError("signature is too short")
        signatures.append(Signature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
        if len(signatures) > MAX_SIGNATURES:
            raise FormatError(f"note has more than {MAX_SIGNATURES} signatures")
    return text, signatures


def verify(note: str | bytes, verifiers: Verifier | Iterable[Verifier]) -> str:
    """The note's text, if at least one known key signed it and no known key's signature is bad.

    Signatures by unknown keys are ignored, as the signed-note spec says. Raises
    ``VerificationError`` for a bad or missing signature, ``FormatError`` for a malformed note.
    """
    known = [verifiers] if isinstance(verifiers, Verifier) else list(verifiers)
    text, signatures = parse(note)
    message = text.encode("utf-8")
    verified = 0
    for sig in signatures:
        for v in known:
            if v.name == sig.name and v.key_id == sig.key_id:
                if not v.verify_signature(message, sig.signature):
                    raise VerificationError(f"invalid signature by key {v.name}+{v.key_id:08x}")
                verified += 1
    if not verified:
        names = ", ".join(f"{v.name}+{v.key_id:08x}" for v in known) or "no keys given"
        raise VerificationError(f"note is not signed by any known key ({names})")
    return text
