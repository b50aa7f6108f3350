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


BATCH = 2000


def fill(apps, schema_editor):
    Event = apps.get_model("timeline", "Event")
    Claim = apps.get_model("timeline", "Claim")
    events = Event.objects.only("start", "precision", "part_of_day", "timezone")
    batch = []
    for event in events.iterator(chunk_size=BATCH):
        local = event.start.astimezone(_zone(event.timezone))
        known = Precision(event.precision).known_from(local, event.part_of_day)
        event.known_from = known.astimezone(dt.UTC)
        batch.append(event)
        if len(batch) == BATCH:
            Event.objects.bulk_update(batch, ["known_from"])
            batch = []
    Event.objects.bulk_update(batch, ["known_from"])
    claims = Claim.objects.filter(reported_at__isnull=False).select_related("event")
    batch = []
    for claim in claims.iterator(chunk_size=BATCH):
        local = claim.reported_at.astimezone(_zone(claim.reported_timezone or claim.event.timezone))
        known = Precision(claim.reported_precision or "day").known_from(local)
        claim.known_from = known.astimezone(dt.UTC)
        batch.append(claim)
    Claim.objects.bulk_update(batch, ["known_from"], batch_size=BATCH)


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
        # Required and indexed in 0018, after the fill has committed: PostgreSQL refuses to
        # alter a table with updates still pending in the same transaction (as 0008/0009).
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
