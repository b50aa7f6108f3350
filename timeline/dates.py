"""Dates as a newsroom writes them: no more precise than what is known, in local time."""

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.db import models

UTC = dt.UTC

# The years an event may fall in. Every conversion (any zone's offset, a part of the day, the
# day after for a calendar's end) and every export stays inside Python's calendar with room to
# spare, and no chronology a newsroom keeps needs more (tests/test_date_range.py).
EARLIEST_YEAR, LATEST_YEAR = 1000, 2999
YEAR_RANGE_MESSAGE = (
    f"Dates run from the year {EARLIEST_YEAR} to {LATEST_YEAR} here: check the year."
)


def year_in_range(moment: dt.date) -> bool:
    return EARLIEST_YEAR <= moment.year <= LATEST_YEAR


class PartOfDay(models.TextChoices):
    """Parts of a day, for events known to the day and roughly when in it ("early hours of
    8 January"): local [start, stop) hours, which order events within the day and place them.

    Each label states its hours, for editors; `hours` reads them from there, so they are
    written once.
    """

    EARLY_HOURS = "early_hours", "Early hours (00:00–06:00)"
    MORNING = "morning", "Morning (06:00–12:00)"
    AFTERNOON = "afternoon", "Afternoon (12:00–17:00)"
    EVENING = "evening", "Evening (17:00–21:00)"
    NIGHT = "night", "Night (21:00–24:00)"

    @property
    def short_label(self) -> str:
        """The name alone, "Morning", where the hours are said elsewhere."""
        return self.label.partition(" (")[0]

    @property
    def hours(self) -> tuple[int, int]:
        start, stop = re.findall(r"(\d\d):00", self.label)
        return int(start), int(stop)


# Zones whose city name is not what a reader calls the place's time.
ZONE_PLACES = {"UTC": "UTC", "Etc/UTC": "UTC", "Asia/Kolkata": "India", "Asia/Calcutta": "India"}


