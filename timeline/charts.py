"""The timeline figure: events in, a Plotly figure dict out. No request, no template."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

import plotly.graph_objects as go

from timeline.models import Event, EventLink


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


# A clock time is plotted where it happened; a whole day sits at its local noon.
NOON = dt.time(12, 0)
LANE_HEIGHT = 56
CHART_PADDING = 150


def _x(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="minutes")


def _anchor(event: Event) -> dt.datetime:
    """Where the event's marker goes: its local time, a day's noon, or a span's middle."""
    local = event.local_start
    if event.is_span:
        return local + (event.period_end - local) / 2
    if event.precision == "day":
        return local.replace(hour=NOON.hour, minute=0)
    return local


def hover_text(event: Event) -> str:
    """Plotly reads hover text as HTML: every piece the editor typed is escaped first."""
    lines = [f"<b>{escape(event.title)}</b>", escape(event.local_period)]
    if event.place_name:
        lines.append(escape(event.place_name))
    for claim in event.claims.all():
        figure = f"{claim.figure}: " if claim.figure else ""
        lines.append(escape(f"{figure}{claim.text} — {claim.attribution}"))
    return "<br>".join(lines)


def _lanes(
    events: Sequence[Event], by: str, extra: Iterable[str] = ()
) -> list[tuple[str, list[tuple[Event, int]]]]:
    """Lane labels in order, with (event, lane index) pairs."""
    if by == "actor":
        names = sorted({r.actor.name for e in events for r in e.event_actors.all()} | set(extra))
        index = {name: i for i, name in enumerate(names)}
        placed = [
            (e, index[name])
            for e in events
            for name in dict.fromkeys(r.actor.name for r in e.event_actors.all())
        ]
        return [(name, [p for p in placed if p[1] == i]) for i, name in enumerate(names)]
    names = sorted({e.category.name for e in events} | set(extra))
    index = {name: i for i, name in enumerate(names)}
    return [(name, [(e, index[name]) for e in events if e.category.name == name]) for name in names]


def bin_for(first: dt.date, last: dt.date) -> str:
    """The coarsest bin that still shows the shape: about 30 to 150 bins across the range."""
    days = (last - first).days + 1
    if days <= 120:
        return "day"
    if days <= 3 * 365:
        return "week"
    if days <= 25 * 365:
        return "month"
    return "year"


BIN_DAYS = {"day": 1, "week": 7, "month": 30.4, "year": 365.25}


def timeline_figure(
    events: Sequence[Event],
    lanes: str = "category",
    links: Iterable[EventLink] = (),
    density: Density | None = None,
    window: tuple[dt.date | None, dt.date | None] = (None, None),
) -> dict:
    """x = local time, y = one lane per category (or actor); colour and symbol per category.

    With `density`, the events are only the most important of many: counts per bin sit behind
    them in each lane, so the shape of the whole is visible without drawing every event.
    """
    lane_list = _lanes(events, lanes, extra=density.lanes if density else ())
    traces: list[dict] = []
    if density:
        traces += _density_traces(density, {name: i for i, (name, _) in enumerate(lane_list)})
    positions: dict[int, tuple[str, int]] = {}

    for _lane, placed in lane_list:
        for category, group in _by_category(placed):
            spans = [(e, y) for e, y in group if e.is_span]
            if spans:
                traces.append(_span_trace(spans, category.colour))
            traces.append(
                _scatter(
                    name=escape(category.name),
                    legendgroup=category.slug,
                    showlegend=False,
                    mode="markers",
                    x=[_x(_anchor(e)) for e, _ in group],
                    y=[y for _, y in group],
                    customdata=[[e.slug, e.get_absolute_url()] for e, _ in group],
                    hovertext=[hover_text(e) for e, _ in group],
                    hovertemplate="%{hovertext}<extra></extra>",
                    marker={
                        "color": category.colour,
                        "symbol": [
                            f"{category.symbol}-open" if e.is_span else category.symbol
                            for e, _ in group
                        ],
                        "size": [8 + 3 * e.importance for e, _ in group],
                        "line": {"width": 1.5, "color": category.colour},
                    },
                )
            )
            for event, y in group:
                positions.setdefault(event.pk, (_x(_anchor(event)), y))

    traces += _legend_traces(events)
    xaxis = {
        "type": "date",
        "rangeslider": {"visible": True, "thickness": 0.08},
        "showgrid": True,
        "gridcolor": "rgba(128,128,128,0.2)",
    }
    if window[0] and window[1]:
        xaxis["range"] = [f"{window[0]}T00:00", f"{window[1]}T23:59"]
    layout = dict(
        # Plotly's default template would add 7 KB to every figure and cost a third of the
        # time to build it; the page's CSS gives the font colour, the rest is set here.
        template="none",
        hoverlabel={"align": "left"},
        annotations=[
            _arrow(positions[link.from_event_id], positions[link.to_event_id])
            for link in links
            if link.from_event_id in positions
            and link.to_event_id in positions
            and lanes == "category"
        ],
        height=CHART_PADDING + LANE_HEIGHT * max(len(lane_list), 1),
        margin={"l": 8, "r": 8, "t": 36, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
        dragmode="pan",
        showlegend=True,
        legend={
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        font={
            "family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
            "size": 13,
        },
        xaxis=xaxis,
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(lane_list))),
            "ticktext": [escape(name) for name, _ in lane_list],
            "range": [-0.6, max(len(lane_list), 1) - 0.4],
            # Lane names sit inside the plot so a phone keeps its width for the dates.
            "ticklabelposition": "inside top",
            "automargin": True,
            "fixedrange": True,
            "zeroline": False,
            "gridcolor": "rgba(128,128,128,0.2)",
        },
        meta={
            "lanes": lanes,
            "events": len(events),
            "aggregated": density is not None,
            "bin": density.bin if density else None,
        },
    )
    # Plotly validates the whole figure once, here: adding traces one by one, or passing
    # graph objects in, copies and checks every trace again.
    return go.Figure(data=traces, layout=layout).to_plotly_json()


