"""When each event and figure can be said to have been known, for "as of" views."""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import migrations, models

from timeline.dates import Precision


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")


def fill(apps, schema_editor):
    Event = apps.get_model("timeline", "Event")
    Claim = apps.get_model("timeline", "Claim")
    for event in Event.objects.only("start", "precision", "part_of_day", "timezone").iterator():
        local = event.start.astimezone(_zone(event.timezone))
        known = Precision(event.precision).known_from(local, event.part_of_day)
        Event.objects.filter(pk=event.pk).update(known_from=known.astimezone(dt.UTC))
    claims = Claim.objects.filter(reported_at__isnull=False).select_related("event")
    for claim in claims.iterator():
        local = claim.reported_at.astimezone(_zone(claim.reported_timezone or claim.event.timezone))
        known = Precision(claim.reported_precision or "day").known_from(local)
        Claim.objects.filter(pk=claim.pk).update(known_from=known.astimezone(dt.UTC))


class Migration(migrations.Migration):
    dependencies = [("timeline", "0014_timeline_clock")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="known_from",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="claim",
            name="known_from",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="known_from",
            field=models.DateTimeField(db_index=True, editable=False),
        ),
    ]
