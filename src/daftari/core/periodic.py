"""Jobs the worker runs on every tick (every ``INTERVAL_SECONDS``), registered by the apps above core.

The ledger registers its checkpoint signing here, so the worker needs to know nothing of the ledger.
"""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 30

Job = Callable[[], object]

_jobs: dict[str, Job] = {}


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
