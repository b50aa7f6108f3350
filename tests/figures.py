"""Reading the chart figure a page embeds, as the page's script reads it."""

import json
import re


def figure_of(response_or_html) -> dict:
    html = getattr(response_or_html, "content", response_or_html)
    html = html.decode() if isinstance(html, bytes) else html
    match = re.search(
        r'<script id="timeline-figure" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page embeds the figure under id timeline-figure"
    return json.loads(match.group(1))


def event_traces(figure: dict) -> list[dict]:
    """The traces that draw events: bars and visible points (not the unseen click targets)."""
    return [
        t
        for t in figure["data"]
        if t.get("customdata") and (t.get("marker") or {}).get("opacity") != 0
    ]


def drawn_slugs(figure: dict) -> list[str]:
    return sorted(row[0] for t in event_traces(figure) for row in t["customdata"])


def density_cells(figure: dict) -> list[str]:
    """The hover text of each count-per-bin cell."""
    return [h for t in figure["data"] if not t.get("customdata") for h in t.get("hovertext") or []]


def drawn_markers(figure: dict) -> int:
    """Everything the figure draws that stands for events: marks and counted bins."""
    return len(drawn_slugs(figure)) + len(density_cells(figure))
