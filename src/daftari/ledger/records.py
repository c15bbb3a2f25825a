"""Where each kind of leaf's record is read back from, for verification and evidence bundles.

The apps above the ledger register a loader per kind in their AppConfig.ready(), so the ledger
never imports them.
"""

from collections.abc import Callable
from typing import Any

Loader = Callable[[str], dict[str, Any] | None]

_loaders: dict[str, Loader] = {}


def register(kind: str, loader: Loader) -> None:
    _loaders[kind] = loader


def load(kind: str, record_id: str) -> dict[str, Any] | None:
    """The record as stored now; None when it no longer exists. KeyError for an unknown kind."""
    return _loaders[kind](record_id)


def kinds() -> list[str]:
    return sorted(_loaders)


# --- Lawful erasure -----------------------------------------------------------------------

Eraser = Callable[[str], None]
Followers = Callable[[str], list[str]]


def _none(record_id: str) -> list[str]:
    return []


class Erasure:
    """How a kind's record loses its personal data: the tables it writes, the function that does,
    and the other records (with leaves of their own) that this erasure changes too."""

    def __init__(self, tables: list[str], erase: Eraser, also: Followers = _none) -> None:
        self.tables = tables
        self.erase = erase
        self.also = also


_erasures: dict[str, Erasure] = {}


def register_erasure(kind: str, tables: list[str], erase: Eraser, also: Followers = _none) -> None:
    """``erase(record_id)`` replaces the record's personal data; it runs with the guards on ``tables`` lifted.

    ``also(record_id)`` names, before the erasure, the ids of other records that ``erase`` changes
    as well (a person's erasure blanking the reason of the household merge that moved them): each
    one's leaf is redacted with it, on the same authority, so the book still verifies."""
    _erasures[kind] = Erasure(tables, erase, also)


def erasure(kind: str) -> Erasure | None:
    return _erasures.get(kind)
