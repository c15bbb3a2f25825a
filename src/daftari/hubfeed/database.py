"""The append-only guards of the down-log's tables, (re)installed after every migrate."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = ["hubfeed_publishedrecord", "hubfeed_verifiedhubdata"]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
