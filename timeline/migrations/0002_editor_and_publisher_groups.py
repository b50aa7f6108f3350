from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = [
    "event",
    "eventactor",
    "citation",
    "claim",
    "eventlink",
    "actor",
    "source",
    "category",
    "timeline",
]
# Inline rows are removed by editors as part of editing an event.
INLINE_MODELS = ["eventactor", "citation", "claim", "eventlink"]


def _codenames(actions, models):
    return [f"{action}_{model}" for action in actions for model in models]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(content_type__app_label="timeline")

    editor_codes = _codenames(["add", "change", "view"], MODELS) + _codenames(
        ["delete"], INLINE_MODELS
    )
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(perms.filter(codename__in=editor_codes))

    publisher, _ = Group.objects.get_or_create(name="Publisher")
    publisher.permissions.set(
        perms.filter(codename__in=editor_codes + _codenames(["delete"], MODELS) + ["publish_event"])
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
