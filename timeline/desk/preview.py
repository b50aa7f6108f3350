"""Staff previews: any event, whatever its status, exactly as readers would see it.

The reader templates are reused as they are; only the set of events differs (the published ones
plus the previewed one). Nothing here goes through public_cache, and every response says
"private, no-store" and "noindex", so no shared cache or search engine keeps a draft.
"""

from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from timeline.models import Event, Timeline
from timeline.reader.browse import filter_events, render_browse
from timeline.reader.embed import THEMES
from timeline.reader.views import event_structured_data
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
    previewed = get_object_or_404(Event.objects.with_related(), pk=pk)
    template = "timeline/event.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#panel"
    previous, following = previewed.neighbours()
    canonical_url = absolute_url(request, previewed.get_absolute_url())
    context = {
        "event": previewed,
        "links": previewed.published_links(),
        "previous": previous,
        "next": following,
        "canonical_url": canonical_url,
        "structured_data": event_structured_data(previewed, canonical_url),
        **_preview_context(previewed),
    }
    return render(request, template, context)


def _shown_timeline(previewed: Event, slug: str | None) -> Timeline | None:
    """The timeline asked for, else the main one if the event is on it, else its first; None
    when it is on no timeline. A timeline the event is not on is no preview of it."""
    on = previewed.timelines.order_by("title")
    if slug is not None:
        return get_object_or_404(on, slug=slug)
    main = Timeline.main()
    return (main if main and on.filter(pk=main.pk).exists() else None) or on.first()


def _with_readers_events(previewed: Event, timeline: Timeline | None) -> tuple[Timeline, object]:
    """The timeline shown, and what readers see there plus this event. On no timeline, the
    event is shown among every published event, and the banner says readers will not."""
    public = timeline.published_events() if timeline else Event.objects.published()
    events = Event.objects.filter(Q(pk__in=public.values("pk")) | Q(pk=previewed.pk))
    return timeline or Timeline(title="All published events"), events


def _links_to_preview(context: dict, previewed: Event) -> dict:
    """The previewed event has no public page yet: its list entry and marker open the preview."""
    url = reverse("preview-event", args=[previewed.pk])
    for shown in context.get("events", []):
        if shown.pk == previewed.pk:
            shown.get_absolute_url = lambda: url
    for trace in (context.get("figure") or {}).get("data", []):
        for row in trace.get("customdata") or []:
            if isinstance(row, list) and row and row[0] == previewed.slug:
                row[1] = url
    return context


# The chosen timeline is part of the path, not the query: filters, chips, "Clear all" and
# HTMX requests all go to request.path, so the choice survives them.
@private_preview
def timeline(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    previewed = get_object_or_404(Event, pk=pk)
    chosen = _shown_timeline(previewed, slug)
    shown, events = _with_readers_events(previewed, chosen)
    context = {
        "timeline": shown,
        **filter_events(request, events),
        **_preview_context(previewed, chosen, "preview-timeline-on"),
    }
    return render_browse(request, "timeline/timeline.html", _links_to_preview(context, previewed))


@private_preview
def embed(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    previewed = get_object_or_404(Event, pk=pk)
    theme = request.GET.get("theme", "auto")
    if theme not in THEMES:
        return HttpResponseBadRequest(
            "theme must be light, dark or auto", content_type="text/plain"
        )
    chosen = _shown_timeline(previewed, slug)
    shown, events = _with_readers_events(previewed, chosen)
    full = reverse("preview-timeline-on", args=[pk, chosen.slug]) if chosen else None
    context = {
        "timeline": shown,
        "theme": theme,
        "embed": True,
        "hidden_params": [],
        "full_url": absolute_url(request, full or reverse("preview-timeline", args=[pk])),
        **filter_events(request, events),
        **_preview_context(previewed, chosen, "preview-embed-on"),
    }
    return render_browse(request, "timeline/embed.html", _links_to_preview(context, previewed))
