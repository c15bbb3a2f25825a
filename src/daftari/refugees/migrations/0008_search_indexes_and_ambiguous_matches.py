"""Indexes for the register search at the country's size (issue 14): a document number of any kind,
and, on PostgreSQL, a GIN index over the words of ``name_key`` (as the book's full text is indexed),
so a name search is not a scan of every person (SQLite has no such index; its registers are small).
And the de-duplication pass counts the matches it left out as ambiguous."""

from typing import Any

from django.db import migrations, models


def _words_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS refugees_person_name_words ON refugees_person "
            "USING gin (to_tsvector('simple', name_key))"
        )


def _drop_words_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS refugees_person_name_words")


class Migration(migrations.Migration):
    dependencies = [
        ("refugees", "0007_station_nodes_keep_document_states"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="refugeedocument",
            index=models.Index(fields=["number"], name="refugees_document_number"),
        ),
        migrations.RunPython(_words_index, _drop_words_index),
        migrations.AddField(
            model_name="dedupepass",
            name="ambiguous",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
