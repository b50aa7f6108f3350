"""Every figure the pages hand to plotly.js is one Plotly accepts unchanged.

The figures are written as plain data, not graph objects, so no request pays for Plotly's
validation (timeline/reader/plotting.py). Here each kind the reader can reach goes through
`plotly.graph_objects.Figure`: it raises on a property or value plotly.js does not know, and
anything it would coerce shows as a difference from what the page sent.
"""

import json
import re

import plotly.graph_objects as go
import pytest
from django.core.management import call_command

from timeline.reader import browse

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"
FIGURE = re.compile(
    r'<script id="((?:timeline-figure|timeline-map-figure|history-[^"]+))" '
    r'type="application/json">(.*?)</script>',
    re.S,
)


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _figures(client, path: str) -> dict[str, dict]:
    response = client.get(path)
    assert response.status_code == 200, path
    found = {name: json.loads(text) for name, text in FIGURE.findall(response.content.decode())}
    assert found, f"{path} carries no figure"
    return found


def _assert_plotly_takes_it_as_it_is(name: str, figure: dict) -> None:
    checked = go.Figure(figure)  # raises ValueError naming any property Plotly does not know
    assert json.loads(checked.to_json()) == figure, f"Plotly would change {name}"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?lanes=actor",
        "/?view=map",
        "/?zoom=2020-01-07~2020-01-09",
        "/events/kerman-funeral-stampede/",
        "/events/iranian-missile-strikes-ain-al-asad-erbil/",
        "/story/soleimani-killed-baghdad-airport-strike/",
    ],
)
def test_every_figure_on_the_reader_pages_is_valid_plotly(client, seed, path):
    for name, figure in _figures(client, path).items():
        _assert_plotly_takes_it_as_it_is(name, figure)


def test_the_event_page_figure_history_is_among_the_checked(client, seed):
    # The step chart is only on events whose figure changed: this one has it.
    assert any(
        n.startswith("history-") for n in _figures(client, "/events/kerman-funeral-stampede/")
    )


def test_the_counts_per_bin_figure_is_valid_plotly(client, seed, monkeypatch):
    # The seed's 14 events drawn as if they were many: counts per bin behind the marks.
    monkeypatch.setattr(browse, "DETAIL_LIMIT", 5)
    monkeypatch.setattr(browse, "TOP_EVENTS", 3)
    for lanes in ("category", "actor"):
        figures = _figures(client, f"/?lanes={lanes}&view=map")
        assert figures["timeline-figure"]["layout"]["meta"]["aggregated"]
        for name, figure in figures.items():
            _assert_plotly_takes_it_as_it_is(name, figure)


def test_a_figure_plotly_would_reject_is_caught(client, seed):
    # The check itself: a misspelt property is refused, and so is a value out of its range.
    figure = _figures(client, "/")["timeline-figure"]
    figure["layout"]["xaxis"]["rnage"] = [0, 1]
    with pytest.raises(ValueError, match="rnage"):
        _assert_plotly_takes_it_as_it_is("misspelt", figure)
    del figure["layout"]["xaxis"]["rnage"]
    figure["data"][0]["marker"]["opacity"] = 2
    with pytest.raises(ValueError, match="opacity"):
        _assert_plotly_takes_it_as_it_is("out of range", figure)
