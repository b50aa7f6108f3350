"""Published events in other formats: CSV, iCalendar and TimelineJS JSON.

Each builder takes events already filtered and loaded (`with_related()`) and returns the
document; the views in api.py only choose the events and wrap the result in a response.
"""

import csv
import datetime as dt
import io
from collections.abc import Callable

import icalendar
from django.http import HttpRequest
from django.utils.html import escape

from timeline.filters import BadParameters
from timeline.models import Event, Precision
from timeline.site import absolute_url, host

# CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "slug",
    "title",
    "date",
    "start",
    "end",
    "precision",
    "end_precision",
    "timezone",
    "place",
    "country",
    "latitude",
    "longitude",
    "places",
    "category",
    "importance",
    "actors",
    "sources",
    "figures",
    "summary",
    "url",
    "image",
    "image_alt",
    "image_credit",
    "media_url",
]


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Typed text as a CSV cell a spreadsheet shows as text: OWASP's leading single quote."""
    return "'" + text if text.startswith(FORMULA_START) else text


# Excel on Windows reads a CSV without a byte-order mark in the locale's code page, so "–" and
# curly quotes come out garbled; with one it reads UTF-8. But Python's csv and pandas (with
# their default encoding="utf-8") then see "\ufeff" stuck to the first header, and scripts are
# most of what reads this address. So the mark is asked for, `?bom=1`, and the pages link to
# that as "CSV for Excel" beside the plain CSV.
BOM = "\ufeff"


def _wants_bom(request: HttpRequest) -> bool:
    value = request.GET.get("bom", "")
    if value not in ("", "0", "1"):
        raise BadParameters({"bom": ["Use bom=1 for a file Excel opens, or leave it out."]})
    return value == "1"


def events_csv(events, request: HttpRequest) -> str:
    """One row per event; actors and sources joined with "; " so a spreadsheet keeps one line."""
    out = io.StringIO()
    if _wants_bom(request):
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        actors = "; ".join(
            f"{role.actor.name} ({role.get_role_display().lower()}"
            + (f": {role.note})" if role.note else ")")
            for role in event.event_actors.all()
        )
        sources = "; ".join(
            f"{source.publisher}: {source.title}" + (f" <{source.url}>" if source.url else "")
            for source in event.sources_cited()
        )
        # Each figure in its own words, who gave it and when: "more than 50 dead — Coroner, via
        # Radio Farda, 7 Jan 2020 (given 7 January 2020)".
        figures = "; ".join(
            claim.headline + (f" (given {claim.reported_when})" if claim.reported_at else "")
            for claim in event.claims.all()
            if claim.value is not None
        )
        # Numbers stay numbers (a negative latitude is data, not a formula); text is quoted.
        writer.writerow(
            [
                event.slug,
                _cell(event.title),
                event.display_date,
                event.local_start.isoformat(),
                event.local_end.isoformat() if event.end else "",
                event.precision,
                event.end_precision if event.end else "",
                event.timezone,
                _cell(event.place_name),
                event.country,
                "" if event.latitude is None else event.latitude,
                "" if event.longitude is None else event.longitude,
                # Every place, the main one (the columns before) first.
                _cell("; ".join(str(place) for place in event.places)),
                _cell(event.category.name),
                event.importance,
                _cell(actors),
                _cell(sources),
                _cell(figures),
                _cell(event.summary),
                absolute_url(request, event.get_absolute_url()),
                absolute_url(request, picture.src) if (picture := event.picture) else "",
                _cell(picture.alt) if picture else "",
                _cell(picture.credit) if picture else "",
                event.media_url,
            ]
        )
    return out.getvalue()


# iCalendar ------------------------------------------------------------------------------------


def _day_after(local: dt.datetime, precision: Precision) -> dt.date:
    """iCalendar ends are exclusive: the day after the last day the period covers."""
    return precision.stop_of(local).date() + dt.timedelta(days=1)


