import datetime as dt

import pytest
from django.core.management import call_command

from timeline.colours import MINIMUM, weakest_contrast
from timeline.models import Actor, Category, Citation, Claim, Event, EventLink, Timeline

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _counts() -> dict:
    models = (Event, Actor, Citation, Claim, EventLink, Timeline)
    return {m.__name__: m.objects.count() for m in models}


def test_loading_the_seed_twice_adds_no_duplicates(seed):
    first = _counts()
    call_command("loaddata", SEED, verbosity=0)
    assert _counts() == first
    assert first["Event"] >= 8


def test_every_seed_object_passes_validation(seed):
    for model in (Event, Actor, Citation, Claim, EventLink, Category):
        for obj in model.objects.all():
            obj.full_clean()


def test_every_published_seed_event_cites_a_source_and_has_a_place_and_zone(seed):
    for event in Event.objects.published():
        assert event.citations.exists(), event.title
        assert event.timezone in ("Asia/Baghdad", "Asia/Tehran"), event.title


def test_kerman_toll_is_attributed_to_irinn_as_read_in_cnn(seed):
    claims = Claim.objects.filter(kind="deaths", value=56).select_related("source", "attributed_to")
    kerman = next(c for c in claims if "Kerman" in c.event.place_name)
    assert kerman.attributed_to.name.startswith("IRINN")
    assert kerman.source.publisher == "CNN"
    assert "35 men" in kerman.text and "21 women" in kerman.text
    injured = Claim.objects.get(
        event=kerman.event, kind="injuries", value=213, attributed_to=kerman.attributed_to
    )
    assert injured.source == kerman.source
    # Competing, earlier figures are kept as claims of their own.
    assert Claim.objects.filter(event=kerman.event, kind="deaths").count() > 1


def test_airport_strike_is_on_3_january_locally_and_2_january_in_utc(seed):
    strike = Event.objects.get(place_name__icontains="Baghdad International Airport")
    assert strike.local_start_date == dt.date(2020, 1, 3)
    assert strike.start.date() == dt.date(2020, 1, 2)


def test_the_seed_timeline_holds_the_key_events(seed):
    timeline = Timeline.objects.get(slug="us-iran-escalation-2019-2020")
    assert timeline.is_published
    days = {e.local_start_date for e in timeline.published_events()}
    for day in (27, 29, 31):
        assert dt.date(2019, 12, day) in days
    for day in (3, 5, 7, 8):
        assert dt.date(2020, 1, day) in days


def test_the_strikes_are_linked_as_retaliation_for_the_rocket_attack(seed):
    link = EventLink.objects.get(kind="retaliation_for", to_event__local_start_date="2019-12-27")
    assert link.from_event.local_start_date == dt.date(2019, 12, 29)


def test_every_seed_category_colour_reads_on_the_light_and_the_dark_page(seed):
    for category in Category.objects.all():
        assert weakest_contrast(category.colour) >= MINIMUM, category.name


def test_the_seed_says_when_in_the_day_only_what_the_facts_state(seed):
    parts = dict(Event.objects.exclude(part_of_day="").values_list("slug", "part_of_day"))
    assert parts == {
        "us-strikes-on-kataib-hezbollah": "evening",
        "us-embassy-baghdad-attack": "morning",
        "us-forces-high-alert": "night",
        "kerman-funeral-stampede": "morning",
        "soleimani-buried-kerman": "early_hours",
    }
    assert all(len(e.chart_label) <= 40 for e in Event.objects.all())


def test_list_api_csv_calendar_and_timelinejs_give_the_events_in_one_order(seed, client):
    import csv
    import io
    import json
    import re

    import icalendar

    listed = re.findall(r'data-slug="([^"]+)"', client.get("/").content.decode())
    api = [e["slug"] for e in client.get("/api/events?page_size=100").json()["results"]]
    rows = csv.DictReader(io.StringIO(client.get("/api/events.csv").content.decode()))
    calendar = icalendar.Calendar.from_ical(client.get("/api/events.ics").content)
    titles = [str(item["summary"]) for item in calendar.walk("VEVENT")]
    slides = json.loads(client.get("/api/timelinejs.json").content)["events"]
    expected = list(
        Event.objects.published().order_by("sort_at", "pk").values_list("slug", flat=True)
    )
    by_title = dict(Event.objects.values_list("title", "slug"))
    assert list(dict.fromkeys(listed)) == expected
    assert api == expected
    assert [row["slug"] for row in rows] == expected
    assert [by_title[t] for t in titles] == expected
    assert [slide["unique_id"] for slide in slides] == expected
