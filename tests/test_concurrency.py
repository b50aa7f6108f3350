"""Two editors, two real sessions, one event: the second save is refused, never lost.

CI runs this module on SQLite and again on PostgreSQL (DATABASE_URL).
"""

import pytest
from django.test import Client

from tests.helpers import change_url, form_data
from timeline.desk.event_form import EventAdminForm
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_desks(editor, publisher):
    amira, ben = Client(), Client()
    amira.force_login(editor)
    ben.force_login(publisher)
    return amira, ben


def _open(client: Client, event: Event) -> dict:
    """GET the change form and return what its hidden version field holds."""
    response = client.get(change_url(event))
    assert response.status_code == 200
    form = response.context["adminform"].form
    return {"seen_version": form.initial["seen_version"]}


def _post(client: Client, event: Event, seen: dict, **changes):
    data = form_data(event, event.category, **seen)
    data.update(changes)
    return client.post(change_url(event), data)


def test_the_second_save_is_refused_with_what_changed(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft", summary="A drone strike.")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)

    first = _post(amira, event, amira_saw, title="Airport strike kills Soleimani")
    assert first.status_code == 302

    second = _post(ben, event, ben_saw, title="Baghdad airport strike")
    assert second.status_code == 200
    html = second.content.decode()
    assert "editor saved this event at" in html
    assert "Your changes are not saved yet" in html
    assert "Airport strike kills Soleimani" in html  # what they changed, shown
    event.refresh_from_db()
    assert event.title == "Airport strike kills Soleimani"


def test_a_field_only_they_changed_is_merged_and_the_second_save_keeps_both(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    assert _post(amira, event, amira_saw, title="Airport strike, Baghdad").status_code == 302

    refused = _post(ben, event, ben_saw, place_name="Baghdad International Airport")
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert "title" in refused.content.decode().lower()
    # The re-shown form carries their title and Ben's place, and the newer version number.
    assert form.data["title"] == "Airport strike, Baghdad"
    assert form.data["place_name"] == "Baghdad International Airport"

    again = ben.post(change_url(event), form.data)
    assert again.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.place_name) == (
        "Airport strike, Baghdad",
        "Baghdad International Airport",
    )


def test_a_field_both_changed_is_listed_with_a_button_to_take_theirs(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    _post(amira, event, amira_saw, summary="Amira's summary.")
    refused = _post(ben, event, ben_saw, summary="Ben's summary.")
    html = refused.content.decode()
    assert "You both changed these" in html
    assert "data-use-theirs='summary'" in html
    assert refused.context["adminform"].form.data["summary"] == "Ben's summary."
    event.refresh_from_db()
    assert event.summary == "Amira's summary."


def test_a_save_after_a_publish_action_is_refused(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("In review", status="review")
    amira_saw = _open(amira, event)
    ben.post(
        "/admin/timeline/event/",
        {"action": "publish", "_selected_action": [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == "published"
    refused = _post(amira, event, amira_saw, summary="Edited meanwhile.")
    assert refused.status_code == 200
    event.refresh_from_db()
    assert event.summary != "Edited meanwhile."


def test_a_form_without_its_version_is_refused(two_desks, make_event):
    amira, _ = two_desks
    event = make_event(status="draft")
    response = _post(amira, event, {"seen_version": ""}, title="Sneaky")
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.title != "Sneaky"


def test_what_they_changed_is_marked_word_by_word(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft", summary="A drone strike.")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    _post(amira, event, amira_saw, summary="A drone strike at <Baghdad> airport.")
    refused = _post(ben, event, ben_saw, title="Baghdad airport strike")
    html = refused.content.decode()
    assert "<ul class='changes'>" in html
    assert "A drone strike <ins>at &lt;Baghdad&gt; airport</ins>." in html
    assert "<Baghdad>" not in html


def test_a_clash_marks_the_words_that_differ_and_keeps_its_button(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    _post(amira, event, amira_saw, summary="Amira's summary of the strike.")
    refused = _post(ben, event, ben_saw, summary="Ben's summary of the strike.")
    html = refused.content.decode()
    clashes = html[html.index("<ul class='clashes'>") :]
    clashes = clashes[: clashes.index("</ul>")]
    assert "theirs “<del>Amira</del>&#x27;s summary of the strike.”" in clashes
    assert "yours “<ins>Ben</ins>&#x27;s summary of the strike.”" in clashes
    assert "data-use-theirs='summary' data-value='Amira&#x27;s summary of the strike.'" in clashes


def test_a_refused_save_heads_the_page_with_the_title_as_saved(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    assert _post(amira, event, amira_saw, title="Airport strike kills Soleimani").status_code == 302

    refused = _post(ben, event, ben_saw, title="Baghdad airport strike")
    assert refused.status_code == 200
    assert refused.context["subtitle"] == "Airport strike kills Soleimani"
    html = refused.content.decode()
    assert "<h2>Airport strike kills Soleimani</h2>" in html
    breadcrumbs = html[html.index('<div class="breadcrumbs">') :]
    breadcrumbs = breadcrumbs[: breadcrumbs.index("</div>")]
    assert "Airport strike kills Soleimani" in breadcrumbs
    assert "Baghdad airport strike" not in breadcrumbs
    # The form itself still holds what Ben typed, for him to decide.
    assert refused.context["adminform"].form.data["title"] == "Baghdad airport strike"


def test_their_start_merged_into_the_form_keeps_its_precision(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    saved = _post(amira, event, amira_saw, start="2020-01-03 10:00", precision="hour")
    assert saved.status_code == 302

    refused = _post(ben, event, ben_saw, place_name="Baghdad International Airport")
    form = refused.context["adminform"].form
    assert (form.data["start"], form.data["precision"]) == ("2020-01-03 10:00", "hour")
    assert ben.post(change_url(event), form.data).status_code == 302
    event.refresh_from_db()
    assert (event.precision, f"{event.local_start:%H:%M}") == ("hour", "10:00")
    assert event.place_name == "Baghdad International Airport"


def test_the_use_theirs_button_for_a_date_carries_their_precision(two_desks, make_event):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    _post(amira, event, amira_saw, start="2020-01-03 10:15")
    refused = _post(ben, event, ben_saw, start="2020-01-03 11:00", precision="hour")
    html = refused.content.decode()
    assert (
        "data-use-theirs='start' data-value='2020-01-03 10:15' "
        "data-precision-field='precision' data-precision=''"
    ) in html


def test_their_change_to_a_figure_is_named_and_the_form_is_not_offered_as_merged(
    two_desks, make_event
):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    assert _post(amira, event, amira_saw, **{"claims-0-text": "Two dead"}).status_code == 302

    refused = _post(ben, event, ben_saw, place_name="Baghdad International Airport")
    html = refused.content.decode()
    assert "They changed the claims, which cannot be merged here." in html
    assert "Check the form, then save again" not in html
    # Still the version Ben opened: saving this form again cannot quietly undo her figure.
    assert refused.context["adminform"].form.data["seen_version"] == str(ben_saw["seen_version"])
    again = ben.post(change_url(event), refused.context["adminform"].form.data)
    assert again.status_code == 200
    assert Event.objects.get(pk=event.pk).claims.get().text == "Two dead"


def test_a_save_overtaken_between_its_check_and_its_write_is_refused_not_lost(
    two_desks, make_event, monkeypatch
):
    amira, ben = two_desks
    event = make_event("Airport strike", status="draft")
    amira_saw, ben_saw = _open(amira, event), _open(ben, event)
    assert _post(amira, event, amira_saw, title="Airport strike kills Soleimani").status_code == 302

    checks = []
    real_check = EventAdminForm._check_version

    def checked_before_her_save_landed(form, cleaned):
        checks.append(form)
        if len(checks) > 1:
            real_check(form, cleaned)

    monkeypatch.setattr(EventAdminForm, "_check_version", checked_before_her_save_landed)
    refused = _post(ben, event, ben_saw, title="Baghdad airport strike")
    assert refused.status_code == 200
    assert "after you opened it" in refused.content.decode()
    assert Event.objects.get(pk=event.pk).title == "Airport strike kills Soleimani"
