import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from timeline.dates import DATE_PARTS, Precision, short_date, short_moment
from timeline.models import Category, Event

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _event(start, precision, timezone="Asia/Baghdad", **fields) -> Event:
    event = Event(start=start, precision=precision, timezone=timezone, **fields)
    event.set_local_dates()
    return event


def test_a_month_event_reads_as_the_month():
    event = _event(dt.datetime(2019, 12, 31, 21, 0, tzinfo=UTC), "month")
    assert event.display_date == "January 2020"


def test_a_year_event_reads_as_the_year():
    assert _event(dt.datetime(2020, 3, 1, tzinfo=UTC), "year").display_date == "2020"


def test_a_minute_event_reads_in_local_time_named_by_place_with_utc_beside_it():
    event = _event(dt.datetime(2020, 1, 2, 22, 0, tzinfo=UTC), "minute")
    assert event.display_date == "3 January 2020, 01:00 Baghdad time (UTC+3); 2 January 22:00 UTC"


def test_tehran_times_give_the_half_hour_offset_never_an_abbreviation():
    event = _event(dt.datetime(2020, 1, 8, 2, 42, tzinfo=UTC), "minute", "Asia/Tehran")
    assert event.display_date == (
        "8 January 2020, 06:12 Tehran time (UTC+3:30); 8 January 02:42 UTC"
    )
    assert "IRST" not in event.display_date and "AST" not in event.display_date


def test_a_zone_west_of_greenwich_reads_with_a_minus_and_its_city():
    event = _event(dt.datetime(2020, 1, 7, 22, 30, tzinfo=UTC), "minute", "America/New_York")
    assert event.short_date == "7 January 2020, 17:30 New York time (UTC-5)"


def test_an_hour_event_reads_as_the_hour_it_fell_in():
    event = _event(dt.datetime(2020, 1, 2, 21, 0, tzinfo=UTC), "hour", approximate=True)
    assert event.short_date == "3 January 2020, between 00:00 and 01:00 Baghdad time (UTC+3)"
    assert event.display_date.endswith("; 2 January 21:00–22:00 UTC")


def test_a_day_event_shows_no_clock_time():
    event = _event(dt.datetime(2020, 1, 4, 21, 0, tzinfo=UTC), "day")
    assert event.display_date == "5 January 2020"


def test_a_day_event_with_a_part_of_the_day_says_it():
    event = _event(
        dt.datetime(2020, 1, 7, 20, 30, tzinfo=UTC), "day", "Asia/Tehran", part_of_day="early_hours"
    )
    assert event.display_date == "8 January 2020, early hours"


def test_an_approximate_time_says_about():
    event = _event(dt.datetime(2019, 12, 27, 16, 20, tzinfo=UTC), "minute", approximate=True)
    assert event.display_start.startswith("27 December 2019, about 19:20 Baghdad time")


def test_a_range_shows_both_ends_in_local_dates():
    event = _event(
        dt.datetime(2019, 12, 30, 21, 0, tzinfo=UTC),
        "day",
        end=dt.datetime(2019, 12, 31, 21, 0, tzinfo=UTC),
        end_precision="day",
    )
    assert event.local_period == "31 December 2019 – 1 January 2020"


def test_a_span_ends_at_the_end_of_its_last_day_not_its_first_minute():
    event = _event(
        dt.datetime(2019, 12, 30, 21, 0, tzinfo=UTC),
        "day",
        end=dt.datetime(2019, 12, 31, 21, 0, tzinfo=UTC),
        end_precision="day",
    )
    assert event.period_end.replace(tzinfo=None) == dt.datetime(2020, 1, 1, 23, 59, 59)
    assert event.local_end_date == dt.date(2020, 1, 1)


def test_a_part_of_the_day_covers_its_hours_and_no_more():
    event = _event(
        dt.datetime(2020, 1, 7, 20, 30, tzinfo=UTC), "day", "Asia/Tehran", part_of_day="morning"
    )
    assert event.period_start.replace(tzinfo=None) == dt.datetime(2020, 1, 8, 6, 0)
    assert event.period_end.replace(tzinfo=None) == dt.datetime(2020, 1, 8, 11, 59, 59)


def test_machine_readable_dates_stop_at_the_known_precision():
    assert _event(dt.datetime(2019, 12, 31, 21, 0, tzinfo=UTC), "month").iso_start == "2020-01"
    assert _event(dt.datetime(2020, 1, 2, 22, 0, tzinfo=UTC), "minute").iso_start == (
        "2020-01-03T01:00+03:00"
    )


def test_the_sort_key_puts_early_hours_after_a_strike_just_past_midnight_elsewhere():
    # Facts: the missiles struck at 01:30 in Iraq; Soleimani was buried in Kerman in the early
    # hours, "hours after the missile strikes"; PS752 took off at 06:12 Tehran time.
    strikes = _event(dt.datetime(2020, 1, 7, 22, 30, tzinfo=UTC), "minute")
    burial = _event(
        dt.datetime(2020, 1, 7, 20, 30, tzinfo=UTC), "day", "Asia/Tehran", part_of_day="early_hours"
    )
    shoot_down = _event(dt.datetime(2020, 1, 8, 2, 42, tzinfo=UTC), "minute", "Asia/Tehran")
    assert strikes.sort_at < burial.sort_at < shoot_down.sort_at


