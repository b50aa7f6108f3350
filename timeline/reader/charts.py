"""The timeline figure: events in, a Plotly figure dict out. No request, no template.

The drawing follows what is known of each event's time: a minute is a point; an hour, a part
of the day, a day or a longer span is a bar over exactly that stretch of local time. Lanes are
stacked top to bottom, each under its own name, and events that would sit on one another
within a lane are dodged onto rows of their own, so every mark can be seen and clicked.

The chart's text for readers (the hover card, the labels) is drawn by the page from plain
strings in `customdata` and `layout.meta`, never as Plotly HTML: the only markup Plotly reads
is the lanes' names, escaped here.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from timeline.dates import short_date
from timeline.models import Event, EventLink
from timeline.reader import plotting, rows


@dataclass
class Density:
    """Counts of matching events per time bin and lane, computed by the database."""

    bin: str
    total: int
    first: dt.date
    last: dt.date
    cells: list[tuple[dt.date, str, int]] = field(default_factory=list)

    @property
    def lanes(self) -> set[str]:
        return {lane for _, lane, _ in self.cells}


# Vertical layout in y units (one unit per row of marks), drawn at ROW_PX pixels per unit.
ROW_PX = 30
HEADER = 0.8  # the band above each lane that holds its name
LANE_GAP = 0.35
BAR_THICKNESS = 0.56
MARGIN = {"l": 4, "r": 4, "t": 4, "b": 46}
# Marks closer than this on the page are dodged onto separate rows; the packing assumes a
# plot this wide, about a phone in landscape, so rows still hold apart on most screens.
PACKING_WIDTH_PX = 640
MARK_GAP_PX = 4
MAX_ACTOR_LANES = 8
OTHERS = "Others"
LINK_COLOUR = "#8a8a8a"  # 3.4:1 on white, 5.6:1 on the dark page
DENSITY_COLOUR = "#8a8a8a"
# How each kind of link is drawn, and named in the key under the chart.
LINK_STYLES = {
    EventLink.Kind.LED_TO: "solid",
    EventLink.Kind.RETALIATION_FOR: "dash",
    EventLink.Kind.PART_OF: "dashdot",
    EventLink.Kind.CONTEXT: "dot",
}


def _x(moment: dt.datetime) -> str:
    # Minutes are as fine as any event is known; every mark starts and ends on one.
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def _shift(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """moment + delta, held inside the calendar: a filter may reach year 1 or 9999."""
    try:
        return moment + delta
    except OverflowError:
        return dt.datetime.max if delta > dt.timedelta(0) else dt.datetime.min


def _ms(delta: dt.timedelta) -> float:
    return delta.total_seconds() * 1000


@dataclass
class Mark:
    """One event as drawn: its stretch of local time (or instant), lane, row and look."""

    event: Event
    lane: int
    start: dt.datetime  # naive local time
    stop: dt.datetime
    point: bool
    size: float = 0  # pixels, for points
    row: int = 0
    y: float = 0
    # start and stop as the figure writes them
    x0: str = ""
    x1: str = ""

    @property
    def centre(self) -> dt.datetime:
        return self.start + (self.stop - self.start) / 2


def _mark(event: Event, lane: int) -> Mark:
    start, stop, point, size, x0, x1 = rows.kept(event, "mark", lambda: _drawn(event))
    return Mark(event, lane, start, stop, point, size, x0=x0, x1=x1)


def _drawn(event: Event) -> tuple:
    start, stop, point, size = _stretch(event)
    return start, stop, point, size, _x(start), _x(stop)


def _stretch(event: Event) -> tuple[dt.datetime, dt.datetime, bool, float]:
    """Where the event's mark starts and stops in naive local time; whether it is a point, and
    how big."""
    if not event.end and event.start_precision.is_timed:
        # A minute is a point; so is an hour, at its middle: a bar an hour wide would be too
        # thin to see or click at any zoom that shows more than a day or two.
        moment = event.sort_moment.replace(tzinfo=None, second=0, microsecond=0)
        return moment, moment, True, 10 + 2 * event.importance
    start = event.period_start.replace(tzinfo=None)
    stop = event.period_end.replace(tzinfo=None, microsecond=0) + dt.timedelta(seconds=1)
    return start, max(stop, start + dt.timedelta(minutes=1)), False, 0


def card_data(event: Event, url_for: Callable[[Event], str] = Event.get_absolute_url) -> list[str]:
    """What the hover card and the click need, as plain text: [slug, url (where the event opens:
    `url_for`), date, title, headline figure with who gave it]. The page writes it with
    textContent."""
    date, headline = rows.kept(event, "card", lambda: _date_and_headline(event))
    return [event.slug, url_for(event), date, event.title, headline]


def _date_and_headline(event: Event) -> tuple[str, str]:
    claim = event.headline_claim()
    return event.local_period, claim.headline if claim is not None else ""


def _lane_names(
    events: Sequence[Event], by: str, extra: Iterable[str] = ()
) -> tuple[list[str], dict[int, list[int]]]:
    """Lane names top to bottom, and for each event the lanes it is drawn in.

    Categories: by the editor's order, then by first appearance. Actors: the MAX_ACTOR_LANES
    most involved, by first appearance, and one "Others" lane for the rest.
    """
    if by == "actor":
        involved = Counter(
            name
            for e in events
            for name in dict.fromkeys(r.actor.name for r in e.event_actors.all())
        )
        involved.update({name: 0 for name in extra if name not in involved})
        first_seen = list(
            dict.fromkeys(
                [r.actor.name for e in events for r in e.event_actors.all()] + sorted(extra)
            )
        )
        ranked = sorted(first_seen, key=lambda name: (-involved[name], first_seen.index(name)))
        kept = set(ranked[:MAX_ACTOR_LANES])
        names = [name for name in first_seen if name in kept]
        if len(first_seen) > len(names):
            names.append(OTHERS)
        index = {name: i for i, name in enumerate(names)}
        placed = {
            e.id: list(
                dict.fromkeys(
                    index.get(r.actor.name, index.get(OTHERS)) for r in e.event_actors.all()
                )
            )
            for e in events
        }
        return names, placed
    categories = {e.category.name: e.category for e in events}
    first_seen = list(dict.fromkeys([e.category.name for e in events] + sorted(extra)))
    order = {name: getattr(categories.get(name), "order", 0) for name in first_seen}
    names = sorted(first_seen, key=lambda name: (order[name], first_seen.index(name)))
    index = {name: i for i, name in enumerate(names)}
    return names, {e.id: [index[e.category.name]] for e in events}


def _dodge(marks: list[Mark], span: dt.timedelta) -> int:
    """Give each mark the first row of its lane where it touches nothing; return the rows used."""
    per_px = span / PACKING_WIDTH_PX
    rows: list[dt.datetime] = []  # where each row is free again
    for mark in sorted(marks, key=lambda m: (m.start, m.event.sort_at, m.event.id)):
        # Bars may touch end to end (a day, then the next); points keep a gap all round.
        reach = per_px * (mark.size / 2 + MARK_GAP_PX) if mark.point else dt.timedelta(0)
        left, right = mark.start - reach, mark.stop + reach
        for row, free_from in enumerate(rows):
            if left >= free_from:
                mark.row, rows[row] = row, right
                break
        else:
            mark.row = len(rows)
            rows.append(right)
    return max(len(rows), 1)


def _extent(marks: list[Mark], density: Density | None) -> tuple[dt.datetime, dt.datetime]:
    starts = [m.start for m in marks]
    stops = [m.stop for m in marks]
    if density:
        starts.append(dt.datetime.combine(density.first, dt.time()))
        stops.append(dt.datetime.combine(density.last, dt.time.max))
    first, last = min(starts), max(stops)
    # A little room either side, so the first and last marks are not cut by the frame.
    pad = max((last - first) * 0.045, dt.timedelta(hours=3))
    return _shift(first, -pad), _shift(last, pad)


def timeline_figure(
    events: Sequence[Event],
    lanes: str = "category",
    links: Iterable[EventLink] = (),
    density: Density | None = None,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
    url_for: Callable[[Event], str] = Event.get_absolute_url,
) -> dict:
    """x = local time; y = lanes (categories or actors) stacked, each with its dodged rows.

    With `density`, the events are only the most important of many: counts per bin sit behind
    them in each lane, so the shape of the whole is visible without drawing every event.
    """
    names, placed = _lane_names(events, lanes, extra=density.lanes if density else ())
    marks = [_mark(e, lane) for e in events for lane in placed[e.id]]
    if not marks and not density:
        first = dt.datetime.combine(window[0] or dt.date.today(), dt.time())
        extent = (first, dt.datetime.combine(first, dt.time.max))
    else:
        extent = _extent(marks, density)
    if window[0] and window[1]:
        extent = (
            dt.datetime.combine(window[0], dt.time()),
            dt.datetime.combine(window[1], dt.time.max),
        )

    # Stack the lanes: a header band with the name, then the lane's rows.
    lane_top, lane_rows, y = [], [], 0.0
    for i in range(len(names)):
        in_lane = [m for m in marks if m.lane == i]
        rows = _dodge(in_lane, extent[1] - extent[0])
        lane_top.append(y)
        lane_rows.append(rows)
        for m in in_lane:
            m.y = y + HEADER + m.row + 0.5
        y += HEADER + rows + LANE_GAP
    depth = max(y - LANE_GAP, 1.0)

    traces: list[dict] = []
    if density:
        traces += _density_traces(density, names, lane_top)
    positions = {}
    for m in marks:
        positions.setdefault(m.event.id, m)
    kinds = []
    if lanes == "category":
        traces += _link_traces(links, positions, kinds)
    traces += _mark_traces(marks, url_for)

    layout = dict(
        # Plotly's default template would make every figure heavier and slower to build
        # (figures: README); the page's CSS gives the font colour, the rest is set here.
        template="none",
        height=round(depth * ROW_PX) + MARGIN["t"] + MARGIN["b"],
        margin=MARGIN,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        # The page finds the mark under the pointer itself (chart.js), from the same geometry
        # it places the labels with: no stale hover, and a tap is a click.
        hovermode=False,
        dragmode="pan",
        showlegend=False,
        barmode="overlay",
        font={
            "family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
            "size": 12,
        },
        xaxis={
            "type": "date",
            "range": [_x(extent[0]), _x(extent[1])],
            "showgrid": True,
            "gridcolor": "rgba(128,128,128,0.12)",
            "zeroline": False,
            "showline": True,
            "linecolor": "rgba(128,128,128,0.5)",
            "ticks": "outside",
            "ticklen": 4,
            "tickcolor": "rgba(128,128,128,0.5)",
            # Plotly's own date ticks: "Dec 28", and the year under the first tick and where it
            # changes ("Jan 1 / 2020") — the context a reader needs, nothing more.
            "nticks": 9,
            "fixedrange": False,
        },
        yaxis={
            "range": [depth, 0],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        annotations=[
            {
                # Small capitals set the lanes' names apart from the events' labels; set here,
                # not in CSS, so Plotly measures the text it draws.
                "text": escape(name.upper(), quote=False),
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": top + HEADER / 2,
                "yanchor": "middle",
                "showarrow": False,
                "font": {"size": 10.5, "weight": 600},
                "name": "lane",
            }
            for name, top in zip(names, lane_top, strict=True)
        ],
        # Every other lane lightly shaded, as a printed chart would, rather than ruled off.
        shapes=[
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": top - LANE_GAP / 2,
                "y1": top + HEADER + rows + LANE_GAP / 2,
                "fillcolor": "rgba(128,128,128,0.07)",
                "line": {"width": 0},
                "layer": "below",
            }
            for i, (top, rows) in enumerate(zip(lane_top, lane_rows, strict=True))
            if i % 2 == 1
        ],
        meta={
            "lanes": lanes,
            "lane_names": names,
            "events": len(events),
            "aggregated": density is not None,
            "bin": density.bin if density else None,
            "extent": [_x(extent[0]), _x(extent[1])],
            "link_kinds": kinds,
            # For the labels the page places and the marks it finds under the pointer: the most
            # important first.
            "marks": [
                {
                    "slug": m.event.slug,
                    "label": m.event.chart_label,
                    "x0": m.x0,
                    "x1": m.x1,
                    "y": round(m.y, 3),
                    "lane": m.lane,
                    **({"point": True, "size": m.size} if m.point else {}),
                }
                for m in sorted(
                    marks, key=lambda m: (-m.event.importance, m.event.sort_at, m.event.id)
                )
            ],
            # Each lane's top and bottom in y units: a label stays inside its mark's lane.
            "lane_bands": [
                [top, top + HEADER + rows] for top, rows in zip(lane_top, lane_rows, strict=True)
            ],
            "row_px": ROW_PX,
            "bar_thickness": BAR_THICKNESS,
        },
    )
    return plotting.figure(traces, layout)


def _category_trace(category, marks: list[Mark], url_for: Callable[[Event], str]) -> dict:
    """What a category's bars and points share; their cards are drawn by chart.js from
    customdata, not by Plotly's hover labels."""
    return {
        "name": escape(category.name, quote=False),
        "y": [m.y for m in marks],
        "customdata": [card_data(m.event, url_for) for m in marks],
        "hoverinfo": "none",
        "showlegend": False,
    }


