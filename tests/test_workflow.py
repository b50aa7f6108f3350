import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import CHANGELIST, admin_action, change_url, form_data
from timeline.models import DataVersion, Event, EventTransition

pytestmark = pytest.mark.django_db


def test_editor_submits_a_draft_for_review_and_the_step_is_logged(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    response = admin_action(client, "submit_for_review", event)
    assert "Submitted 1 event(s) for review." in response.content.decode()
    event.refresh_from_db()
    assert event.status == "review"
    step = EventTransition.objects.get(event=event)
    assert (step.from_status, step.to_status, step.by) == ("draft", "review", editor)


def test_editor_submits_for_review_through_the_form(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    response = client.post(change_url(event), form_data(event, event.category, status="review"))
    assert response.status_code == 302
    assert EventTransition.objects.get(event=event).to_status == "review"


def test_editor_cannot_publish_with_a_crafted_action_post(client, editor, make_event):
    event = make_event(status="review")
    client.force_login(editor)
    for action in ("publish", "unpublish"):
        admin_action(client, action, event)
    event.refresh_from_db()
    assert event.status == "review"
    assert not EventTransition.objects.exists()


def test_editor_cannot_schedule_by_posting_a_publish_time(client, editor, make_event):
    event = make_event(status="published")
    client.force_login(editor)
    data = form_data(event, event.category, publish_at_0="2099-01-01", publish_at_1="00:00")
    assert client.post(change_url(event), data).status_code == 302
    event.refresh_from_db()
    assert event.publish_at is None
    assert event.is_published


def test_publisher_unpublishes_back_to_draft_and_who_did_it_is_on_the_event_page(
    client, publisher, make_event
):
    event = make_event(status="published")
    client.force_login(publisher)
    admin_action(client, "unpublish", event)
    event.refresh_from_db()
    assert event.status == "draft"
    page = client.get(change_url(event)).content.decode()
    assert "Published → <b>Draft</b>" in page
    assert "by publisher" in page


def test_published_at_is_set_on_first_publish_and_kept_after(client, publisher, make_event):
    event = make_event(status="review")
    assert event.published_at is None
    client.force_login(publisher)
    admin_action(client, "publish", event)
    event.refresh_from_db()
    first = event.published_at
    assert first is not None
    admin_action(client, "unpublish", event)
    event.refresh_from_db()
    admin_action(client, "publish", event)
    event.refresh_from_db()
    assert event.published_at == first
    steps = list(EventTransition.objects.filter(event=event).values_list("to_status", flat=True))
    assert steps == ["published", "draft", "published"]  # newest first


def test_a_bulk_action_refuses_a_row_changed_since_the_list_was_loaded(
    client, publisher, make_event
):
    event = make_event(status="review")
    seen = event.version
    event.title = "Retitled by a colleague"
    event.save()
    client.force_login(publisher)
    response = admin_action(client, "publish", event, versions={event.pk: seen})
    assert "changed by" in response.content.decode()
    event.refresh_from_db()
    assert event.status == "review"


def test_the_list_shows_status_badges_and_filters_by_status(client, publisher, make_event):
    make_event("Live one", status="published")
    make_event("Waiting one", status="review")
    make_event("Later one", status="published", publish_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(publisher)
    listing = client.get(reverse(CHANGELIST)).content.decode()
    assert 'class="badge badge-review">In review' in listing
    assert 'class="badge badge-scheduled">Scheduled for' in listing
    scheduled = client.get(reverse(CHANGELIST), {"workflow": "scheduled"}).content.decode()
    assert "Later one" in scheduled and "Live one" not in scheduled
    live = client.get(reverse(CHANGELIST), {"workflow": "live"}).content.decode()
    assert "Live one" in live and "Later one" not in live


def test_the_list_marks_events_changed_since_you_looked(client, editor, make_event):
    event = make_event("Watched")
    client.force_login(editor)
    client.get(change_url(event))
    listing = client.get(reverse(CHANGELIST), {"since": "changed"}).content.decode()
    assert "Watched" not in listing
    event.summary = "Someone else's correction."
    event.save()
    listing = client.get(reverse(CHANGELIST), {"since": "changed"}).content.decode()
    assert "Watched" in listing and "badge-changed" in listing


# Scheduled publishing: no job flips anything; the clock decides.


@pytest.fixture
def later(time_machine):
    """Move the clock forward, as if time had passed with nobody saving anything: every clock
    (time-machine's fixture), not only timezone.now, and back when the test ends."""

    def move(hours: float) -> None:
        time_machine.move_to(timezone.now() + dt.timedelta(hours=hours))

    return move


PUBLIC = [
    lambda e: "/",
    lambda e: f"/events/{e.slug}/",
    lambda e: "/embed/",
    lambda e: "/api/events",
    lambda e: f"/api/events/{e.slug}",
    lambda e: "/api/events.atom",
]


def test_a_scheduled_event_is_hidden_everywhere_until_its_time_then_shown(
    client, make_event, later
):
    make_event("Already out")
    event = make_event(
        "Embargoed statement",
        status="published",
        publish_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert event.is_scheduled and not event.is_published
    for url in PUBLIC:
        response = client.get(url(event))
        assert "Embargoed statement" not in response.content.decode(), url(event)
    assert not Event.objects.published().filter(pk=event.pk).exists()

    later(hours=2)
    for url in PUBLIC:
        response = client.get(url(event))
        assert response.status_code == 200, url(event)
        assert "Embargoed statement" in response.content.decode(), url(event)


def test_a_cached_page_is_not_kept_past_a_scheduled_time(client, make_event, later):
    make_event("Embargoed", status="published", publish_at=timezone.now() + dt.timedelta(hours=1))
    before = client.get("/")
    number = DataVersion.current().number
    later(hours=2)
    after = client.get("/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert "Embargoed" in after.content.decode()
    assert DataVersion.current().number > number


def test_a_publisher_schedules_through_the_form(client, publisher, make_event):
    event = make_event(status="review")
    client.force_login(publisher)
    data = form_data(
        event,
        event.category,
        status="published",
        publish_at_0="2099-01-01",
        publish_at_1="06:00",
    )
    assert client.post(change_url(event), data).status_code == 302
    event.refresh_from_db()
    assert event.is_scheduled
    assert client.get(f"/events/{event.slug}/").status_code == 404
    step = EventTransition.objects.get(event=event)
    assert step.publish_at == dt.datetime(2099, 1, 1, 6, tzinfo=dt.UTC)
