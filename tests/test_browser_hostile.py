"""The hostile corpus in a real browser: nothing runs, nothing trips the Content-Security-Policy."""

import pytest

from tests.payloads import PAYLOADS, load_corpus
from timeline.models import Actor, Timeline

pytestmark = pytest.mark.browser

MARKERS = "#timeline-chart .cartesianlayer .scatterlayer .trace .points path.point"
# Runs before any page script through the DevTools protocol, so the CSP does not apply to it.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def hostile(reader):
    load_corpus(Timeline.objects.get())
    reader.dialogs = []

    def dismiss(dialog):
        reader.dialogs.append(dialog.message)
        dialog.dismiss()

    reader.on("dialog", dismiss)
    reader.add_init_script(WATCH_VIOLATIONS)
    return reader


def _assert_quiet(page, where: str) -> None:
    page.wait_for_timeout(300)  # let late handlers (onerror, ontoggle, onfocus) fire
    assert page.dialogs == [], f"{where}: a payload ran: {page.dialogs}"
    assert page.evaluate("() => window.__violations") == [], f"{where}: CSP violation"
    # Loads that fail are no concern here: the corpus's image URLs point at a host this
    # machine cannot reach, and the embed has no favicon. Script errors and refusals are.
    problems = [
        p
        for p in page.problems
        if not p.startswith(("failed: https://example.com/", "Failed to load resource"))
    ]
    assert problems == [], f"{where}: {problems}"


def test_the_timeline_with_the_corpus_runs_no_payload_even_when_hovered(hostile):
    hostile.goto("/")
    hostile.wait_for_selector(MARKERS)
    markers = hostile.locator(MARKERS)
    assert markers.count() >= len(PAYLOADS)
    # Plotly draws hover text as HTML: show every label.
    for n in range(markers.count()):
        markers.nth(n).hover(force=True)
    hostile.locator("#chronology .event-card h3 a").nth(5).click()
    hostile.locator("#event-panel .panel-inner").wait_for()
    hostile.locator(".embed-box summary").click()
    _assert_quiet(hostile, "/")


def test_event_actor_and_source_pages_with_the_corpus_run_no_payload(hostile):
    actor = Actor.objects.get(slug="hostile-actor-0")
    for path in [
        "/events/hostile-0/",
        "/events/hostile-10/",
        "/events/hostile-20/",
        actor.get_absolute_url(),
        "/actors/hostile-actor-17/?lanes=actor",
        "/sources/hostile-source-4/",
    ]:
        hostile.goto(path)
        hostile.wait_for_load_state("load")
        _assert_quiet(hostile, path)


def test_the_embed_with_the_corpus_runs_no_payload(hostile):
    hostile.goto("/embed/?lanes=actor")
    hostile.wait_for_selector(MARKERS)
    markers = hostile.locator(MARKERS)
    for n in range(0, markers.count(), 3):
        markers.nth(n).hover(force=True)
    _assert_quiet(hostile, "/embed/")
