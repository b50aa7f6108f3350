"""Reader-facing pages. Visibility lives in the querysets, so no view can forget it."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from timeline.models import Actor, Event, Source, Timeline


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    timeline = Timeline.default()
    if timeline is None:
        return render(request, "timeline/empty.html")
    return _timeline(request, timeline)


@require_GET
def timeline_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _timeline(request, get_object_or_404(Timeline.objects.published(), slug=slug))


def _timeline(request: HttpRequest, timeline: Timeline) -> HttpResponse:
    events = timeline.published_events().chronological().with_related()
    return render(request, "timeline/timeline.html", {"timeline": timeline, "events": events})


@require_GET
def event_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.published().with_related(), slug=slug)
    previous, following = event.neighbours()
    canonical_url = request.build_absolute_uri(event.get_absolute_url())
    context = {
        "event": event,
        "links": event.published_links(),
        "previous": previous,
        "next": following,
        "canonical_url": canonical_url,
        "structured_data": _event_structured_data(event, canonical_url),
    }
    return render(request, "timeline/event.html", context)


def _event_structured_data(event: Event, url: str) -> dict:
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


@require_GET
def actor_page(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor.objects.select_related("parent"), slug=slug)
    events = Event.objects.published().for_actors([actor]).chronological().with_related()
    return render(request, "timeline/actor.html", {"actor": actor, "events": events})


@require_GET
def source_page(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    events = (
        Event.objects.published()
        .filter(pk__in=source.citations.values("event"))
        .chronological()
        .with_related()
    )
    return render(request, "timeline/source.html", {"source": source, "events": events})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
