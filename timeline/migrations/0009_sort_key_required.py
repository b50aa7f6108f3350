from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("timeline", "0008_chart_labels_parts_of_day_sort_key")]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="sort_at",
            field=models.DateTimeField(db_index=True, editable=False),
        ),
    ]
