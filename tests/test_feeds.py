import datetime as dt
import email.utils
from urllib.parse import urlsplit
from xml.etree import ElementTree

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


ATOM = "{http://www.w3.org/2005/Atom}"


def _one(parent, tag: str, where: str):
    found = parent.findall(f"{ATOM}{tag}")
    assert len(found) == 1, f"{where} must have exactly one atom:{tag}, has {len(found)}"
    return found[0]


def _rfc3339(text: str) -> dt.datetime:
    # RFC 3339 date-time, with a zone (RFC 4287 §3.3).
    value = dt.datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def _absolute(iri: str) -> bool:
    return urlsplit(iri).scheme in ("http", "https") and bool(urlsplit(iri).netloc)


def test_the_atom_feed_keeps_every_must_of_rfc_4287(client, make_event):
    make_event("First")
    make_event("Second")
    response = client.get("/api/events.atom?category=attack")
    feed = _feed(client, "/api/events.atom?category=attack")
    assert feed.version == "atom10"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"

    # §4.1.1: one id (an absolute IRI), one title, one updated; an author on the feed or on
    # every entry; a feed SHOULD name itself with rel="self".
    assert _absolute(_one(root, "id", "the feed").text)
    assert _one(root, "title", "the feed").text
    _rfc3339(_one(root, "updated", "the feed").text)
    feed_authors = root.findall(f"{ATOM}author")
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for author in feed_authors or [a for e in entries for a in e.findall(f"{ATOM}author")]:
        assert _one(author, "name", "an author").text  # §3.2.1
    assert feed_authors or all(e.findall(f"{ATOM}author") for e in entries)
    assert feed.feed.author == "Timeline"
    links = root.findall(f"{ATOM}link")
    self_links = [link for link in links if link.get("rel") == "self"]
    assert [link.get("href") for link in self_links] == [
        "http://testserver/api/events.atom?category=attack"
    ]
    alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
    assert len(alternates) == 1 and _absolute(alternates[0].get("href"))

    # §4.1.2: each entry has one id, title and updated, and with no content a rel="alternate"
    # link; ids are distinct and permanent.
    ids = []
    for entry in entries:
        ids.append(_one(entry, "id", "an entry").text)
        assert _one(entry, "title", "an entry").text
        _rfc3339(_one(entry, "updated", "an entry").text)
        if not entry.findall(f"{ATOM}content"):
            entry_links = [
                link
                for link in entry.findall(f"{ATOM}link")
                if link.get("rel", "alternate") == "alternate"
            ]
            assert len(entry_links) == 1 and _absolute(entry_links[0].get("href"))
            _one(entry, "summary", "an entry without content")
    assert len(set(ids)) == len(ids) and all(_absolute(i) for i in ids)


def test_an_empty_atom_feed_is_still_valid(client):
    root = ElementTree.fromstring(client.get("/api/events.atom").content)
    _one(root, "id", "the feed")
    _rfc3339(_one(root, "updated", "the feed").text)
    _one(_one(root, "author", "the feed"), "name", "the feed's author")


def test_the_rss_feed_has_what_rss_2_0_requires_of_a_channel_and_its_items(client, make_event):
    make_event("First")
    make_event("Second")
    feed = _feed(client, "/api/events.rss")
    assert feed.version == "rss20"
    root = ElementTree.fromstring(client.get("/api/events.rss").content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    for required in ("title", "link", "description"):
        assert len(channel.findall(required)) == 1 and channel.findtext(required), required
    assert _absolute(channel.findtext("link"))
    items = channel.findall("item")
    assert len(items) == 2
    guids = []
    for item in items:
        assert item.findtext("title")
        assert _absolute(item.findtext("link"))
        guid = item.find("guid")
        # A permalink guid (the default) must be the item's address.
        assert guid.get("isPermaLink", "true") == "true" and _absolute(guid.text)
        guids.append(guid.text)
        # RFC 822 dates, with a zone.
        assert email.utils.parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    assert len(set(guids)) == 2


@pytest.mark.parametrize("url", ["/api/events.atom", "/api/events.rss"])
def test_with_site_url_set_feeds_name_the_site_whatever_host_and_scheme_the_request_claims(
    client, make_event, settings, url
):
    settings.SITE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = ["testserver", "internal.example"]
    event = make_event("Live")
    response = client.get(
        f"{url}?q=live", headers={"host": "internal.example", "x-forwarded-proto": "http"}
    )
    body = response.content.decode()
    assert "internal.example" not in body and "http://" not in body.replace(
        "http://www.w3.org/2005/Atom", ""
    )
    feed = feedparser.parse(response.content)
    assert feed.feed.link == "https://news.example/"
    assert feed.entries[0].link == f"https://news.example{event.get_absolute_url()}"
    assert feed.entries[0].id == f"https://news.example{event.get_absolute_url()}"
    self_link = [link for link in feed.feed.links if link.rel == "self"][0]
    assert self_link.href == f"https://news.example{url}?q=live"


@pytest.mark.parametrize("url", ["/api/events.atom", "/api/events.rss"])
def test_a_feed_is_named_by_its_filters_alone(client, make_event, url):
    make_event("Live")
    body = client.get(f"{url}?q=live&parentUrl=https://evil.example/x&actor=").content.decode()
    assert "evil.example" not in body
    assert f"http://testserver{url}?q=live" in body
