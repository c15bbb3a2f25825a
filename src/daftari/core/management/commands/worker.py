"""``daftari worker``: runs queued jobs (SMS, ledger, ...) from the database queue.

It is django-tasks-db's ``db_worker`` with Daftari's defaults: every queue, no autoreload.
SIGTERM or SIGINT lets the running job finish, then the worker exits; a second signal stops it at once.
Beside the jobs, a thread signs a checkpoint of every station's book that grew (LEDGER.md: at least
every 60 s while a log grows), every ``CHECKPOINT_INTERVAL_SECONDS``.
"""

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.db import connection
from django_tasks_db.management.commands import db_worker

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_SECONDS = 30


def sign_checkpoints_tick() -> int:
    """One tick of the checkpoint loop: sign every grown book; never let an error end the loop.

    Returns how many checkpoints were signed.
    """
    from daftari.ledger import services as ledger

    try:
        return len(ledger.sign_grown_logs())
    except ledger.InconsistentLog:
        # A book that no longer extends its last signed checkpoint was rewritten: alarm, sign nothing.
        log.critical("ledger: refused to sign a checkpoint", exc_info=True)
    except Exception:
        log.exception("ledger: signing checkpoints failed; retrying next tick")
    return 0


def checkpoint_loop(stop: threading.Event, interval: float = CHECKPOINT_INTERVAL_SECONDS) -> None:
    try:
        while not stop.is_set():
            sign_checkpoints_tick()
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
        signer = threading.Thread(target=checkpoint_loop, args=(stop,), name="ledger-checkpoints", daemon=True)
        signer.start()
        try:
            super().handle(*args, **options)
        finally:
            # The job loop returns once SIGTERM/SIGINT was handled: let the signer finish its tick.
            stop.set()
            signer.join(timeout=10)
