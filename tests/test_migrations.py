"""Every migration can be undone: the app's schema goes to zero and back with data in it."""

import pytest
from django.core.management import call_command
from django.db import connection

from timeline.models import Event


@pytest.mark.django_db(transaction=True)
def test_every_migration_is_reversible(make_event):
    make_event("Kept until the schema goes")
    call_command("migrate", "timeline", "zero", verbosity=0)
    assert "timeline_event" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert "timeline_event" in connection.introspection.table_names()
    assert Event.objects.count() == 0
    call_command("makemigrations", "timeline", check=True, dry_run=True, verbosity=0)
