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


class Erasure:
    """How a kind's record loses its personal data: the tables it writes, and the function that does."""

    def __init__(self, tables: list[str], erase: Eraser) -> None:
        self.tables = tables
        self.erase = erase


_erasures: dict[str, Erasure] = {}


def register_erasure(kind: str, tables: list[str], erase: Eraser) -> None:
    """``erase(record_id)`` replaces the record's personal data; it runs with the guards on ``tables`` lifted."""
    _erasures[kind] = Erasure(tables, erase)


def erasure(kind: str) -> Erasure | None:
    return _erasures.get(kind)
