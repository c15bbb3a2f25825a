"""The append-only guards of the fines tables, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = [
    "fines_offencecatalogue",
    "fines_scheduledoffence",
    "fines_finenotice",
    "fines_noticeoffence",
    "fines_noticeevent",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
