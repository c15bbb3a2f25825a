"""Merkle tree hashing and proofs of RFC 6962 / RFC 9162 §2.1, with 0-based leaf indices.

Subtrees are addressed as in C2SP tlog-tiles: the complete subtree ``(level, index)`` covers the
leaves ``[index * 2**level, (index + 1) * 2**level)``. Proof generation only ever asks for such
complete subtrees, so a server can answer from stored tile hashes in O(log n) reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from daftari_verify.errors import FormatError, VerificationError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeHash = Callable[[int, int], bytes]
"""``(level, index) -> hash`` of a complete subtree."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _pair_up(level: Sequence[bytes]) -> list[bytes]:
    """Parent hashes of the complete pairs of ``level``; an odd last node is left out."""
    sha = _sha256
    return [sha(b"\x01" + a + b).digest() for a, b in zip(level[0::2], level[1::2], strict=False)]


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the leaves, in O(n) hashes.

    Pairing level by level and promoting an odd last node unchanged gives exactly the RFC 6962
    tree, because the RFC splits at the largest power of two below n.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        parents = _pair_up(level)
        if len(level) % 2:
            parents.append(level[-1])
        level = parents
    return level[0]


def root_from_leaves(leaves: Iterable[bytes]) -> bytes:
    return root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])


def range_hash(start: int, end: int, subtree: SubtreeHash) -> bytes:
    """MTH of the leaves ``[start, end)`` from complete subtree hashes.

    ``start`` must be a multiple of the largest power of two not above ``end - start``, which holds
    for every range that appears in an RFC 6962 proof or root.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative range [{start}, {end})")
    parts: list[bytes] = []
    lo = start
    while lo < end:
        level = (end - lo).bit_length() - 1
        if lo % (1 << level):
            raise ValueError(f"range [{start}, {end}) is not aligned to complete subtrees")
        parts.append(subtree(level, lo >> level))
        lo += 1 << level
    h = parts[-1]
    for part in reversed(parts[:-1]):
        h = node_hash(part, h)
    return h


def root_from_subtrees(size: int, subtree: SubtreeHash) -> bytes:
    """The root of the tree of ``size`` leaves: at most log2(size) subtree reads."""
    if size < 0:
        raise ValueError("negative tree size")
    return EMPTY_ROOT if size == 0 else range_hash(0, size, subtree)


# Proof generation ---------------------------------------------------------------------------


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    proof: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, subtree))
            lo += k
    proof.reverse()
    return proof


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1; empty when old is 0 or equals new."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    m, lo, hi = old_size, 0, new_size
    complete_old = True  # the "b" flag of SUBPROOF: still on the path of the original old tree
    while True:
        n = hi - lo
        if m == n:
            if not complete_old:
                proof.append(range_hash(lo, hi, subtree))
            break
        k = _split(n)
        if m <= k:
            proof.append(range_hash(lo + k, hi, subtree))
            hi = lo + k
        else:
            proof.append(range_hash(lo, lo + k, subtree))
            lo += k
            m -= k
            complete_old = False
    proof.reverse()
    return proof


def _recording() -> tuple[SubtreeHash, list[tuple[int, int]]]:
    wanted: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        wanted.append((level, index))
        return bytes(HASH_SIZE)

    return record, wanted


def inclusion_proof_subtrees(index: int, size: int) -> list[tuple[int, int]]:
    """The ``(level, index)`` subtrees ``inclusion_proof`` will ask for, to fetch them in one read."""
    record, wanted = _recording()
    inclusion_proof(index, size, record)
    return wanted


def consistency_proof_subtrees(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ``(level, index)`` subtrees ``consistency_proof`` will ask for."""
    record, wanted = _recording()
    consistency_proof(old_size, new_size, record)
    return wanted


def root_subtrees(size: int) -> list[tuple[int, int]]:
    """The ``(level, index)`` subtrees ``root_from_subtrees`` will ask for."""
    record, wanted = _recording()
    root_from_subtrees(size, record)
    return wanted


def _subtree_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    def subtree(level: int, index: int) -> bytes:
        start = index << level
        return root_from_leaf_hashes(leaf_hashes[start : start + (1 << level)])

    return subtree


def inclusion_proof_from_leaf_hashes(index: int, leaf_hashes: Sequence[bytes], size: int | None = None) -> list[bytes]:
    """Inclusion proof computed from the leaf hashes themselves (O(size) hashes)."""
    size = len(leaf_hashes) if size is None else size
    if size > len(leaf_hashes):
        raise ValueError(f"tree size {size} exceeds the {len(leaf_hashes)} leaf hashes given")
    return inclusion_proof(index, size, _subtree_from_leaf_hashes(leaf_hashes))


def consistency_proof_from_leaf_hashes(
    old_size: int, leaf_hashes: Sequence[bytes], new_size: int | None = None
) -> list[bytes]:
    """Consistency proof computed from the leaf hashes themselves (O(new_size) hashes)."""
    new_size = len(leaf_hashes) if new_size is None else new_size
    if new_size > len(leaf_hashes):
        raise ValueError(f"tree size {new_size} exceeds the {len(leaf_hashes)} leaf hashes given")
    return consistency_proof(old_size, new_size, _subtree_from_leaf_hashes(leaf_hashes))


