from django.db import migrations

from daftari.core import append_only
from daftari.fines import database


def unguard(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, database.CATALOGUE_TABLES)


def guard(apps, schema_editor):
    append_only.install(schema_editor.connection, database.CATALOGUE_TABLES)


class Migration(migrations.Migration):
    dependencies = [("fines", "0003_state_labels")]
    operations = [migrations.RunPython(unguard, guard)]
