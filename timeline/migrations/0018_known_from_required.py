"""Every event has its known_from since 0015 filled it: now required, and indexed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("timeline", "0017_reporters_in_saved_versions")]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="known_from",
            field=models.DateTimeField(db_index=True, editable=False),
        ),
    ]
