"""A change to a live event, in a real browser: an Editor sends it, a Publisher approves it."""

import pytest

from tests.helpers import sign_in, staff_user
from timeline.models import Event

pytestmark = pytest.mark.browser

ADDED = " Iranian state television said 56 people died."


def _signed_in(open_page, name: str, group: str):
    staff_user(name, group)
    return sign_in(open_page(viewport=None), name)


def test_an_editors_change_to_a_live_event_reaches_readers_only_once_approved(seeded, open_page):
    event = Event.objects.get(slug__contains="stampede")
    live_summary = event.summary
    editor = _signed_in(open_page, "amira", "Editor")
    editor.goto(f"/admin/timeline/event/{event.pk}/change/")
    assert "This event is live" in editor.inner_text(".review-banner")
    editor.fill("#id_summary", live_summary + ADDED)
    editor.click("input[name=_continue]")
    assert "waiting for a Publisher's review" in editor.inner_text(".messagelist")
    # Reopened, the form shows the change waiting, not the live text.
    assert editor.input_value("#id_summary") == live_summary + ADDED

    reader = open_page(viewport=None)
    reader.goto(f"/events/{event.slug}/")
    assert ADDED.strip() not in reader.inner_text("main")

    publisher = _signed_in(open_page, "pat", "Publisher")
    publisher.goto("/admin/timeline/event/?workflow=waiting")
    publisher.click(".badge-waiting")
    assert ADDED.strip() in publisher.inner_text("table.diff ins")
    publisher.click("text=Approve and publish")
    assert "is live as changed" in publisher.inner_text(".messagelist")

    # A reader's browser may keep the page it saw for the max-age the site sends; a new
    # visitor gets the approved text at once (the public cache follows the data version).
    reader.context.close()
    reader = open_page(viewport=None)
    reader.goto(f"/events/{event.slug}/")
    assert ADDED.strip() in reader.inner_text("main")
