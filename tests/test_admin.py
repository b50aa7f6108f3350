import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.helpers import change_url, form_data
from timeline.models import Event

pytestmark = pytest.mark.django_db


def test_editor_can_open_the_event_list_and_the_change_form(client, editor, make_event):
    event = make_event("Kerman stampede")
    client.force_login(editor)
    listing = client.get(reverse("admin:timeline_event_changelist"))
    assert listing.status_code == 200
    assert "Kerman stampede" in listing.content.decode()
    form = client.get(change_url(event))
    assert form.status_code == 200
    assert "Sources: where it was reported" in form.content.decode()


def test_editor_types_local_time_and_it_is_stored_in_utc(client, editor, category):
    client.force_login(editor)
    response = client.post(reverse("admin:timeline_event_add"), form_data(None, category))
    assert response.status_code == 302, response.context["adminform"].errors
    event = Event.objects.get(slug="airport-strike")
    assert event.start == dt.datetime(2020, 1, 2, 21, 30, tzinfo=dt.UTC)
    assert event.created_by == editor
    assert event.status == "draft"


def test_the_change_form_shows_the_local_time_back(client, editor, make_event):
    event = make_event(start=dt.datetime(2020, 1, 2, 21, 30, tzinfo=dt.UTC), precision="minute")
    client.force_login(editor)
    html = client.get(change_url(event)).content.decode()
    assert 'value="2020-01-03 00:30"' in html


def test_editor_cannot_publish_through_the_form(client, editor, make_event):
    event = make_event(status="review")
    client.force_login(editor)
    response = client.post(change_url(event), form_data(event, event.category, status="published"))
    assert response.status_code == 200
    assert "Only a Publisher can publish" in response.content.decode()
    event.refresh_from_db()
    assert event.status == "review"


def test_editor_cannot_unpublish_through_the_form(client, editor, make_event):
    event = make_event(status="published")
    client.force_login(editor)
    client.post(change_url(event), form_data(event, event.category, status="draft"))
    event.refresh_from_db()
    assert event.status == "published"


def test_editor_cannot_publish_through_the_action(client, editor, make_event):
    event = make_event(status="review")
    client.force_login(editor)
    client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == "review"


