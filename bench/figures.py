"""Percentiles and the printed verdicts."""

import math

from rich.console import Console

# Wide enough for the tables when the output goes to a file or CI log rather than a terminal.
console = Console(highlight=False, width=None if Console().is_terminal else 120)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of ``samples`` (0 < p <= 100)."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def verdict(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]MISSED[/]"
