"""A page left open during breaking news: a publish in another session is offered, politely,
without moving the reader; the step chart of a changing toll is drawn on the event page."""

import pytest

from tests.browser import PHONE, wait_for_marks
from tests.helpers import sign_in, staff_user
from timeline.models import Category, Citation, Event, Source, Timeline

pytestmark = pytest.mark.browser


def _draft() -> Event:
    event = Event.objects.create(
        title="Iraq's parliament summons the US ambassador",
        slug="iraq-summons-us-ambassador",
        summary="A new development while the page was open.",
        start=Event.objects.order_by("-start").first().start,
        precision="day",
        timezone="Asia/Baghdad",
        category=Category.objects.first(),
        status=Event.Status.DRAFT,
    )
    Citation.objects.create(event=event, source=Source.objects.first())
    event.timelines.add(Timeline.objects.get())
    return event


def test_a_publish_in_another_session_is_offered_without_moving_the_reader(
    reader, open_page, settings
):
    settings.TIMELINE_LIVE_POLL_SECONDS = 1
    draft = _draft()
    page = reader
    page.set_viewport_size(PHONE)
    page.goto("/")
    wait_for_marks(page)
    page.locator("#chronology .event-card h3 a").nth(6).focus()
    page.evaluate("() => window.scrollTo(0, 1500)")
    top = page.evaluate("() => window.scrollY")
    focused = page.evaluate("() => document.activeElement.textContent")

    desk = open_page()
    staff_user("publisher", "Publisher")
    sign_in(desk, "publisher")
    desk.goto(f"/admin/timeline/event/{draft.pk}/change/")
    desk.select_option("#id_status", "published")
    desk.click("input[name=_continue]")
    desk.wait_for_selector(".messagelist .success")

    offer = page.locator("#live-notice button")
    offer.wait_for(timeout=10_000)
    assert offer.inner_text() == "1 new event — show"
    assert page.locator("#live-notice").get_attribute("aria-live") == "polite"
    assert page.evaluate("() => window.scrollY") == top
    assert page.evaluate("() => document.activeElement.textContent") == focused
    assert page.locator(f"#event-{draft.slug}").count() == 0  # nothing pushed in unasked

    offer.click()
    page.locator(f"#event-{draft.slug}").wait_for()
    assert abs(page.evaluate("() => window.scrollY") - top) < 2
    assert page.locator("#live-notice").inner_text() == "Showing the latest events."


def test_a_draft_saved_meanwhile_offers_nothing(reader, settings):
    settings.TIMELINE_LIVE_POLL_SECONDS = 1
    page = reader
    page.goto("/")
    wait_for_marks(page)
    draft = _draft()
    draft.summary = "Rewritten."
    draft.save()
    statuses = []
    for _ in range(3):  # the first answer, then two more polls across the draft's saves
        with page.expect_response(lambda r: "live=" in r.url, timeout=10_000) as polled:
            pass
        statuses.append(polled.value.status)
    assert statuses[1:] == [304, 304]
    assert page.locator("#live-notice").inner_text() == ""


def test_the_step_chart_of_a_changing_toll_is_drawn(reader):
    page = reader
    page.goto("/events/kerman-funeral-stampede/")
    chart = page.locator("[data-history$='-deaths'] .history-chart")
    chart.locator(".main-svg").first.wait_for()
    assert chart.locator(".scatterlayer .trace").count() == 4  # four tellers, side by side
    texts = [text.text_content() for text in chart.locator(".scatterlayer text").all()]
    assert "more than 50" in texts and "56" in texts


def _axe(page) -> list:
    from tests.browser import AXE

    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_parts_have_no_accessibility_violations(reader, settings, scheme):
    from timeline.models import EventUpdate

    settings.TIMELINE_LIVE_POLL_SECONDS = 1
    kerman = Event.objects.get(slug="kerman-funeral-stampede")
    EventUpdate.objects.create(event=kerman, kind="correction", note="The toll was 56, not 50.")
    page = reader
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(kerman.get_absolute_url())
    page.locator("[data-history] .main-svg").first.wait_for()
    assert _axe(page) == []
    page.goto("/?as_of=2020-01-09T12:00")
    wait_for_marks(page)
    assert _axe(page) == []
    page.goto("/")
    wait_for_marks(page)
    draft = _draft()
    draft.status = Event.Status.PUBLISHED
    draft.save()
    page.locator("#live-notice button").wait_for(timeout=10_000)
    assert _axe(page) == []
