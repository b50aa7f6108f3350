"""Dates as a newsroom writes them: no more precise than what is known, in local time."""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC

# The tz database spells some zones' abbreviations as offsets ("+03"); readers know them by name.
ABBREVIATIONS = {
    ("Asia/Baghdad", 3 * 3600): "AST",
    ("Asia/Riyadh", 3 * 3600): "AST",
    ("Asia/Kuwait", 3 * 3600): "AST",
    ("Asia/Qatar", 3 * 3600): "AST",
    ("Asia/Bahrain", 3 * 3600): "AST",
    ("Asia/Tehran", 3 * 3600 + 1800): "IRST",
    ("Asia/Tehran", 4 * 3600 + 1800): "IRDT",
    ("Asia/Dubai", 4 * 3600): "GST",
    ("Asia/Kabul", 4 * 3600 + 1800): "AFT",
    ("Europe/Istanbul", 3 * 3600): "TRT",
}


def zone_abbreviation(moment: dt.datetime) -> str:
    offset = int(moment.utcoffset().total_seconds())
    name = ABBREVIATIONS.get((str(moment.tzinfo), offset))
    if name:
        return name
    abbr = moment.tzname() or "UTC"
    if abbr[0] in "+-":
        sign, minutes = ("-" if offset < 0 else "+"), abs(offset) // 60
        return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return abbr


def _day_month(moment: dt.date) -> str:
    return f"{moment.day} {calendar.month_name[moment.month]}"


def short_date(day: dt.date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


def describe_local(moment: dt.datetime, precision: str, zone: ZoneInfo, approximate: bool) -> str:
    """Local date and time at the given precision: 'January 2020', '3 January 2020, 01:00 AST'."""
    local = moment.astimezone(zone)
    if precision == "year":
        return f"{local.year}"
    if precision == "month":
        return f"{calendar.month_name[local.month]} {local.year}"
    day = f"{_day_month(local)} {local.year}"
    if precision == "day":
        return day
    about = "about " if approximate else ""
    return f"{day}, {about}{local:%H:%M} {zone_abbreviation(local)}"


def describe(moment: dt.datetime, precision: str, zone: ZoneInfo, approximate: bool) -> str:
    """Clock times get UTC too: '3 January 2020, 01:00 AST (2 January 22:00 UTC)'."""
    text = describe_local(moment, precision, zone, approximate)
    if precision in ("hour", "minute") and zone.key != "UTC":
        utc = moment.astimezone(UTC)
        text += f" ({_day_month(utc)} {utc:%H:%M} UTC)"
    return text


def period_stop(local: dt.datetime, precision: str) -> dt.datetime:
    """The last local instant inside the period that `local` names at `precision`."""
    if precision == "year":
        return local.replace(month=12, day=31, hour=23, minute=59, second=59, microsecond=0)
    if precision == "month":
        last = calendar.monthrange(local.year, local.month)[1]
        return local.replace(day=last, hour=23, minute=59, second=59, microsecond=0)
    return local


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
    return local.isoformat(timespec="minutes")
