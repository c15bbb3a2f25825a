"""The hub's index of mirrored entries keeps the entry each one refers to (an entry is read back with
every correction of it by an index), and mentions the police officer suspected of the entries that name
one (vetting reads those few by the mention index): both filled in here for the entries already indexed."""

import uuid
from typing import Any

from django.db import migrations, models

SUSPECTED_OFFICER = "suspected_officer"  # occurrences.entry_types.SUSPECTED_OFFICER, as it was written


def _refers_to(record: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(record["refers_to"])) if record.get("refers_to") else None
    except ValueError:
        return None


def _officer(record: dict[str, Any]) -> str | None:
    """nodes.rules.officer_suspected, as it was written."""
    details = record.get("details")
    if not isinstance(details, dict):
        return None
    fields = details.get("changes") if record.get("entry_type") == "AMENDMENT" else details
    if not isinstance(fields, dict) or SUSPECTED_OFFICER not in fields:
        return None
    return str(fields[SUSPECTED_OFFICER] or "").strip().upper()[:40]


def fill_in(apps: Any, schema_editor: Any) -> None:
    entries = apps.get_model("nodes", "MirroredEntry")
    mentions = apps.get_model("nodes", "MirroredMention")
    rows = entries.objects.select_related("leaf").order_by("pk")
    for row in rows.iterator(chunk_size=2000):
        record = row.leaf.record if isinstance(row.leaf.record, dict) else {}
        if (refers_to := _refers_to(record)) is not None:
            entries.objects.filter(pk=row.pk).update(refers_to=refers_to)
        if (officer := _officer(record)) is not None:
            mentions.objects.get_or_create(entry_id=row.pk, kind="officer", value=officer)


def forget(apps: Any, schema_editor: Any) -> None:
    apps.get_model("nodes", "MirroredMention").objects.filter(kind="officer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("nodes", "0005_mirrored_books_indexed_for_search_after_commit"),
        ("stations", "0007_station_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="mirroredentry",
            name="refers_to",
            field=models.UUIDField(null=True),
        ),
        migrations.AddIndex(
            model_name="mirroredentry",
            index=models.Index(fields=["refers_to"], name="mirrored_refers_to"),
        ),
        migrations.RunPython(fill_in, forget),
    ]
