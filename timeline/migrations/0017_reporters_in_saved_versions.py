"""Migration 0013 renamed the "reporter" role in the rows; the saved states still held it.

Every saved version of an actor's role (django-reversion) and every change waiting for review
(its objects and its form) is given the role 0013 would have given it, so restoring an old
version or approving an old proposal never writes a role that no longer exists.
"""

import json
import re

from django.db import migrations

# The split 0013 made, as the archive loader makes it for a version 1 archive.
from timeline.data.archive import teller_role

ROLE_FIELD = re.compile(r"^event_actors-(\d+)-role$")


def _rewrite(objects: list, kinds: dict) -> bool:
    changed = False
    for obj in objects:
        fields = obj.get("fields", {})
        if obj.get("model") == "timeline.eventactor" and fields.get("role") == "reporter":
            fields["role"] = teller_role(kinds.get(fields.get("actor")), fields.get("note") or "")
            changed = True
    return changed


def forwards(apps, schema_editor):
    Actor = apps.get_model("timeline", "Actor")
    PendingChange = apps.get_model("timeline", "PendingChange")
    Version = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kinds = dict(Actor.objects.values_list("pk", "kind"))
    roles = ContentType.objects.filter(app_label="timeline", model="eventactor").first()
    if roles is not None:
        for version in Version.objects.filter(content_type=roles, format="json").iterator():
            objects = json.loads(version.serialized_data)
            if _rewrite(objects, kinds):
                version.serialized_data = json.dumps(objects)
                version.save(update_fields=["serialized_data"])
    for change in PendingChange.objects.iterator():
        objects = json.loads(change.proposed)
        changed = _rewrite(objects, kinds)
        data = change.form_data or {}
        for key, value in list(data.items()):
            match = ROLE_FIELD.match(key)
            role = value[0] if isinstance(value, list) and value else value
            if match and role == "reporter":
                n = match.group(1)
                actor = data.get(f"event_actors-{n}-actor")
                actor = actor[0] if isinstance(actor, list) and actor else actor
                note = data.get(f"event_actors-{n}-note") or ""
                note = note[0] if isinstance(note, list) and note else note
                new = teller_role(kinds.get(int(actor)) if str(actor).isdigit() else None, note)
                data[key] = [new] if isinstance(value, list) else new
                changed = True
        if changed:
            change.proposed = json.dumps(objects)
            change.form_data = data
            change.save(update_fields=["proposed", "form_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0016_public_updates"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
