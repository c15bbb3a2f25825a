"""``daftari worker``: runs queued jobs (SMS, ledger, ...) from the database queue.

It is django-tasks-db's ``db_worker`` with Daftari's defaults: every queue, no autoreload.
SIGTERM or SIGINT lets the running job finish, then the worker exits; a second signal stops it at once.
Beside the jobs, a thread runs the periodic jobs every 30 s (core/periodic.py): among them the
signing of a checkpoint for every station's book that grew (LEDGER.md: at least every 60 s).
Jobs with a rhythm of their own (a station node's sync with the hub) run in threads of their own.
"""

import threading
from argparse import ArgumentParser
from typing import Any

from django.db import connection
from django_tasks_db.management.commands import db_worker

from daftari.core import periodic


def periodic_loop(stop: threading.Event, interval: float = periodic.INTERVAL_SECONDS) -> None:
    """Runs the registered periodic jobs (the ledger's checkpoint signing among them) until ``stop``."""
    try:
        while not stop.is_set():
            periodic.run_all()
            stop.wait(interval)
    finally:
        connection.close()  # this thread's own connection


class Command(db_worker.Command):
    help = "Run the background job worker (stops gracefully on SIGTERM / Ctrl-C)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        ticker = threading.Thread(target=periodic_loop, args=(stop,), name="periodic-jobs", daemon=True)
        ticker.start()
        others = [
            threading.Thread(target=loop, args=(stop,), name=name, daemon=True)
            for name, loop in periodic.loops().items()
        ]
        for thread in others:
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            # The job loop returns once SIGTERM/SIGINT was handled: let the periodic jobs finish their tick.
            stop.set()
            for thread in [ticker, *others]:
                thread.join(timeout=10)
