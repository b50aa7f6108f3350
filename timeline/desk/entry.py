"""Fast entry: dates as editors type them, and the time zone a place implies.

`parse_when("January 2020")` gives the local start and how precisely it is known, so one text
box sets both `start` and `precision`. Local means the event's own clock: the admin form reads
the result in the event's time zone, unless the text carries its own offset.
"""

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

import pycountry
from django import forms
from django.core.exceptions import ValidationError

from timeline import dates
from timeline.dates import Precision

MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9
_MONTH = r"(?P<month_name>[A-Za-z]+)\.?"
_TIME = r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
_OFFSET = r"(?P<offset>Z|[+-]\d{2}:?\d{2})"

# Tried in order; the first full match wins.
PATTERNS = [
    re.compile(r"(?P<year>\d{4})"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})"),
    re.compile(rf"{_MONTH},?\s+(?P<year>\d{{4}})"),
    re.compile(rf"(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})(?:[T\s]+{_TIME})?"),
    re.compile(
        rf"(?P<year>\d{{4}})-(?P<month>\d{{2}})-(?P<day>\d{{2}})T{_TIME}\s*{_OFFSET}",
    ),
    re.compile(
        rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})(?:,?\s+{_TIME})?"
    ),
    re.compile(
        rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?:,?\s+{_TIME})?"
    ),
]
AMBIGUOUS = re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")

EXAMPLES = "2020-01-07, January 2020, 7 Jan 2020 14:30 or 2020-01-03T01:00+03:00"


@dataclass(frozen=True)
class When:
    """What an editor typed: a wall-clock time (or an exact moment) and its precision."""

    moment: dt.datetime  # naive = the event's local clock; aware = the text gave its offset
    precision: str

    def finer_than(self, precision: str) -> bool:
        return Precision(precision).finer_than(self.precision)


def parse_when(text: str) -> When:
    """Read a date as editors write it; ValueError with a message meant for them."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError(f"Type a date, e.g. {EXAMPLES}.")
    if AMBIGUOUS.fullmatch(text):
        raise ValueError(
            f"“{text}” could be read day-first or month-first. Write the month as a word "
            "(7 Jan 2020) or use year-month-day (2020-01-07)."
        )
    for pattern in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _build(text, match.groupdict())
    raise ValueError(f"“{text}” is not a date we can read. Try {EXAMPLES}.")


def _build(text: str, parts: dict) -> When:
    year = int(parts["year"])
    if parts.get("month_name"):
        month = MONTHS.get(parts["month_name"].lower())
        if month is None:
            raise ValueError(f"“{parts['month_name']}” is not a month name (in “{text}”).")
    else:
        month = int(parts["month"]) if parts.get("month") else 1
    if not 1 <= month <= 12:
        raise ValueError(f"There is no month {month} (in “{text}”): months run from 1 to 12.")
    day = int(parts["day"]) if parts.get("day") else 1
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(
            f"{calendar.month_name[month]} {year} has {last} days, so there is no day {day}."
        )
    hour, minute = int(parts.get("hour") or 0), int(parts.get("minute") or 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"“{parts['hour']}:{parts['minute']}” is not a time on a 24-hour clock.")
    moment = dt.datetime(year, month, day, hour, minute)
    if parts.get("offset"):
        moment = moment.replace(tzinfo=_offset(parts["offset"]))
    if parts.get("hour") is not None:
        precision = "minute"
    elif parts.get("day"):
        precision = "day"
    elif parts.get("month") or parts.get("month_name"):
        precision = "month"
    else:
        precision = "year"
    return When(moment, precision)


def _offset(text: str) -> dt.tzinfo:
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if delta >= dt.timedelta(hours=24):
        raise ValueError(f"“{text}” is not a UTC offset.")
    return dt.timezone(sign * delta)


def format_when(local: dt.datetime, precision: str) -> str:
    """The text that reads back as the same start and precision (hour shows as a full time)."""
    precision = Precision(precision)
    if precision == Precision.MONTH:
        return dates.month_year(local)
    if precision.is_timed:
        return f"{Precision.DAY.iso(local)} {local:%H:%M}"
    return precision.iso(local)


# Countries on one clock, for the places our desks cover; others are chosen from the list.
COUNTRY_ZONES = {
    "AE": "Asia/Dubai",
    "AF": "Asia/Kabul",
    "AZ": "Asia/Baku",
    "BH": "Asia/Bahrain",
    "CH": "Europe/Zurich",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "DJ": "Africa/Djibouti",
    "EG": "Africa/Cairo",
    "ER": "Africa/Asmara",
    "ET": "Africa/Addis_Ababa",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "IL": "Asia/Jerusalem",
    "IN": "Asia/Kolkata",
    "IQ": "Asia/Baghdad",
    "IR": "Asia/Tehran",
    "IT": "Europe/Rome",
    "JO": "Asia/Amman",
    "JP": "Asia/Tokyo",
    "KW": "Asia/Kuwait",
    "LB": "Asia/Beirut",
    "LY": "Africa/Tripoli",
    "OM": "Asia/Muscat",
    "PK": "Asia/Karachi",
    "QA": "Asia/Qatar",
    "SA": "Asia/Riyadh",
    "SD": "Africa/Khartoum",
    "SO": "Africa/Mogadishu",
    "SY": "Asia/Damascus",
    "TR": "Europe/Istanbul",
    "UA": "Europe/Kyiv",
    "YE": "Asia/Aden",
}
# Several clocks: the editor has to say which.
MULTI_ZONE_COUNTRIES = {"AU", "BR", "CA", "ID", "KZ", "MX", "PS", "RU", "US"}


def zone_for_country(code: str) -> str | None:
    return COUNTRY_ZONES.get((code or "").upper())


def country_code(text: str) -> str | None:
    """A country as an editor types it — "Iraq", "iraq", "IQ", "IRQ", "Iraq (IQ)" — as its
    ISO code, or None. Whole names and codes only: "Ir" is not a guess at Iran."""
    text = (text or "").strip()
    picked = re.fullmatch(r".*\(([A-Za-z]{2})\)", text)
    if picked:
        text = picked.group(1)
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


def country_label(code: str) -> str:
    """'Iraq (IQ)': the name a reader knows, and the code the data keeps."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return code or ""
    return f"{getattr(country, 'common_name', None) or country.name} ({code})"


@cache
def country_labels() -> tuple[str, ...]:
    return tuple(sorted(country_label(c.alpha_2) for c in pycountry.countries))


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone a reader might meet, for the searchable list."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def suggest_zone(name: str) -> str | None:
    """The nearest real zone for a typo, e.g. 'Asia/Bagdad' → 'Asia/Baghdad'."""
    by_lower = {z.lower(): z for z in zone_names()}
    close = difflib.get_close_matches((name or "").lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None


class WhenField(forms.CharField):
    """One text box for a date at any precision; cleans to a `When`."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": "e.g. 7 Jan 2020 14:30", "size": 28}),
        )
        kwargs.setdefault("help_text", f"Type it as you know it: {EXAMPLES}.")
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            when = parse_when(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
        if not dates.year_in_range(when.moment):
            raise ValidationError(dates.YEAR_RANGE_MESSAGE, code="year_range")
        return when

    def prepare_value(self, value):
        if isinstance(value, When):
            return format_when(value.moment, value.precision)
        return value
