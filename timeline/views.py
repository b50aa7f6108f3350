"""Reader-facing pages. Visibility lives in the querysets, so no view can forget it."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from timeline.browse import filter_events, render_browse
from timeline.caching import public_cache
from timeline.embed import embed_snippets, oembed_link
from timeline.models import Actor, Event, Source, Timeline


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
    base = timeline.published_events()
    context = {
        "timeline": timeline,
        "embed_code": embed_snippets(request, timeline, is_default),
        "oembed_url": oembed_link(request),
        **filter_events(request, base),
    }
    return render_browse(request, "timeline/timeline.html", context)


@require_safe
@public_cache
def event_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.published().with_related(), slug=slug)
    template = "timeline/event.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#panel"
    previous, following = event.neighbours()
    canonical_url = request.build_absolute_uri(event.get_absolute_url())
    context = {
        "event": event,
        "links": event.published_links(),
        "previous": previous,
        "next": following,
        "canonical_url": canonical_url,
        "oembed_url": oembed_link(request),
        "structured_data": event_structured_data(event, canonical_url),
    }
    return render(request, template, context)


def event_structured_data(event: Event, url: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "startDate": event.iso_start,
        "url": url,
        "eventStatus": "https://schema.org/EventScheduled",
        "location": {"@type": "Place", "name": event.place_name or "Unknown"},
    }
    if event.end:
        data["endDate"] = event.local_end.isoformat(timespec="minutes")
    if event.latitude is not None and event.longitude is not None:
        data["location"]["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": event.latitude,
            "longitude": event.longitude,
        }
    if event.country:
        data["location"]["address"] = {"@type": "PostalAddress", "addressCountry": event.country}
    if event.image_url:
        data["image"] = event.image_url
    return data


@require_safe
@public_cache
def actor_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor.objects.published().select_related("parent"), slug=slug)
    context = {
        "actor": actor,
        "oembed_url": oembed_link(request),
        **filter_events(request, Event.objects.published().for_actors([actor])),
    }
    return render_browse(request, "timeline/actor.html", context)


@require_safe
@public_cache
def source_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source.objects.published(), slug=slug)
    events = (
        Event.objects.published()
        .filter(pk__in=source.citations.values("event"))
        .chronological()
        .with_related()
    )
    events = list(events)
    context = {"source": source, "events": events, "total": len(events)}
    return render(request, "timeline/source.html", context)


@never_cache
@require_safe
def healthz(request: HtmxHttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
