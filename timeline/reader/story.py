"""Story mode: the timeline told one event at a time, as TimelineJS tells it, from our data.

A title slide from the timeline's description, then a slide per event in the chronology's
order, each at an address of its own (`/story/<event>/`, with the view's filters), linked to
the one before and after: without JavaScript it is a paged sequence Back and Forward step
through; static/js/story.js adds arrow keys and swipes on the same links.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from timeline.caching import event_key, public_cache, shows, timeline_key
from timeline.filters import BadParameters, EventQuery
from timeline.models import Event, Timeline
from timeline.reader.browse import browse
from timeline.reader.embed import THEMES, frameable
from timeline.site import absolute_url

HIGHLIGHT = "rgba(194, 65, 12, 0.55)"  # the page's focus colour, as a band behind the marks


ROUTES = {
    # (embedded, of the default timeline): the title slide's route, an event slide's route
    (False, True): ("story", "story-slide"),
    (False, False): ("timeline-story", "timeline-story-slide"),
    (True, True): ("embed-story", "embed-story-slide"),
    (True, False): ("embed-timeline-story", "embed-timeline-story-slide"),
}


@require_safe
@public_cache
def story(request: HttpRequest, slug: str | None = None, event: str | None = None) -> HttpResponse:
    return _story(request, slug, event, embedded=False)


@require_safe
@frameable
@public_cache
def embedded(request: HttpRequest, slug: str | None = None, event: str | None = None):
    """The story inside another site's page: the same slides, framed, sized to their content."""
    theme = request.GET.get("theme") or "auto"
    if theme not in THEMES:
        return HttpResponseBadRequest(
            "theme must be light, dark or auto", content_type="text/plain"
        )
    return _story(request, slug, event, embedded=True, theme=theme)


def _story(request, slug, event, embedded: bool, theme: str = "auto") -> HttpResponse:
    if slug is None:
        timeline = Timeline.default()
        if timeline is None:
            raise Http404("No published timeline")
    else:
        timeline = get_object_or_404(Timeline.objects.published(), slug=slug)
    default = slug is None
    title_route, slide_route = ROUTES[(embedded, default)]
    own = [] if default else [slug]

    def slide_url(shown: Event | None = None) -> str:
        path = (
            reverse(title_route, args=own)
            if shown is None
            else reverse(slide_route, args=[*own, shown.slug])
        )
        params = query.query(page=None, theme=None if theme == "auto" else theme)
        return f"{path}?{params}" if params else path

    # The chart under the slide is the story's time line: its marks open their slides.
    query = EventQuery(
        request.GET,
        base=timeline.published_events(),
        zone=timeline.zone,
        url_for=slide_url,
        counted=timeline,
    )
    if not query.is_valid:
        return HttpResponseBadRequest(
            BadParameters(query.errors).text(), content_type="text/plain; charset=utf-8"
        )
    events = query.events
    # An unknown slide is a 404 before any chart is drawn for it.
    shown = (
        None if event is None else get_object_or_404(events.with_related(query.as_of), slug=event)
    )
    shows(request, timeline_key(timeline.slug), *([event_key(shown.slug)] if shown else []))
    context = {"timeline": timeline, "filters": query.filters, **_chart(request, query, slide_url)}
    if shown is None:
        first = events.first()
        context.update(
            slide=None,
            next_url=slide_url(first) if first else None,
            start_url=slide_url(first) if first else None,
        )
    else:
        before, after = shown.neighbours(within=events)
        context.update(
            slide=shown,
            number=shown.position(events),
            previous_url=slide_url(before) if before else slide_url(None),
            next_url=slide_url(after) if after else None,
            figure=_highlight(context["figure"], shown.slug),
        )
    timeline_path = reverse("home") if default else timeline.get_absolute_url()
    params = query.query(page=None)
    context["timeline_url"] = f"{timeline_path}?{params}" if params else timeline_path
    context["title_url"] = slide_url(None)
    if embedded:
        context.update(
            embed=True, theme=theme, timeline_url=absolute_url(request, context["timeline_url"])
        )
        return render(request, "timeline/story_embed.html", context)
    own_story = ROUTES[(False, default)]
    context.update(
        filtered=bool(params),
        canonical_path=reverse(own_story[0], args=own)
        if shown is None
        else reverse(own_story[1], args=[*own, shown.slug]),
    )
    return render(request, "timeline/story.html", context)


def _chart(request: HttpRequest, query: EventQuery, slide_url) -> dict:
    """The view's chart, count and summary, drawn once per view and data version: every slide
    of a story shares them (a reader paging through, or a crawler after a publish, would
    otherwise count and draw the whole view again on each)."""
    number, changed = getattr(request, "data_version", (0, 0))
    view = f"{slide_url(None)}|{request.get_host()}"
    digest = hashlib.sha256(view.encode()).hexdigest()[:32]
    key = f"timeline:story-chart:{number}:{changed}:{digest}"
    drawn = cache.get(key)
    if drawn is None:
        drawn = browse(request, query)
        drawn = {name: drawn[name] for name in ("total", "figure", "summary")}
        cache.set(key, drawn, settings.TIMELINE_RESPONSE_CACHE_SECONDS)
    return drawn


def _highlight(figure: dict | None, slug: str) -> dict | None:
    """The chart with a band behind the current event's mark across every lane, so the reader
    sees where the story is (no band when the event is not drawn, as among counts at scale).
    A copy: the drawn chart is shared by every slide."""
    if not figure:
        return figure
    meta = figure["layout"]["meta"]
    mark = next((m for m in meta["marks"] if m["slug"] == slug), None)
    if mark is None:
        return figure
    band = {
        "type": "line" if mark.get("point") else "rect",
        "xref": "x",
        "yref": "paper",
        "x0": mark["x0"],
        "x1": mark["x1"],
        "y0": 0,
        "y1": 1,
        "layer": "below",
        "line": {"color": HIGHLIGHT, "width": 3, "dash": "dot"},
        "fillcolor": HIGHLIGHT.replace("0.55", "0.12"),
        "name": "current",
    }
    layout = {
        **figure["layout"],
        "shapes": [*figure["layout"].get("shapes", []), band],
        "meta": {**meta, "current": slug},
    }
    return {**figure, "layout": layout}
