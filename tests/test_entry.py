import datetime as dt

import pytest

from timeline.desk.entry import parse_when, suggest_zone, zone_for_country

PLUS_THREE = dt.timezone(dt.timedelta(hours=3))


@pytest.mark.parametrize(
    ("typed", "moment", "precision"),
    [
        ("2020-01-07", dt.datetime(2020, 1, 7), "day"),
        ("January 2020", dt.datetime(2020, 1, 1), "month"),
        ("7 Jan 2020 14:30", dt.datetime(2020, 1, 7, 14, 30), "minute"),
        ("2020-01-03T01:00+03:00", dt.datetime(2020, 1, 3, 1, 0, tzinfo=PLUS_THREE), "minute"),
        ("2020", dt.datetime(2020, 1, 1), "year"),
        ("2020-01", dt.datetime(2020, 1, 1), "month"),
        ("Jan 2020", dt.datetime(2020, 1, 1), "month"),
        ("7 January 2020", dt.datetime(2020, 1, 7), "day"),
        ("January 7, 2020", dt.datetime(2020, 1, 7), "day"),
        ("3rd January 2020, 01:00", dt.datetime(2020, 1, 3, 1, 0), "minute"),
        ("2020-01-07 14:30:59", dt.datetime(2020, 1, 7, 14, 30), "minute"),
        ("  2020-01-07T14:30  ", dt.datetime(2020, 1, 7, 14, 30), "minute"),
        ("2020-01-03T01:00Z", dt.datetime(2020, 1, 3, 1, 0, tzinfo=dt.UTC), "minute"),
    ],
)
def test_the_date_box_reads_what_editors_type(typed, moment, precision):
    when = parse_when(typed)
    assert (when.moment, when.precision) == (moment, precision)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type a date"),
        ("yesterday", "is not a date we can read"),
        ("2020-13-01", "There is no month 13"),
        ("31 Feb 2020", "February 2020 has 29 days"),
        ("7 Jan 2020 25:00", "is not a time on a 24-hour clock"),
        ("07/01/2020", "could be read day-first or month-first"),
        ("Foo 2020", "“Foo” is not a month name"),
        ("2020-01-03T01:00+25:00", "is not a UTC offset"),
    ],
)
def test_the_date_box_explains_what_it_cannot_read(typed, says):
    with pytest.raises(ValueError, match=says):
        parse_when(typed)


def test_a_country_on_one_clock_gives_its_zone_and_others_give_none():
    assert zone_for_country("iq") == "Asia/Baghdad"
    assert zone_for_country("US") is None


def test_a_misspelt_zone_gets_a_suggestion():
    assert suggest_zone("Asia/Bagdad") == "Asia/Baghdad"
    assert suggest_zone("nowhere at all") is None
