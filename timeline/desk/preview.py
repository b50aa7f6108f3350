"""Staff previews: any event, whatever its status, exactly as readers would see it.

The reader templates are reused as they are; only the set of events differs (the published ones
plus the previewed one). Nothing here goes through public_cache, and every response says
"private, no-store" and "noindex", so no shared cache or search engine keeps a draft.
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from timeline.filters import EventQuery
from timeline.models import Event, Timeline
from timeline.reader.browse import browse, render_browse
from timeline.reader.embed import render_embed
from timeline.reader.views import render_event
from timeline.site import absolute_url


def private_preview(view):
    """Signed-in staff who may see events; never cached, never indexed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm("timeline.view_event"):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return staff_member_required(require_safe(wrapper))


def _preview_context(event: Event, shown: Timeline | None = None, switch: str = "") -> dict:
    """What the banner needs: the event's state, its timelines, which one is shown, and the
    route that shows it on another (`switch`), for the timeline and embed previews."""
    timelines = list(event.timelines.order_by("title"))
    return {
        "noindex": True,
        "preview": event,
        "preview_timelines": timelines,
        "preview_shown": shown,
        "preview_others": [t for t in timelines if t != shown],
        "preview_switch": switch,
    }


@private_preview
def event(request: HttpRequest, pk: int) -> HttpResponse:
    previewed = get_object_or_404(Event.objects.with_related().prefetch_related("updates"), pk=pk)
    return render_event(request, previewed, _preview_context(previewed))


def _shown_timeline(previewed: Event, slug: str | None) -> Timeline | None:
    """The timeline asked for, else the main one if the event is on it, else its first; None
    when it is on no timeline. A timeline the event is not on is no preview of it."""
    on = previewed.timelines.order_by("title")
    if slug is not None:
        return get_object_or_404(on, slug=slug)
    main = Timeline.main()
    return (main if main and on.filter(pk=main.pk).exists() else None) or on.first()


def _query(request: HttpRequest, previewed: Event, timeline: Timeline | None) -> EventQuery:
    """What readers see on `timeline` plus this event, which opens the preview (it has no
    public page yet). On no timeline, the event is shown among every published event, and
    the banner says readers will not see it there."""
    public = timeline.published_events() if timeline else Event.objects.published()
    events = Event.objects.filter(Q(pk__in=public.values("pk")) | Q(pk=previewed.pk))
    preview_url = reverse("preview-event", args=[previewed.pk])

    def url_for(event: Event) -> str:
        return preview_url if event.pk == previewed.pk else event.get_absolute_url()

    return EventQuery(request.GET, base=events, url_for=url_for)


def _shown(timeline: Timeline | None) -> Timeline:
    return timeline or Timeline(title="All published events")


# The chosen timeline is part of the path, not the query: filters, chips, "Clear all" and
# HTMX requests all go to request.path, so the choice survives them.
@private_preview
def timeline(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    previewed = get_object_or_404(Event, pk=pk)
    chosen = _shown_timeline(previewed, slug)
    query = _query(request, previewed, chosen)
    context = {
        "timeline": _shown(chosen),
        **browse(request, query),
        **_preview_context(previewed, chosen, "preview-timeline-on"),
    }
    return render_browse(request, "timeline/timeline.html", query, context)


@private_preview
def embed(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    previewed = get_object_or_404(Event, pk=pk)
    chosen = _shown_timeline(previewed, slug)
    full = reverse("preview-timeline-on", args=[pk, chosen.slug]) if chosen else None
    return render_embed(
        request,
        _shown(chosen),
        _query(request, previewed, chosen),
        absolute_url(request, full or reverse("preview-timeline", args=[pk])),
        _preview_context(previewed, chosen, "preview-embed-on"),
    )