def _mark_traces(marks: list[Mark], url_for: Callable[[Event], str]) -> list[dict]:
    """One bar trace and one point trace per category: colour and symbol from the category."""
    traces = []
    groups: dict[int, tuple] = {}
    for m in marks:
        groups.setdefault(m.event.category_id, (m.event.category, []))[1].append(m)
    for category, group in groups.values():
        bars = [m for m in group if not m.point]
        points = [m for m in group if m.point]
        if bars:
            traces.append(
                {
                    **_category_trace(category, bars, url_for),
                    "type": "bar",
                    "orientation": "h",
                    "base": [m.x0 for m in bars],
                    "x": [_ms(m.stop - m.start) for m in bars],
                    "width": BAR_THICKNESS,
                    "marker": {"color": category.colour, "line": {"width": 0}},
                }
            )
        if points:
            traces.append(
                {
                    **_category_trace(category, points, url_for),
                    "type": "scatter",
                    "mode": "markers",
                    "x": [m.x0 for m in points],
                    "cliponaxis": True,
                    "marker": {
                        "color": category.colour,
                        "symbol": category.symbol,
                        "size": [m.size for m in points],
                        "opacity": 1,
                        # A ring in the page's colour keeps touching marks apart.
                        "line": {"width": 1.5, "color": "rgba(255,255,255,0.9)"},
                    },
                }
            )
    return traces


