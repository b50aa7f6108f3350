"""Several places per event: the main one on the event, the others beside it, everywhere."""

import csv
import importlib
import io
import json
import re

import icalendar
import pytest
from django.apps import apps
from django.core.management import call_command

from tests.helpers import change_url, form_data
from timeline.models import Event, EventPlace

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"
# ../shared/facts.md, rows 6 and 12.
FUNERALS = [("Ahvaz, Iran", 31.32, 48.67), ("Mashhad, Iran", 36.31, 59.60)]
MISSILES = [("Ain al-Asad air base, Anbar, Iraq", 33.79, 42.44), ("Erbil, Iraq", 36.24, 43.96)]


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _where(places: list[dict]) -> list[tuple]:
    return [(p["name"], p["latitude"], p["longitude"]) for p in places]


def test_both_places_of_the_two_seed_events_are_in_the_api(client, seed):
    for slug, expected in [
        ("funerals-ahvaz-mashhad", FUNERALS),
        ("iranian-missile-strikes-ain-al-asad-erbil", MISSILES),
    ]:
        event = client.get(f"/api/events/{slug}").json()
        assert _where(event["places"]) == expected
        assert _where([event["place"]]) == expected[:1]


def test_the_event_page_lists_every_place_with_its_map_link(client, seed):
    html = client.get("/events/funerals-ahvaz-mashhad/").content.decode()
    assert "Ahvaz, Iran" in html and "Mashhad, Iran" in html
    assert "mlat=36.31&amp;mlon=59.6" in html
    listing = client.get("/").content.decode()
    assert "Ahvaz, Iran and Mashhad, Iran" in listing


def test_an_approximate_place_says_so(client, seed):
    embassy = Event.objects.get(slug="us-embassy-baghdad-attack")
    assert embassy.place_approximate and "approximate" not in embassy.place_name
    html = client.get(embassy.get_absolute_url()).content.decode()
    assert re.search(r'class="coords">\(about 33\.30, 44\.39\)', html)
    assert client.get("/api/events/us-embassy-baghdad-attack").json()["place"]["approximate"]


def test_exports_list_every_place_and_json_ld_keeps_the_main_one(client, seed):
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events.csv").content.decode())))
    row = next(r for r in rows if r["slug"] == "funerals-ahvaz-mashhad")
    assert row["places"] == "Ahvaz, Iran (31.32, 48.67); Mashhad, Iran (36.31, 59.6)"
    assert row["place"] == "Ahvaz, Iran"
    calendar = icalendar.Calendar.from_ical(client.get("/api/events.ics").content)
    funerals = next(c for c in calendar.walk("VEVENT") if "funerals" in str(c["uid"]))
    assert str(funerals["location"]) == "Ahvaz, Iran; Mashhad, Iran"
    html = client.get("/events/funerals-ahvaz-mashhad/").content.decode()
    data = json.loads(re.search(r'type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["location"]["name"] == "Ahvaz, Iran"


def test_an_editor_adds_a_second_place_in_the_desk(client, editor, make_event):
    event = make_event("Missiles", status=Event.Status.DRAFT)
    client.force_login(editor)
    assert client.post(change_url(event), form_data(event, event.category)).status_code == 302
    event.refresh_from_db()
    data = form_data(event, event.category)
    data.update(
        {
            "more_places-TOTAL_FORMS": 1,
            "more_places-0-name": "Erbil",
            "more_places-0-country": "IQ",
            "more_places-0-latitude": "36.24",
            "more_places-0-longitude": "",
        }
    )
    refused = client.post(change_url(event), data)
    assert refused.status_code == 200
    assert "Give both latitude and longitude" in refused.content.decode()
    data["more_places-0-longitude"] = "43.96"
    data["seen_version"] = Event.objects.get(pk=event.pk).version
    saved = client.post(change_url(event), data)
    assert saved.status_code == 302
    assert [(p.name, p.latitude, p.longitude) for p in event.more_places.all()] == [
        ("Erbil", 36.24, 43.96)
    ]
    from django.urls import reverse

    history = client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    assert "Erbil, Iraq (IQ) (36.24, 43.96)" in history.content.decode()


def test_the_migration_reads_approximate_out_of_place_names(make_event):
    event = make_event("Embassy")
    Event.objects.filter(pk=event.pk).update(place_name="US Embassy (approximate location)")
    migration = importlib.import_module("timeline.migrations.0020_approximate_places")
    migration.forwards(apps, None)
    event.refresh_from_db()
    assert (event.place_name, event.place_approximate) == ("US Embassy", True)


def test_a_further_place_outside_the_globe_is_refused_by_the_database(make_event):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        EventPlace.objects.create(event=make_event(), name="Nowhere", latitude=91, longitude=0)


def test_a_place_added_to_a_live_event_waits_for_review_like_any_part(
    client, editor, publisher, make_event
):
    from django.urls import reverse

    from timeline.models import PendingChange

    event = make_event("Missiles")
    client.force_login(editor)
    client.get(change_url(event))
    data = form_data(event, event.category)
    data.update(
        {
            "more_places-TOTAL_FORMS": 1,
            "more_places-0-name": "Erbil",
            "more_places-0-country": "IQ",
            "more_places-0-latitude": "36.24",
            "more_places-0-longitude": "43.96",
        }
    )
    assert client.post(change_url(event), data).status_code == 302
    change = PendingChange.objects.get(event=event, state="waiting")
    assert not event.more_places.exists()
    client.force_login(publisher)
    review = client.get(reverse("admin:timeline_event_review", args=[event.pk])).content.decode()
    assert "Erbil, Iraq (IQ) (36.24, 43.96)" in review
    url = reverse("admin:timeline_event_decide", args=[event.pk, change.pk])
    client.post(url, {"decision": "approve"})
    assert [p.name for p in event.more_places.all()] == ["Erbil"]
