"""``daftari worker``: runs queued jobs (SMS, ledger, ...) from the database queue.

It is django-tasks-db's ``db_worker`` with Daftari's defaults: every queue, no autoreload.
SIGTERM or SIGINT lets the running job finish, then the worker exits; a second signal stops it at once.
"""

from argparse import ArgumentParser

from django_tasks_db.management.commands import db_worker


class Command(db_worker.Command):
    help = "Run the background job worker (stops gracefully on SIGTERM / Ctrl-C)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
