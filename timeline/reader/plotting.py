"""A figure as plotly.js reads it, built as plain data.

Plotly's graph objects check every property of every trace when a figure is made; on the
reader's uncached request that check cost more than drawing the chart (README, bench notes).
The figures are written here to Plotly's schema instead, and tests/test_figures_valid.py proves
each kind we draw valid by passing it through `plotly.graph_objects.Figure`, which rejects any
property or value plotly.js would not read and must leave the figure exactly as it was.
"""

from functools import cache

import plotly.io as pio


@cache
def _template(name: str) -> dict:
    """A named Plotly template as the data plotly.js takes (the browser knows no names)."""
    return pio.templates[name].to_plotly_json()


def figure(traces: list[dict], layout: dict) -> dict:
    """{"data", "layout"}, with the layout's named template (Plotly's default without one)
    spelled out, as graph objects would have written it."""
    return {
        "data": traces,
        "layout": {**layout, "template": _template(layout.get("template", pio.templates.default))},
    }