def test_publisher_can_publish_through_the_form(client, publisher, make_event):
    event = make_event(status="review")
    client.force_login(publisher)
    response = client.post(change_url(event), form_data(event, event.category, status="published"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == "published"
    assert event.updated_by == publisher


def test_publisher_cannot_publish_an_event_without_citations(client, publisher, make_event):
    event = make_event(status="review")
    data = form_data(event, event.category, status="published")
    data["citations-0-DELETE"] = "on"
    client.force_login(publisher)
    response = client.post(change_url(event), data)
    assert "needs at least one citation" in response.content.decode()
    event.refresh_from_db()
    assert event.status == "review"
    assert event.citations.count() == 1


def test_publisher_can_publish_through_the_action_but_not_uncited_events(
    client, publisher, make_event
):
    ready = make_event("Ready", status="review")
    uncited = make_event("Uncited", status="draft")
    uncited.citations.all().delete()
    client.force_login(publisher)
    response = client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, uncited.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    uncited.refresh_from_db()
    assert (ready.status, uncited.status) == ("published", "draft")
    assert "“Uncited” has no citation yet" in response.content.decode()


def test_publisher_can_unpublish_through_the_action(client, publisher, make_event):
    event = make_event(status="published")
    client.force_login(publisher)
    client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "unpublish", "_selected_action": [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == "draft"


# Timelines: membership is chosen where the event is written.


def test_a_new_event_form_starts_on_the_main_timeline(client, editor, timeline):
    client.force_login(editor)
    html = client.get(reverse("admin:timeline_event_add")).content.decode()
    checked = re.search(rf'<input[^>]*name="timelines"[^>]*value="{timeline.pk}"[^>]*>', html)
    assert checked and "checked" in checked.group(0)


def test_an_event_published_from_its_form_with_a_timeline_ticked_reaches_the_home_page(
    client, publisher, make_event, timeline
):
    event = make_event("Freshly written", status="draft", on_timeline=False)
    assert "Freshly written" not in client.get("/").content.decode()
    client.force_login(publisher)
    data = form_data(event, event.category, status="published", timelines=[timeline.pk])
    response = client.post(change_url(event), data, follow=True)
    assert response.status_code == 200
    assert list(event.timelines.all()) == [timeline]
    assert "no published timeline" not in response.content.decode()
    client.logout()
    assert "Freshly written" in client.get("/").content.decode()


def test_publishing_an_event_on_no_published_timeline_says_readers_will_not_find_it(
    client, publisher, make_event
):
    event = make_event("Nowhere to be seen", status="draft", on_timeline=False)
    client.force_login(publisher)
    data = form_data(event, event.category, status="published")
    response = client.post(change_url(event), data, follow=True)
    assert "published but on no published timeline" in response.content.decode()
    listed = make_event("Listed elsewhere", status="draft", on_timeline=False)
    response = client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [listed.pk]},
        follow=True,
    )
    assert "“Listed elsewhere” is published but on no published timeline" in (
        response.content.decode()
    )


def test_unticking_a_timeline_on_the_form_takes_the_event_off_it(
    client, publisher, make_event, timeline
):
    event = make_event("Moved off")
    client.force_login(publisher)
    data = form_data(event, event.category, timelines=[])
    assert client.post(change_url(event), data).status_code == 302
    assert not event.timelines.exists()


def test_the_desk_carries_the_sites_name_not_the_frameworks(client, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Timeline — the editors’ desk" in html or "Timeline — the editors&#x27; desk" in html
    assert "Django administration" not in html


def test_an_editor_is_offered_only_the_statuses_an_editor_may_choose(client, editor, make_event):
    client.force_login(editor)
    draft = make_event(status="draft")
    html = client.get(change_url(draft)).content.decode()
    offered = re.findall(r'<option value="(draft|review|published)"', html)
    assert offered == ["draft", "review"]
    live = make_event(status="published")
    html = client.get(change_url(live)).content.decode()
    assert re.findall(r'<option value="(draft|review|published)"', html) == ["published"]


def test_view_on_site_opens_the_preview_for_a_draft_and_the_page_for_a_live_event(
    client, editor, make_event
):
    client.force_login(editor)
    draft, live = make_event(status="draft"), make_event(status="published")
    for event, expected in (
        (draft, f"/preview/events/{draft.pk}/"),
        (live, live.get_absolute_url()),
    ):
        html = client.get(change_url(event)).content.decode()
        link = re.search(r'<a href="([^"]+)" class="viewsitelink"', html)
        assert link and link.group(1) == expected
        assert client.get(link.group(1)).status_code == 200


def test_a_forbidden_page_says_why_and_links_back(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:timeline_event_recoverlist"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only a Publisher can bring back a deleted event" in html
    assert reverse("admin:index") in html


@pytest.mark.parametrize("typed", ["Iraq", "iraq", "IQ", "iq", "IRQ", "Iraq (IQ)"])
def test_the_country_is_typed_by_name_or_code_and_the_zone_follows_it(
    client, editor, category, typed
):
    client.force_login(editor)
    data = form_data(None, category, country=typed, timezone="")
    response = client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors
    event = Event.objects.get(slug="airport-strike")
    assert (event.country, event.timezone) == ("IQ", "Asia/Baghdad")


def test_a_word_that_is_not_a_country_is_not_guessed_at(client, editor, category):
    client.force_login(editor)
    data = form_data(None, category, country="Iraqi", timezone="")
    response = client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 200
    assert "We don't know a country called “Iraqi”" in " ".join(
        response.context["adminform"].form.errors["country"]
    )


def test_the_form_shows_the_countrys_name_and_warns_when_a_new_country_keeps_the_old_zone(
    client, publisher, make_event
):
    event = make_event(country="IR", timezone="Asia/Tehran")
    client.force_login(publisher)
    assert 'value="Iran (IR)"' in client.get(change_url(event)).content.decode()
    data = form_data(event, event.category, country="Iraq", timezone="Asia/Tehran")
    response = client.post(change_url(event), data, follow=True)
    assert "The country is now Iraq (IQ), but the time zone is still Asia/Tehran" in (
        response.content.decode()
    )


def test_the_change_summary_names_only_what_the_editor_changed(client, editor, make_event):
    from django.contrib.admin.models import LogEntry

    event = make_event(status="draft")
    client.force_login(editor)
    data = form_data(event, event.category, start="2020-01-04 10:15", duplicate_ok="1")
    assert client.post(change_url(event), data).status_code == 302
    message = LogEntry.objects.filter(object_id=str(event.pk)).latest("action_time")
    summary = message.get_change_message()
    assert "Start" in summary
    assert "duplicate" not in summary.lower() and "seen" not in summary.lower()
