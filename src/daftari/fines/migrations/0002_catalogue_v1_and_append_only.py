from datetime import date
from pathlib import Path

from django.db import migrations
from django.utils import timezone

from daftari.core import append_only
from daftari.fines import database, rules

DATA = Path(__file__).resolve().parent.parent / "data" / "kenya_minor_offences.csv"
# The Traffic (Minor Offences) Rules, 2016 (L.N. 219/2016), gazetted on 23 September 2016.
EFFECTIVE_FROM = date(2016, 9, 23)


def load_catalogue(apps, schema_editor):
    OffenceCatalogue = apps.get_model("fines", "OffenceCatalogue")
    ScheduledOffence = apps.get_model("fines", "ScheduledOffence")
    if OffenceCatalogue.objects.filter(version=1).exists():
        return
    rows = rules.parse_catalogue(DATA.read_text(encoding="utf-8"))
    catalogue = OffenceCatalogue.objects.create(
        version=1, effective_from=EFFECTIVE_FROM, imported_at=timezone.now(), source_file=DATA.name
    )
    ScheduledOffence.objects.bulk_create(
        ScheduledOffence(
            catalogue=catalogue,
            code=r.code,
            offence=r.offence,
            fine_kes=r.fine_kes,
            legal_reference=r.legal_reference,
            status=r.status.value,
            source=r.source,
        )
        for r in rows
    )


def guards(apps, schema_editor):
    database.ensure(schema_editor.connection)


def no_guards(apps, schema_editor):
    append_only.uninstall(schema_editor.connection, database.APPEND_ONLY_TABLES)


class Migration(migrations.Migration):
    dependencies = [("fines", "0001_notices")]
    operations = [
        migrations.RunPython(load_catalogue, migrations.RunPython.noop),
        migrations.RunPython(guards, no_guards),
    ]
