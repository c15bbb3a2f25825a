"""C2SP tlog-cosignature (Ed25519 cosignature/v1): what a witness signs, and what is refused."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from daftari_verify import cosignature, note
from daftari_verify.checkpoint import Checkpoint
from daftari_verify.errors import FormatError, VerificationError

ROOT = bytes(range(32))


def _checkpoint_note(size: int = 5) -> tuple[str, note.Signer]:
    log_key = note.Signer.generate("daftari.local/ob/TEST")
    return Checkpoint("daftari.local/ob/TEST", size, ROOT).sign(log_key), log_key


def test_a_cosignature_signs_the_header_the_time_and_the_checkpoint_text_as_the_spec_says() -> None:
    signed, _log_key = _checkpoint_note()
    witness = cosignature.Cosigner.generate("hub.example/witness")
    cosigned = witness.cosign(signed, 1_700_000_000)
    line = cosigned.removeprefix(signed)
    name, _, sig64 = line.removeprefix("— ").rstrip("\n").partition(" ")
    raw = base64.b64decode(sig64)
    public = witness.verifier().public_key
    assert name == "hub.example/witness"
    assert raw[:4] == hashlib.sha256(b"hub.example/witness\n\x04" + public).digest()[:4]
    assert int.from_bytes(raw[4:12], "big") == 1_700_000_000
    message = b"cosignature/v1\ntime 1700000000\ndaftari.local/ob/TEST\n5\n" + base64.b64encode(ROOT) + b"\n"
    Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], message)  # raises if it differs


def test_the_cosigners_key_verifies_its_cosignature_and_the_logs_signature_still_verifies() -> None:
    signed, log_key = _checkpoint_note()
    witness = cosignature.Cosigner.generate("hub.example/witness")
    cosigned = witness.cosign(signed, 1_700_000_123)
    verifier = cosignature.CosignatureVerifier.parse(str(witness.verifier()))
    assert verifier.verify(cosigned) == 1_700_000_123
    assert note.verify(cosigned, log_key.verifier()) == signed.partition("\n\n")[0] + "\n"


def test_a_cosigner_key_string_parses_back_and_is_typed_0x04() -> None:
    witness = cosignature.Cosigner.generate("hub.example/witness")
    assert cosignature.Cosigner.parse(str(witness)).verifier() == witness.verifier()
    # name+hash+key: the base64 key may itself hold a '+', so split from the left
    assert base64.b64decode(str(witness.verifier()).split("+", 2)[2])[0] == 0x04
    log_vkey = str(note.Signer.generate("hub.example/witness").verifier())
    with pytest.raises(FormatError, match="cosignature/v1 key"):
        cosignature.CosignatureVerifier.parse(log_vkey)


def test_a_checkpoint_without_the_cosigners_signature_is_not_witnessed() -> None:
    signed, _log_key = _checkpoint_note()
    witness = cosignature.Cosigner.generate("hub.example/witness")
    with pytest.raises(VerificationError, match="not cosigned"):
        witness.verifier().verify(signed)


@pytest.mark.parametrize("change", ["size", "time", "signature"])
def test_a_cosignature_moved_to_another_size_or_time_or_with_a_flipped_bit_is_refused(change: str) -> None:
    signed, log_key = _checkpoint_note(5)
    witness = cosignature.Cosigner.generate("hub.example/witness")
    line = witness.cosign(signed, 1_700_000_000).removeprefix(signed)
    raw = bytearray(base64.b64decode(line.rstrip("\n").rpartition(" ")[2]))
    target = signed
    if change == "size":
        target, _ = Checkpoint("daftari.local/ob/TEST", 6, ROOT).sign(log_key), None
    elif change == "time":
        raw[11] ^= 1
    else:
        raw[-1] ^= 1
    forged = target + f"— hub.example/witness {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(VerificationError, match="invalid cosignature"):
        witness.verifier().verify(forged)
