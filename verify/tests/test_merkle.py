"""RFC 6962 / 9162 trees and proofs, checked against the RFC's recursive definitions."""

from __future__ import annotations

import functools
import hashlib
import random

import pytest
from daftari_verify import merkle
from daftari_verify.errors import FormatError, VerificationError
from hypothesis import given, settings
from hypothesis import strategies as st

RFC_LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
RFC_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


class NaiveTree:
    """RFC 6962 §2.1 word for word: MTH, PATH and SUBPROOF by recursion over D[k1:k2]."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves

    @functools.cache  # noqa: B019 (one tree per test, freed with it)
    def mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n == 1:
            return hashlib.sha256(b"\x00" + self.leaves[lo]).digest()
        k = 1
        while k * 2 < n:
            k *= 2
        return hashlib.sha256(b"\x01" + self.mth(lo, lo + k) + self.mth(lo + k, hi)).digest()

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = 1
        while k * 2 < n:
            k *= 2
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def subproof(self, m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [self.mth(lo, hi)]
        k = 1
        while k * 2 < n:
            k *= 2
        if m <= k:
            return [*self.subproof(m, lo, lo + k, complete), self.mth(lo + k, hi)]
        return [*self.subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        return [] if m in (0, n) else self.subproof(m, 0, n, True)


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.fixture(scope="module")
def big() -> tuple[NaiveTree, merkle.MerkleTree]:
    leaves = [i.to_bytes(4, "big") * (1 + i % 3) for i in range(3000)]
    return NaiveTree(leaves), merkle.MerkleTree(merkle.leaf_hash(x) for x in leaves)


@pytest.mark.parametrize("n", range(9))
def test_the_roots_of_the_rfc_6962_test_leaves_match_the_published_vectors(n: int) -> None:
    hashes = [merkle.leaf_hash(leaf) for leaf in RFC_LEAVES[:n]]
    assert merkle.root_from_leaf_hashes(hashes).hex() == RFC_ROOTS[n]
    assert merkle.MerkleTree(hashes).root().hex() == RFC_ROOTS[n]
    state = merkle.TreeState()
    for h in hashes:
        state.append(h)
    assert state.root().hex() == RFC_ROOTS[n]


def test_the_empty_tree_has_the_hash_of_the_empty_string_as_root() -> None:
    assert merkle.EMPTY_ROOT.hex() == RFC_ROOTS[0]
    assert merkle.root_from_subtrees(0, lambda level, index: b"") == merkle.EMPTY_ROOT


def test_10000_random_inclusion_proofs_equal_the_rfc_path_and_verify(big: tuple[NaiveTree, merkle.MerkleTree]) -> None:
    naive, tree = big
    rng = random.Random(6962)
    for _ in range(10_000):
        size = rng.choice([rng.randint(1, 40), rng.randint(1, tree.size)])
        index = rng.randrange(size)
        proof = tree.inclusion_proof(index, size)
        assert proof == naive.path(index, 0, size), (index, size)
        root = naive.mth(0, size)
        assert tree.root(size) == root
        merkle.verify_inclusion(tree.levels[0][index], index, size, proof, root)


def test_10000_random_consistency_proofs_equal_the_rfc_proof_and_verify(
    big: tuple[NaiveTree, merkle.MerkleTree],
) -> None:
    naive, tree = big
    rng = random.Random(9162)
    for _ in range(10_000):
        new = rng.choice([rng.randint(1, 40), rng.randint(1, tree.size)])
        old = rng.randint(0, new)
        proof = tree.consistency_proof(old, new)
        assert proof == naive.proof(old, new), (old, new)
        merkle.verify_consistency(old, new, naive.mth(0, old), naive.mth(0, new), proof)


def test_proofs_from_a_list_of_leaf_hashes_equal_proofs_from_stored_subtrees(
    big: tuple[NaiveTree, merkle.MerkleTree],
) -> None:
    _, tree = big
    hashes = tree.levels[0][:300]
    for index, size in [(0, 1), (5, 7), (255, 256), (256, 300), (299, 300), (17, 100)]:
        assert merkle.inclusion_proof_from_leaf_hashes(index, hashes, size) == tree.inclusion_proof(index, size)
    for old, new in [(0, 5), (1, 2), (7, 8), (64, 300), (100, 299), (300, 300)]:
        assert merkle.consistency_proof_from_leaf_hashes(old, hashes, new) == tree.consistency_proof(old, new)


def test_a_proof_reads_only_the_subtrees_it_announces_and_at_most_two_per_level() -> None:
    tree = merkle.MerkleTree(merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(1000))
    asked: list[tuple[int, int]] = []

    def subtree(level: int, index: int) -> bytes:
        asked.append((level, index))
        return tree.subtree(level, index)

    merkle.inclusion_proof(677, 999, subtree)
    assert asked == merkle.inclusion_proof_subtrees(677, 999)
    assert len(asked) <= 2 * 10
    asked.clear()
    merkle.consistency_proof(333, 999, subtree)
    assert asked == merkle.consistency_proof_subtrees(333, 999)
    assert len(asked) <= 2 * 10
    asked.clear()
    merkle.root_from_subtrees(999, subtree)
    assert (
        asked == merkle.root_subtrees(999) == [(9, 0), (8, 2), (7, 6), (6, 14), (5, 30), (2, 248), (1, 498), (0, 998)]
    )


def test_the_tree_state_reports_every_subtree_an_append_completes_and_survives_a_round_trip() -> None:
    state = merkle.TreeState()
    stored: dict[tuple[int, int], bytes] = {}
    hashes = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(300)]
    for h in hashes:
        for level, index, value in state.append(h):
            stored[(level, index)] = value
    tree = merkle.MerkleTree(hashes)
    assert stored == {(level, index): value for level, row in enumerate(tree.levels) for index, value in enumerate(row)}
    assert state.root() == tree.root()
    assert len(state.hashes) == bin(300).count("1")
    restored = merkle.TreeState.from_bytes(state.to_bytes())
    assert restored == state
    assert merkle.TreeState.from_subtrees(300, lambda level, index: stored[(level, index)]) == state
    with pytest.raises(FormatError):
        merkle.TreeState.from_bytes(state.to_bytes()[:-1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=70), st.data())
def test_any_tree_state_and_in_memory_tree_agree_with_the_rfc_definition(
    leaves: list[bytes], data: st.DataObject
) -> None:
    naive = NaiveTree(leaves)
    hashes = [merkle.leaf_hash(x) for x in leaves]
    state = merkle.TreeState()
    grown = merkle.MerkleTree()
    for h in hashes:
        state.append(h)
        grown.append(h)
    assert state.root() == grown.root() == merkle.root_from_leaf_hashes(hashes) == naive.mth(0, len(leaves))
    assert grown.levels == merkle.MerkleTree(hashes).levels
    if leaves:
        index = data.draw(st.integers(0, len(leaves) - 1))
        old = data.draw(st.integers(0, len(leaves)))
        merkle.verify_inclusion(hashes[index], index, len(leaves), grown.inclusion_proof(index), state.root())
        merkle.verify_consistency(old, len(leaves), grown.root(old), state.root(), grown.consistency_proof(old))


INCLUSION_CASES = [(0, 1), (0, 2), (1, 2), (4, 5), (3, 7), (6, 7), (0, 8), (5, 8), (12, 13), (77, 100), (299, 300)]


@pytest.mark.parametrize(("index", "size"), INCLUSION_CASES)
def test_every_single_bit_flip_of_an_inclusion_proof_leaf_hash_root_or_index_is_rejected(index: int, size: int) -> None:
    tree = merkle.MerkleTree(merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(size))
    leaf, root, proof = tree.levels[0][index], tree.root(), tree.inclusion_proof(index)
    merkle.verify_inclusion(leaf, index, size, proof, root)
    rejected = 0
    for bit in range(256):
        for args in (
            (flip(leaf, bit), index, size, proof, root),
            (leaf, index, size, proof, flip(root, bit)),
            *((leaf, index, size, [*proof[:i], flip(p, bit), *proof[i + 1 :]], root) for i, p in enumerate(proof)),
        ):
            with pytest.raises(VerificationError):
                merkle.verify_inclusion(*args)
            rejected += 1
    for bit in range(64):
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(leaf, index ^ (1 << bit), size, proof, root)
        rejected += 1
    assert rejected == 256 * (2 + len(proof)) + 64


def test_a_proof_with_a_missing_extra_or_short_hash_is_rejected() -> None:
    tree = merkle.MerkleTree(merkle.leaf_hash(bytes([i])) for i in range(13))
    leaf, root, proof = tree.levels[0][6], tree.root(), tree.inclusion_proof(6)
    with pytest.raises(VerificationError, match="too few"):
        merkle.verify_inclusion(leaf, 6, 13, proof[:-1], root)
    with pytest.raises(VerificationError, match="too many"):
        merkle.verify_inclusion(leaf, 6, 13, [*proof, root], root)
    with pytest.raises(FormatError):
        merkle.verify_inclusion(leaf, 6, 13, [proof[0][:31], *proof[1:]], root)
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(leaf, 13, 13, proof, root)


CONSISTENCY_CASES = [(1, 2), (1, 8), (2, 5), (3, 7), (4, 8), (5, 13), (6, 8), (7, 300), (128, 300), (299, 300)]


@pytest.mark.parametrize(("old", "new"), CONSISTENCY_CASES)
def test_every_single_bit_flip_of_a_consistency_proof_roots_or_old_size_is_rejected(old: int, new: int) -> None:
    tree = merkle.MerkleTree(merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(new))
    old_root, new_root, proof = tree.root(old), tree.root(), tree.consistency_proof(old)
    merkle.verify_consistency(old, new, old_root, new_root, proof)
    for bit in range(256):
        for args in (
            (old, new, flip(old_root, bit), new_root, proof),
            (old, new, old_root, flip(new_root, bit), proof),
            *((old, new, old_root, new_root, [*proof[:i], flip(p, bit), *proof[i + 1 :]]) for i, p in enumerate(proof)),
        ):
            with pytest.raises(VerificationError):
                merkle.verify_consistency(*args)
    for bit in range(64):
        with pytest.raises(VerificationError):
            merkle.verify_consistency(old ^ (1 << bit), new, old_root, new_root, proof)


def test_trivial_consistency_needs_an_empty_proof_and_equal_roots() -> None:
    tree = merkle.MerkleTree(merkle.leaf_hash(bytes([i])) for i in range(5))
    merkle.verify_consistency(5, 5, tree.root(), tree.root(), [])
    merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, tree.root(), [])
    with pytest.raises(VerificationError, match="two different roots"):
        merkle.verify_consistency(5, 5, tree.root(4), tree.root(), [])
    with pytest.raises(VerificationError, match="must be empty"):
        merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, tree.root(), [tree.root()])
    with pytest.raises(VerificationError, match="shrank"):
        merkle.verify_consistency(5, 4, tree.root(), tree.root(4), tree.consistency_proof(4))
    with pytest.raises(VerificationError, match="empty"):
        merkle.verify_consistency(3, 5, tree.root(3), tree.root(), [])


def test_the_rfc_algorithm_does_not_bind_the_tree_size_which_is_why_the_signature_must() -> None:
    # Documented limit of RFC 9162 §2.1.3.2, relied on by InclusionProof.verify: a proof for
    # size 5 also passes for size 7 against the same root; only a signed size rules that out.
    tree = merkle.MerkleTree(merkle.leaf_hash(bytes([i])) for i in range(5))
    merkle.verify_inclusion(tree.levels[0][0], 0, 7, tree.inclusion_proof(0), tree.root())
