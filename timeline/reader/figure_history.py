""" "How the figure changed": each teller's figures of one kind, step by step, as given.

The x axis is the order the figures were given, labelled with the day ("7 Jan", then "then"
for more that day): Kerman's five tolls came the same day, in a known order but at unknown
hours, so a time axis would stack them on one point. Each teller keeps a line of its own;
disputed figures stay side by side, never averaged. A qualified figure ("more than 50") is
drawn hollow at its number; the latest of each teller carries its words and its name.

The table of claims on the same page is the chart's accessible twin, and `summary` says the
same in a sentence for the chart's label. Text reaches Plotly escaped: it reads a little HTML.
"""

from dataclasses import dataclass
from html import escape

from timeline.dates import short_date
from timeline.models import Claim, Event
from timeline.reader import plotting

# Okabe and Ito's colours, told apart with colour blindness, each with a symbol of its own too.
# The key under the chart repeats each symbol as a character.
TELLER_STYLES = [
    ("#0072B2", "circle", "●"),
    ("#D55E00", "square", "■"),
    ("#009E73", "diamond", "◆"),
    ("#CC79A7", "triangle-up", "▲"),
    ("#E69F00", "triangle-down", "▼"),
    ("#56B4E9", "pentagon", "⬟"),
]
HEIGHT = 260
MARGIN = {"l": 44, "r": 16, "t": 28, "b": 40}


@dataclass
class Teller:
    name: str
    colour: str
    glyph: str
    figures: str  # "35, then 40 (latest)"


@dataclass
class History:
    kind: str
    slug: str
    figure: dict
    summary: str
    key: list[Teller]


def histories(event: Event) -> list[History]:
    """One chart per kind of figure given more than once with a date, in the page's order."""
    found = []
    for kind, claims in event.claims_by_kind():
        dated = [c for c in claims if c.value is not None and c.reported_at is not None]
        if len(dated) < 2:
            continue
        dated.sort(key=Claim.given_order)
        found.append(
            History(
                kind=kind,
                slug=dated[0].kind,
                figure=_figure(dated),
                summary=summary(kind, dated),
                key=_key(dated),
            )
        )
    return found


def _steps(claims: list[Claim]) -> tuple[dict[tuple, int], list[str]]:
    """Each distinct (when, order) its place on the x axis, and the axis labels."""
    keys = list(dict.fromkeys(c.given_order() for c in claims))
    by_key = {c.given_order(): c for c in claims}
    labels, last_day = [], None
    for key in keys:
        day = by_key[key].reported_at.astimezone(by_key[key].zone).date()
        labels.append("then" if day == last_day else short_date(day).rsplit(" ", 1)[0])
        last_day = day
    return {key: i for i, key in enumerate(keys)}, labels


def _tellers(claims: list[Claim]) -> dict[tuple, list[Claim]]:
    tellers: dict[tuple, list[Claim]] = {}
    for claim in claims:
        tellers.setdefault(claim.teller, []).append(claim)
    return tellers


def _figure(claims: list[Claim]) -> dict:
    place, labels = _steps(claims)
    traces = []
    for n, given in enumerate(_tellers(claims).values()):
        colour, symbol, _ = TELLER_STYLES[n % len(TELLER_STYLES)]
        last = len(given) - 1
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "line": {"shape": "hv", "color": colour, "width": 2},
                "x": [place[c.given_order()] for c in given],
                "y": [c.value for c in given],
                "marker": {
                    "color": colour,
                    "opacity": 1,
                    "size": [12 if i == last else 8 for i in range(len(given))],
                    # Hollow: the number is a bound ("more than 50"), not the count.
                    "symbol": [
                        symbol if c.qualifier == Claim.Qualifier.EXACT else f"{symbol}-open"
                        for c in given
                    ],
                    "line": {"width": 2, "color": colour},
                },
                # Who gave it is in the key below: names here would collide on a phone.
                "text": [escape(c.figure, quote=False) for c in given],
                "textposition": "top center",
                "cliponaxis": False,
                "hoverinfo": "none",
                "showlegend": False,
            }
        )
    top = max(c.value_max or c.value for c in claims)
    layout = {
        "template": "none",
        "height": HEIGHT,
        "margin": MARGIN,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": False,
        "dragmode": False,
        "showlegend": False,
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"},
        "xaxis": {
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "range": [-0.6, len(labels) - 0.4],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        "yaxis": {
            "rangemode": "tozero",
            "range": [0, top * 1.25 + 1],
            "gridcolor": "rgba(128,128,128,0.2)",
            "zeroline": False,
            "fixedrange": True,
            "tickformat": ",d",
        },
    }
    return plotting.figure(traces, layout)


def _figures(given: list[Claim]) -> str:
    latest = " (latest)" if len(given) > 1 else ""
    return ", then ".join(c.figure for c in given) + latest


def _key(claims: list[Claim]) -> list[Teller]:
    return [
        Teller(given[0].teller_name, colour, glyph, _figures(given))
        for (colour, _, glyph), given in zip(
            (TELLER_STYLES[n % len(TELLER_STYLES)] for n in range(len(claims))),
            _tellers(claims).values(),
            strict=False,
        )
    ]


def summary(kind: str, claims: list[Claim]) -> str:
    """The chart in a sentence: 'Deaths, in the order given: state TV: 32; Koulivand: 35,
    then 40 (latest) …'."""
    parts = [f"{given[0].teller_name}: {_figures(given)}" for given in _tellers(claims).values()]
    first, last = claims[0], claims[-1]
    span = first.reported_when
    if last.reported_when != span:
        span = f"{span} to {last.reported_when}"
    return f"{kind}, in the order given ({span}): " + "; ".join(parts) + "."
