"""The append-only guards of the fines tables, (re)installed after every migrate like the book's."""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

# The catalogue tables are not guarded here: the test suite's serialized rollback rewrites the first
# version (loaded by a data migration) in place. Versions are only ever added by the service, and the
# admin cannot change them.
CATALOGUE_TABLES = ["fines_offencecatalogue", "fines_scheduledoffence"]

APPEND_ONLY_TABLES = [
    "fines_finenotice",
    "fines_noticeoffence",
    "fines_noticeevent",
]

# Added by a later migration (0005); an earlier migration calling ensure() must not look for it yet.
LATER_TABLES = ["fines_noticephoto"]


def ensure(connection: BaseDatabaseWrapper) -> None:
    existing = set(connection.introspection.table_names())
    append_only.install(connection, APPEND_ONLY_TABLES + [t for t in LATER_TABLES if t in existing])
