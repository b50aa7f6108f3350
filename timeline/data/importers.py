"""Import TimelineJS timelines, as JSON or as a CSV from its Google Sheets template, as drafts.

Both formats are read into `Slide`s first; one function then turns a slide into an Event. Every
problem names the row or event and the field as the file spells it, and the whole import runs
in one transaction, so a bad row leaves the database as it was. The desk's import page
(timeline.desk.sheet_import) runs the same steps through `import_rows`, which skips a bad row with
its problem instead of stopping, and as a dry run rolls everything back.
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

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from timeline.dates import DATE_PARTS
from timeline.desk import workflow
from timeline.models import Category, Event, Precision, Timeline, validate_timezone

IMAGE_PATH = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg)$", re.IGNORECASE)
CREDITS = ("caption", "credit")
SUMMARY_LENGTH = Event._meta.get_field("summary").max_length
SHEET_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::\d{2}(?:\.\d+)?)?\s*([AaPp][Mm])?$")


class ImportProblem(Exception):
    def __init__(self, where: str, field_label: str, message: str):
        super().__init__(f"{where}, {field_label}: {message}")
        self.where, self.field_label, self.message = where, field_label, message


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
    # Found while reading; the import stops at it (the desk's import skips the row).
    unreadable: ImportProblem | None = None

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


@dataclass
class Row:
    """One slide as the desk's import read it: the draft it becomes, or what is wrong with it."""

    where: str
    title: str
    date: str
    category: str = ""
    new_category: bool = False
    problem: str = ""
    event_pk: int | None = None


# Reading TimelineJS JSON ----------------------------------------------------------------------

JSON_LABELS = {
    **{part: f"start_date.{part}" for part in DATE_PARTS},
    **{f"end_{part}": f"end_date.{part}" for part in DATE_PARTS},
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
    for part in DATE_PARTS:
        raw = value.get(part)
        if raw is not None and str(raw).strip() != "":
            parts[part] = str(raw).strip()
    return parts


def _json_slide(item, where: str, is_era: bool = False) -> Slide:
    try:
        return _read_json_slide(item, where, is_era)
    except ImportProblem as exc:
        text = item.get("text") if isinstance(item, dict) else None
        headline = str(text.get("headline") or "") if isinstance(text, dict) else ""
        return Slide(where, JSON_LABELS, {}, {}, headline, is_era=is_era, unreadable=exc)


def _read_json_slide(item, where: str, is_era: bool) -> Slide:
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
    except (ValueError, RecursionError):
        # A number too long to read, or arrays nested thousands deep: not a timeline.
        raise ImportProblem("the file", "JSON", "this is not a TimelineJS file") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ImportProblem("the file", "events", "a TimelineJS file has a list of events")
    if not isinstance(data.get("eras") or [], list):
        raise ImportProblem("the file", "eras", "expected a list of eras")
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
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportProblem("row 1", "CSV", str(exc)) from None
    headers = {(name or "").strip().lower(): name for name in fieldnames}
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
        start = {p: cell[p] for p in Precision.DAY.parts if cell[p]}
        end = {p: cell[f"end_{p}"] for p in Precision.DAY.parts if cell[f"end_{p}"]}
        unreadable = None
        try:
            start |= _sheet_time(cell["time"], where, "Time")
            end |= _sheet_time(cell["end_time"], where, "End Time")
        except ImportProblem as exc:
            unreadable = exc
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
                unreadable=unreadable,
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
    precision = Precision([part for part in DATE_PARTS if part in parts][-1])
    for part in precision.parts:
        if part not in parts:
            raise slide.problem(prefix + part, f"needed when a {precision} is given")
    year = _number(slide, prefix + "year", parts["year"], 1, 9999)
    month = _number(slide, prefix + "month", parts.get("month", "1"), 1, 12)
    last_day = calendar.monthrange(year, month)[1]
    day = _number(slide, prefix + "day", parts.get("day", "1"), 1, last_day)
    hour = _number(slide, prefix + "hour", parts.get("hour", "0"), 0, 23)
    minute = _number(slide, prefix + "minute", parts.get("minute", "0"), 0, 59)
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone), precision


