"""TimelineJS on another site's page reads our live export: the browser's CORS check passes."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from timeline.models import Event

pytestmark = pytest.mark.browser

TIMELINEJS = Path(__file__).parent.parent / "node_modules" / "@knight-lab" / "timelinejs" / "dist"


@pytest.fixture
def newsroom(tmp_path):
    """Another origin: a newsroom's page with TimelineJS 3 from npm, served on 127.0.0.1 (the
    live server answers on localhost). A real server on loopback, because Chromium refuses a
    page it cannot place on the network any request to a private address, CORS or not."""
    (tmp_path / "tl").symlink_to(TIMELINEJS, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_timelinejs_on_another_origin_draws_our_live_export(
    chromium, live_server, seeded, newsroom
):
    folder, origin = newsroom
    (folder / "story.html").write_text(f"""<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/tl/css/timeline.css"></head><body>
<div id="timeline-embed" style="width:1000px;height:600px"></div>
<script src="/tl/js/timeline.js"></script>
<script>
  window.timeline = new TL.Timeline("timeline-embed", "{live_server.url}/api/timelinejs.json");
</script></body></html>""")
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.goto(f"{origin}/story.html")
    page.wait_for_selector(".tl-slide .tl-headline", timeout=15000)
    headlines = page.locator(".tl-headline").all_inner_texts()
    first = Event.objects.published().order_by("sort_at").first()
    assert any(first.title in text for text in headlines), headlines
    assert not [p for p in problems if "CORS" in p], problems
    context.close()
