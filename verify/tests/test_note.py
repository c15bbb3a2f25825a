"""C2SP signed notes: the spec example, Go's note package vectors, and manglings."""

from __future__ import annotations

import pytest
from daftari_verify import note
from daftari_verify.errors import FormatError, VerificationError

SPEC_KEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# golang.org/x/mod/sumdb/note test vectors: the signer key string convention and deterministic Ed25519.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
GO_ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)


def test_the_signed_note_spec_example_verifies_with_its_key() -> None:
    verifier = note.Verifier.parse(SPEC_KEY)
    assert verifier.name == "example.com/foo"
    assert verifier.key_id == 0x530D903A
    assert str(verifier) == SPEC_KEY
    assert note.verify(SPEC_NOTE, verifier) == "This is an example message.\n"
    assert note.verify(SPEC_NOTE.encode(), [verifier]) == "This is an example message.\n"


def test_signing_with_a_go_signer_key_string_gives_go_notes_exact_output() -> None:
    signer = note.Signer.parse(GO_SKEY)
    assert str(signer) == GO_SKEY
    assert str(signer.verifier()) == GO_VKEY
    assert note.sign(GO_TEXT, signer) == GO_TEXT + "\n" + GO_SIG


def test_a_generated_key_pair_signs_and_verifies_and_its_strings_parse_back() -> None:
    skey, vkey = note.generate_key("daftari.local/ob")
    assert skey.startswith("PRIVATE+KEY+daftari.local/ob+")
    signer, verifier = note.Signer.parse(skey), note.Verifier.parse(vkey)
    assert signer.verifier() == verifier
    assert "PRIVATE" not in repr(signer)
    assert note.verify(note.sign("hello\n", signer), verifier) == "hello\n"


def test_signatures_by_unknown_keys_are_ignored_but_one_known_signature_is_required() -> None:
    peter = note.Verifier.parse(GO_VKEY)
    assert note.verify(GO_TEXT + "\n" + GO_SIG + GO_ENOCH_SIG, peter) == GO_TEXT
    with pytest.raises(VerificationError, match="not signed by any known key"):
        note.verify(GO_TEXT + "\n" + GO_ENOCH_SIG, peter)
    with pytest.raises(VerificationError, match="not signed by any known key"):
        note.verify(SPEC_NOTE, peter)


def test_a_bad_signature_by_a_known_key_is_rejected_even_beside_a_good_one() -> None:
    peter = note.Verifier.parse(GO_VKEY)
    bad = GO_SIG[:60] + "ABCD" + GO_SIG[60:]
    with pytest.raises(VerificationError, match="invalid signature by key PeterNeumann"):
        note.verify(GO_TEXT + "\n" + bad, peter)
    with pytest.raises(VerificationError, match="invalid signature"):
        note.verify(GO_TEXT + "\n" + GO_SIG + bad, peter)


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + GO_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + GO_SIG,
        GO_TEXT
        + "\n"
        + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        GO_TEXT + "\n" + GO_SIG + "Unexpected line.\n",
        GO_TEXT + "\n" + GO_SIG * 101,
    ],
)
def test_malformed_notes_are_refused_as_bad_input(message: str) -> None:
    with pytest.raises(FormatError):
        note.verify(message, note.Verifier.parse(GO_VKEY))


def test_a_note_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(FormatError, match="UTF-8"):
        note.verify(b"\xff" + (GO_TEXT + "\n" + GO_SIG).encode(), note.Verifier.parse(GO_VKEY))


def test_every_single_byte_change_or_truncation_of_a_verifier_key_is_refused() -> None:
    for i in range(len(GO_VKEY)):
        mangled = GO_VKEY[:i] + chr(ord(GO_VKEY[i]) + 1) + GO_VKEY[i + 1 :]
        with pytest.raises(FormatError):
            note.Verifier.parse(mangled)
    for end in range(len(GO_VKEY)):
        with pytest.raises(FormatError):
            note.Verifier.parse(GO_VKEY[:end])


def test_every_single_byte_change_of_a_signer_key_is_refused() -> None:
    for i in range(len(GO_SKEY)):
        mangled = GO_SKEY[:i] + chr(ord(GO_SKEY[i]) + 1) + GO_SKEY[i + 1 :]
        with pytest.raises(FormatError):
            note.Signer.parse(mangled)


def test_signing_needs_text_that_ends_with_a_newline_and_has_no_control_characters() -> None:
    signer = note.Signer.parse(GO_SKEY)
    with pytest.raises(FormatError):
        note.sign("abc", signer)
    with pytest.raises(FormatError):
        note.sign("a\tb\n", signer)


def test_the_key_id_is_the_first_four_bytes_of_sha256_of_name_newline_alg_and_key() -> None:
    verifier = note.Verifier.parse(SPEC_KEY)
    assert note.key_id("example.com/foo", verifier.public_key) == 0x530D903A