# Where a model field's error came from, in the slide.
FIELD_SOURCES = {
    "title": "headline",
    "summary": "text",
    "body": "text",
    "slug": "unique_id",
    "image_url": "media",
    "image_alt": "media",
    "media_url": "media",
    "start": "year",
    "end": "end_year",
    "category": "group",
}


class _Importer:
    def __init__(
        self,
        timeline: Timeline | None,
        zone: ZoneInfo,
        update: bool,
        fallback_group: str,
        *,
        user=None,
        create_only: bool = False,
    ):
        self.timeline, self.zone, self.update = timeline, zone, update
        self.fallback_group = fallback_group
        # The desk's import: every slide a new draft by `user`, none that is already there.
        self.user, self.create_only = user, create_only
        self.categories: dict[str, Category] = {}
        self.slugs: set[str] = set()
        self.new_pks: set[int] = set()
        self.new_categories: set[int] = set()
        self.report = Report()

    def category(self, slide: Slide) -> Category:
        """The category for the slide's group; a new one is saved only with its first event,
        so a slide refused after this leaves nothing behind."""
        name = _plain(slide.group) or self.fallback_group
        if len(name) > Category._meta.get_field("name").max_length:
            raise slide.problem("group", "a category name has at most 80 characters")
        if name.lower() not in self.categories:
            found = Category.objects.filter(name__iexact=name).first()
            self.categories[name.lower()] = found or Category(name=name)
        return self.categories[name.lower()]

    def slug(self, slide: Slide, title: str) -> str:
        base = slugify(slide.unique_id)[:190] or slugify(title)[:190] or "imported-event"
        slug, n = base, 1
        while slug in self.slugs or (self.create_only and Event.objects.filter(slug=slug).exists()):
            n += 1
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        return slug

    def refuse_duplicates(self, slide: Slide, title: str, start: dt.datetime) -> None:
        """Uploading a file twice, or confirming it twice, finds every row already there."""
        found = workflow.likely_duplicates(title, start.date(), None)
        found = [event for event in found if event.pk not in self.new_pks]
        if found:
            raise slide.problem(
                "headline",
                f"looks like “{found[0].title}”, already in the desk (same day, similar "
                "title); add it by hand if it is a different event",
            )

    def add(self, slide: Slide) -> Event | None:
        """The slide saved as a draft event (None when an edited event is kept as it is)."""
        if slide.unreadable is not None:
            raise slide.unreadable
        title = _plain(slide.headline)
        if not title:
            raise slide.problem("headline", "a headline is needed")
        start, precision = _moment(slide, slide.start, "", self.zone)
        end, end_precision = None, ""
        if slide.end:
            end, end_precision = _moment(slide, slide.end, "end_", self.zone)
            if end < start:
                raise slide.problem("end_year", "the end is before the start")
        if self.create_only:
            self.refuse_duplicates(slide, title, start)
        summary, body = _summary_and_body(slide.text)
        media = slide.media.get("url", "").strip()
        is_image = bool(media) and bool(IMAGE_PATH.search(urlparse(media).path))
        # Videos, posts and maps become the event's link card, named by their caption or credit.
        about = ", ".join(filter(None, (_plain(slide.media.get(k, "")) for k in CREDITS)))

        slug = self.slug(slide, title)
        event = None if self.create_only else Event.objects.filter(slug=slug).first()
        if event is not None and _edited(event) and not self.update:
            self.report.kept.append(slug)
            return None
        (self.report.updated if event else self.report.created).append(slug)
        event = event or Event(slug=slug, created_by=self.user)
        event.title, event.summary, event.body = title, summary or title, body
        event.start, event.precision = start, precision
        event.end, event.end_precision = end, end_precision
        event.timezone = self.zone.key
        event.category = self.category(slide)
        if not event.image:
            # A picture uploaded in the desk is the editors' choice: a re-import leaves it.
            if event.image_url != (media if is_image else ""):
                event.image_width = event.image_height = None
            event.image_url = media if is_image else ""
            event.image_caption = _plain(slide.media.get("caption", "")) if is_image else ""
            event.image_credit = _plain(slide.media.get("credit", "")) if is_image else ""
            event.image_alt = _plain(slide.media.get("alt", "")) if is_image else ""
            if is_image and not event.image_alt:
                # TimelineJS's alt is optional; ours is not, and the caption is the nearest words.
                event.image_alt = event.image_caption or title
        event.media_url = media if media and not is_image else ""
        event.media_title = about[:200] if media and not is_image else ""
        # Whatever it was, the imported text is unreviewed: it goes back to being a draft.
        event.status = Event.Status.DRAFT
        event.updated_by = self.user
        event.set_local_dates()
        new_category = event.category.pk is None
        try:
            event.full_clean(exclude=["category"] if new_category else None)
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            raise slide.problem(FIELD_SOURCES.get(name, name), " ".join(messages)) from None
        if new_category:
            _save_category(event.category)
            self.new_categories.add(event.category.pk)
        event.save()
        self.new_pks.add(event.pk)
        if self.timeline is not None:
            self.timeline.events.add(event)
        return event


