"""Import TimelineJS timelines, as JSON or as a CSV from its Google Sheets template, as drafts.

Both formats are read into `Slide`s first; one function then turns a slide into an Event. Every
problem names the row or event and the field as the file spells it, and the whole import runs
in one transaction, so a bad row leaves the database as it was.
"""

import calendar
import csv
import datetime as dt
import html
import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from timeline.models import Category, Event, Precision, Timeline, validate_timezone

PARTS = ("year", "month", "day", "hour", "minute")
IMAGE_PATH = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg)$", re.IGNORECASE)
CREDITS = ("caption", "credit")
SUMMARY_LENGTH = Event._meta.get_field("summary").max_length
SHEET_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::\d{2}(?:\.\d+)?)?\s*([AaPp][Mm])?$")


class ImportProblem(Exception):
    def __init__(self, where: str, field_label: str, message: str):
        super().__init__(f"{where}, {field_label}: {message}")


@dataclass
class Slide:
    """One TimelineJS slide, as raw text, with the file's name for each field."""

    where: str
    labels: dict[str, str]
    start: dict[str, str]
    end: dict[str, str]
    headline: str = ""
    text: str = ""
    group: str = ""
    unique_id: str = ""
    media: dict[str, str] = field(default_factory=dict)
    is_era: bool = False

    def problem(self, name: str, message: str) -> ImportProblem:
        return ImportProblem(self.where, self.labels.get(name, name), message)


@dataclass
class Document:
    title: str = ""
    description: str = ""
    slides: list[Slide] = field(default_factory=list)


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    timeline_created: bool = False


# Reading TimelineJS JSON ----------------------------------------------------------------------

JSON_LABELS = {
    **{part: f"start_date.{part}" for part in PARTS},
    **{f"end_{part}": f"end_date.{part}" for part in PARTS},
    "headline": "text.headline",
    "text": "text.text",
    "media": "media.url",
    "unique_id": "unique_id",
    "group": "group",
}


