"""Shared set-up for the end-to-end tests: one Debian Chromium per test session."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def require_chromium() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    message = (
        f"browser tests skipped: no Chromium at {CHROMIUM}; "
        "install it with `apt-get update && apt-get install -y chromium`"
    )
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# Every event mark the chart has drawn, read from the SVG Plotly made (not from the figure):
# bars and visible points, each with its event, its box on screen and its fill colour.
MARKS_JS = """() => {
  const chart = document.getElementById('timeline-chart');
  if (!chart) return [];
  const out = [];
  chart.querySelectorAll('.barlayer .point, .scatterlayer path.point').forEach(el => {
    const trace = el.closest('.trace').__data__[0].trace;
    const i = el.__data__ && el.__data__.i;
    const card = trace.customdata && trace.customdata[i];
    if (!card || trace.marker.opacity === 0) return;
    const shape = el.tagName === 'g' ? el.querySelector('path') : el;
    const box = shape.getBoundingClientRect();
    if (!box.width || !box.height) return;
    out.push({slug: card[0], left: box.left, top: box.top, width: box.width,
              height: box.height, x: box.left + box.width / 2, y: box.top + box.height / 2,
              fill: getComputedStyle(shape).fill, bar: trace.type === 'bar'});
  });
  return out;
}"""


def drawn_marks(page) -> list[dict]:
    return page.evaluate(MARKS_JS)


def wait_for_marks(page, count: int | None = None) -> None:
    """Until the chart shows marks (or exactly `count` of them)."""
    page.wait_for_function(
        f"n => {{ const marks = ({MARKS_JS})(); return n === null ? marks.length > 0 : "
        "marks.length === n; }",
        arg=count,
    )


# The chart redraws when its container changes width (a ResizeObserver in chart.js): settled
# once Plotly's layout has the container's width, or at once on a page without a chart.
CHART_FITS_JS = """() => {
  const chart = document.getElementById('timeline-chart');
  if (!chart || !chart._fullLayout || !chart.clientWidth) return true;
  return Math.abs(chart._fullLayout.width - chart.clientWidth) <= 1;
}"""
# Resolves once the browser has painted two more frames: what was scheduled is on screen.
NEXT_FRAMES_JS = (
    "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


def next_frame(page) -> None:
    """Until the page has rendered the next frames (a finger moves once a frame)."""
    page.evaluate(NEXT_FRAMES_JS)


def wait_for_chart_to_fit(page) -> None:
    """Until the chart has redrawn at its container's width (after a resize), then painted."""
    page.wait_for_function(CHART_FITS_JS)
    next_frame(page)