def _save_category(category: Category) -> None:
    slug = base = slugify(category.name) or "imported"
    n = 1
    while Category.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    category.slug = slug
    category.save()


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
        for slide in _to_import(document):
            importer.add(slide)
    return importer.report


def _to_import(document: Document) -> list[Slide]:
    events = [slide for slide in document.slides if not slide.is_era]
    # Our own exports repeat every span as an era; an era that is also an event is not new.
    headlines = {_plain(slide.headline) for slide in events}
    eras = [s for s in document.slides if s.is_era and _plain(s.headline) not in headlines]
    return events + eras


def _as_written(parts: dict[str, str]) -> str:
    day = "-".join(parts[p] for p in Precision.DAY.parts if p in parts)
    clock = ":".join(parts[p].zfill(2) for p in ("hour", "minute") if p in parts)
    return " ".join(filter(None, [day, clock]))


def reads_as(slide: Slide, zone: ZoneInfo) -> str:
    """The slide's date as readers would see it, or as the file wrote it if it cannot be read."""
    try:
        start, precision = _moment(slide, slide.start, "", zone)
        end, end_precision = _moment(slide, slide.end, "end_", zone) if slide.end else (None, "")
    except ImportProblem:
        return " – ".join(filter(None, [_as_written(slide.start), _as_written(slide.end)]))
    shown = Event(start=start, precision=precision, end=end, end_precision=end_precision)
    shown.timezone = zone.key
    return shown.display_date


def import_rows(
    document: Document,
    *,
    timeline: Timeline | None,
    timezone: str,
    fallback_group: str,
    user,
    comment: str,
    keep: bool,
) -> list[Row]:
    """Each slide as a new draft by `user`, on `timeline`, or the reason it cannot be one.

    Unlike `import_document`, a bad row is skipped rather than fatal, and nothing already in
    the desk is overwritten. With `keep=False` the same steps run and are rolled back, so the
    dry run shows exactly what the import will do.
    """
    zone = ZoneInfo(timezone)
    rows = []
    with transaction.atomic():
        importer = _Importer(timeline, zone, False, fallback_group, user=user, create_only=True)
        for slide in _to_import(document):
            row = Row(slide.where, _plain(slide.headline), reads_as(slide, zone))
            try:
                # One revision per event, as a save in the desk makes.
                with transaction.atomic(), reversion.create_revision():
                    event = importer.add(slide)
                    reversion.set_user(user)
                    reversion.set_comment(comment)
            except ImportProblem as exc:
                row.problem = f"{exc.field_label}: {exc.message}"
            else:
                row.category, row.event_pk = event.category.name, event.pk
                row.new_category = event.category.pk in importer.new_categories
            rows.append(row)
        if not keep:
            transaction.set_rollback(True)
    return rows
