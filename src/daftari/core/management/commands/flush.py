"""Django's flush, refused outside the test suite because the Occurrence Book is append-only.

The test suite flushes its throwaway database between transactional tests; the guards are
lifted for that flush and put back straight after.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections

from daftari.core import append_only


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not settings.DAFTARI_ALLOW_FLUSH:
            raise CommandError("The Occurrence Book is append-only: flush is refused.")
        connection = connections[options["database"]]
        tables = append_only.guarded_tables(connection)
        append_only.uninstall(connection, tables)
        try:
            super().handle(**options)
        finally:
            append_only.install(connection, tables)
