"""Jobs the worker runs on every tick (every ``INTERVAL_SECONDS``), registered by the apps above core.

The ledger registers its checkpoint signing here, so the worker needs to know nothing of the ledger.
"""

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 30

Job = Callable[[], object]

_jobs: dict[str, Job] = {}

Loop = Callable[[threading.Event], None]
"""A job with a rhythm of its own (a station node's sync backs off while the hub is away): it runs
in its own worker thread until the event is set."""

_loops: dict[str, Loop] = {}


def register_loop(name: str, loop: Loop) -> None:
    _loops[name] = loop


def loops() -> dict[str, Loop]:
    return dict(_loops)


def register(name: str, job: Job) -> None:
    _jobs[name] = job


def names() -> list[str]:
    return sorted(_jobs)


def run_all() -> dict[str, object]:
    """Runs every job once; one failing job is logged and does not keep the others from running."""
    results: dict[str, object] = {}
    for name in sorted(_jobs):
        try:
            results[name] = _jobs[name]()
        except Exception:
            log.exception("periodic job %s failed; it runs again next tick", name)
    return results
