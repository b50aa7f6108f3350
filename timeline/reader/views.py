"""Reader-facing pages. Visibility lives in the querysets, so no view can forget it."""

import datetime as dt
from urllib.parse import urljoin

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve
from django_htmx.middleware import HtmxDetails

from timeline import media
from timeline.caching import (
    LISTS_KEY,
    event_key,
    event_page_key,
    public_cache,
    shows,
    timeline_key,
)
from timeline.dates import AsOf
from timeline.filters import EventQuery, country_name
from timeline.models import Actor, Event, Source, Timeline
from timeline.reader import cards, figure_history, live
from timeline.reader.browse import browse, render_browse
from timeline.reader.embed import embed_snippets, oembed_link
from timeline.site import absolute_url


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_safe
@public_cache
def home(request: HtmxHttpRequest) -> HttpResponse:
    timeline = Timeline.default()
    if timeline is None:
        return render(request, "timeline/empty.html")
    return _timeline(request, timeline, is_default=True)


@require_safe
@public_cache
def timeline_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    return _timeline(request, get_object_or_404(Timeline.objects.published(), slug=slug))


def _timeline(request: HtmxHttpRequest, timeline: Timeline, is_default=False) -> HttpResponse:
    query = EventQuery(
        request.GET, base=timeline.published_events(), zone=timeline.zone, counted=timeline
    )
    shows(request, timeline_key(timeline.slug))
    if (checked := live.answer(request, query)) is not None:
        return checked
    story = reverse("story") if is_default else reverse("timeline-story", args=[timeline.slug])
    context = {
        "timeline": timeline,
        "story_url": f"{story}?{query.query(page=None, view=None)}".rstrip("?"),
        "live": live.check(request, query),
        "embed_code": embed_snippets(request, timeline, is_default),
        "oembed_url": oembed_link(request),
        **browse(request, query),
    }
    return render_browse(request, "timeline/timeline.html", query, context)


@require_safe
@public_cache
def event_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    as_of, moment, label = request.GET.get("as_of", ""), None, ""
    if as_of:
        # Opened from an "as of" view: its figures as they stood then.
        try:
            parsed = AsOf(as_of)
        except ValueError as exc:
            return HttpResponseBadRequest(f"as_of: {exc}", content_type="text/plain")
        main = Timeline.default()
        zone = main.zone if main else dt.UTC
        moment, label = parsed.moment(zone), parsed.describe(zone)
    events = Event.objects.published().with_related(moment).prefetch_related("updates")
    event = get_object_or_404(events, slug=slug)
    extra = {"oembed_url": oembed_link(request), "as_of_label": label}
    return render_event(request, event, extra)


def render_event(request: HtmxHttpRequest, event: Event, extra: dict) -> HttpResponse:
    """The event's page, or over HTMX its panel: for readers and, with `extra`, the preview."""
    template = "timeline/event.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#panel"
    previous, following = event.neighbours()
    links = event.published_links()
    # It names the events beside it and those it links to: a change to them changes it.
    named = [event, previous, following, *(other for _, other in links)]
    shows(request, event_page_key(event.slug), *(event_key(e.slug) for e in named if e))
    canonical_url = absolute_url(request, event.get_absolute_url())
    context = {
        "event": event,
        "links": links,
        "previous": previous,
        "next": following,
        "canonical_url": canonical_url,
        "structured_data": event_structured_data(event, canonical_url),
        "histories": figure_history.histories(event),
        **extra,
    }
    return render(request, template, context)


def event_structured_data(event: Event, url: str) -> dict:
    """schema.org Event as Google's Event rich result reads it, for the page and its preview.

    Dates say no more than is known (a day is a date, a month "2020-01"), each end at its own
    precision: an end known to the day is that day, not the midnight it is stored as. Google
    requires a location with an address; a place with no country gives its name as one.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.iso_start,
        "url": url,
        # Google's word for "it happened as reported": the others mean cancelled or moved.
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if event.end:
        data["endDate"] = event.end_or_start_precision.iso(event.local_end)
    location = _place(event)
    if location:
        data["location"] = location
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
    card = cards.for_event(event)
    if card:
        data["image"] = [urljoin(url, card.url)]
    return data


def _place(event: Event) -> dict | None:
    name = event.place_name or (country_name(event.country) if event.country else "")
    if not name:
        return None
    place: dict = {"@type": "Place", "name": name, "address": name}
    if event.country:
        place["address"] = {"@type": "PostalAddress", "addressCountry": event.country}
    if event.latitude is not None and event.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": event.latitude,
            "longitude": event.longitude,
        }
    return place


@require_safe
@public_cache
def actor_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor.objects.published().with_public_parent(), slug=slug)
    query = EventQuery(request.GET, base=Event.objects.published().for_actors([actor]))
    shows(request, f"actor-{actor.slug}", LISTS_KEY)
    if (checked := live.answer(request, query)) is not None:
        return checked
    context = {
        "actor": actor,
        "oembed_url": oembed_link(request),
        "live": live.check(request, query),
        **browse(request, query),
    }
    return render_browse(request, "timeline/actor.html", query, context)


@require_safe
@public_cache
def source_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source.objects.published(), slug=slug)
    shows(request, f"source-{source.slug}", LISTS_KEY)
    events = (
        Event.objects.published()
        .filter(pk__in=source.citations.values("event"))
        .chronological()
        .with_related()
    )
    events = list(events)
    context = {"source": source, "events": events, "total": len(events)}
    return render(request, "timeline/source.html", context)


@require_safe
def upload(request: HtmxHttpRequest, path: str) -> HttpResponse:
    """An uploaded picture (or one of its copies), for readers only once its event is public;
    the desk sees every one. A public picture's name is random and a new upload gets a new one,
    so a browser or CDN may keep it for a year."""
    event = Event.objects.filter(image=media.original_name(path)).first()
    public = event is not None and event.is_published
    if not public and not (event is not None and request.user.is_staff):
        raise Http404("No such picture.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if public else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_safe
def healthz(request: HtmxHttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
