"""The append-only guards of the cell register, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = [
    "custody_custodyrecord",
    "custody_propertyitem",
    "custody_custodyevent",
    "custody_dayclose",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
