"""Roles in the words of the record: who told of an event is not who took part in it, and a
role's note (who blamed them, who denied it) is shown beside it."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from timeline.models import EventActor

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _role(actor: str, event: str) -> str:
    return EventActor.objects.get(actor__name=actor, event__slug=event).role


def test_the_seed_tells_a_spokesman_an_official_and_an_outlet_apart(seed):
    assert _role("Jonathan Hoffman", "us-strikes-on-kataib-hezbollah") == "spokesperson"
    assert _role("Pirhossein Koulivand", "kerman-funeral-stampede") == "official_source"
    assert _role("IRINN", "kerman-funeral-stampede") == "reporting_outlet"
    assert _role("Iran's Civil Aviation Organization", "flight-ps752-shot-down") == (
        "official_source"
    )
    assert not EventActor.objects.filter(role="reporter").exists()


def test_a_role_note_is_shown_beside_the_role_on_the_page(client, seed):
    html = client.get("/events/k1-air-base-rocket-attack/").content.decode()
    who = html[html.index('id="actors-heading"') :]
    who = who[: who.index("</section>")]
    assert "<dt>Suspected or blamed</dt>" in who
    assert 'Kata&#x27;ib Hezbollah</a> <span class="role-note">— Blamed by the US; denied it' in who


def test_the_api_gives_each_role_its_note(client, seed):
    body = client.get("/api/events/kerman-funeral-stampede").json()
    koulivand = next(a for a in body["actors"] if a["name"] == "Pirhossein Koulivand")
    assert koulivand == {
        "slug": koulivand["slug"],
        "name": "Pirhossein Koulivand",
        "role": "official_source",
        "note": "Emergency chief; gave early figures",
    }


def test_the_migration_splits_reporters_by_who_they_are(make_event, make_actor):
    event = make_event()
    rows = {
        "CNN": ("media", ""),
        "Jonathan Hoffman": ("person", "Pentagon spokesman"),
        "Pirhossein Koulivand": ("person", "Emergency chief"),
        "US officials": ("group", ""),
    }
    for name, (kind, note) in rows.items():
        actor = make_actor(name, kind=kind)
        EventActor.objects.create(event=event, actor=actor, role="reporter", note=note)
    migration = importlib.import_module("timeline.migrations.0013_roles_in_the_words_of_the_record")
    migration.split_reporters(apps, None)
    assert {r.actor.name: r.role for r in EventActor.objects.filter(event=event)} == {
        "CNN": "reporting_outlet",
        "Jonathan Hoffman": "spokesperson",
        "Pirhossein Koulivand": "official_source",
        "US officials": "official_source",
    }


def test_saved_versions_and_waiting_changes_lose_the_old_reporter_role(make_event, make_actor):
    import json

    import reversion
    from reversion.models import Version

    from timeline.models import PendingChange

    event = make_event()
    spokesman = make_actor("Jonathan Hoffman", kind="person")
    with reversion.create_revision():
        role = EventActor.objects.create(
            event=event, actor=spokesman, role="spokesperson", note="Pentagon spokesman"
        )
        reversion.add_to_revision(role)
    version = Version.objects.get_for_object(role).get()
    saved = json.loads(version.serialized_data)
    saved[0]["fields"]["role"] = "reporter"  # as saved before migration 0013
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(saved))
    proposed = [{"model": "timeline.eventactor", "pk": role.pk, "fields": saved[0]["fields"]}]
    change = PendingChange.objects.create(
        event=event,
        base_version=event.version,
        proposed=json.dumps(proposed),
        form_data={
            "event_actors-0-actor": [str(spokesman.pk)],
            "event_actors-0-role": ["reporter"],
            "event_actors-0-note": ["Pentagon spokesman"],
        },
    )
    migration = importlib.import_module("timeline.migrations.0017_reporters_in_saved_versions")
    migration.forwards(apps, None)
    version.refresh_from_db()
    assert json.loads(version.serialized_data)[0]["fields"]["role"] == "spokesperson"
    change.refresh_from_db()
    assert json.loads(change.proposed)[0]["fields"]["role"] == "spokesperson"
    assert change.form_data["event_actors-0-role"] == ["spokesperson"]


def test_the_csv_gives_each_role_with_its_note(client):
    import csv
    import io

    from django.core.management import call_command

    call_command("loaddata", "fixtures/us-iran-2019-2020.json", verbosity=0)
    rows = csv.DictReader(io.StringIO(client.get("/api/events.csv").content.decode()))
    k1 = next(row for row in rows if "K-1" in row["title"])
    assert "Kata'ib Hezbollah (suspected or blamed: " in k1["actors"]
