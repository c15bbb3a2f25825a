"""A status-correction case and a de-duplication proposal hold a 14-digit Maisha Namba as well as an
older 7- or 8-digit national ID number (issue 14): the column was 12 characters."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("refugees", "0008_search_indexes_and_ambiguous_matches"),
    ]

    operations = [
        migrations.AlterField(
            model_name="correctioncase",
            name="national_id",
            field=models.CharField(max_length=14),
        ),
        migrations.AlterField(
            model_name="matchproposal",
            name="national_id",
            field=models.CharField(max_length=14),
        ),
    ]
