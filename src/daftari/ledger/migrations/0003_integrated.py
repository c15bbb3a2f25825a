from django.db import migrations, models
from django.db.models import F


def built_up_to_size(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Until now every append built the tree at once: each log's edge is that of its whole size.
    apps.get_model("ledger", "Log").objects.update(integrated=F("size"))


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_lawful_erasure"),
    ]

    operations = [
        migrations.AddField(
            model_name="log",
            name="integrated",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(built_up_to_size, migrations.RunPython.noop),
    ]
