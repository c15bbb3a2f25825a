"""Helpers for tests that send SMS: run the queued jobs as the worker would, read what was sent."""

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

# The type of pytest-django's django_capture_on_commit_callbacks fixture.
CommitCallbacks = Callable[..., AbstractContextManager[list[Callable[[], object]]]]


def run_ready_jobs() -> int:
    """Runs every job that is due now, as ``daftari worker`` would; returns how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (job := DBTaskResult.objects.ready().first()) is not None:
        job.claim(worker.worker_id)
        worker.run_task(job)
        ran += 1
    return ran


def sent_sms() -> list[dict[str, Any]]:
    """What the file backend wrote, one dict per message."""
    path: Path = settings.DAFTARI_SMS_FILE_PATH
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
