import re

import pytest
from django.urls import reverse
from reversion.models import Version

from tests.helpers import admin_action
from timeline.desk import history
from timeline.models import Category, Event, EventTransition

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:timeline_event_changelist")


def _row(event: Event, **changes) -> dict:
    return {
        "id": event.pk,
        "label": event.label,
        "part_of_day": event.part_of_day,
        "category": event.category_id,
        "importance": event.importance,
        **changes,
    }


def _save_list(client, *rows: dict, versions: dict | None = None):
    """What the list posts on "Save": each row's fields and the version it showed."""
    data = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": len(rows),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for i, row in enumerate(rows):
        data.update({f"form-{i}-{name}": value for name, value in row.items()})
        event = Event.objects.get(pk=row["id"])
        data[f"seen-version-{event.pk}"] = (versions or {}).get(event.pk, event.version)
    return client.post(CHANGELIST, data, follow=True)


def _input(page: str, event: Event, name: str) -> str:
    """The list's input for one field of one event's row."""
    index = re.search(rf'name="form-(\d+)-id" value="{event.pk}"', page)[1]
    return re.search(rf'<(?:input|select)[^>]*name="form-{index}-{name}"[^>]*>', page)[0]


def test_an_editor_changes_the_importance_of_two_drafts_from_the_list(client, editor, make_event):
    first, second = make_event(status="draft"), make_event(status="draft")
    client.force_login(editor)
    response = _save_list(client, _row(first, importance=5), _row(second, importance=1))
    assert "Saved 2 event(s) from the list." in response.content.decode()
    for event, importance in ((first, 5), (second, 1)):
        before = event.version
        event.refresh_from_db()
        assert event.importance == importance
        assert event.version == before + 1
        assert event.updated_by == editor
        newest = history.timeline_of(event)[0]
        assert newest.version.revision.user == editor
        assert [(c.label, c.before, c.after) for c in newest.changes] == [
            ("Importance", "3", str(importance))
        ]
        # One revision per event, each holding only its own event.
        events_in_it = newest.version.revision.version_set.filter(
            content_type__model="event"
        ).count()
        assert events_in_it == 1


def test_the_list_edits_label_category_and_part_of_day_too(client, editor, make_event, category):
    other = Category.objects.create(name="Protest", slug="protest")
    event = make_event(status="draft", precision="day")
    client.force_login(editor)
    _save_list(client, _row(event, label="Short one", category=other.pk, part_of_day="morning"))
    event.refresh_from_db()
    assert (event.label, event.category, event.part_of_day) == ("Short one", other, "morning")


def test_an_editor_sees_a_published_events_row_read_only(client, editor, make_event):
    live, draft = make_event(status="published"), make_event(status="draft")
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    for name in ("label", "part_of_day", "category", "importance"):
        assert "disabled" in _input(page, live, name), name
        assert "disabled" not in _input(page, draft, name), name
    assert "only a Publisher changes it here" in _input(page, live, "importance")


def test_a_crafted_post_cannot_change_a_published_event_for_an_editor(client, editor, make_event):
    live = make_event(status="published")
    before = live.version
    client.force_login(editor)
    response = _save_list(client, _row(live, importance=1, label="Hacked"))
    assert response.status_code == 200
    live.refresh_from_db()
    assert (live.importance, live.label, live.version) == (3, "", before)
    assert not Version.objects.get_for_object(live).exists()


def test_a_row_changed_since_the_list_was_loaded_is_refused_with_a_message(
    client, editor, publisher, make_event
):
    stale, fresh = make_event("Kerman stampede", status="draft"), make_event(status="draft")
    seen = stale.version
    stale.summary = "A colleague's correction."
    stale.updated_by = publisher
    stale.save()
    client.force_login(editor)
    response = _save_list(
        client,
        _row(stale, importance=5),
        _row(fresh, importance=5),
        versions={stale.pk: seen},
    )
    page = response.content.decode()
    assert "“Kerman stampede” was changed by publisher after you loaded the list" in page
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.importance == 3 and stale.summary == "A colleague's correction."
    assert fresh.importance == 5


def test_a_row_without_the_version_it_showed_is_refused(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    _save_list(client, _row(event, importance=5), versions={event.pk: ""})
    event.refresh_from_db()
    assert event.importance == 3


def test_a_publisher_changes_a_published_events_importance_from_the_list(
    client, publisher, make_event
):
    live = make_event(status="published")
    client.force_login(publisher)
    page = client.get(CHANGELIST).content.decode()
    assert "disabled" not in _input(page, live, "importance")
    _save_list(client, _row(live, importance=5))
    live.refresh_from_db()
    assert live.importance == 5
    assert live.status == "published"
    assert live.updated_by == publisher


def test_a_list_edit_that_breaks_a_rule_shows_the_list_again_with_the_error(
    client, editor, make_event
):
    event = make_event(status="draft", precision="minute")
    client.force_login(editor)
    response = _save_list(client, _row(event, part_of_day="morning", importance=9))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the errors below." in page
    assert "Ensure this value is less than or equal to 5." in page
    event.refresh_from_db()
    assert (event.part_of_day, event.importance) == ("", 3)


def test_the_workflow_actions_still_work_beside_the_editable_columns(client, editor, make_event):
    event = make_event(status="draft")
    client.force_login(editor)
    response = admin_action(client, "submit_for_review", event)
    assert "Submitted 1 event(s) for review." in response.content.decode()
    assert EventTransition.objects.get(event=event).to_status == "review"


def test_the_list_reads_the_categories_once_not_once_a_row(
    client, editor, make_event, django_assert_max_num_queries
):
    for _ in range(3):
        make_event(status="draft")
    client.force_login(editor)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(30) as few:
        client.get(CHANGELIST)
    for _ in range(10):
        make_event(status="draft")
    with django_assert_max_num_queries(len(few)):
        client.get(CHANGELIST)
