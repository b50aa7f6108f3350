"""Dates as a newsroom writes them: no more precise than what is known, in local time."""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

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


# Parts of a day, for events known to the day and roughly when in it ("early hours of
# 8 January"): local [start, stop) hours. They order events within the day and place them.
PARTS_OF_DAY = {
    "early_hours": ("Early hours", 0, 6),
    "morning": ("Morning", 6, 12),
    "afternoon": ("Afternoon", 12, 17),
    "evening": ("Evening", 17, 21),
    "night": ("Night", 21, 24),
}

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
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def part_label(part: str) -> str:
    return PARTS_OF_DAY[part][0].lower() if part in PARTS_OF_DAY else ""


def describe_local(
    moment: dt.datetime, precision: str, zone: ZoneInfo, approximate: bool, part: str = ""
) -> str:
    """Local date and time at the given precision: 'January 2020', '8 January 2020, early
    hours', '3 January 2020, between 00:00 and 01:00 Baghdad time (UTC+3)'."""
    local = moment.astimezone(zone)
    if precision == "year":
        return f"{local.year}"
    if precision == "month":
        return f"{calendar.month_name[local.month]} {local.year}"
    day = f"{_day_month(local)} {local.year}"
    if precision == "day":
        return f"{day}, {part_label(part)}" if part in PARTS_OF_DAY else day
    if precision == "hour":
        # The hour already says "somewhere in it": "about" would add nothing.
        stop = local + dt.timedelta(hours=1)
        return f"{day}, between {local:%H:00} and {stop:%H:00} {zone_name(local)}"
    about = "about " if approximate else ""
    return f"{day}, {about}{local:%H:%M} {zone_name(local)}"


def describe(
    moment: dt.datetime, precision: str, zone: ZoneInfo, approximate: bool, part: str = ""
) -> str:
    """Clock times get UTC too: '3 January 2020, 01:00 Baghdad time (UTC+3); 2 January 22:00
    UTC'."""
    text = describe_local(moment, precision, zone, approximate, part)
    if precision in ("hour", "minute") and zone_name(moment.astimezone(zone)) != "UTC":
        utc = moment.astimezone(UTC)
        if precision == "hour":
            stop = utc + dt.timedelta(hours=1)
            text += f"; {_day_month(utc)} {utc:%H:00}–{stop:%H:00} UTC"
        else:
            text += f"; {_day_month(utc)} {utc:%H:%M} UTC"
    return text


def period_start(local: dt.datetime, precision: str, part: str = "") -> dt.datetime:
    """The first local instant of the period: a day's part starts at its first hour."""
    if precision == "day" and part in PARTS_OF_DAY:
        return start_of_period(local, "day").replace(hour=PARTS_OF_DAY[part][1])
    return start_of_period(local, precision)


def period_stop(local: dt.datetime, precision: str, part: str = "") -> dt.datetime:
    """The last local instant inside the period that `local` names at `precision`: a day runs
    to 23:59:59, an hour to :59:59, a part of the day to the end of its last hour."""
    last_second = dict(minute=59, second=59, microsecond=0)
    if precision == "year":
        return local.replace(month=12, day=31, hour=23, **last_second)
    if precision == "month":
        last = calendar.monthrange(local.year, local.month)[1]
        return local.replace(day=last, hour=23, **last_second)
    if precision == "day":
        stop_hour = PARTS_OF_DAY[part][2] if part in PARTS_OF_DAY else 24
        return local.replace(hour=stop_hour - 1, **last_second)
    if precision == "hour":
        return local.replace(**last_second)
    return local.replace(second=59, microsecond=0)


def sort_moment(local: dt.datetime, precision: str, part: str = "") -> dt.datetime:
    """Where an event falls in the chronology: its clock time when known; for a part of the
    day, the middle of it (so "early hours, after the 01:30 strikes" sorts after them); for a
    whole day, month or year, its start."""
    if precision == "day" and part in PARTS_OF_DAY:
        _, first, stop = PARTS_OF_DAY[part]
        middle = (first + stop) * 30
        return start_of_period(local, "day") + dt.timedelta(minutes=middle)
    if precision == "hour":
        return start_of_period(local, "hour") + dt.timedelta(minutes=30)
    return start_of_period(local, precision)


def start_of_period(local: dt.datetime, precision: str) -> dt.datetime:
    """Truncate a local time to its precision, so a 'month' event starts on the 1st at 00:00."""
    if precision == "year":
        return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if precision == "month":
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if precision == "day":
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    return local.replace(second=0, microsecond=0)


def iso(local: dt.datetime, precision: str) -> str:
    """ISO 8601 cut to what is known: '2020', '2020-01', '2020-01-03', or a full local time."""
    if precision == "year":
        return f"{local.year:04d}"
    if precision == "month":
        return f"{local.year:04d}-{local.month:02d}"
    if precision == "day":
        return local.date().isoformat()
    # An hour is "somewhere in it": its first minute, never a minute we do not know.
    return start_of_period(local, precision).isoformat(timespec="minutes")
