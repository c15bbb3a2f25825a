from django.db import migrations

from daftari.core import append_only
from daftari.occurrences import database


def forwards(apps, schema_editor):
    database.ensure(schema_editor.connection)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    append_only.uninstall(connection, database.APPEND_ONLY_TABLES)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS occurrences_fts_insert")
            cursor.execute("DROP TABLE IF EXISTS occurrences_fts")
        else:
            cursor.execute("DROP INDEX IF EXISTS occurrences_search_gin")


class Migration(migrations.Migration):
    dependencies = [("occurrences", "0001_occurrence_book")]
    operations = [migrations.RunPython(forwards, backwards)]
