"""Public updates and corrections: a Publisher's note on a save of a live event, shown dated on
the page, carried by the feeds and the API, and never erased (a restore adds one)."""

import datetime as dt
import re

import feedparser
import pytest
import time_machine
from django.urls import reverse

from tests.helpers import change_url, form_data
from timeline.models import Event, EventUpdate

pytestmark = pytest.mark.django_db

# 8 January 2020, 14:10 in Baghdad (UTC+3).
SAVED_AT = dt.datetime(2020, 1, 8, 11, 10, tzinfo=dt.UTC)


def _save(client, event: Event, **changes):
    client.get(change_url(event))
    event.refresh_from_db()
    return client.post(change_url(event), form_data(event, event.category, **changes))


def _correct(client, event: Event, note="The toll was 56, not 50.", **changes):
    with time_machine.travel(SAVED_AT, tick=False):
        response = _save(client, event, public_change="correction", public_note=note, **changes)
    assert response.status_code == 302, response.context["adminform"].errors
    event.refresh_from_db()
    return event


def test_a_correction_is_shown_dated_on_the_events_own_clock(client, publisher, make_event):
    event = make_event("Stampede in Kerman")
    client.force_login(publisher)
    _correct(client, event, summary="At least 56 people died.")
    html = client.get(event.get_absolute_url()).content.decode()
    log = html[html.index('id="updates-heading"') :]
    assert re.search(
        r"Corrected <time[^>]*>8 January 2020, 14:10 Baghdad time \(UTC\+3\)</time>:</strong> "
        r"The toll was 56, not 50\.",
        log,
    )
    # Said under the headline too, linking down to the log.
    assert '<a href="#updates-heading">Corrected 8 January 2020, 14:10' in html


def test_an_update_and_a_correction_are_logged_in_order(client, publisher, make_event):
    event = make_event()
    client.force_login(publisher)
    _correct(client, event)
    response = _save(client, event, public_change="update", public_note="Burial postponed.")
    assert response.status_code == 302
    kinds = list(event.updates.values_list("kind", "note"))
    assert kinds == [("correction", "The toll was 56, not 50."), ("update", "Burial postponed.")]
    html = client.get(event.get_absolute_url()).content.decode()
    assert html.index("The toll was 56") < html.index("Burial postponed.")
    assert "Updated " in html


def test_a_silent_save_adds_nothing(client, publisher, make_event):
    event = make_event()
    client.force_login(publisher)
    assert _save(client, event, title="Fixed a typo").status_code == 302
    assert not EventUpdate.objects.exists()
    assert "Updates and corrections" not in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("kind", "note", "field", "message"),
    [
        ("correction", "", "public_note", "Say what changed"),
        ("", "A note with no kind", "public_change", "update or a correction"),
    ],
)
def test_a_half_filled_note_is_a_form_error(
    client, publisher, make_event, kind, note, field, message
):
    event = make_event()
    client.force_login(publisher)
    response = _save(client, event, public_change=kind, public_note=note)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not EventUpdate.objects.exists()


def test_only_a_publisher_tells_readers(client, editor, publisher, make_event):
    live, draft = make_event("Live"), make_event("Draft", status="draft")
    client.force_login(editor)
    assert "Tell readers" not in client.get(change_url(live)).content.decode()
    response = _save(client, draft, public_change="correction", public_note="Sneaky.")
    assert "Only a Publisher" in " ".join(
        response.context["adminform"].form.errors["public_change"]
    )
    client.force_login(publisher)
    assert "Tell readers" in client.get(change_url(live)).content.decode()
    # A draft has no readers to tell.
    assert "Tell readers" not in client.get(change_url(draft)).content.decode()
    assert not EventUpdate.objects.exists()


def test_the_note_is_escaped_where_it_is_shown(client, publisher, make_event):
    event = make_event()
    client.force_login(publisher)
    _correct(client, event, note="<script>alert(1)</script>")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_feeds_carry_the_corrected_entry_with_its_note(client, publisher, make_event):
    make_event("Other")
    event = make_event("Stampede in Kerman")
    client.force_login(publisher)
    _correct(client, event)
    client.logout()
    for path in ("/api/events.atom", "/api/events.rss"):
        feed = feedparser.parse(client.get(path).content)
        assert not feed.bozo, feed.bozo_exception
        entry = next(e for e in feed.entries if e.title == "Stampede in Kerman")
        assert entry.summary.startswith("Corrected 8 January 2020, 14:10 Baghdad time")
        assert "The toll was 56, not 50." in entry.summary


def test_the_api_lists_updates_oldest_first(client, publisher, make_event):
    event = make_event()
    client.force_login(publisher)
    _correct(client, event)
    _save(client, event, public_change="update", public_note="Burial postponed.")
    client.logout()
    body = client.get(f"/api/events/{event.slug}").json()
    assert [(u["kind"], u["note"]) for u in body["updates"]] == [
        ("correction", "The toll was 56, not 50."),
        ("update", "Burial postponed."),
    ]
    assert body["updates"][0]["made_at"].startswith("2020-01-08T11:10")
    listed = client.get("/api/events").json()["results"]
    assert next(e for e in listed if e["slug"] == event.slug)["updates"] == body["updates"]


def test_a_restore_adds_to_the_log_and_erases_nothing(client, publisher, make_event):
    event = make_event("First title")
    client.force_login(publisher)
    _correct(client, event, title="Second title")
    history = client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    oldest = history.context["entries"][-1].version
    url = reverse("admin:timeline_event_restore", args=[event.pk, oldest.pk])
    assert client.post(url, {"version": event.version}, follow=True).status_code == 200
    event.refresh_from_db()
    assert event.title == "First title"
    notes = [(u.kind, u.note) for u in event.updates.all()]
    assert notes[0] == ("correction", "The toll was 56, not 50.")
    assert notes[1][0] == "update" and "earlier version" in notes[1][1]
    assert "earlier version of this entry" in client.get(event.get_absolute_url()).content.decode()


def test_a_publisher_approving_a_change_can_tell_readers_too(client, editor, publisher, make_event):
    from timeline.models import PendingChange

    event = make_event("Stampede")
    client.force_login(editor)
    assert _save(client, event, summary="At least 56 died.").status_code == 302
    change = PendingChange.objects.get(event=event)
    client.force_login(publisher)
    decide = reverse("admin:timeline_event_decide", args=[event.pk, change.pk])
    refused = client.post(
        decide, {"decision": "approve", "public_change": "correction"}, follow=True
    )
    assert "Say what changed" in refused.content.decode()
    assert not EventUpdate.objects.exists()
    with time_machine.travel(SAVED_AT, tick=False):
        client.post(
            decide,
            {"decision": "approve", "public_change": "correction", "public_note": "Not 50."},
        )
    event.refresh_from_db()
    assert event.summary == "At least 56 died."
    assert [(u.kind, u.note, u.made_by) for u in event.updates.all()] == [
        ("correction", "Not 50.", publisher)
    ]


def test_a_correction_outlives_a_deleted_event_and_is_back_when_it_is_recovered(make_event):
    event = make_event()
    EventUpdate.objects.create(event=event, kind="correction", note="It was 56.")
    pk = event.pk
    event.delete()
    assert EventUpdate.objects.filter(event_id=pk).exists()
    # As the desk's recovery puts it back: the same event, under its own id.
    event.id = pk
    event.save(force_insert=True)
    assert [u.note for u in Event.objects.get(pk=pk).updates.all()] == ["It was 56."]