def _link_traces(links: Iterable[EventLink], positions: dict, kinds: list[str]) -> list[dict]:
    """A line per link, styled by kind, with its arrow half-way along: drawn as data so the
    plot clips it when zoomed, and under the marks."""
    by_kind: dict[str, tuple[list, list, list]] = {}
    for link in links:
        one, other = positions.get(link.from_event_id), positions.get(link.to_event_id)
        if one is None or other is None:
            continue
        # Links read either way ("led to", "retaliation for"); arrows always point forward,
        # from where the earlier event ends to where the later one begins, not through them.
        start, end = sorted([one, other], key=lambda m: (m.centre, m.event.id))
        begin, finish = start.stop, end.start
        if finish <= begin:
            begin, finish = start.centre, end.centre
        middle = begin + (finish - begin) / 2
        x, y, sizes = by_kind.setdefault(link.kind, ([], [], []))
        x += [_x(begin), _x(middle), _x(finish), None]
        y += [start.y, (start.y + end.y) / 2, end.y, None]
        sizes += [0, 11, 0, 0]
    traces = []
    for kind, (x, y, sizes) in sorted(by_kind.items()):
        kinds.append(kind)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": str(EventLink.Kind(kind).label),
                "x": x,
                "y": y,
                "line": {"color": LINK_COLOUR, "width": 1.4, "dash": LINK_STYLES[kind]},
                "marker": {
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": sizes,
                    "color": LINK_COLOUR,
                },
                "hoverinfo": "skip",
                "cliponaxis": True,
                "showlegend": False,
            }
        )
    return traces


