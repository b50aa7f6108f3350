"""What a reader browses: the filtered events, their chart, their page of the list.

Shared by the timeline page, its HTMX fragment, the actor page, the embed and their previews.
Whatever the number of matching events, the work here is a fixed number of queries, at most
PAGE_SIZE list rows and at most MAX_MARKERS chart markers.
"""

import datetime as dt
from collections import Counter
from functools import partial

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django_htmx.http import push_url, reswap

from timeline.filters import FACET_FIELDS, FIELD_NAMES, EventQuery
from timeline.models import Event, EventLink
from timeline.reader import charts, rows
from timeline.reader.map_figure import map_figure
from timeline.rollup import Counts, Tally

PAGE_SIZE = 50
# Up to this many matching events, every one is drawn; past it, counts per bin plus the
# most important events. Together never more than MAX_MARKERS markers.
DETAIL_LIMIT = 500
TOP_EVENTS = 200
MAX_LANES = 20
MAX_MARKERS = 2000
BIN_ORDER = ["day", "week", "month", "year"]
# The list's "next events" element: an HTMX request aimed at it wants list items only.
MORE_ITEMS = "more-events"


def browse(request: HttpRequest, query: EventQuery) -> dict:
    """Everything the chart, list, count and chips of `query` need, as template context."""
    context = {
        "filters": query.filters,
        "url_for": query.url_for,
        # Only the full page's form shows facets; fragments never pay for them.
        "facets": SimpleLazyObject(query.facets),
        "facet_fields": FACET_FIELDS,
        "as_of": query.as_of,
        "now_query": query.query(as_of=None, page=None),
        "error_fields": FIELD_NAMES,
        "view": query.view,
        # The tabs: the same view drawn as a chart, or as a map above the chart.
        "view_queries": {
            "chart": query.query(view=None, page=None),
            "map": query.query(view="map", page=None),
        },
    }
    if not query.is_valid:
        return {
            **context,
            "events": [],
            "figure": None,
            "map_figure": None,
            "summary": "",
            "total": 0,
        }

    matching, lanes, window, as_of = query.events, query.lanes, query.window, query.as_of
    offset = (query.page_number - 1) * PAGE_SIZE
    figure_of = partial(charts.timeline_figure, lanes=lanes, window=window, url_for=query.url_for)
    # The kept counts, where the filters allow: then nothing below counts or groups events.
    # Otherwise one GROUP BY over the matches answers the total, the span and the bins.
    counts = Counts.of(query) or Tally(matching, lanes)
    if _wants_more_items(request):
        # Scrolling down the list: the chart is already drawn, and at scale counting and
        # drawing it again would cost far more than the 50 items asked for.
        events, total = _next_items(matching, offset, as_of)
        figure, summary = None, ""
    elif (total := counts.total()) <= DETAIL_LIMIT:
        drawn = rows.listed(matching, as_of)
        events = drawn[offset : offset + PAGE_SIZE]
        links = EventLink.objects.filter(from_event__in=matching, to_event__in=matching)
        # No events, no chart: the page shows an empty state with a way back instead.
        figure = figure_of(drawn, links=links) if drawn else None
        summary = charts.summary(drawn)
    else:
        page = slice(offset, offset + PAGE_SIZE)
        drawn, events, density = _aggregate(matching, total, lanes, window, as_of, counts, page)
        figure = figure_of(drawn, density=density)
        summary = charts.summary(drawn, density)
        if query.view == "map":
            rows.add_places(drawn)
    # The map draws the places of the events the chart draws (all, or the most important).
    on_map = query.view == "map" and figure is not None
    map_drawn = map_figure(drawn, query.url_for) if on_map else None

    page = query.page(PAGE_SIZE, total)
    return {
        **context,
        "events": events,
        "total": total,
        "figure": figure,
        "map_figure": map_drawn,
        "summary": summary,
        "page": page.number,
        "first_shown": page.offset + 1 if page.shown else 0,
        "last_shown": page.offset + page.shown,
        # From the validated, known parameters: whatever else the address carried is not
        # repeated into a page that caches share.
        "next_query": query.query(page=page.number + 1) if page.has_next else None,
        "previous_query": (
            query.query(page=page.number - 1 if page.number > 2 else None)
            if page.has_previous
            else None
        ),
    }


def _wants_more_items(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == MORE_ITEMS


def _next_items(matching: QuerySet[Event], offset: int, as_of) -> tuple[list[Event], int]:
    """A page of the list, and a total only good for "is there more": one row past the page
    answers that without counting every match."""
    found = rows.listed(matching, as_of, slice(offset, offset + PAGE_SIZE + 1))
    return found[:PAGE_SIZE], offset + len(found)


def _aggregate(
    matching: QuerySet[Event],
    total: int,
    lanes: str,
    window: tuple,
    as_of,
    counts: Counts | Tally,
    page: slice,
):
    """The most important events plus counts per bin for the busiest lanes: from the kept
    counts when there are any, else from one pass over the matching events; and the list's
    `page`, read with the most important."""
    first, last = window
    if not (first and last):
        span = counts.span()
        first, last = first or span[0], last or span[1]
    kind = _bin_for(first, last)
    per_bin = counts.per_bin(kind, lanes)
    cells = _busiest_lanes(per_bin)
    drawn, listed = rows.most_important_and_listed(matching, lanes, as_of, TOP_EVENTS, page)
    budget = MAX_MARKERS - len(drawn)
    if len(cells) > budget:
        # Too many bins for the marker budget: keep the busiest, so the shape survives.
        cells = sorted(cells, key=lambda cell: -cell[2])[:budget]
    density = charts.Density(bin=kind, total=total, first=first, last=last, cells=cells)
    return drawn, listed, density


def _bin_for(first: dt.date, last: dt.date) -> str:
    """The finest bin whose count across the range fits the marker budget in every lane."""
    days = (last - first).days + 1
    per_lane = (MAX_MARKERS - TOP_EVENTS) // MAX_LANES
    for kind in BIN_ORDER:
        if days / charts.BIN_DAYS[kind] <= per_lane:
            return kind
    return "year"


def _busiest_lanes(cells: list[tuple]) -> list[tuple]:
    """Only the cells of the MAX_LANES lanes with most events, counted from the cells themselves.

    One GROUP BY serves both: a separate count per lane would scan every matching event again.
    """
    per_lane = Counter()
    for _, lane, n in cells:
        per_lane[lane] += n
    busiest = {
        lane for lane, _ in sorted(per_lane.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_LANES]
    }
    return [cell for cell in cells if cell[1] in busiest]


def render_browse(
    request: HttpRequest, page_template: str, query: EventQuery, context: dict
) -> HttpResponse:
    """The full page, or for HTMX only the piece it asked for; 400 when `query` is invalid.

    A bad filter over HTMX answers with the field messages alone and swaps nothing else, so
    the reader keeps the last good chart, list and address.
    """
    htmx = getattr(request, "htmx", None)
    status = 200 if query.is_valid else 400
    template = page_template
    if htmx and not htmx.history_restore_request:
        if status == 400:
            template = "timeline/timeline.html#field-errors-oob"
        elif _wants_more_items(request):
            template = "timeline/timeline.html#event-items"
        else:
            template = "timeline/timeline.html#results"
    response = render(request, template, context, status=status)
    if status == 400 and htmx:
        reswap(response, "none")
        push_url(response, False)
    return response
