"""The append-only guards of the alerts register, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = ["alerts_alert", "alerts_alertwithdrawal"]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
