"""The hostile corpus in a real browser: nothing runs, nothing trips the Content-Security-Policy."""

import pytest

from tests.browser import drawn_marks, next_frame, wait_for_marks
from tests.payloads import PAYLOADS, load_corpus
from timeline.models import Actor, Timeline

pytestmark = pytest.mark.browser

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
    # The corpus's image URLs point at example.com, which this machine cannot reach: those
    # loads fail, and only those may. A script error or a refusal still fails the test.
    reader.allow_console_errors(
        r"^console error: Failed to load resource: net::ERR_[A-Z_]+ \(https://example\.com/"
    )
    return reader


def _assert_quiet(page, where: str) -> None:
    # Late handlers (onerror, ontoggle, onfocus) fire once the images have loaded or failed
    # and the tasks queued so far have run: wait for that, then two frames and a task more.
    page.wait_for_load_state("load")
    page.wait_for_function("() => [...document.images].every(image => image.complete)")
    next_frame(page)
    page.evaluate("() => new Promise(done => setTimeout(done))")
    assert page.dialogs == [], f"{where}: a payload ran: {page.dialogs}"
    assert page.evaluate("() => window.__violations") == [], f"{where}: CSP violation"
    # Console errors and uncaught exceptions fail the test at teardown (see `reader`).


def test_the_timeline_with_the_corpus_runs_no_payload_even_when_hovered(hostile):
    hostile.goto("/")
    wait_for_marks(hostile)
    marks = drawn_marks(hostile)
    assert len(marks) >= len(PAYLOADS)
    # Show every hover card and every label the page writes.
    for mark in marks:
        hostile.mouse.move(mark["x"], mark["y"])
    assert hostile.locator(".chart-label").count() > 0
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
    wait_for_marks(hostile)
    for mark in drawn_marks(hostile)[::3]:
        hostile.mouse.move(mark["x"], mark["y"])
    _assert_quiet(hostile, "/embed/")
