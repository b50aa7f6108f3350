"""A change to a live event, in a real browser: an Editor sends it, a Publisher approves it."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User

from timeline.models import Event

pytestmark = pytest.mark.browser

ADDED = " Iranian state television said 56 people died."


def _signed_in(chromium, live_server, name: str, group: str):
    if not Group.objects.filter(name=group).exists():
        # A transactional test before this one flushed the groups the migration made.
        groups = importlib.import_module("timeline.migrations.0002_editor_and_publisher_groups")
        groups.create_groups(apps, None)
    user = User.objects.create_user(name, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto("/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return context, page


def test_an_editors_change_to_a_live_event_reaches_readers_only_once_approved(
    chromium, live_server, seeded
):
    event = Event.objects.get(slug__contains="stampede")
    live_summary = event.summary
    editor_context, editor = _signed_in(chromium, live_server, "amira", "Editor")
    editor.goto(f"/admin/timeline/event/{event.pk}/change/")
    assert "This event is live" in editor.inner_text(".review-banner")
    editor.fill("#id_summary", live_summary + ADDED)
    editor.click("input[name=_continue]")
    assert "waiting for a Publisher's review" in editor.inner_text(".messagelist")
    # Reopened, the form shows the change waiting, not the live text.
    assert editor.input_value("#id_summary") == live_summary + ADDED

    reader = chromium.new_page(base_url=live_server.url)
    reader.goto(f"/events/{event.slug}/")
    assert ADDED.strip() not in reader.inner_text("main")

    publisher_context, publisher = _signed_in(chromium, live_server, "pat", "Publisher")
    publisher.goto("/admin/timeline/event/?workflow=waiting")
    publisher.click(".badge-waiting")
    assert ADDED.strip() in publisher.inner_text("table.diff ins")
    publisher.click("text=Approve and publish")
    assert "is live as changed" in publisher.inner_text(".messagelist")

    # A reader's browser may keep the page it saw for the max-age the site sends; a new
    # visitor gets the approved text at once (the public cache follows the data version).
    reader.close()
    reader = chromium.new_page(base_url=live_server.url)
    reader.goto(f"/events/{event.slug}/")
    assert ADDED.strip() in reader.inner_text("main")
    assert editor.problems == [] and publisher.problems == []
    for context in (editor_context, publisher_context):
        context.close()
    reader.close()
