"""Demo data of the apps above the Occurrence Book, registered by them and run by ``daftari demo``.

The demo command lives with the Occurrence Book; custody and fines sit above it, so they hand
their part in here instead of being imported by it. Each part must be idempotent.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

# (stations by code, users by demo username, now) -> how many records the part added
Part = Callable[[dict[str, Any], dict[str, Any], datetime], int]

_parts: dict[str, Part] = {}


def register(name: str, part: Part) -> None:
    _parts[name] = part


def run_all(stations: dict[str, Any], users: dict[str, Any], now: datetime) -> dict[str, int]:
    return {name: _parts[name](stations, users, now) for name in sorted(_parts)}
