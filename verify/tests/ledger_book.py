"""A small station book built with the library, as the server would build it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint
from daftari_verify.leaf import Leaf, new_salt

ORIGIN = "daftari.test/ob/KSM01"


@dataclass
class Book:
    origin: str
    signer: note.Signer
    leaves: list[bytes] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    salts: list[bytes] = field(default_factory=list)
    tree: merkle.MerkleTree = field(default_factory=merkle.MerkleTree)

    def append(self, kind: str = "occurrence", prev: int | None = None) -> int:
        index = len(self.leaves)
        record: dict[str, Any] = {
            "id": f"00000000-0000-4000-8000-{index:012d}",
            "narrative": f"Complainant reports a stolen bicycle, case {index} — Mwananchi",
            "parties": [{"name": "Wanjiku Kamau", "id_number": "12345678", "role": "complainant"}],
            "station": "KSM01",
        }
        salt = new_salt()
        leaf = Leaf.for_record(
            at=datetime(2026, 11, 29, 7, 31, 2, tzinfo=UTC) + timedelta(minutes=index),
            by="254719",
            kind=kind,
            log=self.origin,
            ob=f"OB {index + 1}/29/11/2026",
            prev=prev,
            record_id=record["id"],
            record=record,
            salt=salt,
        )
        data = leaf.to_bytes()
        self.leaves.append(data)
        self.records.append(record)
        self.salts.append(salt)
        self.tree.append(merkle.leaf_hash(data))
        return index

    def checkpoint(self, size: int | None = None) -> str:
        size = self.tree.size if size is None else size
        return Checkpoint(self.origin, size, self.tree.root(size)).sign(self.signer)
