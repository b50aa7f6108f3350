import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

from timeline import site
from timeline.models import EventLink
from timeline.reader import cards
from timeline.sanitise import render_body

register = template.Library()


@register.filter
def jsonld(value: dict) -> str:
    """Structured data for search engines, escaped so editor text cannot close the script tag."""
    text = json.dumps(value, ensure_ascii=False).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@register.simple_tag(takes_context=True)
def on_site(context, path: str) -> str:
    """`path` as an absolute address on this site (SITE_URL when set), for links that leave
    the page's own origin, such as those in an embed."""
    return site.absolute_url(context["request"], path)


@register.simple_tag(takes_context=True)
def event_url(context, event) -> str:
    """Where `event` opens on this page: the view's `url_for` (the staff preview sends its draft
    to the preview), else the event's public page."""
    url_for = context.get("url_for")
    return url_for(event) if url_for else event.get_absolute_url()


@register.filter
def field_errors(form, name: str) -> list[str]:
    return form.errors.get(name, []) if form is not None else []


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key, []) if mapping else []


@register.filter
def rich_text(value: str) -> SafeString:
    """An event body: its few allowed tags kept, everything else escaped or removed."""
    return render_body(value or "")


@register.simple_tag
def link_kind_label(kind: str) -> str:
    """'Retaliation for', for the chart's key of link styles."""
    return EventLink.Kind(kind).label


@register.simple_tag(takes_context=True)
def og_image(context) -> dict | None:
    """What a shared link shows for this page: the event's own image, else its timeline's
    card, else the site's (timeline/reader/cards.py), as an absolute address."""
    if event := context.get("event"):
        card = cards.for_event(event)
    else:
        card = cards.for_timeline(context.get("timeline"))
    if card is None:
        return None
    url = card.url
    if url.startswith("/") and "request" in context:
        url = site.absolute_url(context["request"], url)
    return {"url": url, "alt": card.alt, "width": card.width, "height": card.height}
