"""The register search's index of names (issue 14): one row a word of each person's names and
aliases, with the names the results are ordered by (models.PersonNameWord), filled here for the
people already registered. It replaces the GIN index over ``name_key`` (migration 0008), which found
a common name's people but had to read and sort every one of them for the first page."""

import re
import unicodedata
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5_000


def _words(*names: str) -> list[str]:
    # rules.search_words as it was written with this migration (a migration does not follow later changes).
    words: dict[str, None] = {}
    for name in names:
        plain = unicodedata.normalize("NFKD", name.casefold())
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        for word in re.findall(r"[^\W_]+", plain):
            words[word[:60]] = None
    return list(words)


def _fill(apps: Any, schema_editor: Any) -> None:
    person_model = apps.get_model("refugees", "Person")
    word_model = apps.get_model("refugees", "PersonNameWord")
    rows = []
    # An erased person's search words were blanked with their names: they get none.
    people = (
        person_model.objects.exclude(name_key="").order_by().values_list("pk", "given_names", "family_name", "aliases")
    )
    for pk, given, family, aliases in people.iterator(chunk_size=BATCH):
        rows += [
            word_model(person_id=pk, word=w, family_name=family, given_names=given)
            for w in _words(given, family, aliases)
        ]
        if len(rows) >= BATCH:
            word_model.objects.bulk_create(rows)
            rows = []
    word_model.objects.bulk_create(rows)


def _drop_words_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS refugees_person_name_words")


def _words_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS refugees_person_name_words ON refugees_person "
            "USING gin (to_tsvector('simple', name_key))"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("refugees", "0009_national_ids_hold_a_maisha_namba"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonNameWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=60)),
                ("family_name", models.CharField(max_length=120)),
                ("given_names", models.CharField(max_length=120)),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="name_words", to="refugees.person"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["word", "family_name", "given_names", "person"], name="refugees_name_word_order"
                    )
                ],
                "constraints": [models.UniqueConstraint(fields=("person", "word"), name="one_name_word_per_person")],
            },
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
        migrations.RunPython(_drop_words_index, _words_index),
    ]
