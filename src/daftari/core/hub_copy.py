"""On a station node: when the hub signed the copy of its data this node works from.

The hub's signed down-log (daftari.hubfeed) sits above the registers whose copies it brings down (the
refugee register's document states), so they cannot ask it: it registers its answer here at start-up,
and a register answering from its copy says how old that copy is.
"""

from collections.abc import Callable
from datetime import datetime

AsOf = Callable[[], datetime | None]

_as_of: list[AsOf] = []


def register(as_of: AsOf) -> None:
    if as_of not in _as_of:
        _as_of.append(as_of)


def as_of() -> datetime | None:
    """When the hub signed the last copy this node verified; None before its first, or off a node."""
    for ask in _as_of:
        if (when := ask()) is not None:
            return when
    return None
