"""The event page's JSON-LD reads as Google's Event rich result wants it: dates no more precise
than what is known, a location with an address, a status, an image. Checked on the dict the
page embeds, and on the page as an independent parser (extruct) reads it."""

import datetime as dt

import extruct
import pytest

from timeline.reader.views import event_structured_data

pytestmark = pytest.mark.django_db

URL = "https://news.example/events/x/"
# 2019-12-31 00:00 in Baghdad (UTC+3).
NEW_YEARS_EVE = dt.datetime(2019, 12, 30, 21, 0, tzinfo=dt.UTC)


def _data(make_event, **fields) -> dict:
    fields.setdefault("start", NEW_YEARS_EVE)
    fields.setdefault("place_name", "US Embassy, Baghdad")
    fields.setdefault("country", "IQ")
    return event_structured_data(make_event(**fields), URL)


@pytest.mark.parametrize(
    ("precision", "start", "expected"),
    [
        ("minute", NEW_YEARS_EVE + dt.timedelta(hours=10, minutes=17), "2019-12-31T10:17+03:00"),
        ("hour", NEW_YEARS_EVE + dt.timedelta(hours=10), "2019-12-31T10:00+03:00"),
        ("day", NEW_YEARS_EVE, "2019-12-31"),
        ("month", NEW_YEARS_EVE, "2019-12"),
        ("year", NEW_YEARS_EVE, "2019"),
    ],
)
def test_the_start_date_says_no_more_than_its_precision(make_event, precision, start, expected):
    assert _data(make_event, start=start, precision=precision)["startDate"] == expected


def test_a_part_of_the_day_starts_on_its_date_without_pretending_to_a_time(make_event):
    data = _data(make_event, precision="day", part_of_day="morning")
    assert data["startDate"] == "2019-12-31"


def test_an_end_known_to_the_day_is_that_day_not_the_midnight_it_is_stored_as(make_event):
    # The embassy attack: 31 December (morning) through 1 January, stored as 1 January 00:00.
    data = _data(
        make_event,
        precision="day",
        part_of_day="morning",
        end=NEW_YEARS_EVE + dt.timedelta(days=1),
        end_precision="day",
    )
    assert (data["startDate"], data["endDate"]) == ("2019-12-31", "2020-01-01")


@pytest.mark.parametrize(
    ("end_precision", "expected"),
    [
        ("minute", "2020-01-01T14:05+03:00"),
        ("hour", "2020-01-01T14:00+03:00"),
        ("day", "2020-01-01"),
        ("month", "2020-01"),
        ("year", "2020"),
    ],
)
def test_the_end_date_says_no_more_than_the_ends_own_precision(make_event, end_precision, expected):
    end = NEW_YEARS_EVE + dt.timedelta(days=1, hours=14, minutes=5)
    data = _data(make_event, precision="minute", end=end, end_precision=end_precision)
    assert data["endDate"] == expected


def test_an_event_without_an_end_has_no_end_date(make_event):
    assert "endDate" not in _data(make_event)


def test_a_place_with_a_country_has_a_postal_address_in_that_country(make_event):
    location = _data(make_event, country="IQ")["location"]
    assert location["@type"] == "Place"
    assert location["name"] == "US Embassy, Baghdad"
    assert location["address"] == {"@type": "PostalAddress", "addressCountry": "IQ"}


def test_a_place_without_a_country_gives_its_name_as_the_address(make_event):
    location = _data(make_event, place_name="US bases across the Middle East", country="")[
        "location"
    ]
    assert location["name"] == location["address"] == "US bases across the Middle East"


def test_a_country_without_a_place_name_names_the_place_after_the_country(make_event):
    location = _data(make_event, place_name="", country="IQ")["location"]
    assert location["name"] == "Iraq"
    assert location["address"]["addressCountry"] == "IQ"


def test_an_event_with_no_place_at_all_claims_no_location(make_event):
    data = _data(make_event, place_name="", country="")
    assert "location" not in data and "eventAttendanceMode" not in data


def test_status_attendance_and_name_are_those_google_reads(make_event):
    data = _data(make_event, title="Embassy attacked")
    assert data["name"] == "Embassy attacked"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"


def test_the_image_is_the_events_own_when_it_has_one(make_event):
    data = _data(make_event, image_url="https://images.example/embassy.jpg")
    assert data["image"] == ["https://images.example/embassy.jpg"]


def test_without_an_image_of_its_own_the_image_is_its_timelines_card(
    make_event, timeline, drawn_cards
):
    drawn_cards()
    data = _data(make_event)
    assert data["image"] == [f"https://news.example/static/cards/{timeline.slug}.png"]


def test_an_independent_parser_reads_the_event_and_its_open_graph_from_the_page(
    client, make_event, timeline, drawn_cards
):
    drawn_cards()
    event = make_event(
        "Embassy attacked",
        start=NEW_YEARS_EVE,
        precision="day",
        part_of_day="morning",
        end=NEW_YEARS_EVE + dt.timedelta(days=1),
        end_precision="day",
        place_name="US Embassy, Baghdad",
        country="IQ",
    )
    response = client.get(event.get_absolute_url())
    found = extruct.extract(
        response.content.decode(),
        base_url="http://testserver/",
        syntaxes=["json-ld", "opengraph"],
        uniform=True,
    )
    (data,) = found["json-ld"]
    assert data["@type"] == "Event"
    assert (data["startDate"], data["endDate"]) == ("2019-12-31", "2020-01-01")
    assert data["location"]["address"]["addressCountry"] == "IQ"
    (og,) = found["opengraph"]
    assert og["og:title"] == "Embassy attacked"
    assert og["og:image"] == f"http://testserver/static/cards/{timeline.slug}.png"
    assert data["image"] == [og["og:image"]]
