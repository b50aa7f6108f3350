import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _changed(event: Event, when: dt.datetime, published: dt.datetime | None = None) -> None:
    # Saves stamp both times with now; put them where the test needs them.
    Event.objects.filter(pk=event.pk).update(updated_at=when, published_at=published or when)


@pytest.mark.parametrize(
    "url, version", [("/api/events.atom", "atom10"), ("/api/events.rss", "rss20")]
)
def test_feeds_list_published_events_newest_first(client, make_event, url, version):
    old = make_event("Published last week")
    new = make_event("Published today")
    _changed(old, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    _changed(new, dt.datetime(2020, 1, 8, tzinfo=dt.UTC))
    make_event("Draft story", status="draft")
    make_event("Story in review", status="review")

    feed = _feed(client, url)
    assert feed.version == version
    assert [entry.title for entry in feed.entries] == ["Published today", "Published last week"]
    assert feed.entries[0].link == f"http://testserver{new.get_absolute_url()}"
    assert "What happened in Published today." in feed.entries[0].summary
    assert feed.entries[0].tags[0].term == "Attack"


def test_a_correction_brings_an_event_back_to_the_top(client, make_event):
    first = make_event("First")
    make_event("Second")
    _changed(first, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    first.title = "First, corrected"
    first.save()
    assert _feed(client, "/api/events.atom").entries[0].title == "First, corrected"


def test_a_scheduled_event_comes_in_at_the_top_when_it_goes_live(client, make_event):
    now = timezone.now()
    written_early = make_event("Written two days ago, scheduled")
    corrected = make_event("Corrected an hour ago")
    went_live = now - dt.timedelta(minutes=1)
    _changed(written_early, now - dt.timedelta(days=2), published=went_live)
    Event.objects.filter(pk=written_early.pk).update(publish_at=went_live)
    _changed(corrected, now - dt.timedelta(hours=1), published=now - dt.timedelta(days=5))

    entries = _feed(client, "/api/events.atom").entries
    assert [entry.title for entry in entries] == [written_early.title, corrected.title]
    published = dt.datetime.fromisoformat(entries[0].published)
    assert abs(published - went_live) < dt.timedelta(seconds=1)


def test_feeds_take_the_page_filters_and_are_named_after_the_timeline(client, make_event, timeline):
    make_event("On the timeline")
    make_event("Elsewhere", on_timeline=False)
    other = Timeline.objects.create(title="Elsewhere", slug="elsewhere", is_published=True)
    feed = _feed(client, f"/api/events.atom?timeline={timeline.slug}")
    assert feed.feed.title == timeline.title
    assert [entry.title for entry in feed.entries] == ["On the timeline"]
    # Each filtered feed has an id of its own, so readers keep them apart.
    assert feed.feed.id != _feed(client, f"/api/events.atom?timeline={other.slug}").feed.id


def test_a_feed_with_bad_filters_answers_400_naming_the_parameter(client):
    response = client.get("/api/events.rss?start=yesterday")
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


def test_feeds_answer_conditional_requests(client, make_event):
    make_event("Live")
    first = client.get("/api/events.atom")
    assert first["Content-Type"].startswith("application/atom+xml")
    assert (
        client.get("/api/events.atom", headers={"If-None-Match": first["ETag"]}).status_code == 304
    )