def _scatter(**properties) -> dict:
    return {"type": "scatter", **properties}


def _density_traces(density: Density, lane_index: dict[str, int]) -> list[dict]:
    half = dt.timedelta(days=BIN_DAYS[density.bin] / 2)
    largest = max((n for _, _, n in density.cells), default=1)
    by_lane: dict[str, list[tuple[dt.date, int]]] = {}
    for day, lane, n in density.cells:
        if lane in lane_index:
            by_lane.setdefault(lane, []).append((day, n))
    return [
        _scatter(
            mode="markers",
            showlegend=False,
            x=[_x(dt.datetime.combine(day, dt.time()) + half) for day, _ in cells],
            y=[lane_index[lane]] * len(cells),
            hovertext=[
                f"{n:,} event{'s' if n != 1 else ''} in the {density.bin} of "
                f"{day:%-d %b %Y}<br>{escape(lane)}"
                for day, n in cells
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            marker={
                "symbol": "square",
                "color": "rgba(120,120,120,0.35)",
                "size": [6 + 22 * (n / largest) ** 0.5 for _, n in cells],
                "line": {"width": 0},
            },
        )
        for lane, cells in by_lane.items()
    ]


def _by_category(placed: list[tuple[Event, int]]):
    groups: dict[int, tuple] = {}
    for event, y in placed:
        groups.setdefault(event.category_id, (event.category, []))[1].append((event, y))
    return list(groups.values())


def _span_trace(spans: list[tuple[Event, int]], colour: str) -> dict:
    # One trace for all of a category's spans in a lane; None breaks the line between them.
    x, y = [], []
    for event, lane in spans:
        x += [_x(event.local_start), _x(event.period_end), None]
        y += [lane, lane, None]
    return _scatter(
        mode="lines",
        x=x,
        y=y,
        line={"color": colour, "width": 8},
        opacity=0.45,
        hoverinfo="skip",
        showlegend=False,
    )


def _legend_traces(events: Sequence[Event]) -> list[dict]:
    # One entry per category, drawn by an empty trace so the legend never hides events.
    seen = {}
    for event in events:
        seen.setdefault(event.category_id, event.category)
    return [
        _scatter(
            name=escape(category.name),
            mode="markers",
            x=[None],
            y=[None],
            marker={"color": category.colour, "symbol": category.symbol, "size": 11},
            hoverinfo="skip",
            legendgroup=category.slug,
        )
        for category in sorted(seen.values(), key=lambda c: c.name)
    ]


def _arrow(one: tuple[str, int], other: tuple[str, int]) -> dict:
    # Links read either way ("led to", "retaliation for"); arrows always point forward in time.
    start, end = sorted([one, other])
    return {
        "x": end[0],
        "y": end[1],
        "ax": start[0],
        "ay": start[1],
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 3,
        "arrowsize": 1,
        "arrowwidth": 1.2,
        "arrowcolor": "rgba(120,120,120,0.7)",
        "standoff": 8,
        "startstandoff": 8,
        "text": "",
    }


def summary(events: Sequence[Event], density: Density | None = None) -> str:
    """The chart in one sentence, for screen readers: '14 events from 27 Dec 2019 to …'."""
    if density:
        return (
            f"{density.total:,} events from {density.first:%-d %b %Y} to "
            f"{density.last:%-d %b %Y}, shown as counts per {density.bin} — zoom in to see "
            f"each. The {len(events):,} most important are marked."
        )
    if not events:
        return "No events match these filters."
    first, last = events[0].local_start_date, max(e.local_end_date for e in events)
    categories = len({e.category_id for e in events})
    noun = "event" if len(events) == 1 else "events"
    cats = "category" if categories == 1 else "categories"
    return (
        f"{len(events)} {noun} from {first:%-d %b %Y} to {last:%-d %b %Y} in {categories} {cats}."
    )
