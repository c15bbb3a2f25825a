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
