"""The node's continuous sync: every DAFTARI_NODE_SYNC_SECONDS while the hub answers, backing off
to 30 s while it does not. It runs in ``daftari worker`` beside the other periodic jobs.

At the hub: the job that indexes a node's book for national search, queued when a push is accepted."""

import logging
import threading

from django.conf import settings
from django.db import connection
from django_tasks import task

from daftari.nodes import mirror, node, rules
from daftari.nodes.rules import SyncOutcome

log = logging.getLogger(__name__)


def sync_loop(stop: threading.Event) -> None:
    failures = 0
    try:
        while not stop.is_set():
            if node.link() is not None:
                try:
                    result = node.sync()
                except Exception:
                    log.exception("nodes: sync failed; it is tried again")
                    failures += 1
                else:
                    failures = failures + 1 if result.outcome == SyncOutcome.UNREACHABLE else 0
                    if result.outcome == SyncOutcome.REFUSED:
                        log.error("nodes: the hub refused: %s", result.message)
            stop.wait(rules.retry_delay(failures, interval=settings.DAFTARI_NODE_SYNC_SECONDS))
    finally:
        connection.close()


@task()
def index_mirrored_book(node_id: int) -> int:
    """Indexes what national search does not read yet of node ``node_id``'s book; the entries indexed."""
    return mirror.index_new(node_id)
