"""The messages an editor sees for bad input, each in plain words and on the right field."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.helpers import change_url, form_data
from timeline.models import Event

pytestmark = pytest.mark.django_db

ADD = "admin:timeline_event_add"


def _add(client, category, **fields):
    return client.post(reverse(ADD), form_data(None, category, **fields))


def _errors(response) -> dict:
    return {name: " ".join(errors) for name, errors in response.context["adminform"].errors.items()}


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    ("typed", "precision", "start"),
    [
        ("2020-01-07", "day", dt.datetime(2020, 1, 6, 21, 0, tzinfo=dt.UTC)),
        ("January 2020", "month", dt.datetime(2019, 12, 31, 21, 0, tzinfo=dt.UTC)),
        ("7 Jan 2020 14:30", "minute", dt.datetime(2020, 1, 7, 11, 30, tzinfo=dt.UTC)),
        ("2020-01-03T01:00+03:00", "minute", dt.datetime(2020, 1, 2, 22, 0, tzinfo=dt.UTC)),
    ],
)
def test_what_the_editor_types_sets_start_and_precision(desk, category, typed, precision, start):
    response = _add(desk, category, start=typed)
    assert response.status_code == 302, _errors(response)
    event = Event.objects.get(slug="airport-strike")
    assert (event.start, event.precision) == (start, precision)


def test_the_time_zone_comes_from_the_country_when_left_empty(desk, category):
    response = _add(desk, category, start="7 Jan 2020 14:30", timezone="", country="ir")
    assert response.status_code == 302, _errors(response)
    event = Event.objects.get(slug="airport-strike")
    assert (event.timezone, event.country) == ("Asia/Tehran", "IR")
    assert event.start == dt.datetime(2020, 1, 7, 11, 0, tzinfo=dt.UTC)


def test_a_country_with_several_zones_asks_for_one(desk, category):
    response = _add(desk, category, timezone="", country="US")
    assert "US has several time zones" in _errors(response)["timezone"]


def test_the_zone_list_is_offered_to_search(desk):
    html = desk.get(reverse(ADD)).content.decode()
    assert 'list="zone-names"' in html
    assert '<option value="Asia/Baghdad">' in html


def test_a_coarser_precision_can_be_chosen_but_not_a_finer_one(desk, category):
    response = _add(desk, category, start="January 2020", precision="day")
    assert "You typed only the month" in _errors(response)["start"]
    response = _add(desk, category, start="7 Jan 2020 14:30", precision="day")
    assert response.status_code == 302
    assert Event.objects.get(slug="airport-strike").precision == "day"


def test_an_unreadable_date_is_a_field_error(desk, category):
    response = _add(desk, category, start="the day after")
    assert "is not a date we can read" in _errors(response)["start"]
    assert not Event.objects.exists()


def test_an_end_before_the_start_is_a_field_error(desk, category):
    response = _add(desk, category, start="2020-01-07", end="2020-01-05")
    assert "The end is before the start" in _errors(response)["end"]


def test_a_bad_time_zone_is_named_with_a_suggestion(desk, category):
    response = _add(desk, category, timezone="Asia/Bagdad")
    assert _errors(response)["timezone"] == (
        "“Asia/Bagdad” is not a time zone we know. Did you mean Asia/Baghdad?"
    )


def test_coordinates_out_of_range_say_what_is_allowed(desk, category):
    response = _add(desk, category, latitude="95", longitude="44.2")
    assert "Latitude runs from -90 (South Pole) to 90" in _errors(response)["latitude"]
    response = _add(desk, category, latitude="33.2", longitude="200")
    assert "Longitude runs from -180 to 180" in _errors(response)["longitude"]


def test_one_coordinate_alone_asks_for_the_other(desk, category):
    response = _add(desk, category, latitude="33.2", longitude="")
    assert "Give both latitude and longitude" in _errors(response)["longitude"]


def test_a_claim_without_a_source_does_not_take_a_citation_being_deleted(desk, make_event):
    event = make_event(status="draft")
    data = form_data(event, event.category, **{"claims-0-source": "", "citations-0-DELETE": "on"})
    response = desk.post(change_url(event), data)
    assert "Say where this claim was reported: pick a source" in response.content.decode()


def test_a_likely_duplicate_warns_with_a_link_and_a_second_save_goes_through(
    desk, category, make_event
):
    other = make_event(
        "Drone strike at Baghdad airport",
        start=dt.datetime(2020, 1, 2, 22, 0, tzinfo=dt.UTC),
        status="draft",
    )
    data = form_data(None, category, title="Drone strike at Baghdad Airport", start="2020-01-03")
    first = desk.post(reverse(ADD), data)
    assert first.status_code == 200
    html = first.content.decode()
    assert "This may be a duplicate of" in html
    assert f'href="{change_url(other)}"' in html.replace("'", '"')
    again = desk.post(reverse(ADD), first.context["adminform"].form.data)
    assert again.status_code == 302
    assert Event.objects.filter(title="Drone strike at Baghdad Airport").exists()


def test_a_different_title_on_the_same_day_is_no_duplicate(desk, category, make_event):
    make_event("Funeral procession", start=dt.datetime(2020, 1, 2, 22, tzinfo=dt.UTC))
    response = _add(desk, category, title="Rocket attack", start="2020-01-03")
    assert response.status_code == 302


# A look-alike the editor said was a different event stays acknowledged for that event.


def _add_despite_the_warning(desk, category, **fields):
    first = desk.post(reverse(ADD), form_data(None, category, **fields))
    assert "This may be a duplicate of" in first.content.decode()
    again = desk.post(reverse(ADD), first.context["adminform"].form.data)
    assert again.status_code == 302
    return Event.objects.get(title=fields["title"])


@pytest.fixture
def look_alike(make_event):
    return make_event(
        "Drone strike at Baghdad airport",
        start=dt.datetime(2020, 1, 2, 22, 0, tzinfo=dt.UTC),
        status="draft",
    )


def test_an_acknowledged_look_alike_is_not_warned_about_when_the_time_is_added_later(
    desk, category, look_alike
):
    event = _add_despite_the_warning(
        desk, category, title="Drone strike at Baghdad Airport", start="2020-01-03"
    )
    data = form_data(event, category, start="2020-01-03 01:00")
    response = desk.post(change_url(event), data)
    assert response.status_code == 302, _errors(response)


def test_an_acknowledged_look_alike_is_not_warned_about_when_the_title_is_reworded(
    desk, category, look_alike
):
    event = _add_despite_the_warning(
        desk, category, title="Drone strike at Baghdad Airport", start="2020-01-03"
    )
    data = form_data(event, category, title="Drone strike at Baghdad Airport kills Soleimani")
    response = desk.post(change_url(event), data)
    assert response.status_code == 302, _errors(response)


def test_a_new_look_alike_after_a_reworded_title_is_still_warned_about(
    desk, category, make_event, look_alike
):
    event = _add_despite_the_warning(
        desk, category, title="Drone strike at Baghdad Airport", start="2020-01-03"
    )
    other = make_event(
        "Soleimani killed in Baghdad",
        start=dt.datetime(2020, 1, 2, 23, 0, tzinfo=dt.UTC),
        status="draft",
    )
    data = form_data(event, category, title="Soleimani killed in Baghdad airport strike")
    response = desk.post(change_url(event), data)
    assert response.status_code == 200
    warning = _errors(response)["title"]
    assert other.title in warning and look_alike.title not in warning


def test_the_acknowledgement_survives_another_error_on_the_form(desk, category, look_alike):
    data = form_data(None, category, title="Drone strike at Baghdad Airport", start="2020-01-03")
    first = desk.post(reverse(ADD), data)
    assert "This may be a duplicate of" in first.content.decode()
    broken = {**first.context["adminform"].form.data.dict(), "latitude": "33.3"}
    second = desk.post(reverse(ADD), broken)
    assert "Give both latitude and longitude" in _errors(second)["longitude"]
    assert "duplicate" not in _errors(second).get("title", "")
    fixed = {**second.context["adminform"].form.data.dict(), "latitude": ""}
    assert desk.post(reverse(ADD), fixed).status_code == 302