def test_the_sort_key_puts_a_night_after_that_mornings_clock_time():
    procession = _event(dt.datetime(2020, 1, 6, 4, 30, tzinfo=UTC), "minute", "Asia/Tehran")
    alert = _event(dt.datetime(2020, 1, 5, 21, 0, tzinfo=UTC), "day", part_of_day="night")
    whole_day = _event(dt.datetime(2020, 1, 5, 21, 0, tzinfo=UTC), "day")
    assert whole_day.sort_at < procession.sort_at < alert.sort_at


def test_a_partial_save_of_the_start_keeps_the_derived_dates_true(make_event):
    event = make_event(start=dt.datetime(2020, 1, 1, 12, 0, tzinfo=UTC))
    event.start = dt.datetime(2020, 2, 1, 22, 0, tzinfo=UTC)
    event.save(update_fields=["start"])
    stored = Event.objects.get(pk=event.pk)
    assert stored.local_start_date == dt.date(2020, 2, 2)
    assert stored.local_start_date == stored.local_start.date()
    assert stored.sort_at == stored.sort_moment.astimezone(UTC)


def test_a_part_of_the_day_needs_a_day_precision_event():
    event = _event(dt.datetime(2020, 1, 6, 4, 30, tzinfo=UTC), "minute", part_of_day="morning")
    with pytest.raises(ValidationError) as raised:
        event.clean()
    assert "part_of_day" in raised.value.message_dict


def test_a_category_colour_too_faint_on_the_dark_page_is_refused():
    with pytest.raises(ValidationError) as raised:
        Category(name="Faint", slug="faint", colour="#6f42c1").clean()
    assert "dark page" in raised.value.message_dict["colour"][0]
    Category(name="Fine", slug="fine", colour="#7950f2").clean()


# The one way dates and moments are written (no strftime "%-d", which only glibc reads) --------


def test_a_short_date_writes_the_day_unpadded_and_the_month_short():
    assert short_date(dt.date(2020, 1, 8)) == "8 Jan 2020"
    assert short_date(dt.date(2019, 12, 27)) == "27 Dec 2019"
    assert short_date(dt.datetime(2020, 3, 1, 23, 59, tzinfo=UTC)) == "1 Mar 2020"


def test_a_short_moment_is_said_in_utc_with_a_padded_24_hour_clock():
    assert short_moment(dt.datetime(2020, 1, 8, 4, 5, tzinfo=UTC)) == "8 Jan 2020, 04:05 UTC"
    # Another zone's moment is turned to UTC first, across midnight.
    baghdad = dt.datetime(2020, 1, 3, 1, 0, tzinfo=ZoneInfo("Asia/Baghdad"))
    assert short_moment(baghdad) == "2 Jan 2020, 22:00 UTC"
    assert short_moment(baghdad, ZoneInfo("Asia/Baghdad")) == (
        "3 Jan 2020, 01:00 Baghdad time (UTC+3)"
    )


# What a precision knows and covers ------------------------------------------------------------


def test_each_precision_knows_the_date_parts_up_to_its_own():
    assert DATE_PARTS == ("year", "month", "day", "hour", "minute")
    assert Precision.MONTH.parts == ("year", "month")
    assert Precision.MINUTE.parts == DATE_PARTS
    assert [p for p in Precision if p.is_timed] == [Precision.HOUR, Precision.MINUTE]
    assert [p for p in Precision if p.spans_days] == [Precision.YEAR, Precision.MONTH]
    assert Precision.DAY.finer_than("month") and not Precision.DAY.finer_than(Precision.DAY)


def test_a_period_starts_and_stops_where_its_precision_says():
    local = dt.datetime(2020, 2, 14, 17, 42, 31, 5, tzinfo=ZoneInfo("Asia/Baghdad"))
    naive = {p: (p.start_of(local), p.stop_of(local)) for p in Precision}
    starts_stops = {p: tuple(m.replace(tzinfo=None) for m in pair) for p, pair in naive.items()}
    assert starts_stops == {
        Precision.YEAR: (dt.datetime(2020, 1, 1), dt.datetime(2020, 12, 31, 23, 59, 59)),
        Precision.MONTH: (dt.datetime(2020, 2, 1), dt.datetime(2020, 2, 29, 23, 59, 59)),
        Precision.DAY: (dt.datetime(2020, 2, 14), dt.datetime(2020, 2, 14, 23, 59, 59)),
        Precision.HOUR: (dt.datetime(2020, 2, 14, 17), dt.datetime(2020, 2, 14, 17, 59, 59)),
        Precision.MINUTE: (
            dt.datetime(2020, 2, 14, 17, 42),
            dt.datetime(2020, 2, 14, 17, 42, 59),
        ),
    }
    assert Precision.DAY.start_of(local, "evening").hour == 17
    assert Precision.DAY.stop_of(local, "evening").hour == 20
    # A part of the day means nothing at another precision.
    assert Precision.HOUR.start_of(local, "evening") == Precision.HOUR.start_of(local)


def test_iso_dates_stop_at_the_precision_and_an_hour_at_its_first_minute():
    local = dt.datetime(2020, 1, 3, 1, 42, tzinfo=ZoneInfo("Asia/Baghdad"))
    assert [p.iso(local) for p in Precision] == [
        "2020",
        "2020-01",
        "2020-01-03",
        "2020-01-03T01:00+03:00",
        "2020-01-03T01:42+03:00",
    ]
