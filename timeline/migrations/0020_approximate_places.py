"""Editors and publishers edit an event's other places as they edit its other parts; places that
said "(approximate location)" in their name now say it in place_approximate, which the page and
the map show, and the words leave the name."""

import re

from django.contrib.auth.management import create_permissions
from django.db import migrations

MARKER = re.compile(r"\s*\(approximate(?: location)?\)\s*$", re.IGNORECASE)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need this one now.
    config = apps.get_app_config("timeline")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codes = [f"{action}_eventplace" for action in ("add", "change", "delete", "view")]
    for group in Group.objects.filter(name__in=["Editor", "Publisher"]):
        group.permissions.add(*Permission.objects.filter(codename__in=codes))


def forwards(apps, schema_editor):
    Event = apps.get_model("timeline", "Event")
    for event in Event.objects.filter(place_name__iregex=r"\(approximate( location)?\)\s*$"):
        Event.objects.filter(pk=event.pk).update(
            place_name=MARKER.sub("", event.place_name), place_approximate=True
        )


def backwards(apps, schema_editor):
    Event = apps.get_model("timeline", "Event")
    for event in Event.objects.filter(place_approximate=True):
        Event.objects.filter(pk=event.pk).update(
            place_name=f"{event.place_name} (approximate location)"
        )


class Migration(migrations.Migration):
    dependencies = [("timeline", "0019_places"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(forwards, backwards),
    ]
