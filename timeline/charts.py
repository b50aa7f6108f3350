"""The timeline figure: events in, a Plotly figure dict out. No request, no template."""

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape

import plotly.graph_objects as go

from timeline.models import Event, EventLink

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


def _lanes(events: Sequence[Event], by: str) -> list[tuple[str, list[tuple[Event, int]]]]:
    """Lane labels in order, with (event, lane index) pairs."""
    if by == "actor":
        names = sorted({r.actor.name for e in events for r in e.event_actors.all()})
        index = {name: i for i, name in enumerate(names)}
        placed = [
            (e, index[name])
            for e in events
            for name in dict.fromkeys(r.actor.name for r in e.event_actors.all())
        ]
        return [(name, [p for p in placed if p[1] == i]) for i, name in enumerate(names)]
    names = sorted({e.category.name for e in events})
    index = {name: i for i, name in enumerate(names)}
    return [(name, [(e, index[name]) for e in events if e.category.name == name]) for name in names]


def timeline_figure(
    events: Sequence[Event], lanes: str = "category", links: Iterable[EventLink] = ()
) -> dict:
    """x = local time, y = one lane per category (or actor); colour and symbol per category."""
    lane_list = _lanes(events, lanes)
    fig = go.Figure()
    positions: dict[int, tuple[str, int]] = {}

    for _lane, placed in lane_list:
        for category, group in _by_category(placed):
            spans = [(e, y) for e, y in group if e.is_span]
            for event, y in spans:
                fig.add_trace(_span_trace(event, y, category.colour))
            fig.add_trace(
                go.Scatter(
                    name=category.name,
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

    _add_legend(fig, events)
    fig.update_layout(
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
        xaxis={
            "type": "date",
            "rangeslider": {"visible": True, "thickness": 0.08},
            "showgrid": True,
            "gridcolor": "rgba(128,128,128,0.2)",
        },
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
        meta={"lanes": lanes, "events": len(events)},
    )
    return fig.to_plotly_json()


def _by_category(placed: list[tuple[Event, int]]):
    groups: dict[int, tuple] = {}
    for event, y in placed:
        groups.setdefault(event.category_id, (event.category, []))[1].append((event, y))
    return list(groups.values())


def _span_trace(event: Event, y: int, colour: str) -> go.Scatter:
    return go.Scatter(
        mode="lines",
        x=[_x(event.local_start), _x(event.period_end)],
        y=[y, y],
        line={"color": colour, "width": 6 + event.importance},
        opacity=0.45,
        hoverinfo="skip",
        showlegend=False,
    )


def _add_legend(fig: go.Figure, events: Sequence[Event]) -> None:
    # One entry per category, drawn by an empty trace so the legend never hides events.
    seen = {}
    for event in events:
        seen.setdefault(event.category_id, event.category)
    for category in sorted(seen.values(), key=lambda c: c.name):
        fig.add_trace(
            go.Scatter(
                name=escape(category.name),
                mode="markers",
                x=[None],
                y=[None],
                marker={"color": category.colour, "symbol": category.symbol, "size": 11},
                hoverinfo="skip",
                legendgroup=category.slug,
            )
        )


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


def summary(events: Sequence[Event]) -> str:
    """The chart in one sentence, for screen readers: '14 events from 27 Dec 2019 to …'."""
    if not events:
        return "No events match these filters."
    first, last = events[0].local_start_date, max(e.local_end_date for e in events)
    categories = len({e.category_id for e in events})
    noun = "event" if len(events) == 1 else "events"
    cats = "category" if categories == 1 else "categories"
    return (
        f"{len(events)} {noun} from {first:%-d %b %Y} to {last:%-d %b %Y} in {categories} {cats}."
    )