def utc_offset(moment: dt.datetime) -> str:
    """'UTC+3', 'UTC+3:30', 'UTC-5': hours, minutes only when there are some."""
    minutes = int(moment.utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_name(moment: dt.datetime) -> str:
    """The zone as a place a reader knows: 'Baghdad time (UTC+3)', never 'AST' (Atlantic?)."""
    key = str(moment.tzinfo)
    if ZONE_PLACES.get(key) == "UTC" or moment.utcoffset() is None:
        return "UTC"
    place = ZONE_PLACES.get(key) or key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{place} time ({utc_offset(moment)})"


def _day_month(moment: dt.date) -> str:
    return f"{moment.day} {calendar.month_name[moment.month]}"


def short_date(day: dt.date) -> str:
    """'8 Jan 2020': the day as a number, never padded (no strftime's '%-d', which only glibc
    reads)."""
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def short_moment(moment: dt.datetime, zone: dt.tzinfo = UTC) -> str:
    """'8 Jan 2020, 14:10 UTC': an instant as the desk writes it, on the 24-hour clock, in
    `zone` and named by it."""
    local = moment.astimezone(zone)
    return f"{short_date(local)}, {local:%H:%M} {zone_name(local)}"


def month_year(moment: dt.date) -> str:
    return f"{calendar.month_name[moment.month]} {moment.year}"


def part_label(part: str) -> str:
    return PartOfDay(part).short_label.lower() if part in PARTS_OF_DAY else ""


# A date's parts, coarsest first: a precision knows those up to its own (TimelineJS's
# start_date, the importers' columns).
DATE_PARTS = ("year", "month", "day", "hour", "minute")
# `x in PartOfDay` walks every member on each call; the chart asks it hundreds of times.
PARTS_OF_DAY = frozenset(PartOfDay.values)
# What each part is at the start and at the end of a period that does not know it (the last
# day of a month is the calendar's), and how wide ISO 8601 writes it.
_PARTS_KNOWN = {part: DATE_PARTS[: i + 1] for i, part in enumerate(DATE_PARTS)}
_FIRST = {"month": 1, "day": 1, "hour": 0, "minute": 0}
_LAST = {"month": 12, "day": None, "hour": 23, "minute": 59}
_ISO_WIDTH = {"year": 4, "month": 2, "day": 2}


class Precision(models.TextChoices):
    """How much of a date is known, and what a date known that far covers."""

    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"
    HOUR = "hour", "Hour"
    MINUTE = "minute", "Minute"

    @property
    def parts(self) -> tuple[str, ...]:
        """The date parts it knows: ('year', 'month') for a month."""
        return _PARTS_KNOWN[self.value]

    @property
    def is_timed(self) -> bool:
        """Known to a clock time (an hour or a minute), not only to a calendar date."""
        return "hour" in self.parts

    @property
    def spans_days(self) -> bool:
        """A month or a year: the date alone is a stretch of days."""
        return "day" not in self.parts

    def finer_than(self, other: str) -> bool:
        return len(self.parts) > len(Precision(other).parts)

    def _hours(self, part: str) -> tuple[int, int] | None:
        """A day's part as local [first, stop) hours, for a day event that gives one."""
        return PartOfDay(part).hours if self == Precision.DAY and part in PARTS_OF_DAY else None

    def start_of(self, local: dt.datetime, part: str = "") -> dt.datetime:
        """The first local instant of the period `local` falls in: a month's is the 1st at
        00:00, a day's part's its first hour."""
        unknown = {name: v for name, v in _FIRST.items() if name not in self.parts}
        if hours := self._hours(part):
            unknown["hour"] = hours[0]
        return local.replace(**unknown, second=0, microsecond=0)

    def stop_of(self, local: dt.datetime, part: str = "") -> dt.datetime:
        """The last local instant inside the period: a day runs to 23:59:59, an hour to
        :59:59, a part of the day to the end of its last hour."""
        unknown = {name: v for name, v in _LAST.items() if name not in self.parts}
        if "day" in unknown:
            unknown["day"] = calendar.monthrange(local.year, unknown.get("month", local.month))[1]
        if hours := self._hours(part):
            unknown["hour"] = hours[1] - 1
        return local.replace(**unknown, second=59, microsecond=0)

    def known_from(self, local: dt.datetime, part: str = "") -> dt.datetime:
        """When a record at this precision can be said to have been known: its minute when
        given to the minute; else only once its hour, day, month or year is over (a figure of
        "7 January" is not known at noon that day)."""
        if self == Precision.MINUTE:
            return local.replace(second=0, microsecond=0)
        return self.stop_of(local, part)

    def sort_moment(self, local: dt.datetime, part: str = "") -> dt.datetime:
        """Where an event falls in the chronology: its clock time when known; for a part of
        the day, the middle of it (so "early hours, after the 01:30 strikes" sorts after
        them); for an hour, its middle; for a whole day, month or year, its start."""
        start = self.start_of(local)
        if hours := self._hours(part):
            return start + dt.timedelta(minutes=sum(hours) * 30)
        if self == Precision.HOUR:
            return start + dt.timedelta(minutes=30)
        return start

    def iso(self, local: dt.datetime) -> str:
        """ISO 8601 cut to what is known: '2020', '2020-01', '2020-01-03', or a full local
        time. An hour is "somewhere in it": its first minute, never a minute we do not know."""
        if self.is_timed:
            return self.start_of(local).isoformat(timespec="minutes")
        return "-".join(f"{getattr(local, name):0{_ISO_WIDTH[name]}d}" for name in self.parts)

    def describe_local(
        self, moment: dt.datetime, zone: ZoneInfo, approximate: bool = False, part: str = ""
    ) -> str:
        """Local date and time at this precision: 'January 2020', '8 January 2020, early
        hours', '3 January 2020, between 00:00 and 01:00 Baghdad time (UTC+3)'."""
        local = moment.astimezone(zone)
        if self == Precision.YEAR:
            return f"{local.year}"
        if self == Precision.MONTH:
            return month_year(local)
        day = f"{_day_month(local)} {local.year}"
        if self == Precision.DAY:
            return f"{day}, {part_label(part)}" if part in PARTS_OF_DAY else day
        if self == Precision.HOUR:
            # The hour already says "somewhere in it": "about" would add nothing.
            stop = local + dt.timedelta(hours=1)
            return f"{day}, between {local:%H:00} and {stop:%H:00} {zone_name(local)}"
        about = "about " if approximate else ""
        return f"{day}, {about}{local:%H:%M} {zone_name(local)}"

    def describe(
        self, moment: dt.datetime, zone: ZoneInfo, approximate: bool = False, part: str = ""
    ) -> str:
        """Clock times get UTC too: '3 January 2020, 01:00 Baghdad time (UTC+3); 2 January
        22:00 UTC'."""
        text = self.describe_local(moment, zone, approximate, part)
        if self.is_timed and zone_name(moment.astimezone(zone)) != "UTC":
            utc = moment.astimezone(UTC)
            if self == Precision.HOUR:
                stop = utc + dt.timedelta(hours=1)
                text += f"; {_day_month(utc)} {utc:%H:00}–{stop:%H:00} UTC"
            else:
                text += f"; {_day_month(utc)} {utc:%H:%M} UTC"
        return text


AS_OF_MESSAGE = (
    "Enter a date or a time as YYYY-MM-DD or YYYY-MM-DDTHH:MM (the timeline's local time), "
    "or an instant with its offset, e.g. 2020-01-07T12:00 or 2020-01-07T09:00Z."
)
_AS_OF = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d)?)?$")


