"""Link-preview cards: the picture a shared link shows (og:image) when an event has no image.

One PNG per published timeline and one for the site, drawn by `manage.py draw_cards` at set-up
(`make run` and `make serve` run it before collectstatic) into static/cards/, so they are plain
static files: no image is made while a reader waits.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from PIL import Image, ImageDraw, ImageFont

from timeline import media, site
from timeline.models import Event, Timeline

# The size Facebook, LinkedIn and X crop least (1.91:1).
WIDTH, HEIGHT = 1200, 630
DIRECTORY: Path = settings.BASE_DIR / "static" / "cards"
SITE = "site"
SITE_TITLE = site.NAME
SITE_LINE = "Sourced chronologies: every event cites its sources."

# The page's light palette (static/css/site.css), so a card reads as the site it links to.
BACKGROUND, INK, MUTED, RULE, ACCENT = "#f6f5f2", "#1a1a1a", "#595959", "#d0d0d0", "#0b57a4"
# Free fonts Debian and most Linux images ship; Pillow's own font when none is installed.
BOLD = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
REGULAR = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
MARGIN = 80


@dataclass(frozen=True)
class Card:
    """What og:image and the JSON-LD need: an address (a static path or an event's own URL),
    its size when we know it, and what it shows."""

    url: str
    alt: str
    width: int | None = None
    height: int | None = None


def _font(candidates: tuple[str, ...], size: int) -> ImageFont.FreeTypeFont:
    for path in candidates:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _title_lines(draw: ImageDraw.ImageDraw, title: str) -> tuple[list[str], object, int]:
    """The title as large as fits in three lines, cut with an ellipsis only past the smallest."""
    width = WIDTH - 2 * MARGIN
    for size in (76, 66, 58, 50):
        font = _font(BOLD, size)
        lines = _wrap(draw, title, font, width)
        if len(lines) <= 3:
            return lines, font, size
    lines = lines[:3]
    while draw.textlength(lines[2] + "…", font=font) > width:
        lines[2] = lines[2].rsplit(" ", 1)[0]
    lines[2] += "…"
    return lines, font, size


def draw(title: str, subtitle: str) -> Image.Image:
    """A light card: the site's name, the title in large bold type, the dates under a rule."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 14), fill=ACCENT)
    if title != SITE_TITLE:
        pen.text((MARGIN, 64), SITE_TITLE.upper(), font=_font(BOLD, 28), fill=ACCENT)
    lines, font, size = _title_lines(pen, title)
    y = 150
    for line in lines:
        pen.text((MARGIN, y), line, font=font, fill=INK)
        y += int(size * 1.2)
    rule_y = max(y + 30, 440)
    pen.line((MARGIN, rule_y, WIDTH - MARGIN, rule_y), fill=RULE, width=3)
    small = _font(REGULAR, 34)
    for n, line in enumerate(_wrap(pen, subtitle, small, WIDTH - 2 * MARGIN)[:2]):
        pen.text((MARGIN, rule_y + 30 + n * 46), line, font=small, fill=MUTED)
    return image


def _long_date(day: dt.date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def timeline_dates(timeline: Timeline) -> str:
    """'27 December 2019 – 8 January 2020 · 14 sourced events', from what readers can see."""
    events = timeline.published_events()
    first, last = events.date_span()
    count = events.count()
    if first is None:
        return "No events published yet"
    span = _long_date(first) if first == last else f"{_long_date(first)} – {_long_date(last)}"
    return f"{span} · {count} sourced event{'s' if count != 1 else ''}"


def write_all(directory: Path | None = None) -> list[Path]:
    """Draw the site's card and every published timeline's (only published: a card's title is
    as public as the page). Returns the files written."""
    directory = directory or DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    cards = [(SITE, SITE_TITLE, SITE_LINE)]
    cards += [(t.slug, t.title, timeline_dates(t)) for t in Timeline.objects.published()]
    for name, title, subtitle in cards:
        path = directory / f"{name}.png"
        draw(title, subtitle).save(path, "PNG", optimize=True)
        written.append(path)
    return written


def _static_card(name: str) -> str | None:
    """The card's static address, if it was drawn and the static files know it (the manifest
    of `make serve` names only what collectstatic saw)."""
    if not (DIRECTORY / f"{name}.png").exists():
        return None
    try:
        return static(f"cards/{name}.png")
    except ValueError:
        return None


def for_timeline(timeline: Timeline | None) -> Card | None:
    """A timeline's card, else the site's; None before any card is drawn."""
    if timeline is not None and timeline.slug and (url := _static_card(timeline.slug)):
        return Card(url, f"{timeline.title}, with its dates", WIDTH, HEIGHT)
    if url := _static_card(SITE):
        return Card(url, f"{SITE_TITLE}: {SITE_LINE}", WIDTH, HEIGHT)
    return None


def for_event(event: Event) -> Card | None:
    """The event's own image when it has one; else the card of its timeline."""
    if picture := event.picture:
        width, height = media.preview_size(event)
        return Card(picture.largest, picture.alt or event.title, width, height)
    return for_timeline(event.card_timeline)
