"""An Editor's change to a live event waits for a Publisher; readers see it only once approved."""

import re

import pytest
from django.urls import reverse
from reversion.models import Version

from tests.helpers import change_url, form_data
from timeline.models import Event, EventActor, PendingChange, Timeline

pytestmark = pytest.mark.django_db

NEW_SUMMARY = "Iranian state television said 56 people died in the crush."


def _public_texts(client, event: Event) -> dict[str, str]:
    return {
        "page": client.get(reverse("event", args=[event.slug])).content.decode(),
        "home": client.get("/").content.decode(),
        "api": client.get("/api/events").content.decode(),
        "atom": client.get(reverse("events-atom")).content.decode(),
        "embed": client.get(reverse("embed")).content.decode(),
    }


def _review_url(event: Event) -> str:
    return reverse("admin:timeline_event_review", args=[event.pk])


def _decide(client, change: PendingChange, decision: str, **extra):
    url = reverse("admin:timeline_event_decide", args=[change.event_id, change.pk])
    return client.post(url, {"decision": decision, **extra}, follow=True)


def _propose(client, editor, event: Event, **overrides):
    client.force_login(editor)
    client.get(change_url(event))  # opened first, as an editor does
    response = client.post(change_url(event), form_data(event, event.category, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return PendingChange.objects.get(event=event, state="waiting")


def test_an_editors_change_to_a_live_event_stays_off_every_public_surface_until_approved(
    client, editor, publisher, make_event
):
    event = make_event("Kerman stampede")
    before = _public_texts(client, event)  # also fills the public cache
    change = _propose(client, editor, event, summary=NEW_SUMMARY)

    event.refresh_from_db()
    assert event.summary != NEW_SUMMARY
    client.logout()
    for surface, text in _public_texts(client, event).items():
        assert NEW_SUMMARY not in text, surface
        assert text == before[surface], surface

    client.force_login(publisher)
    _decide(client, change, "approve")
    event.refresh_from_db()
    assert event.summary == NEW_SUMMARY
    client.logout()
    for surface in ("page", "api", "atom"):
        assert NEW_SUMMARY in _public_texts(client, event)[surface], surface


def test_the_approval_records_who_approved_whose_change(client, editor, publisher, make_event):
    event = make_event()
    change = _propose(client, editor, event, summary=NEW_SUMMARY)
    client.force_login(publisher)
    _decide(client, change, "approve")
    change.refresh_from_db()
    assert (change.state, change.decided_by, change.proposed_by) == ("approved", publisher, editor)
    revision = Version.objects.get_for_object(event).order_by("-pk").first().revision
    assert revision.user == publisher
    assert "editor" in revision.get_comment()
    history = client.get(reverse("admin:timeline_event_history", args=[event.pk])).content
    assert b"Approved the change editor sent for review" in history


def test_changes_to_claims_actors_and_the_slug_wait_for_review_too(
    client, editor, publisher, make_event, make_actor
):
    event = make_event()
    old_slug, claim = event.slug, event.claims.get()
    actor = make_actor("Islamic Revolutionary Guard Corps")
    change = _propose(
        client,
        editor,
        event,
        slug="kerman-stampede",
        **{
            "claims-0-value": 56,
            "claims-0-text": "56 dead",
            "event_actors-TOTAL_FORMS": 1,
            "event_actors-0-actor": actor.pk,
            "event_actors-0-role": "perpetrator",
            "event_actors-0-note": "",
        },
    )
    client.logout()
    assert client.get(reverse("event", args=[old_slug])).status_code == 200
    assert client.get("/events/kerman-stampede/").status_code == 404
    claim.refresh_from_db()
    assert claim.value != 56
    assert not EventActor.objects.filter(event=event).exists()

    client.force_login(publisher)
    page = re.sub(r"<[^>]+>", "", client.get(_review_url(event)).content.decode())
    assert "kerman-stampede" in page and "Islamic Revolutionary Guard Corps" in page
    _decide(client, change, "approve")
    client.logout()
    live = client.get("/events/kerman-stampede/").content.decode()
    assert "56 dead" in live and "Islamic Revolutionary Guard Corps" in live
    assert client.get(reverse("event", args=[old_slug])).status_code == 404


def test_the_review_page_shows_the_live_text_beside_the_proposed_one(
    client, editor, publisher, make_event
):
    event = make_event(summary="Dozens died in a crush.")
    _propose(client, editor, event, summary=NEW_SUMMARY)
    client.force_login(publisher)
    page = client.get(_review_url(event)).content.decode()
    assert "Waiting for review" in page
    assert "Dozens" in page and "56" in page
    assert "Approve and publish" in page


def test_a_publishers_own_edit_goes_live_at_once(client, publisher, make_event):
    event = make_event()
    client.force_login(publisher)
    response = client.post(change_url(event), form_data(event, event.category, summary="Now."))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.summary == "Now."
    assert not PendingChange.objects.exists()


def test_an_editors_draft_is_saved_at_once(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    client.post(change_url(event), form_data(event, event.category, summary="Draft text."))
    event.refresh_from_db()
    assert event.summary == "Draft text."
    assert not PendingChange.objects.exists()


def test_the_editor_is_told_the_change_waits_not_that_it_was_saved(client, editor, make_event):
    event = make_event()
    client.force_login(editor)
    response = client.post(
        change_url(event), form_data(event, event.category, summary=NEW_SUMMARY), follow=True
    )
    page = response.content.decode()
    assert "waiting for a Publisher" in page
    assert "changed successfully" not in page


def test_an_editor_cannot_approve_a_change(client, editor, make_event):
    event = make_event()
    change = _propose(client, editor, event, summary=NEW_SUMMARY)
    response = _decide(client, change, "approve")
    assert "Only a Publisher" in response.content.decode()
    change.refresh_from_db()
    event.refresh_from_db()
    assert change.state == "waiting"
    assert event.summary != NEW_SUMMARY


def test_the_editor_reopens_the_waiting_change_in_the_form_and_amends_it(
    client, editor, publisher, make_event
):
    event = make_event()
    first = _propose(client, editor, event, summary=NEW_SUMMARY)
    form = client.get(change_url(event)).content.decode()
    assert NEW_SUMMARY in form
    assert "not the published version" in form
    second = _propose(
        client, editor, event, summary=NEW_SUMMARY, title="Stampede", seen_change=first.pk
    )
    first.refresh_from_db()
    assert first.state == "replaced"
    client.force_login(publisher)
    _decide(client, second, "approve")
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Stampede", NEW_SUMMARY)


def test_a_form_opened_before_someone_elses_change_was_sent_cannot_replace_it(
    client, editor, make_event
):
    event = make_event()
    first = _propose(client, editor, event, summary=NEW_SUMMARY)
    # The second form never showed the waiting change: no seen_change.
    response = client.post(change_url(event), form_data(event, event.category, title="Other"))
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    first.refresh_from_db()
    assert first.state == "waiting"


def test_approving_a_change_older_than_the_live_version_is_refused(
    client, editor, publisher, make_event
):
    event = make_event()
    change = _propose(client, editor, event, summary=NEW_SUMMARY)
    client.force_login(publisher)
    event.refresh_from_db()
    client.post(change_url(event), form_data(event, event.category, title="Publisher's title"))
    response = _decide(client, change, "approve")
    assert "saved again after this change was proposed" in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Publisher's title", "A drone strike.")


def test_a_change_sent_back_leaves_the_live_event_and_can_be_reopened(
    client, editor, publisher, make_event
):
    event = make_event()
    live_summary = event.summary
    change = _propose(client, editor, event, summary=NEW_SUMMARY)
    client.force_login(publisher)
    _decide(client, change, "send-back", note="Which broadcaster? Attribute the figure.")
    event.refresh_from_db()
    assert event.summary == live_summary
    client.force_login(editor)
    assert NEW_SUMMARY not in client.get(change_url(event)).content.decode()
    reopened = client.get(change_url(event) + f"?reopen={change.pk}").content.decode()
    assert NEW_SUMMARY in reopened
    assert "Attribute the figure" in reopened


def test_saving_a_live_event_unchanged_sends_nothing_for_review(
    client, editor, publisher, make_event
):
    event = make_event()
    client.force_login(publisher)
    client.post(change_url(event), form_data(event, event.category))  # as the form posts it
    event.refresh_from_db()
    client.force_login(editor)
    response = client.post(change_url(event), form_data(event, event.category), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not PendingChange.objects.exists()


def test_the_event_list_flags_a_live_event_with_a_change_waiting(client, editor, make_event):
    event, other = make_event(), make_event()
    _propose(client, editor, event, summary=NEW_SUMMARY)
    listing = client.get(reverse("admin:timeline_event_changelist")).content.decode()
    flag = f'<a class="badge badge-waiting" href="{_review_url(event)}"'
    assert listing.count('class="badge badge-waiting"') == 1 and flag in listing
    waiting = client.get(reverse("admin:timeline_event_changelist") + "?workflow=waiting")
    assert event.title in waiting.content.decode()
    assert other.title not in waiting.content.decode()


def test_approving_makes_a_new_version_so_a_form_opened_before_it_cannot_undo_it(
    client, editor, publisher, make_event
):
    event = make_event()
    client.force_login(publisher)
    client.get(change_url(event))
    opened_before = form_data(event, event.category, title="Publisher's title")
    change = _propose(client, editor, event, summary=NEW_SUMMARY)
    client.force_login(publisher)
    _decide(client, change, "approve")
    approved = Event.objects.get(pk=event.pk)
    assert approved.version == event.version + 1
    response = client.post(change_url(event), opened_before)
    assert response.status_code == 200  # refused: the form was opened before the approval
    assert Event.objects.get(pk=event.pk).summary == NEW_SUMMARY


def test_save_as_new_is_refused_though_the_form_does_not_offer_it(
    client, editor, publisher, make_event
):
    event = make_event()
    for user in (editor, publisher):
        client.force_login(user)
        data = form_data(event, event.category, slug=f"copy-by-{user}", _saveasnew="1")
        assert client.post(change_url(event), data).status_code == 400
    assert Event.objects.count() == 1
    assert not PendingChange.objects.exists()


def test_approving_a_change_citing_a_source_deleted_since_is_refused_with_the_reason(
    client, editor, publisher, make_event
):
    from timeline.models import Source

    event = make_event()
    doomed = Source.objects.create(publisher="AFP", title="Wire copy", slug="afp-wire")
    change = _propose(
        client,
        editor,
        event,
        **{
            "citations-TOTAL_FORMS": 2,
            "citations-1-source": doomed.pk,
            "citations-1-quote": "",
            "citations-1-note": "",
        },
    )
    doomed.delete()
    client.force_login(publisher)
    response = _decide(client, change, "approve")
    assert response.status_code == 200
    assert "deleted since" in response.content.decode()
    change.refresh_from_db()
    assert change.state == "waiting"
    assert event.citations.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/admin/timeline/event/abc/change/",
        "/admin/timeline/event/abc/history/",
        "/admin/timeline/event/abc/review/",
    ],
)
def test_an_event_address_that_is_not_a_number_is_not_a_server_error(client, publisher, path):
    client.force_login(publisher)
    assert client.get(path).status_code in (302, 404)
    assert client.post("/admin/timeline/event/abc/review/1/").status_code == 404
    assert client.post("/admin/timeline/event/abc/history/1/restore/").status_code == 404


def test_an_editor_sees_a_source_readers_see_read_only(client, editor, make_event, source):
    from timeline.models import Source

    make_event()  # cites `source`
    fresh = Source.objects.create(publisher="AFP", title="Wire copy", slug="afp-wire")
    client.force_login(editor)
    for record, expected in ((source, source.title), (fresh, "Wire copy, corrected")):
        url = reverse("admin:timeline_source_change", args=[record.pk])
        client.post(
            url,
            {
                "publisher": record.publisher,
                "title": "Wire copy, corrected",
                "slug": record.slug,
                "kind": record.kind,
                "url": "",
                "published": "",
                "language": "en",
                "not_a_copy": "on",
            },
        )
        record.refresh_from_db()
        assert record.title == expected
    page = client.get(reverse("admin:timeline_source_change", args=[source.pk])).content
    assert b"only a Publisher can change it" in page


def test_an_editor_cannot_reorder_the_chart_lanes_but_a_publisher_can(
    client, editor, publisher, category
):
    changelist = reverse("admin:timeline_category_changelist")
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": category.pk,
        "form-0-order": 9,
        "_save": "Save",
    }
    client.force_login(editor)
    assert b'name="form-0-order"' not in client.get(changelist).content
    client.post(changelist, data)
    category.refresh_from_db()
    assert category.order != 9
    client.force_login(publisher)
    client.post(changelist, data)
    category.refresh_from_db()
    assert category.order == 9


def _timeline_form(timeline, **overrides) -> dict:
    return {
        "title": timeline.title,
        "slug": timeline.slug,
        "description": timeline.description,
        **overrides,
    }


def test_an_editor_cannot_publish_or_unpublish_a_timeline_by_form_or_crafted_post(
    client, editor, timeline
):
    draft = Timeline.objects.create(title="Test timeline", slug="test-timeline")
    client.force_login(editor)
    form = client.get(reverse("admin:timeline_timeline_change", args=[draft.pk])).content
    assert b'name="is_published"' not in form
    for target, value in ((draft, "on"), (timeline, "")):
        url = reverse("admin:timeline_timeline_change", args=[target.pk])
        client.post(url, _timeline_form(target, is_published=value))
    draft.refresh_from_db()
    timeline.refresh_from_db()
    assert (draft.is_published, timeline.is_published) == (False, True)
    add = reverse("admin:timeline_timeline_add")
    client.post(add, {"title": "Sneaky", "slug": "sneaky", "description": "", "is_published": "on"})
    assert not Timeline.objects.get(slug="sneaky").is_published


def test_an_editor_cannot_publish_a_timeline_with_a_crafted_action_post(client, editor):
    draft = Timeline.objects.create(title="Test timeline", slug="test-timeline")
    client.force_login(editor)
    changelist = reverse("admin:timeline_timeline_changelist")
    assert b"publish_timelines" not in client.get(changelist).content
    client.post(changelist, {"action": "publish_timelines", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_publisher_publishes_timelines_from_the_list(client, publisher):
    draft = Timeline.objects.create(title="Test timeline", slug="test-timeline")
    client.force_login(publisher)
    changelist = reverse("admin:timeline_timeline_changelist")
    client.post(changelist, {"action": "publish_timelines", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published


def test_a_publisher_publishes_a_timeline(client, publisher):
    draft = Timeline.objects.create(title="Test timeline", slug="test-timeline")
    client.force_login(publisher)
    url = reverse("admin:timeline_timeline_change", args=[draft.pk])
    assert client.post(url, _timeline_form(draft, is_published="on")).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published


def test_saving_a_timeline_never_drops_an_event_an_editor_added_meanwhile(
    client, publisher, timeline, make_event
):
    kept = make_event()
    client.force_login(publisher)
    url = reverse("admin:timeline_timeline_change", args=[timeline.pk])
    form = client.get(url).content.decode()
    assert kept.title in form  # shown, read-only
    added = make_event(status="draft")  # an editor ticks this timeline meanwhile
    client.post(url, _timeline_form(timeline, description="Now with a description."))
    timeline.refresh_from_db()
    assert timeline.description == "Now with a description."
    assert set(timeline.events.all()) == {kept, added}


UNSOURCED_CLAIM = {
    "claims-TOTAL_FORMS": 1,
    "claims-0-kind": "deaths",
    "claims-0-value": 56,
    "claims-0-value_max": "",
    "claims-0-text": "56 dead",
    "claims-0-source": "",
    "claims-0-attributed_to": "",
}


def test_a_claim_left_without_a_source_takes_the_cited_one(client, editor, category, source):
    client.force_login(editor)
    data = {
        **form_data(None, category),
        **UNSOURCED_CLAIM,
        "citations-TOTAL_FORMS": 1,
        "citations-0-source": source.pk,
        "citations-0-quote": "At least 56 people were killed.",
        "citations-0-note": "",
    }
    response = client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 302
    claim = Event.objects.get(slug="airport-strike").claims.get()
    assert claim.source == source


def test_a_claim_with_no_source_and_no_citation_is_a_field_error(client, editor, category):
    client.force_login(editor)
    data = {**form_data(None, category), **UNSOURCED_CLAIM}
    response = client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 200
    assert "cite one under Sources" in response.content.decode()
    assert not Event.objects.exists()


def test_a_stale_change_sent_back_is_merged_with_the_newer_save_when_reopened(
    client, editor, publisher, make_event
):
    event = make_event()
    change = _propose(client, editor, event, summary=NEW_SUMMARY)
    client.force_login(publisher)
    client.post(change_url(event), form_data(event, event.category, title="Publisher's title"))
    _decide(client, change, "send-back", note="Redo it on the new version.")

    client.force_login(editor)
    reopened = client.get(change_url(event) + f"?reopen={change.pk}")
    page = reopened.content.decode()
    assert "after you opened it" in page  # the newer save is listed
    form = reopened.context["adminform"].form
    assert form.data["title"] == "Publisher's title"  # merged: the editor had not changed it
    assert form.data["summary"] == NEW_SUMMARY
    posted = client.post(change_url(event), {k: form.data.getlist(k) for k in form.data})
    assert posted.status_code == 302
    again = PendingChange.objects.get(event=event, state="waiting")
    client.force_login(publisher)
    _decide(client, again, "approve")
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Publisher's title", NEW_SUMMARY)
