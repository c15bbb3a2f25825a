from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0004_apitoken_password_stamp"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessevent",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("desk_view", "read at the desk"),
                    ("api_read", "read on the API"),
                    ("record", "the answer to recording it"),
                    ("search", "search"),
                    ("list", "a list or register"),
                    ("lookup", "a look-up by ID number, phone, plate or licence"),
                    ("print", "printed"),
                    ("casework", "casework"),
                    ("oversight_review", "oversight review"),
                    ("evidence", "evidence bundle"),
                    ("public_verify", "public verify page"),
                    ("admin", "administration"),
                ],
                max_length=60,
            ),
        ),
    ]
