"""The append-only guards of issued documents, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = [
    "documents_issueddocument",
    "documents_documentrevocation",
    "documents_documentfee",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
