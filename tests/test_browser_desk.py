"""The editors' desk in a real browser: typed dates, the country's zone, a refused save."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User

from timeline.models import Event

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(chromium, live_server, seeded):
    if not Group.objects.filter(name="Editor").exists():
        # A transactional test before this one flushed the groups the migration made.
        groups = importlib.import_module("timeline.migrations.0002_editor_and_publisher_groups")
        groups.create_groups(apps, None)
    user = User.objects.create_user("amira", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto("/admin/login/")
    page.fill("#id_username", "amira")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page
    context.close()


def test_an_editor_types_a_month_and_the_country_picks_the_zone(desk):
    desk.goto("/admin/timeline/event/add/")
    desk.fill("#id_title", "Protests in Tehran")
    desk.fill("#id_summary", "Crowds gathered.")
    desk.select_option("#id_category", index=1)
    desk.fill("#id_start", "January 2020")
    desk.fill("#id_country", "ir")
    assert desk.input_value("#id_timezone") == "Asia/Tehran"
    desk.click("input[name=_save]")
    desk.wait_for_selector(".messagelist .success")
    event = Event.objects.get(title="Protests in Tehran")
    assert (event.precision, event.timezone, event.local_start.day) == ("month", "Asia/Tehran", 1)
    assert desk.problems == []


def test_use_theirs_puts_the_other_editors_value_in_the_form(desk):
    event = Event.objects.filter(status="published").first()
    desk.goto(f"/admin/timeline/event/{event.pk}/change/")
    event.summary = "Their summary."
    event.save()
    desk.fill("#id_summary", "My summary.")
    desk.click("input[name=_save]")
    desk.wait_for_selector("button[data-use-theirs=summary]")
    desk.click("button[data-use-theirs=summary]")
    assert desk.input_value("#id_summary") == "Their summary."
    assert desk.problems == []