class AsOf:
    """A reader's "as it stood then": a day (its end), a local time, or an instant.

    A local time is read on the timeline's main clock, given when the moment is asked for;
    a day means all of it ("as of 7 January" includes what was said that evening).
    """

    def __init__(self, text: str):
        shape = _AS_OF.match(text)
        if not shape:
            raise ValueError(AS_OF_MESSAGE)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(AS_OF_MESSAGE) from None
        if not year_in_range(parsed):
            raise ValueError(YEAR_RANGE_MESSAGE)
        self.text = text
        self.whole_day = "T" not in text
        self._with_seconds = bool(shape.group(2))
        self._parsed = parsed

    def moment(self, zone: dt.tzinfo) -> dt.datetime:
        """The last instant that counts, as an aware datetime: a time given to the minute
        counts to the end of that minute (so the same minute written as an instant, or in
        another zone, stands at the same moment), a day to the end of the day."""
        if self.whole_day:
            # The next midnight on that clock, less the smallest step: the day's last instant.
            following = (self._parsed + dt.timedelta(days=1)).replace(tzinfo=zone)
            return following.astimezone(UTC) - dt.timedelta(microseconds=1)
        given = (
            self._parsed if self._parsed.tzinfo is not None else self._parsed.replace(tzinfo=zone)
        )
        step = dt.timedelta(seconds=1 if self._with_seconds else 60)
        return given.astimezone(UTC) + step - dt.timedelta(microseconds=1)

    def stamp(self, zone: dt.tzinfo) -> str:
        """The same moment as an instant in UTC, to the minute (`2020-01-07T20:59Z`): what a
        link to an event page carries, whatever clock this view reads times on."""
        return f"{self.moment(zone):%Y-%m-%dT%H:%M}Z"

    def describe(self, zone: dt.tzinfo) -> str:
        """'7 January 2020, 12:00 Baghdad time (UTC+3)', or 'the end of 7 January 2020'."""
        if self.whole_day:
            return f"the end of {_day_month(self._parsed)} {self._parsed.year}"
        local = self.moment(zone).astimezone(zone)
        return f"{_day_month(local)} {local.year}, {local:%H:%M} {zone_name(local)}"
