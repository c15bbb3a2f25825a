import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "counties.json"


def load_counties(apps, schema_editor):
    County = apps.get_model("stations", "County")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["counties"]:
        County.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "capital": row["capital"]})


def unload_counties(apps, schema_editor):
    County = apps.get_model("stations", "County")
    County.objects.filter(stations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_counties_stations_officers")]
    operations = [migrations.RunPython(load_counties, unload_counties)]