# Proof verification -------------------------------------------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise FormatError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for leaf hash ``leaf`` (RFC 9162 §2.1.3.2, steps 1-5)."""
    _check_hash(leaf, "leaf hash")
    for i, p in enumerate(proof):
        _check_hash(p, f"proof hash {i}")
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is not in a tree of size {size}")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise VerificationError(f"inclusion proof for leaf {index} at size {size} has too many hashes")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"inclusion proof for leaf {index} at size {size} has too few hashes")
    return r


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ``VerificationError`` unless leaf hash ``leaf`` is leaf ``index`` of the tree ``root``."""
    _check_hash(root, "root hash")
    if root_from_inclusion_proof(leaf, index, size, proof) != root:
        raise VerificationError(f"leaf {index} is not in the tree of size {size} with that root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Raise ``VerificationError`` unless tree ``old_root`` is a prefix of tree ``new_root``.

    RFC 9162 §2.1.4.2, plus the two trivial cases it leaves out: equal sizes (roots must be equal,
    proof empty) and an empty old tree (proof empty).
    """
    _check_hash(old_root, "old root hash")
    _check_hash(new_root, "new root hash")
    for i, p in enumerate(proof):
        _check_hash(p, f"proof hash {i}")
    where = f"from size {old_size} to size {new_size}"
    if old_size < 0 or new_size < old_size:
        raise VerificationError(f"no consistency {where}: the tree shrank")
    if old_size == new_size:
        if proof:
            raise VerificationError(f"consistency proof {where} must be empty")
        if old_root != new_root:
            raise VerificationError(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        if proof:
            raise VerificationError(f"consistency proof {where} must be empty")
        if old_root != EMPTY_ROOT:
            raise VerificationError("the root of size 0 is not the empty tree's root")
        return
    if not proof:
        raise VerificationError(f"consistency proof {where} is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(f"consistency proof {where} has too many hashes")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"consistency proof {where} has too few hashes")
    if fr != old_root:
        raise VerificationError(f"consistency proof {where} does not lead to the old root")
    if sr != new_root:
        raise VerificationError(f"consistency proof {where} does not lead to the new root")


# Keeping trees -------------------------------------------------------------------------------


@dataclass
class TreeState:
    """The right edge of a tree: the roots of its complete subtrees, largest (leftmost) first.

    Holds popcount(size) hashes, appends in O(log n) (O(1) amortised) and gives the root, so a
    server can persist it beside the log head instead of rereading leaves.
    """

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise FormatError(f"a tree of size {self.size} has {self.size.bit_count()} edge hashes")
        for h in self.hashes:
            _check_hash(h, "edge hash")

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add leaf hash ``leaf``; return every complete subtree ``(level, index, hash)`` it completes.

        The first entry is the leaf itself at level 0; store them all to serve proofs from tiles.
        """
        _check_hash(leaf, "leaf hash")
        completed = [(0, self.size, leaf)]
        h, level, index = leaf, 0, self.size
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            index >>= 1
            completed.append((level, index, h))
        self.hashes.append(h)
        self.size += 1
        return completed

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h

    def to_bytes(self) -> bytes:
        return self.size.to_bytes(8, "big") + b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> TreeState:
        if len(data) < 8 or (len(data) - 8) % HASH_SIZE:
            raise FormatError("a tree state is 8 bytes of size and whole hashes")
        size = int.from_bytes(data[:8], "big")
        hashes = [data[i : i + HASH_SIZE] for i in range(8, len(data), HASH_SIZE)]
        return cls(size, hashes)

    @classmethod
    def from_subtrees(cls, size: int, subtree: SubtreeHash) -> TreeState:
        """The edge of a stored tree: one complete subtree per set bit of ``size``."""
        hashes: list[bytes] = []
        lo = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(subtree(level, lo >> level))
                lo += 1 << level
        return cls(size, hashes)


class MerkleTree:
    """Every complete subtree hash of a tree, in memory: proofs and past roots in O(log n).

    Used by ``audit`` and handy in tests; a server keeps the same hashes in tiles instead.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = (), *, check: bool = True) -> None:
        """``check=False`` skips the length check of each leaf hash, for hashes just computed here."""
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        if check and any(len(h) != HASH_SIZE for h in self.levels[0]):
            raise FormatError(f"every leaf hash must be {HASH_SIZE} bytes")
        while len(self.levels[-1]) > 1:
            self.levels.append(_pair_up(self.levels[-1]))

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        _check_hash(leaf, "leaf hash")
        self.levels[0].append(leaf)
        level = 0
        while len(self.levels[level]) % 2 == 0:
            below = self.levels[level]
            if level + 1 == len(self.levels):
                self.levels.append([])
            self.levels[level + 1].append(node_hash(below[-2], below[-1]))
            level += 1

    def subtree(self, level: int, index: int) -> bytes:
        try:
            return self.levels[level][index]
        except IndexError:
            raise ValueError(f"subtree ({level}, {index}) is not complete in a tree of size {self.size}") from None

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check_size(size)
        return root_from_subtrees(size, self.subtree)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.size if size is None else size
        self._check_size(size)
        return inclusion_proof(index, size, self.subtree)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size)
        return consistency_proof(old_size, new_size, self.subtree)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"size {size} is outside a tree of {self.size} leaves")
