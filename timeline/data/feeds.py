"""Atom and RSS feeds of published events, newest change first, with the page's filters.

An item is dated by the later of when it went public (`published_at`, which for a scheduled
event is its publication time) and its last change (`updated_at`): a scheduled event comes in
at the top when it goes live, and a correction to a published event brings it back there.
"""

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe

from timeline.caching import public_cache
from timeline.filters import BadParameters, EventQuery
from timeline.models import Event, Timeline
from timeline.sanitise import strip_controls
from timeline.site import NAME, absolute_url

ITEMS = 50


class _Subject:
    """What a feed is about: the matching events and the timeline asked for, if any."""

    def __init__(self, request: HttpRequest):
        query = EventQuery(request.GET).check()
        self.events, self.timeline = query.events.select_related("category"), query.timeline
        self.as_of = query.as_of
        self.request = request
        # Each filtered feed is a feed of its own, with its own Atom id and self link: named by
        # its filters alone, so what else the address carried (parentUrl=https://evil.example)
        # is not written into a feed that caches share.
        self.address = query.address(request)

    @property
    def title(self) -> str:
        return (
            strip_controls(self.timeline.title) if self.timeline else "Timeline: published events"
        )


class EventsRss(Feed):
    feed_type = Rss201rev2Feed
    # RFC 4287 §4.1.1: an Atom feed needs an author, on the feed or on every entry. The desk
    # publishes as one newsroom, so the feed names the site. (RSS 2.0 has no channel author;
    # Django writes none there.)
    author_name = NAME

    def get_object(self, request: HttpRequest) -> _Subject:
        return _Subject(request)

    def title(self, subject: _Subject) -> str:
        return subject.title

    # Every address is made absolute here: left relative, Django's Feed would complete it from
    # the request's host and scheme, which are the client's word.
    def link(self, subject: _Subject) -> str:
        timeline: Timeline | None = subject.timeline
        return absolute_url(
            subject.request, timeline.get_absolute_url() if timeline else reverse("home")
        )

    def feed_url(self, subject: _Subject) -> str:
        return subject.address

    def feed_guid(self, subject: _Subject) -> str:
        return subject.address

    def description(self, subject: _Subject) -> str:
        return "Events as they are published or corrected, the latest first."

    def items(self, subject: _Subject):
        # Coalesce because SQLite's MAX() is NULL when any argument is: events imported
        # published carry no published_at.
        latest = Greatest(Coalesce("published_at", "updated_at"), F("updated_at"))
        events = subject.events.for_feed(as_of=subject.as_of).annotate(latest=latest)
        events = list(events.order_by("-latest", "-pk")[:ITEMS])
        # Item methods see only the item, so each carries its address (also its guid and id).
        for event in events:
            event.feed_link = absolute_url(subject.request, event.get_absolute_url())
        return events

    def item_link(self, event: Event) -> str:
        return event.feed_link

    # XML 1.0 cannot carry control characters (Django refuses to write them): saves remove
    # them, and text that arrived another way loses them here rather than break the feed.
    def item_title(self, event: Event) -> str:
        return strip_controls(event.title)

    def item_description(self, event: Event) -> str:
        # The newest update or correction first: it is why a reader sees the entry again.
        notes = [f"{u.verb} {u.when}: {u.note}" for u in reversed(event.updates.all())]
        claim = event.headline_claim()
        figure = [f"{claim.headline}."] if claim else []
        text = [*notes, f"{event.display_date}. {event.summary}", *figure]
        return strip_controls(" ".join(text))

    def item_pubdate(self, event: Event):
        return event.published_at or event.updated_at

    def item_updateddate(self, event: Event):
        return event.latest

    def item_categories(self, event: Event) -> list[str]:
        return [strip_controls(event.category.name)]


class EventsAtom(EventsRss):
    feed_type = Atom1Feed
    subtitle = EventsRss.description


_rss, _atom = EventsRss(), EventsAtom()


def _serve(feed: Feed, request: HttpRequest) -> HttpResponse:
    try:
        return feed(request)
    except BadParameters as exc:
        return JsonResponse(exc.body(), status=400)


@require_safe
@public_cache
def rss(request: HttpRequest) -> HttpResponse:
    return _serve(_rss, request)


@require_safe
@public_cache
def atom(request: HttpRequest) -> HttpResponse:
    return _serve(_atom, request)
