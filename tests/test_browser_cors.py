"""TimelineJS on another site's page reads our live export: the browser's CORS check passes."""

from pathlib import Path

import pytest

from tests.helpers import serve_directory
from timeline.models import Event

pytestmark = pytest.mark.browser

TIMELINEJS = Path(__file__).parent.parent / "node_modules" / "@knight-lab" / "timelinejs" / "dist"


@pytest.fixture
def newsroom(tmp_path):
    """Another origin: a newsroom's page with TimelineJS 3 from npm, served on 127.0.0.1 (the
    live server answers on localhost). A real server on loopback, because Chromium refuses a
    page it cannot place on the network any request to a private address, CORS or not."""
    (tmp_path / "tl").symlink_to(TIMELINEJS, target_is_directory=True)
    with serve_directory(tmp_path) as origin:
        yield tmp_path, origin


def test_timelinejs_on_another_origin_draws_our_live_export(
    live_server, seeded, newsroom, open_page
):
    folder, origin = newsroom
    (folder / "story.html").write_text(f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/tl/css/timeline.css"></head><body>
<div id="timeline-embed" style="width:1000px;height:600px"></div>
<script src="/tl/js/timeline.js"></script>
<script>
  // Fonts and language from the copy served here, as a newsroom hosting it would: by
  // default TimelineJS fetches them from its CDN, and Google's fonts, which this machine
  // cannot reach (a failed load is a console error).
  window.timeline = new TL.Timeline("timeline-embed", "{live_server.url}/api/timelinejs.json",
    {{script_path: location.origin + "/tl/js/", font: null}});
</script></body></html>""")
    # A refused CORS check is a console error, which fails the test (see open_page).
    page = open_page(viewport={"width": 1200, "height": 800})
    page.goto(f"{origin}/story.html")
    page.wait_for_selector(".tl-slide .tl-headline", timeout=15000)
    headlines = page.locator(".tl-headline").all_inner_texts()
    first = Event.objects.published().order_by("sort_at").first()
    assert any(first.title in text for text in headlines), headlines
