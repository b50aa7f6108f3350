import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.helpers import change_url, form_data
from timeline.desk.history import Change
from timeline.models import Citation, Claim, Event

pytestmark = pytest.mark.django_db


def _history_url(event: Event) -> str:
    return reverse("admin:timeline_event_history", args=[event.pk])


def _edit(client, event: Event, **changes):
    """Open the event in the desk, then save it with changes, as an editor would."""
    client.get(change_url(event))
    event.refresh_from_db()
    response = client.post(change_url(event), form_data(event, event.category, **changes))
    assert response.status_code == 302, response.context["adminform"].errors
    event.refresh_from_db()
    return event


def _restore(client, event: Event, version_id: int):
    url = reverse("admin:timeline_event_restore", args=[event.pk, version_id])
    return client.post(url, {"version": event.version}, follow=True)


def _versions(client, event: Event) -> list:
    return [entry.version for entry in client.get(_history_url(event)).context["entries"]]


def test_the_history_shows_each_change_as_before_and_after(client, editor, make_event):
    event = make_event("Rocket attack", status="draft")
    client.force_login(editor)
    _edit(client, event, title="Rocket attack on K-1", summary="Thirty rockets hit the base.")
    html = client.get(_history_url(event)).content.decode()
    assert "<td>Rocket attack</td>" in html
    assert "<td>Rocket attack <ins>on K-1</ins></td>" in html
    assert "<td><del>What happened in Rocket attack</del>.</td>" in html
    assert "<td><ins>Thirty rockets hit the base</ins>.</td>" in html
    assert "editor" in html