BIN_DAYS = {"day": 1, "week": 7, "month": 30.4, "year": 365.25}


def _density_traces(density: Density, names: list[str], lane_top: list[float]) -> list[dict]:
    """Each lane's counts as a strip of bins behind its marks: darker where there are more."""
    width = dt.timedelta(days=BIN_DAYS[density.bin])
    largest = max((n for _, _, n in density.cells), default=1)
    index = {name: i for i, name in enumerate(names)}
    cells = [(day, lane, n) for day, lane, n in density.cells if lane in index]
    if not cells:
        return []
    return [
        {
            "type": "bar",
            "orientation": "h",
            "base": [_x(dt.datetime.combine(day, dt.time())) for day, _, _ in cells],
            "x": [_ms(width) for _ in cells],
            "y": [lane_top[index[lane]] + HEADER + 0.5 for _, lane, _ in cells],
            "width": 1.0,
            "hovertext": [
                f"{n:,} event{'s' if n != 1 else ''} in the {density.bin} of "
                f"{short_date(day)} · {lane}"
                for day, lane, n in cells
            ],
            "hoverinfo": "none",
            "marker": {
                "color": DENSITY_COLOUR,
                "opacity": [0.12 + 0.5 * (n / largest) ** 0.5 for _, _, n in cells],
                "line": {"width": 0},
            },
            "showlegend": False,
        }
    ]


def summary(events: Sequence[Event], density: Density | None = None) -> str:
    """The chart in one sentence, for screen readers: '14 events from 27 Dec 2019 to …'."""
    if density:
        return (
            f"{density.total:,} events from {short_date(density.first)} to "
            f"{short_date(density.last)}, shown as counts per {density.bin} — zoom in to see "
            f"each. The {len(events):,} most important are marked."
        )
    if not events:
        return "No events match these filters."
    first = min(e.local_start_date for e in events)
    last = max(e.local_end_date for e in events)
    categories = len({e.category_id for e in events})
    noun = "event" if len(events) == 1 else "events"
    cats = "category" if categories == 1 else "categories"
    span = f"from {short_date(first)} to {short_date(last)}"
    return f"{len(events)} {noun} {span} in {categories} {cats}."
