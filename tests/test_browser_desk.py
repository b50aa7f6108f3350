"""The editors' desk in a real browser: typed dates, the country's zone, a refused save."""

import datetime as dt

import pytest

from tests.helpers import sign_in, staff_user
from timeline.models import Event

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(seeded, open_page):
    """An Editor signed in to the desk; console errors fail the test."""
    staff_user("amira", "Editor")
    return sign_in(open_page(viewport=None), "amira")


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


class Hands:
    """Drives the form as an editor does, counting what it costs: a text box is reached with
    Tab and typed into; a dropdown is a click to open and one to choose; a search box (an
    autocomplete) is a click, the typing, and a click on the match."""

    def __init__(self, page):
        self.page, self.clicks, self.typed, self.dropdowns = page, 0, 0, 0

    def type(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.typed += 1

    def choose(self, selector: str, label: str) -> None:
        self.page.select_option(selector, label=label)
        self.clicks += 2
        self.dropdowns += 1

    def pick(self, select_id: str, text: str) -> None:
        self.page.click(f"#{select_id} + .select2 .select2-selection")
        self.page.keyboard.type(text)
        self.typed += 1
        self.page.locator(".select2-results__option", has_text=text).first.click()
        self.clicks += 2

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1


def test_a_typical_event_takes_about_a_dozen_clicks_on_one_page(desk):
    desk.set_viewport_size({"width": 1440, "height": 900})
    desk.goto("/admin/timeline/event/add/")
    hands = Hands(desk)
    hands.type("#id_title", "Missile hits a bus in Kerman")
    hands.type("#id_summary", "A missile struck a bus on the road into Kerman.")
    hands.choose("#id_category", "Attack")
    hands.type("#id_start", "2020-01-07 10:15")
    hands.type("#id_place_name", "Kerman")
    hands.type("#id_country", "Iran")
    hands.pick("id_event_actors-0-actor", "Islamic Revolutionary Guards Corps")
    hands.choose("#id_event_actors-0-role", "Suspected or blamed")
    hands.pick("id_citations-0-source", "CNN")
    hands.type("#id_citations-0-quote", "At least 12 people were killed, state media said.")
    hands.choose("#id_claims-0-kind", "Deaths")
    hands.type("#id_claims-0-value", "12")
    hands.type("#id_claims-0-text", "12 dead")
    height = desk.evaluate("document.documentElement.scrollHeight")
    hands.click("input[name=_save]")
    desk.wait_for_selector(".messagelist .success")

    event = Event.objects.get(title="Missile hits a bus in Kerman")
    claim = event.claims.get()
    assert (event.timezone, event.precision, event.status) == ("Asia/Tehran", "minute", "draft")
    assert claim.source == event.citations.get().source  # the source was chosen once
    assert [a.actor.name for a in event.event_actors.all()] == [
        "Islamic Revolutionary Guards Corps"
    ]
    assert list(event.timelines.values_list("slug", flat=True)) == ["us-iran-escalation-2019-2020"]
    # Before: 23 clicks, 10 typed fields and 3 dropdowns on a 3,622 px form, then 4-5 more
    # actions on the timeline's page.
    assert hands.clicks <= 12, hands.clicks
    assert (hands.typed, hands.dropdowns) == (10, 3)
    assert height < 2800, height


def test_use_theirs_on_a_date_brings_back_their_precision_too(desk):
    event = Event.objects.filter(status="published").first()
    event.status = "draft"
    event.start = dt.datetime(2020, 1, 3, 10, 0, tzinfo=event.zone)
    event.precision = "hour"
    event.save()
    desk.goto(f"/admin/timeline/event/{event.pk}/change/")
    assert desk.input_value("#id_precision") == "hour"
    # Meanwhile another editor pins the time to the minute.
    event.refresh_from_db()
    event.start = dt.datetime(2020, 1, 3, 10, 15, tzinfo=event.zone)
    event.precision = "minute"
    event.save()
    desk.fill("#id_start", "2020-01-03 11:00")
    desk.click("input[name=_save]")
    desk.wait_for_selector("button[data-use-theirs=start]")
    desk.click("button[data-use-theirs=start]")
    assert desk.input_value("#id_start") == "2020-01-03 10:15"
    assert desk.input_value("#id_precision") == ""
    desk.click("input[name=_save]")
    desk.wait_for_selector(".messagelist .success")
    event.refresh_from_db()
    assert event.precision == "minute"
    assert f"{event.local_start:%Y-%m-%d %H:%M}" == "2020-01-03 10:15"
