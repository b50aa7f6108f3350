"""Editor-typed text made safe to keep and to show.

An event's body may carry a little HTML: paragraphs, line breaks, links, emphasis, lists and
quotes. It is cleaned with nh3 when saved, and cleaned again when shown, because a body can
reach the database without a save through this code (a raw fixture, a restored version, a
hand-run UPDATE). Plain-text bodies stay plain text: kept as typed, shown with their line breaks.

Every text field of the chronology also loses C0 control characters on save, and its line
breaks become "\n". Editors paste controls in from word processors (Word's line break is a
vertical tab), nobody can see them, and XML 1.0 cannot carry them at all: one in a title used to
break the Atom and RSS feeds.
"""

import re

import nh3
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

TAGS = {"p", "br", "a", "em", "strong", "ul", "ol", "li", "blockquote"}
_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes={"a": {"href"}},
    link_rel="noopener nofollow",
    url_schemes={"http", "https", "mailto"},
)
# A tag or a character reference: the text is HTML and is read as HTML.
_MARKUP = re.compile(r"<[a-zA-Z/!?]|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_BLOCKS = re.compile(r"<(?:p|ul|ol|blockquote)\b", re.IGNORECASE)
# Line breaks of every origin become "\n" (browsers send "\r\n"; Word's is a vertical tab);
# the other C0 controls, bar tab, go.
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f]")


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


def is_html(text: str) -> bool:
    return bool(_MARKUP.search(text))


def clean_body(text: str) -> str:
    """What is stored: HTML reduced to the allowed tags; plain text as typed."""
    text = strip_controls(text)
    return _CLEANER.clean(text) if is_html(text) else text


def render_body(text: str) -> SafeString:
    """What readers see: paragraphs either way, and nothing outside the allowed tags."""
    if not is_html(text):
        return mark_safe(linebreaks(text, autoescape=True))
    if not _BLOCKS.search(text):
        # Inline markup only ("<em>a</em>\n\nb"): its blank lines are still paragraphs.
        text = linebreaks(text)
    return mark_safe(_CLEANER.clean(text))


@receiver(pre_save, dispatch_uid="timeline-sanitise-text")
def _sanitise(sender, instance, **kwargs) -> None:
    if sender._meta.app_label != "timeline":
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        cleaned = clean_body(value) if field.name == "body" else strip_controls(value)
        if cleaned != value:
            setattr(instance, field.attname, cleaned)
