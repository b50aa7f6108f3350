"""Timelines inside other sites: the framed widget, oEmbed discovery and the loader script."""

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found

from timeline.caching import public_cache, shows, timeline_key
from timeline.filters import EventFilter, EventQuery, known_params
from timeline.models import Actor, Event, Timeline
from timeline.reader import live
from timeline.reader.browse import browse, render_browse
from timeline.site import NAME, absolute_url, address, host

THEMES = ("auto", "light", "dark")
DEFAULT_SIZE = (800, 640)
# What embed code may carry from the page's address: its filters and a theme. Other sites paste
# the code as it is, so a parameter of any other name (which could be markup) stays out.
EMBED_PARAMS = (frozenset(EventFilter.base_filters) - {"page"}) | {"theme"}


def frameable(view):
    """Embeds may be framed by the sites in TIMELINE_EMBED_ORIGINS; every other page may not."""

    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exc:
            # Shown inside the host's frame (a slide unpublished since the page was cached,
            # say): the 404 must be framable like the rest, or the reader sees a refused frame.
            response = page_not_found(request, exc)
        # Read by django-csp's middleware, which writes the one policy header.
        response._csp_replace = {"frame-ancestors": settings.TIMELINE_EMBED_ORIGINS.split()}
        return response

    return xframe_options_exempt(wrapper)


