from django.db import migrations

from daftari.core import append_only

TABLES = [
    "occurrences_occurrence",
    "occurrences_party",
    "occurrences_offence",
    "occurrences_propertyitem",
    "occurrences_vehicle",
]

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE occurrences_fts USING fts5(occurrence_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER occurrences_fts_insert AFTER INSERT ON occurrences_occurrence "
    "BEGIN INSERT INTO occurrences_fts (occurrence_id, body) VALUES (new.id, new.search_text); END",
]
SQLITE_SEARCH_REVERSE = [
    "DROP TRIGGER IF EXISTS occurrences_fts_insert",
    "DROP TABLE IF EXISTS occurrences_fts",
]
# 'simple' rather than 'english': narratives mix English, Kiswahili and Sheng.
POSTGRES_SEARCH = [
    "CREATE INDEX occurrences_search_gin ON occurrences_occurrence "
    "USING gin (to_tsvector('simple', search_text))",
]
POSTGRES_SEARCH_REVERSE = ["DROP INDEX IF EXISTS occurrences_search_gin"]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    append_only.install(connection, TABLES)
    statements = SQLITE_SEARCH if connection.vendor == "sqlite" else POSTGRES_SEARCH
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    append_only.uninstall(connection, TABLES)
    statements = SQLITE_SEARCH_REVERSE if connection.vendor == "sqlite" else POSTGRES_SEARCH_REVERSE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("occurrences", "0001_occurrence_book")]
    operations = [migrations.RunPython(forwards, backwards)]
