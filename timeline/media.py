"""An event's media: a picture (uploaded into Django's storage, with smaller copies for phones, or
an image elsewhere by its address) and a video or post shown as a link card.

Nothing from another site loads unless the reader asks: a link card is a plain link, and for the
players we know (YouTube, Vimeo) a button that swaps in the player's privacy-minded address
(static/js/media.js); templates/timeline/_media.html draws both.
"""

import io
import os
import re
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Copies an upload gets, by width in pixels: a phone, a tablet or column, a wide screen.
RENDITION_WIDTHS = (480, 960, 1600)
UPLOAD_TYPES = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ORIENTATION = 0x0112  # the EXIF tag
MAX_PIXELS = 40_000_000  # past this a picture is a decompression bomb, not a news photo
# The page's column: the picture is never drawn wider than this (site.css, .event-media).
SIZES = "(max-width: 48rem) 100vw, 46rem"


def validate_upload(file) -> None:
    """A photo the pages can show: JPEG, PNG, WebP or GIF, of a sane size (never SVG, which
    can carry script). A picture already in storage was checked when it came."""
    if getattr(file, "_committed", False):
        return
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The image is larger than 10 MB; upload a smaller copy.")
    unreadable = ValidationError("This file is not an image we can show (JPEG, PNG, WebP, GIF).")
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind, (width, height) = image.format, image.size
            if kind not in UPLOAD_TYPES:
                raise ValidationError("Upload a JPEG, PNG, WebP or GIF image.")
            if width * height > MAX_PIXELS:
                raise ValidationError("The image has too many pixels; upload a smaller copy.")
            # Decoded now, within the cap: a truncated file is a form error, not a failed save.
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise unreadable from None
    finally:
        file.seek(0)


def upload_path(event, filename: str) -> str:
    """A random name: a draft's picture cannot be found by guessing its address, and a new
    upload never reuses an old one's (so caches may keep each for good)."""
    ext = UPLOAD_TYPES.get(_format(event.image), "")
    return f"events/{uuid.uuid4().hex}{ext or os.path.splitext(filename)[1].lower()}"


def _format(file) -> str | None:
    """What the file is (not what its name says), or None."""
    try:
        file.seek(0)
        with Image.open(file) as image:
            return image.format
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    finally:
        file.seek(0)


def rendition_name(name: str, width: int) -> str:
    stem, ext = os.path.splitext(name)
    return f"{stem}-{width}w{ext}"


def original_name(name: str) -> str:
    """The upload a stored file belongs to: itself, or the picture it is a copy of."""
    stem, ext = os.path.splitext(name)
    return re.sub(r"-\d+w$", "", stem) + ext


def rendition_widths(width: int | None) -> list[int]:
    """The copies an upload this wide has: only those narrower than the original."""
    return [w for w in RENDITION_WIDTHS if width and w < width]


def dimensions(file) -> tuple[int, int]:
    """Width and height as the picture is seen: a phone's photo stored on its side with an EXIF
    orientation is drawn upright by browsers, and its copies are made upright."""
    file.seek(0)
    with Image.open(file) as image:
        width, height = image.size
        on_its_side = image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8)
    file.seek(0)
    return (height, width) if on_its_side else (width, height)


def _turned(image) -> bool:
    return image.getexif().get(ORIENTATION, 1) != 1


def make_renditions(field_file) -> None:
    """Write the smaller copies of an upload beside it, upright, in its own format."""
    storage = field_file.storage
    with field_file.open("rb") as handle, Image.open(handle) as stored:
        kind = "JPEG" if stored.format == "MPO" else stored.format
        stored.load()
        original = ImageOps.exif_transpose(stored) if _turned(stored) else stored
        if original.mode == "P" and kind != "GIF":
            original = original.convert("RGBA")  # resampled smoothly, not by nearest colour
        options = {"quality": 85} if kind == "JPEG" else {}
        if kind != "GIF" and (profile := stored.info.get("icc_profile")):
            options["icc_profile"] = profile  # the photographer's colours, not sRGB's guess
        for width in rendition_widths(original.width):
            copy = original.copy()
            # Bounded by the width alone: a very wide strip must not round its height to 0.
            copy.thumbnail((width, original.height))
            if kind == "JPEG" and copy.mode not in ("RGB", "L"):
                copy = copy.convert("RGB")
            buffer = io.BytesIO()
            copy.save(buffer, format=kind, **options)
            name = rendition_name(field_file.name, width)
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, ContentFile(buffer.getvalue()))


@dataclass(frozen=True)
class Picture:
    src: str
    alt: str
    caption: str
    credit: str
    width: int | None
    height: int | None
    srcset: str = ""
    sizes: str = ""
    largest: str = ""  # the biggest copy a link preview may use (og:image)


def picture_of(event) -> Picture | None:
    """What the pages draw for the event's picture: its upload, else its image address."""
    words = {"alt": event.image_alt, "caption": event.image_caption, "credit": event.image_credit}
    if event.image:
        url, width, storage = event.image.url, event.image_width, event.image.storage
        name = event.image.name
        copies = [(storage.url(rendition_name(name, w)), w) for w in rendition_widths(width)]
        srcset = ", ".join(f"{src} {w}w" for src, w in [*copies, (url, width)] if w)
        # A link preview wants a big picture but not a 20-megapixel one.
        preview = next((src for src, w in reversed(copies) if w <= 1600), url)
        return Picture(
            url, **words, width=width, height=event.image_height, srcset=srcset,
            sizes=SIZES if srcset else "", largest=preview,
        )  # fmt: skip
    if event.image_url:
        return Picture(
            event.image_url, **words, width=event.image_width, height=event.image_height,
            largest=event.image_url,
        )  # fmt: skip
    return None


def preview_size(event) -> tuple[int | None, int | None]:
    """Width and height of the copy `Picture.largest` names."""
    width, height = event.image_width, event.image_height
    if event.image and width and height:
        copies = rendition_widths(width)
        if copies:
            return copies[-1], round(height * copies[-1] / width)
    return width, height


@dataclass(frozen=True)
class LinkCard:
    url: str
    title: str
    host: str
    player: str  # the address to load on the reader's click, or "" for a plain link
    kind: str

    @property
    def player_host(self) -> str:
        return urlsplit(self.player).hostname or ""


YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")


def player_of(url: str) -> tuple[str, str]:
    """(player address, kind) for the video sites we can play on a click; else ("", "Link")."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    video = ""
    if host in ("youtube.com", "youtube-nocookie.com"):
        if segments[:1] == ["watch"]:
            video = (parse_qs(parts.query).get("v") or [""])[0]
        elif segments[:1] in (["shorts"], ["embed"], ["live"]) and len(segments) > 1:
            video = segments[1]
    elif host == "youtu.be" and segments:
        video = segments[0]
    if video and YOUTUBE_ID.match(video):
        return f"https://www.youtube-nocookie.com/embed/{video}", "Video"
    if host == "vimeo.com" and segments and segments[-1].isdigit():
        return f"https://player.vimeo.com/video/{segments[-1]}?dnt=1", "Video"
    return "", "Video" if host in ("youtube.com", "youtu.be", "vimeo.com") else "Link"


def link_card_of(event) -> LinkCard | None:
    if not event.media_url:
        return None
    player, kind = player_of(event.media_url)
    host = (urlsplit(event.media_url).hostname or "").removeprefix("www.")
    return LinkCard(event.media_url, event.media_title, host, player, kind)