@require_safe
@frameable
@public_cache
def embed(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    if slug is None:
        timeline = Timeline.default()
        if timeline is None:
            raise Http404("No published timeline")
    else:
        timeline = get_object_or_404(Timeline.objects.published(), slug=slug)
    query = EventQuery(
        request.GET, base=timeline.published_events(), zone=timeline.zone, counted=timeline
    )
    shows(request, timeline_key(timeline.slug))
    if (checked := live.answer(request, query)) is not None:
        return checked
    path = timeline.get_absolute_url() if timeline != Timeline.default() else reverse("home")
    extra = {"live": live.check(request, query)}
    return render_embed(request, timeline, query, query.address(request, path), extra)


def render_embed(
    request: HttpRequest, timeline: Timeline, query: EventQuery, full_url: str, extra: dict
) -> HttpResponse:
    """The framed widget for `query`, linking out to `full_url`: for readers and, with
    `extra`, the staff preview."""
    # Empty means the default here too, as it does for every filter.
    theme = request.GET.get("theme") or "auto"
    if theme not in THEMES:
        return HttpResponseBadRequest(
            "theme must be light, dark or auto", content_type="text/plain"
        )
    # Filters the reader cannot change in the frame travel with each update: only the known,
    # non-empty ones, so what Pym.js or anyone else adds to the address is not written back.
    hidden = [
        (name, value)
        for name, values in query.filters.data.lists()
        for value in values
        if name not in ("q", "start", "end", "page")
    ]
    context = {
        "timeline": timeline,
        "theme": theme,
        "embed": True,
        "hidden_params": hidden + ([("theme", theme)] if theme != "auto" else []),
        "full_url": full_url,
        **browse(request, query),
        **extra,
    }
    return render_browse(request, "timeline/embed.html", query, context)


def embed_snippets(
    request: HttpRequest, timeline: Timeline, is_default: bool
) -> list[tuple[str, str, str]]:
    """The ways to embed the current view, and its story: (label, code, element id)."""
    params = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept = [v for v in values if v]
        if name == "theme":
            # Not a filter, so the FilterSet does not check it: only a theme the embed knows.
            kept = [v for v in kept if v in THEMES][-1:]
        if kept and name in EMBED_PARAMS:
            params.setlist(name, kept)
    path = reverse("embed") if is_default else reverse("embed", args=[timeline.slug])
    story = (
        reverse("embed-story")
        if is_default
        else reverse("embed-timeline-story", args=[timeline.slug])
    )

    def frame(src: str, title: str) -> str:
        context = {
            "src": address(request, src, params.urlencode()),
            "width": DEFAULT_SIZE[0],
            "height": DEFAULT_SIZE[1],
            "title": title,
        }
        return render(request, "timeline/embed_iframe.html", context).content.decode().strip()

    iframe = frame(path, timeline.title)
    data = "".join(f' data-{name}="{escape(",".join(values))}"' for name, values in params.lists())
    slug = "" if is_default else timeline.slug
    script = (
        f'<div data-timeline-embed="{escape(slug)}"{data}></div>\n'
        f'<script async src="{absolute_url(request, reverse("embed-loader"))}"></script>'
    )
    page = address(request, request.path, params.urlencode())
    return [
        ("Iframe", iframe, "embed-iframe"),
        ("Script that resizes itself", script, "embed-script"),
        ("oEmbed address (for CMSs)", _oembed_address(request, page), "embed-oembed"),
        (
            "The story, one event per slide (iframe)",
            frame(story, f"{timeline.title}: the story"),
            "embed-story",
        ),
    ]


def oembed_link(request: HttpRequest) -> str:
    """Where a CMS finds the oEmbed for the page being shown: its filters only, so whatever
    else its address carried (Pym.js's parentUrl, a cache-buster) is not written into a page
    that caches share."""
    return _oembed_address(
        request, address(request, request.path, known_params(request.GET).urlencode())
    )


def _oembed_address(request: HttpRequest, page: str) -> str:
    return address(request, reverse("oembed"), urlencode({"url": page, "format": "json"}))


def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed 1.0 for timeline, actor and event pages of this site."""
    if request.method not in ("GET", "HEAD"):
        # A consumer reads every oEmbed error as JSON; require_safe's 405 would be empty.
        refused = JsonResponse({"error": "oEmbed answers GET and HEAD only"}, status=405)
        refused["Allow"] = "GET, HEAD"
        return refused
    url = request.GET.get("url", "").strip()
    if not url:
        return JsonResponse({"error": "url is required"}, status=400)
    # An empty format is no format; any other than json is the spec's 501 Not Implemented.
    if (request.GET.get("format") or "json") != "json":
        return JsonResponse({"error": "only format=json is supported"}, status=501)
    try:
        max_width = _positive_int(request.GET.get("maxwidth"))
        max_height = _positive_int(request.GET.get("maxheight"))
    except ValueError:
        return JsonResponse(
            {"error": "maxwidth and maxheight must be positive integers"}, status=400
        )

    try:
        title, path, query = _embed_target(request, url)
    except Http404 as exc:
        # An oEmbed consumer reads JSON, like the 400s and 501 above, not our HTML 404 page.
        return JsonResponse({"error": str(exc) or "Not found"}, status=404)
    src = address(request, path, query)
    width = min(DEFAULT_SIZE[0], max_width or DEFAULT_SIZE[0])
    height = min(DEFAULT_SIZE[1], max_height or DEFAULT_SIZE[1])
    html = (
        render(
            request,
            "timeline/embed_iframe.html",
            {"src": src, "width": width, "height": height, "title": title},
        )
        .content.decode()
        .strip()
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "provider_name": NAME,
            "provider_url": absolute_url(request, "/"),
            "title": title,
            "html": html,
            "width": width,
            "height": height,
            "cache_age": 3600,
        }
    )


def _positive_int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


def _embed_target(request: HttpRequest, url: str) -> tuple[str, str, str]:
    """(title, embed path, embed query) for a page URL of this site, or 404."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. "http://[::1" is no address at all
        raise Http404("Not a page of this site") from exc
    # This site's addresses are the ones it gives out: SITE_URL's host when that is set.
    if parts.scheme not in ("http", "https") or parts.netloc != host(request):
        raise Http404("Not a page of this site")
    try:
        match = resolve(parts.path)
    except Resolver404 as exc:
        raise Http404("Unknown page") from exc
    query = QueryDict(parts.query)
    if match.url_name == "home":
        timeline = Timeline.default()
        if timeline is None:
            raise Http404("No published timeline")
        return timeline.title, reverse("embed"), query.urlencode()
    if match.url_name == "timeline":
        timeline = get_object_or_404(Timeline.objects.published(), slug=match.kwargs["slug"])
        return timeline.title, reverse("embed", args=[timeline.slug]), query.urlencode()
    if match.url_name == "actor":
        actor = get_object_or_404(Actor.objects.published(), slug=match.kwargs["slug"])
        query = query.copy()
        query.setlist("actor", [actor.slug])
        return actor.name, reverse("embed"), query.urlencode()
    if match.url_name == "event":
        event = get_object_or_404(Event.objects.published(), slug=match.kwargs["slug"])
        # The event in its context: everything on its local day(s).
        days = {
            "start": event.local_start_date.isoformat(),
            "end": event.local_end_date.isoformat(),
        }
        return event.title, reverse("embed"), urlencode(days)
    raise Http404("This page cannot be embedded")


@require_safe
@cache_control(public=True, max_age=300)
def loader(request: HttpRequest) -> HttpResponse:
    """A stable address for host pages; the script itself is hashed and cached for a year."""
    return HttpResponseRedirect(static("js/embed.js"))