def _json_parts(value, where: str, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImportProblem(where, name, "expected an object with year, month, day…")
    parts = {}
    for part in PARTS:
        raw = value.get(part)
        if raw is not None and str(raw).strip() != "":
            parts[part] = str(raw).strip()
    return parts


def _json_slide(item, where: str, is_era: bool = False) -> Slide:
    if not isinstance(item, dict):
        raise ImportProblem(where, "slide", "expected an object")
    text = item.get("text") or {}
    media = item.get("media") or {}
    if not isinstance(text, dict) or not isinstance(media, dict):
        raise ImportProblem(
            where, "text" if not isinstance(text, dict) else "media", "expected an object"
        )
    return Slide(
        where=where,
        labels=JSON_LABELS,
        start=_json_parts(item.get("start_date"), where, "start_date"),
        end=_json_parts(item.get("end_date"), where, "end_date"),
        headline=str(text.get("headline") or ""),
        text=str(text.get("text") or ""),
        group=str(item.get("group") or ""),
        unique_id=str(item.get("unique_id") or ""),
        media={key: str(media.get(key) or "") for key in ("url", "caption", "credit", "alt")},
        is_era=is_era,
    )


def read_json(content: str) -> Document:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ImportProblem(f"line {exc.lineno}", f"column {exc.colno}", exc.msg) from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ImportProblem("the file", "events", "a TimelineJS file has a list of events")
    document = Document()
    title = data.get("title") or {}
    if isinstance(title, dict) and isinstance(title.get("text"), dict):
        document.title = _plain(title["text"].get("headline") or "")
        document.description = _plain(title["text"].get("text") or "")
    for n, item in enumerate(data["events"]):
        document.slides.append(_json_slide(item, f"events[{n}]"))
    for n, item in enumerate(data.get("eras") or []):
        document.slides.append(_json_slide(item, f"eras[{n}]", is_era=True))
    return document


# Reading the Google Sheets template's CSV -----------------------------------------------------

SHEET_COLUMNS = {
    "year": "Year",
    "month": "Month",
    "day": "Day",
    "time": "Time",
    "end_year": "End Year",
    "end_month": "End Month",
    "end_day": "End Day",
    "end_time": "End Time",
    "headline": "Headline",
    "text": "Text",
    "media": "Media",
    "credit": "Media Credit",
    "caption": "Media Caption",
    "type": "Type",
    "group": "Group",
}
SHEET_LABELS = {
    **SHEET_COLUMNS,
    "hour": "Time",
    "minute": "Time",
    "end_hour": "End Time",
    "end_minute": "End Time",
}


def _sheet_time(value: str, where: str, column: str) -> dict[str, str]:
    """'14:30', '2:30 PM' or '14:30:00' → hour and minute; '14' alone → the hour only."""
    if not value:
        return {}
    found = SHEET_TIME.match(value)
    if not found:
        raise ImportProblem(where, column, f"“{value}” is not a time like 14:30 or 2:30 PM")
    hour, minute, half = int(found[1]), found[2], (found[3] or "").lower()
    if half and not 1 <= hour <= 12:
        raise ImportProblem(where, column, f"“{value}”: with AM or PM the hour is 1 to 12")
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    parts = {"hour": str(hour)}
    if minute is not None:
        parts["minute"] = minute
    return parts


def read_sheet(content: str) -> Document:
    reader = csv.DictReader(io.StringIO(content))
    headers = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    for required in ("Year", "Headline"):
        if required.lower() not in headers:
            raise ImportProblem("row 1", required, "the column is missing")
    document = Document()
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ImportProblem(f"row {reader.line_num}", "CSV", str(exc)) from None
    # Row 1 is the header, so the numbers match what a spreadsheet shows.
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        cell = {
            key: (row.get(headers.get(column.lower(), "")) or "").strip()
            for key, column in SHEET_COLUMNS.items()
        }
        if not any(cell.values()):
            continue
        kind = cell["type"].lower()
        if kind == "title":
            document.title = _plain(cell["headline"])
            document.description = _plain(cell["text"])
            continue
        start = {p: cell[p] for p in ("year", "month", "day") if cell[p]}
        start |= _sheet_time(cell["time"], where, "Time")
        end = {p: cell[f"end_{p}"] for p in ("year", "month", "day") if cell[f"end_{p}"]}
        end |= _sheet_time(cell["end_time"], where, "End Time")
        document.slides.append(
            Slide(
                where=where,
                labels=SHEET_LABELS,
                start=start,
                end=end,
                headline=cell["headline"],
                text=cell["text"],
                group=cell["group"],
                media={"url": cell["media"], "caption": cell["caption"], "credit": cell["credit"]},
                is_era=kind == "era",
            )
        )
    return document


# Turning slides into events -------------------------------------------------------------------


def _plain(markup: str) -> str:
    return html.unescape(strip_tags(markup)).strip()


def _summary_and_body(markup: str) -> tuple[str, str]:
    """The first paragraph is the summary; the rest, as plain text, is the body."""
    paragraphs = [_plain(p) for p in re.split(r"</p\s*>|<br\s*/?>\s*<br\s*/?>", markup, flags=re.I)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return "", ""
    summary = Truncator(paragraphs[0]).chars(SUMMARY_LENGTH)
    rest = paragraphs[1:] if summary == paragraphs[0] else paragraphs
    return summary, "\n\n".join(rest)


def _number(slide: Slide, name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise slide.problem(name, f"“{value}” is not a whole number") from None
    if not low <= number <= high:
        raise slide.problem(name, f"{number} is not between {low} and {high}")
    return number


def _moment(slide: Slide, parts: dict[str, str], prefix: str, zone: ZoneInfo):
    """The local moment and precision the parts describe: as precise as they go, no further."""
    if "year" not in parts:
        raise slide.problem(prefix + "year", "a year is needed")
    precision = [part for part in PARTS if part in parts][-1]
    for part in PARTS[: PARTS.index(precision)]:
        if part not in parts:
            raise slide.problem(prefix + part, f"needed when a {precision} is given")
    year = _number(slide, prefix + "year", parts["year"], 1, 9999)
    month = _number(slide, prefix + "month", parts.get("month", "1"), 1, 12)
    last_day = calendar.monthrange(year, month)[1]
    day = _number(slide, prefix + "day", parts.get("day", "1"), 1, last_day)
    hour = _number(slide, prefix + "hour", parts.get("hour", "0"), 0, 23)
    minute = _number(slide, prefix + "minute", parts.get("minute", "0"), 0, 59)
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone), Precision(precision)


# Where a model field's error came from, in the slide.
FIELD_SOURCES = {
    "title": "headline",
    "summary": "text",
    "body": "text",
    "slug": "unique_id",
    "image_url": "media",
    "start": "year",
    "end": "end_year",
    "category": "group",
}


class _Importer:
    def __init__(self, timeline: Timeline, zone: ZoneInfo, update: bool, fallback_group: str):
        self.timeline, self.zone, self.update = timeline, zone, update
        self.fallback_group = fallback_group
        self.categories: dict[str, Category] = {}
        self.slugs: set[str] = set()
        self.report = Report()

    def category(self, slide: Slide) -> Category:
        name = _plain(slide.group) or self.fallback_group
        if len(name) > Category._meta.get_field("name").max_length:
            raise slide.problem("group", "a category name has at most 80 characters")
        if name.lower() not in self.categories:
            found = Category.objects.filter(name__iexact=name).first()
            if found is None:
                slug = base = slugify(name) or "imported"
                n = 1
                while Category.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{base}-{n}"
                found = Category.objects.create(name=name, slug=slug)
            self.categories[name.lower()] = found
        return self.categories[name.lower()]

    def slug(self, slide: Slide, title: str) -> str:
        base = slugify(slide.unique_id)[:190] or slugify(title)[:190] or "imported-event"
        slug, n = base, 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def add(self, slide: Slide) -> None:
        title = _plain(slide.headline)
        if not title:
            raise slide.problem("headline", "a headline is needed")
        start, precision = _moment(slide, slide.start, "", self.zone)
        end, end_precision = None, ""
        if slide.end:
            end, end_precision = _moment(slide, slide.end, "end_", self.zone)
            if end < start:
                raise slide.problem("end_year", "the end is before the start")
        summary, body = _summary_and_body(slide.text)
        media = slide.media.get("url", "").strip()
        is_image = bool(media) and bool(IMAGE_PATH.search(urlparse(media).path))
        if media and not is_image:
            # Videos, tweets and maps have no place in the model; keep the address for editors.
            about = ", ".join(filter(None, (_plain(slide.media.get(k, "")) for k in CREDITS)))
            line = f"Media: {media}" + (f" ({about})" if about else "")
            body = "\n\n".join(filter(None, [body, line]))

        slug = self.slug(slide, title)
        event = Event.objects.filter(slug=slug).first()
        if event is not None and _edited(event) and not self.update:
            self.report.kept.append(slug)
            return
        (self.report.updated if event else self.report.created).append(slug)
        event = event or Event(slug=slug)
        event.title, event.summary, event.body = title, summary or title, body
        event.start, event.precision = start, precision
        event.end, event.end_precision = end, end_precision
        event.timezone = self.zone.key
        event.category = self.category(slide)
        event.image_url = media if is_image else ""
        event.image_caption = _plain(slide.media.get("caption", "")) if is_image else ""
        event.image_credit = _plain(slide.media.get("credit", "")) if is_image else ""
        event.image_alt = _plain(slide.media.get("alt", "")) if is_image else ""
        # Whatever it was, the imported text is unreviewed: it goes back to being a draft.
        event.status = Event.Status.DRAFT
        event.updated_by = None
        event.set_local_dates()
        try:
            event.full_clean()
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            raise slide.problem(FIELD_SOURCES.get(name, name), " ".join(messages)) from None
        event.save()
        self.timeline.events.add(event)


def _edited(event: Event) -> bool:
    """Touched by an editor since it was imported: saved in the admin, or no longer a draft."""
    return event.updated_by_id is not None or event.status != Event.Status.DRAFT


def read(path_name: str, content: str) -> Document:
    """A TimelineJS JSON file or a Sheets CSV, told apart by the name or else the content."""
    if path_name.lower().endswith(".csv"):
        return read_sheet(content)
    if path_name.lower().endswith(".json") or content.lstrip().startswith("{"):
        return read_json(content)
    return read_sheet(content)


def import_document(
    document: Document,
    *,
    timeline: str,
    timezone: str = "UTC",
    update: bool = False,
    fallback_group: str = "Imported",
) -> Report:
    try:
        validate_timezone(timezone)
    except ValidationError as exc:
        raise ImportProblem("the options", "--timezone", " ".join(exc.messages)) from None
    slug = slugify(timeline)
    if not slug:
        raise ImportProblem("the options", "--timeline", "give the timeline's slug, e.g. gulf-2020")
    events = [slide for slide in document.slides if not slide.is_era]
    # Our own exports repeat every span as an era; an era that is also an event is not new.
    headlines = {_plain(slide.headline) for slide in events}
    eras = [s for s in document.slides if s.is_era and _plain(s.headline) not in headlines]
    with transaction.atomic():
        found, created = Timeline.objects.get_or_create(
            slug=slug,
            defaults={
                "title": document.title or timeline,
                "description": document.description,
                "is_published": False,
            },
        )
        importer = _Importer(found, ZoneInfo(timezone), update, fallback_group)
        importer.report.timeline_created = created
        for slide in events + eras:
            importer.add(slide)
    return importer.report
