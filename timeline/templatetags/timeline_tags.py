import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

from timeline.models import EventLink
from timeline.sanitise import render_body

register = template.Library()


@register.filter
def jsonld(value: dict) -> str:
    """Structured data for search engines, escaped so editor text cannot close the script tag."""
    text = json.dumps(value, ensure_ascii=False).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


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