def test_the_history_names_citations_and_claims_that_were_removed(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    _edit(client, event, **{"claims-0-DELETE": "on"})
    html = client.get(_history_url(event)).content.decode()
    assert "Claim removed" in html
    assert "dead" in html


def test_editor_types_markup_and_the_history_shows_it_as_text(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    _edit(client, event, title="<script>alert(1)</script>")
    html = client.get(_history_url(event)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_publisher_restores_an_old_version_with_its_claims(client, publisher, make_event):
    event = make_event("Original title", status="draft")
    client.force_login(publisher)
    _edit(client, event, title="Bad rewrite", **{"claims-0-DELETE": "on"})
    assert not Claim.objects.filter(event=event).exists()
    original = _versions(client, event)[-1]

    response = _restore(client, event, original.pk)
    assert "Restored." in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Original title"
    assert Claim.objects.filter(event=event).count() == 1
    # Restoring is one more version, and the one it replaced is still there.
    assert len(_versions(client, event)) == 3


def test_restoring_keeps_the_status_and_moves_the_version_forward(client, publisher, make_event):
    event = make_event("First", status="draft")
    client.force_login(publisher)
    _edit(client, event, title="Second", status="published")
    before = event.version
    _restore(client, event, _versions(client, event)[-1].pk)
    event.refresh_from_db()
    assert (event.title, event.status) == ("First", "published")
    assert event.version == before + 1


def test_restoring_removes_citations_added_since(client, publisher, make_event, source):
    event = make_event(status="draft")
    client.force_login(publisher)
    client.get(change_url(event))
    Citation.objects.create(event=event, source=source, quote="Added later.")
    event.save()
    _restore(client, Event.objects.get(pk=event.pk), _versions(client, event)[-1].pk)
    assert not Citation.objects.filter(quote="Added later.").exists()


def test_editor_cannot_restore(client, editor, make_event):
    event = make_event("Kept", status="draft")
    client.force_login(editor)
    _edit(client, event, title="Changed")
    html = client.get(_history_url(event)).content.decode()
    assert "Restore this version" not in html
    response = _restore(client, event, _versions(client, event)[-1].pk)
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title == "Changed"


def test_a_restore_from_a_stale_history_page_is_refused(client, publisher, make_event):
    event = make_event("One", status="draft")
    client.force_login(publisher)
    _edit(client, event, title="Two")
    stale = Event.objects.get(pk=event.pk)
    _edit(client, event, title="Three")
    response = _restore(client, stale, _versions(client, event)[-1].pk)
    assert "saved again after you opened its history" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Three"


def test_a_deleted_event_can_be_recovered_by_a_publisher(client, publisher, make_event):
    event = make_event("Deleted by mistake", status="draft")
    pk = event.pk
    client.force_login(publisher)
    delete = reverse("admin:timeline_event_delete", args=[pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Event.objects.filter(pk=pk).exists()

    deleted = client.get(reverse("admin:timeline_event_recoverlist"))
    assert "Deleted by mistake" in deleted.content.decode()
    version = deleted.context["deleted"][0]
    recover = reverse("admin:timeline_event_recover", args=[version.pk])
    form = client.get(recover)
    assert form.status_code == 200
    recovered = Event(pk=pk, **{k: v for k, v in version.field_dict.items() if k != "id"})
    data = form_data(recovered, recovered.category, seen_version=recovered.version)
    for prefix in ("event_actors", "citations", "claims", "links_out"):
        for key in list(data):
            if key.startswith(f"{prefix}-"):
                del data[key]
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(recover, data)
    assert response.status_code == 302
    event = Event.objects.get(pk=pk)
    assert event.title == "Deleted by mistake"
    assert event.citations.count() == 1


def test_editors_cannot_see_or_use_the_recovery_list(client, editor):
    client.force_login(editor)
    assert client.get(reverse("admin:timeline_event_recoverlist")).status_code == 403


def test_a_recovered_event_comes_back_on_its_timelines(client, publisher, make_event, timeline):
    event = make_event("Deleted with its place", status="draft")
    assert list(event.timelines.all()) == [timeline]
    pk = event.pk
    client.force_login(publisher)
    client.post(reverse("admin:timeline_event_delete", args=[pk]), {"post": "yes"})
    assert not timeline.events.filter(pk=pk).exists()

    version = client.get(reverse("admin:timeline_event_recoverlist")).context["deleted"][0]
    recover = reverse("admin:timeline_event_recover", args=[version.pk])
    html = client.get(recover).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="timelines" value="(\d+)"[^>]*checked', html)
    assert ticked == [str(timeline.pk)]

    recovered = Event(pk=pk, **{k: v for k, v in version.field_dict.items() if k != "id"})
    data = form_data(recovered, recovered.category, seen_version=recovered.version)
    for prefix in ("event_actors", "citations", "claims", "links_out"):
        for key in [k for k in data if k.startswith(f"{prefix}-")]:
            del data[key]
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data["timelines"] = ticked
    assert client.post(recover, data).status_code == 302
    assert list(Event.objects.get(pk=pk).timelines.all()) == [timeline]


def test_restoring_an_old_version_keeps_the_events_timelines(
    client, publisher, make_event, timeline
):
    event = make_event("Kept on its timeline", status="draft")
    client.force_login(publisher)
    _edit(client, event, title="Rewritten")
    _restore(client, event, _versions(client, event)[-1].pk)
    event.refresh_from_db()
    assert event.title == "Kept on its timeline"
    assert list(event.timelines.all()) == [timeline]


# What changed, word by word: removed words struck through, added words marked.


def test_a_changed_text_marks_only_the_words_that_changed():
    before, after = Change(
        "Summary", "Thirty rockets hit the base.", "Twenty rockets hit the base at dawn."
    ).marked()
    assert before == "<del>Thirty</del> rockets hit the base."
    assert after == "<ins>Twenty</ins> rockets hit the base <ins>at dawn</ins>."


def test_words_changed_side_by_side_are_marked_as_one_run():
    before, after = Change("Title", "the cat sat", "a dog ran").marked()
    assert (before, after) == ("<del>the cat sat</del>", "<ins>a dog ran</ins>")


def test_a_value_set_where_there_was_none_is_marked_whole():
    assert Change("Place", "—", "Baghdad airport").marked() == ("—", "<ins>Baghdad airport</ins>")
    assert Change("Place", "Baghdad", "—").marked() == ("<del>Baghdad</del>", "—")
    assert Change("Event", "", "created").marked() == ("", "<ins>created</ins>")


def test_word_marks_escape_what_the_editor_typed():
    change = Change("Title", "<b>Strike</b> & co", "<b>Strike</b> <script>x</script>")
    before, after = change.marked()
    assert "<b>" not in before + after and "<script>" not in after
    assert before == "&lt;b&gt;Strike&lt;/b&gt; <del>&amp; co</del>"
    assert after.startswith("&lt;b&gt;Strike&lt;/b&gt; <ins>&lt;script&gt;x")


def test_the_changes_table_is_an_include_that_takes_a_list_of_changes():
    html = render_to_string(
        "admin/timeline/event/_changes.html",
        {"changes": [Change("Title", "Rocket attack", "Rocket attack on K-1")]},
    )
    assert '<th scope="row">Title</th>' in html
    assert "<td>Rocket attack <ins>on K-1</ins></td>" in html


def test_the_history_names_fields_and_values_in_plain_words(client, editor, make_event):
    event = make_event("Named", status="draft")
    client.force_login(editor)
    _edit(
        client,
        event,
        start="2020-01-03 18:05",
        place_name="Baghdad International Airport",
        image_url="https://example.org/a.jpg",
        image_alt="The airport road",
    )
    changes = {c.label: c for c in client.get(_history_url(event)).context["entries"][0].changes}
    assert {"Start precision", "Place", "Image address", "Image description (alt text)"} <= set(
        changes
    )
    precision = changes["Start precision"]
    assert (precision.before, precision.after) == ("Day", "Minute")
    assert "Place name" not in changes and "Image url" not in changes


def test_the_history_gives_times_on_the_24_hour_clock(client, publisher, make_event):
    event = make_event("Clocked", status="draft")
    client.force_login(publisher)
    _edit(client, event, start="2020-01-03 18:05", publish_at_0="2020-01-08", publish_at_1="18:30")
    html = client.get(_history_url(event)).content.decode()
    assert "18:05" in html and "18:30" in html
    assert not re.search(r"\b\d{1,2}(:\d\d)? ?[ap]\.?m\b", html)
    changes = client.get(_history_url(event)).context["entries"][0].changes
    publish = next(c for c in changes if c.label == "Goes live at")
    assert publish.after == "8 Jan 2020, 18:30 UTC"
