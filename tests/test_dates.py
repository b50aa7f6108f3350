import datetime as dt

import pytest

from timeline.models import Event

pytestmark = pytest.mark.django_db


def _event(start, precision, timezone="Asia/Baghdad", **fields) -> Event:
    return Event(start=start, precision=precision, timezone=timezone, **fields)


def test_a_month_event_reads_as_the_month():
    event = _event(dt.datetime(2019, 12, 31, 21, 0, tzinfo=dt.UTC), "month")
    assert event.display_date == "January 2020"


def test_a_year_event_reads_as_the_year():
    assert _event(dt.datetime(2020, 3, 1, tzinfo=dt.UTC), "year").display_date == "2020"


def test_a_minute_event_reads_in_local_time_with_utc_beside_it():
    event = _event(dt.datetime(2020, 1, 2, 22, 0, tzinfo=dt.UTC), "minute")
    assert event.display_date == "3 January 2020, 01:00 AST (2 January 22:00 UTC)"


def test_tehran_times_carry_irans_abbreviation():
    event = _event(dt.datetime(2020, 1, 8, 2, 42, tzinfo=dt.UTC), "minute", "Asia/Tehran")
    assert event.display_date == "8 January 2020, 06:12 IRST (8 January 02:42 UTC)"


def test_a_day_event_shows_no_clock_time():
    event = _event(dt.datetime(2020, 1, 4, 21, 0, tzinfo=dt.UTC), "day")
    assert event.display_date == "5 January 2020"


def test_an_approximate_time_says_about():
    event = _event(dt.datetime(2019, 12, 27, 16, 20, tzinfo=dt.UTC), "minute", approximate=True)
    assert event.display_start.startswith("27 December 2019, about 19:20 AST")


def test_a_range_shows_both_ends_in_local_dates():
    event = _event(
        dt.datetime(2019, 12, 30, 21, 0, tzinfo=dt.UTC),
        "day",
        end=dt.datetime(2019, 12, 31, 21, 0, tzinfo=dt.UTC),
        end_precision="day",
    )
    assert event.local_period == "31 December 2019 – 1 January 2020"


def test_machine_readable_dates_stop_at_the_known_precision():
    assert _event(dt.datetime(2019, 12, 31, 21, 0, tzinfo=dt.UTC), "month").iso_start == "2020-01"
    assert _event(dt.datetime(2020, 1, 2, 22, 0, tzinfo=dt.UTC), "minute").iso_start == (
        "2020-01-03T01:00+03:00"
    )
