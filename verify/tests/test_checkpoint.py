"""C2SP checkpoints as signed notes, and the JSON proofs bound to them."""

from __future__ import annotations

import json

import pytest
from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint, ConsistencyProof, InclusionProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from ledger_book import ORIGIN, Book


def flip_bit(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def test_a_checkpoint_body_is_origin_size_and_base64_root_lines() -> None:
    root = bytes(range(32))
    cp = Checkpoint("daftari.local/ob/KSM01", 42, root)
    assert cp.to_text() == "daftari.local/ob/KSM01\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    assert Checkpoint.from_text(cp.to_text()) == cp
    with_ext = Checkpoint("o", 0, merkle.EMPTY_ROOT, ("ext one", "ext two"))
    assert with_ext.to_text().endswith("\next one\next two\n")
    assert Checkpoint.from_text(with_ext.to_text()) == with_ext


@pytest.mark.parametrize(
    "text",
    [
        "o\n01\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "o\n-1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "o\n+1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=\n",
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n",
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "o\n1\n",
        "\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n",
    ],
)
def test_malformed_checkpoint_bodies_are_refused(text: str) -> None:
    with pytest.raises(FormatError):
        Checkpoint.from_text(text)


def test_a_signed_checkpoint_opens_only_with_its_key_and_origin(book: Book, signer: note.Signer) -> None:
    signed = book.checkpoint()
    cp = open_checkpoint(signed, signer.verifier(), origin=ORIGIN)
    assert (cp.origin, cp.size, cp.root) == (ORIGIN, 45, book.tree.root())
    with pytest.raises(VerificationError, match="not"):
        open_checkpoint(signed, signer.verifier(), origin="daftari.test/ob/OTHER")
    with pytest.raises(VerificationError, match="not signed by any known key"):
        open_checkpoint(signed, note.Signer.generate("daftari.test/ledger").verifier())


def test_every_single_bit_flip_of_a_signed_checkpoint_is_rejected(book: Book, signer: note.Signer) -> None:
    signed = book.checkpoint().encode()
    verifier = signer.verifier()
    open_checkpoint(signed, verifier)
    for bit in range(len(signed) * 8):
        with pytest.raises((VerificationError, FormatError)):
            open_checkpoint(flip_bit(signed, bit), verifier)


def test_every_single_bit_flip_of_the_leaf_or_of_the_proofs_index_size_or_hashes_is_rejected(
    book: Book, signer: note.Signer
) -> None:
    cp = open_checkpoint(book.checkpoint(), signer.verifier())
    index = 41
    leaf = book.leaves[index]
    proof = InclusionProof(index, cp.size, tuple(book.tree.inclusion_proof(index)))
    proof.verify(merkle.leaf_hash(leaf), cp)
    for bit in range(len(leaf) * 8):
        with pytest.raises(VerificationError):
            proof.verify(merkle.leaf_hash(flip_bit(leaf, bit)), cp)
    for bit in range(64):
        for bad in (
            InclusionProof(index ^ (1 << bit), cp.size, proof.hashes),
            InclusionProof(index, cp.size ^ (1 << bit), proof.hashes),
        ):
            with pytest.raises(VerificationError):
                bad.verify(merkle.leaf_hash(leaf), cp)
    for i, h in enumerate(proof.hashes):
        for bit in range(256):
            hashes = (*proof.hashes[:i], flip_bit(h, bit), *proof.hashes[i + 1 :])
            with pytest.raises(VerificationError):
                InclusionProof(index, cp.size, hashes).verify(merkle.leaf_hash(leaf), cp)


def test_a_consistency_proof_binds_both_checkpoints_sizes_and_log(book: Book, signer: note.Signer) -> None:
    old = open_checkpoint(book.checkpoint(30), signer.verifier())
    new = open_checkpoint(book.checkpoint(), signer.verifier())
    proof = ConsistencyProof(30, 45, tuple(book.tree.consistency_proof(30)))
    proof.verify(old, new)
    for bit in range(64):
        for bad in (
            ConsistencyProof(30 ^ (1 << bit), 45, proof.hashes),
            ConsistencyProof(30, 45 ^ (1 << bit), proof.hashes),
        ):
            with pytest.raises(VerificationError):
                bad.verify(old, new)
    other_log = Checkpoint("daftari.test/ob/OTHER", new.size, new.root)
    with pytest.raises(VerificationError, match="two logs"):
        proof.verify(old, other_log)


def test_proofs_round_trip_through_the_servers_json() -> None:
    proof = InclusionProof(3, 7, (b"\x01" * 32, b"\x02" * 32))
    text = json.dumps(proof.to_json())
    assert json.loads(text) == {
        "index": 3,
        "size": 7,
        "hashes": ["AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="],
    }
    assert InclusionProof.from_json(text) == proof
    consistency = ConsistencyProof(0, 5, ())
    assert ConsistencyProof.from_json(json.dumps(consistency.to_json()).encode()) == consistency


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "{",
        '{"index": 1, "size": 2}',
        '{"index": -1, "size": 2, "hashes": []}',
        '{"index": 1.0, "size": 2, "hashes": []}',
        '{"index": true, "size": 2, "hashes": []}',
        '{"index": 1, "size": 2, "hashes": ["AAAA"]}',
        '{"index": 1, "size": 2, "hashes": [1]}',
        '{"index": 1, "size": 2, "hashes": [], "extra": 0}',
    ],
)
def test_malformed_inclusion_proof_json_is_refused(text: str) -> None:
    with pytest.raises(FormatError):
        InclusionProof.from_json(text)
