"""Database objects the ORM does not describe: the append-only guards and the SQLite search table.

SQLite rebuilds a table for most schema changes and drops its triggers with it, so these are
(re)installed after every migrate, not only by the migration that first created them.
"""

from django.db.backends.base.base import BaseDatabaseWrapper

from daftari.core import append_only

APPEND_ONLY_TABLES = [
    "occurrences_occurrence",
    "occurrences_party",
    "occurrences_offence",
    "occurrences_propertyitem",
    "occurrences_vehicle",
]

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS occurrences_fts USING fts5("
    "occurrence_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS occurrences_fts_insert AFTER INSERT ON occurrences_occurrence "
    "BEGIN INSERT INTO occurrences_fts (occurrence_id, body) VALUES (new.id, new.search_text); END",
]
# 'simple' rather than 'english': narratives mix English, Kiswahili and Sheng.
POSTGRES_SEARCH = [
    "CREATE INDEX IF NOT EXISTS occurrences_search_gin ON occurrences_occurrence "
    "USING gin (to_tsvector('simple', search_text))",
]


def ensure(connection: BaseDatabaseWrapper) -> None:
    append_only.install(connection, APPEND_ONLY_TABLES)
    statements = SQLITE_SEARCH if connection.vendor == "sqlite" else POSTGRES_SEARCH
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