def _vevent(event: Event, request: HttpRequest) -> icalendar.Event:
    url = absolute_url(request, event.get_absolute_url())
    item = icalendar.Event()
    # Slugs are the events' natural keys, so calendars that subscribed keep matching them.
    item.add("uid", f"{event.slug}@{host(request)}")
    item.add("dtstamp", event.updated_at)
    item.add("last-modified", event.updated_at)
    item.add("summary", event.title)
    about = "About: " if event.approximate else ""
    figures = "".join(f"\n{claim.headline}" for claim in event.figures())
    figures = f"\n\nFigures, each as given:{figures}" if figures else ""
    item.add("description", f"{about}{event.display_date}\n\n{event.summary}{figures}\n\n{url}")
    item.add("url", url)
    item.add("categories", [event.category.name])
    if places := [place.name or place.country for place in event.places]:
        item.add("location", "; ".join(places))
    if event.latitude is not None and event.longitude is not None:
        item.add("geo", (event.latitude, event.longitude))

    start, end = event.local_start, event.local_end
    precision, end_precision = event.start_precision, event.end_or_start_precision
    if precision.is_timed:
        item.add("dtstart", start.replace(second=0, microsecond=0))
        if end is not None and end_precision.is_timed:
            item.add("dtend", end.replace(second=0, microsecond=0))
        elif end is not None:
            midnight = dt.datetime.combine(_day_after(end, end_precision), dt.time(), event.zone)
            item.add("dtend", midnight)
    else:
        # Days, months and years are all-day spans: "January 2020" covers the whole month.
        item.add("dtstart", precision.start_of(start).date())
        item.add("dtend", _day_after(end or start, end_precision))
    return item


def events_ical(events, request: HttpRequest, name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Timeline//Published events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(event, request))
    # Timed events carry TZID parameters; their VTIMEZONE definitions go in the same file.
    calendar.add_missing_timezones()
    return calendar.to_ical()


# TimelineJS -----------------------------------------------------------------------------------


def date_parts(local: dt.datetime, precision: str) -> dict:
    """{'year': 2020, 'month': 1} for a month: TimelineJS shows no more than is known."""
    return {part: getattr(local, part) for part in Precision(precision).parts}


def _html(text: str) -> str:
    """Typed text for a field TimelineJS writes with innerHTML: every one goes through here.

    Those are the headlines and text (slide, marker, era, title), `group` (the row label,
    TimeGroup.js) and media `caption` and `credit` (Media.showMeta). Media `alt` is not: TimelineJS
    sets it as a property (`img.alt = data.alt`, Image.js), so it is text already and escaping
    it would have screen readers read out "&#x27;" for an apostrophe.
    """
    return escape(text)


def _text(event: Event) -> str:
    sources = ", ".join(
        f'<a href="{_html(s.url)}">{_html(s.publisher)}</a>' if s.url else _html(s.publisher)
        for s in event.sources_cited()
    )
    text = f"<p>{_html(event.summary)}</p>"
    figures = "".join(f"<li>{_html(claim.headline)}</li>" for claim in event.figures())
    if figures:
        text += f"<p>Figures, each as given:</p><ul>{figures}</ul>"
    return text + (f"<p>Sources: {sources}</p>" if sources else "")


def _slide(event: Event, absolute: Callable[[str], str]) -> dict:
    slide = {
        "unique_id": event.slug,
        "start_date": date_parts(event.local_start, event.precision),
        "display_date": event.display_date,
        "text": {"headline": _html(event.title), "text": _text(event)},
        "group": _html(event.category.name),
    }
    if event.end:
        slide["end_date"] = date_parts(event.local_end, event.end_or_start_precision)
    if picture := event.picture:
        slide["media"] = {
            "url": absolute(picture.src),
            "caption": _html(picture.caption),
            "credit": _html(picture.credit),
            "alt": picture.alt,
        }
    elif card := event.link_card:
        # TimelineJS plays YouTube, Vimeo and posts itself, from the address.
        slide["media"] = {"url": card.url, "caption": _html(card.title)}
    return slide


def _era(event: Event) -> dict:
    """A span drawn as a band behind the slides; month and year events end with their period."""
    if event.end:
        end = date_parts(event.local_end, event.end_or_start_precision)
    else:
        end = date_parts(event.period_end, Precision.DAY)
    return {
        "start_date": date_parts(event.local_start, event.precision),
        "end_date": end,
        "text": {"headline": _html(event.title)},
    }


def events_timelinejs(
    events, title: str, description: str = "", absolute: Callable[[str], str] = str
) -> dict:
    """`absolute` makes a path on this site (an uploaded picture) an address TimelineJS,
    running on another site, can load."""
    events = list(events)
    intro = f"<p>{_html(description)}</p>" if description else ""
    document = {
        "title": {"text": {"headline": _html(title), "text": intro}},
        "events": [_slide(event, absolute) for event in events],
    }
    eras = [_era(event) for event in events if event.is_span]
    if eras:
        document["eras"] = eras
    return document
