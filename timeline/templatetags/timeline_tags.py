import html
import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import SafeString, mark_safe

from timeline import site
from timeline.models import EventActor, EventLink
from timeline.reader import cards, rows
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


@register.simple_tag(takes_context=True)
def event_card(context, event) -> SafeString:
    """One entry of the chronology: date, places, category, title (opening the event), summary,
    headline figure, actors with their roles, how many sources.

    Written here rather than as template markup: the list's 50 cards took 14 of a 46 ms
    fragment as template lookups (about 35 per card). Every value is escaped (`_e`) as the
    template's autoescaping did; none of them is markup of ours. A card of an event read as
    rows (timeline.reader.rows) is kept under those rows and where its links lead.
    """
    embed, panel = bool(context.get("embed")), bool(context.get("panel"))
    request = context.get("request")
    url = event_url(context, event)
    # An embedded card links to absolute addresses, on the host the embed was asked from.
    site_root = site.absolute_url(request, "/") if embed else ""
    card = rows.kept(
        event,
        ("event_card", embed, panel, url, site_root),
        lambda: _card(event, url, embed, panel, request),
    )
    return mark_safe(card)


def _card(event, url: str, embed: bool, panel: bool, request) -> str:
    def href(path: str) -> str:
        return _e(site.absolute_url(request, path) if embed else path)

    if embed:
        opens = ' target="_blank" rel="noopener"'
    elif panel:
        opens = (
            f' hx-get="{_e(url)}" hx-target="#event-panel" hx-swap="innerHTML" hx-push-url="true"'
        )
    else:
        opens = ""
    where = event.where
    place = f' · <span class="place">{_e(where)}</span>' if where else ""
    claim = event.headline_claim()
    figure = f'<p class="headline-figure">{_e(claim.headline)}</p>' if claim else ""
    chips = "".join(
        f'<li><a href="{href(role.actor.get_absolute_url())}"{opens if embed else ""}>'
        f"{_e(role.actor.name)}</a> "
        f'<span class="role">{_e(ROLE_LABELS.get(role.role, role.role).lower())}</span></li>'
        for role in event.event_actors.all()
    )
    actors = (
        f'\n        <ul class="chips" aria-label="Actors">\n          {chips}\n        </ul>'
        if chips
        else ""
    )
    sources = event.source_count
    slug, category = _e(event.slug), event.category
    return (
        f'<li>\n      <article class="event-card" id="event-{slug}" data-slug="{slug}">\n'
        '        <p class="event-meta">\n'
        f'          <time datetime="{_e(event.iso_start)}">{_e(event.local_period)}</time>'
        f"{place}\n"
        f'          · <span class="category" style="--cat: {_e(category.colour)}">'
        f"{_e(category.name)}</span>\n"
        "        </p>\n"
        f'        <h3><a href="{href(url)}"{opens}>{_e(event.title)}</a></h3>\n'
        f'        <p class="summary">{_e(event.summary)}</p>\n'
        f"        {figure}{actors}\n"
        f'        <p class="sources">{sources} source{"" if sources == 1 else "s"}</p>\n'
        "      </article>\n    </li>"
    )


def _e(value) -> str:
    return html.escape(str(value), quote=True)


ROLE_LABELS = dict(EventActor.Role.choices)


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
