"""Hostile text in every field an editor types, read back through every public output.

HTML must show it as text (no element, attribute or URL of its making), JSON must carry it as
data, XML feeds and calendars must still parse, CSV must not hand a spreadsheet a formula.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

import feedparser
import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.payloads import EVALUATED, PAYLOADS, REJECTED_URLS, load_corpus
from timeline.models import Actor, Event, Source

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}
NEVER_IN_OUR_TEMPLATES = {
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "base",
    "style",
    "frame",
    "frameset",
    "applet",
    "mglyph",
    "mtext",
}
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}
# Payloads with angle brackets: if one appears verbatim in HTML, it was not escaped. (Quotes
# alone are fine in text and JSON; in an attribute, the parser below sees what they made.)
MARKUP = [p for p in PAYLOADS if re.search(r"[<>]", p)]


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of inline scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def _scheme(url: str) -> str:
    squashed = re.sub(r"[\x00-\x20]", "", unescape(url)).lower()
    return squashed.split(":", 1)[0] if ":" in squashed.split("/", 1)[0] else ""


def assert_safe_html(html: str, where: str, allowed: frozenset = frozenset()) -> _Elements:
    """No element, attribute or URL that the payloads could have made, and none verbatim."""
    for payload in MARKUP:
        assert payload not in html, f"{where}: unescaped {payload[:60]!r}"
    for marker in EVALUATED:
        assert marker not in html, f"{where}: template syntax was evaluated ({marker})"
    parsed = _Elements()
    parsed.feed(html)
    parsed.close()
    for tag, attributes in parsed.tags:
        assert tag in allowed or tag not in NEVER_IN_OUR_TEMPLATES, f"{where}: injected <{tag}>"
        for name, value in attributes.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}=…> handler"
            assert name not in ("srcdoc", "http-equiv"), f"{where}: <{tag} {name}>"
            if name in URL_ATTRIBUTES:
                assert _scheme(value) in ("", "http", "https", "mailto"), (
                    f"{where}: <{tag} {name}={value[:60]!r}>"
                )
        if tag == "script":
            assert attributes.get("src", "").startswith("/static/") or (
                attributes.get("type") in JSON_SCRIPT_TYPES and "src" not in attributes
            ), f"{where}: unexpected <script {attributes}>"
    for attributes, text in parsed.scripts:
        assert attributes.get("type") in JSON_SCRIPT_TYPES, f"{where}: inline script {text[:60]!r}"
        json.loads(text)  # a payload that broke out of the JSON would break the JSON
    assert [t for t, _ in parsed.tags].count("body") == 1, f"{where}: a second <body>"
    return parsed


@pytest.fixture
def corpus(timeline):
    events = load_corpus(timeline)
    # What was stored, after the save-time cleaning: the outputs must give back exactly this.
    return [Event.objects.with_related().get(pk=e.pk) for e in events]


def _get(client, path: str, status: int = 200, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, f"{path}: {response.status_code}"
    return response


def _text(response) -> str:
    return response.content.decode()


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", REJECTED_URLS)
def test_a_source_url_that_would_run_script_is_refused(source, url):
    source.url = url
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize("url", REJECTED_URLS)
def test_an_event_image_url_that_would_run_script_is_refused(make_event, url):
    event = make_event()
    event.image_url = url
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "image_url" in refused.value.message_dict


def test_the_corpus_is_large_and_every_event_holds_its_payload(corpus):
    assert len(PAYLOADS) >= 30
    assert len(corpus) == len(PAYLOADS)
    assert corpus[0].summary == PAYLOADS[0]


# HTML pages and fragments -----------------------------------------------------------------------


def test_timeline_pages_show_every_payload_as_text(client, corpus, timeline):
    for path in ["/", timeline.get_absolute_url(), "/?lanes=actor", "/?category=hostile-3"]:
        html = _text(_get(client, path))
        assert_safe_html(html, path)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "{{ settings.SECRET_KEY }}{% debug %}" in html


def test_htmx_fragments_show_every_payload_as_text(client, corpus, timeline):
    fragments = [
        ("/", {"HX-Request": "true", "HX-Target": "results"}),
        ("/?lanes=actor", {"HX-Request": "true", "HX-Target": "results"}),
        ("/?page=1", {"HX-Request": "true", "HX-Target": "more-events"}),
        ("/?end=nonsense", {"HX-Request": "true"}),
        (corpus[0].get_absolute_url(), {"HX-Request": "true", "HX-Target": "event-panel"}),
        ("/embed/?q=alert", {"HX-Request": "true", "HX-Target": "results"}),
    ]
    for path, headers in fragments:
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 400)
        # A fragment has no <body>; wrap it as the page it lands in would.
        assert_safe_html(f"<body>{_text(response)}</body>", f"{path} (htmx)")


def test_event_pages_and_panels_show_every_field_as_text(client, corpus):
    for event in corpus:
        for headers in ({}, {"HX-Request": "true"}):
            path = event.get_absolute_url()
            html = _text(_get(client, path, **headers))
            if headers:
                html = f"<body>{html}</body>"
            parsed = assert_safe_html(html, path)
            # The structured data carries the title as data, whatever it holds.
            for attributes, text in parsed.scripts:
                if attributes.get("type") == "application/ld+json":
                    assert json.loads(text)["name"] == event.title


def test_actor_and_source_pages_show_every_field_as_text(client, corpus):
    for actor in Actor.objects.filter(slug__startswith="hostile-actor-"):
        assert_safe_html(_text(_get(client, actor.get_absolute_url())), actor.slug)
    for source in Source.objects.filter(slug__startswith="hostile-source-"):
        assert_safe_html(_text(_get(client, source.get_absolute_url())), source.slug)


def test_the_embed_shows_every_payload_as_text(client, corpus, timeline):
    for path in ["/embed/", f"/embed/{timeline.slug}/", "/embed/?theme=dark&lanes=actor"]:
        assert_safe_html(_text(_get(client, path)), path)


@pytest.mark.parametrize("payload", [p for p in MARKUP if len(p) <= 200])
def test_a_hostile_search_is_shown_back_as_text(client, make_event, payload):
    make_event(payload[:150])
    query = urlencode({"q": payload})
    for path in (f"/?{query}", f"/embed/?{query}"):
        response = client.get(path)
        assert response.status_code in (200, 400)
        assert_safe_html(_text(response), path)


def test_hostile_parameter_names_never_reach_the_embed_code(client, corpus):
    name = '"><script>alert(1)</script>'
    response = _get(client, "/?" + urlencode({name: "x", "category": "hostile-1"}))
    html = _text(response)
    assert_safe_html(html, "/ with a hostile parameter name")
    codes = re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.DOTALL)
    assert codes
    for code in codes:
        # The code is pasted into other sites as it is, so it must be safe once unescaped.
        snippet = unescape(code)
        assert "<script>alert" not in snippet
        assert "category" in snippet
    embed = _text(_get(client, "/embed/?" + urlencode({name: "x"})))
    assert_safe_html(embed, "/embed/ with a hostile parameter name")


# The chart ---------------------------------------------------------------------------------------


def _figure(html: str) -> dict:
    found = re.search(r'<script id="timeline-figure" type="application/json">(.*?)</script>', html)
    assert found, "no figure"
    return json.loads(found.group(1))


def _plotly_markup(figure: dict) -> list[str]:
    """Every string Plotly draws as (pseudo-)HTML: trace names and the lanes' titles."""
    strings = [trace.get("name") or "" for trace in figure["data"]]
    strings += [a.get("text", "") for a in figure["layout"].get("annotations", [])]
    return strings


@pytest.mark.parametrize("lanes", ["category", "actor"])
def test_chart_text_is_escaped_for_plotly_and_plain_for_the_page(client, corpus, lanes):
    figure = _figure(_text(_get(client, f"/?lanes={lanes}")))
    markup = _plotly_markup(figure)
    assert len([m for m in markup if m]) >= len(PAYLOADS)
    for text in markup:
        tags = set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", text))
        assert not tags, f"Plotly would draw {tags} from {text[:80]!r}"
    # Hover cards and labels are written by the page with textContent: the exact words typed,
    # never entities a reader would see as "&quot;".
    cards = [row for trace in figure["data"] for row in trace.get("customdata") or []]
    assert {e.title for e in corpus} <= {card[3] for card in cards}
    labels = {mark["label"] for mark in figure["layout"]["meta"]["marks"]}
    assert {e.chart_label for e in corpus} <= labels


# JSON: the API, TimelineJS, oEmbed --------------------------------------------------------------


def test_the_api_carries_every_field_as_data(client, corpus):
    page = json.loads(_text(_get(client, "/api/events?page_size=200")))
    by_slug = {item["slug"]: item for item in page["results"]}
    for event in corpus:
        item = by_slug[event.slug]
        assert item["title"] == event.title
        assert item["summary"] == event.summary
        assert item["body"] == event.body
        assert item["place"]["name"] == event.place_name
        assert item["image"]["alt"] == event.image_alt
        citation, claim = item["citations"][0], item["claims"][0]
        stored = event.citations.all()[0]
        assert citation["quote"] == stored.quote and citation["note"] == stored.note
        assert citation["source"]["url"] == stored.source.url
        assert claim["text"] == event.claims.all()[0].text
        assert item["actors"][0]["name"] == event.event_actors.all()[0].actor.name
        assert item["category"]["name"] == event.category.name
        single = json.loads(_text(_get(client, f"/api/events/{event.slug}")))
        assert single == item


def test_the_api_lists_carry_names_as_data(client, corpus, timeline):
    actors = json.loads(_text(_get(client, "/api/actors?page_size=200")))["results"]
    stored = {a.slug: a for a in Actor.objects.all()}
    for item in actors:
        assert item["name"] == stored[item["slug"]].name
        assert item["aliases"] == stored[item["slug"]].alias_list
        assert item["description"] == stored[item["slug"]].description
    assert len(actors) >= 2 * len(PAYLOADS)
    one = json.loads(_text(_get(client, "/api/actors/hostile-actor-0")))
    assert one["name"] == stored["hostile-actor-0"].name
    sources = json.loads(_text(_get(client, "/api/sources?page_size=200")))["results"]
    titles = {s.slug: s.title for s in Source.objects.all()}
    assert all(item["title"] == titles[item["slug"]] for item in sources)
    timelines = json.loads(_text(_get(client, "/api/timelines")))["results"]
    timeline.refresh_from_db()
    assert timelines[0]["description"] == timeline.description


def test_timelinejs_text_is_escaped_html_inside_valid_json(client, corpus, timeline):
    document = json.loads(_text(_get(client, f"/api/timelinejs.json?timeline={timeline.slug}")))
    assert unescape(document["title"]["text"]["headline"]) == timeline.title
    slides = {slide["unique_id"]: slide for slide in document["events"]}
    for event in corpus:
        slide = slides[event.slug]
        # TimelineJS renders headline and text as HTML.
        assert "<" not in slide["text"]["headline"]
        assert unescape(slide["text"]["headline"]) == event.title
        assert_safe_html(f"<body>{slide['text']['text']}</body>", f"timelinejs {event.slug}")
        tags = set(re.findall(r"<([a-z]+)", slide["text"]["text"]))
        assert tags <= {"p", "a", "ul", "li"}  # the figures are a list
        assert slide["media"]["alt"] == event.image_alt


def test_oembed_answers_hold_the_title_as_data_and_a_safe_iframe(client, corpus, timeline):
    actor = Actor.objects.get(slug="hostile-actor-0")
    pages = {
        "/": timeline.title,
        timeline.get_absolute_url(): timeline.title,
        corpus[0].get_absolute_url(): corpus[0].title,
        actor.get_absolute_url(): actor.name,
        "/?" + urlencode({"q": PAYLOADS[18]}): timeline.title,
    }
    for path, title in pages.items():
        query = urlencode({"url": f"http://testserver{path}", "format": "json"})
        answer = json.loads(_text(_get(client, f"{reverse('oembed')}?{query}")))
        assert answer["title"] == title
        parsed = assert_safe_html(
            f"<body>{answer['html']}</body>", f"oembed {path}", allowed=frozenset({"iframe"})
        )
        assert [tag for tag, _ in parsed.tags] == ["body", "iframe"]
        assert unescape(parsed.tags[1][1]["title"]) == title


# Files: CSV, iCalendar, Atom and RSS -------------------------------------------------------------


def test_csv_cells_never_start_a_formula_and_keep_the_text(client, corpus):
    rows = list(csv.DictReader(io.StringIO(_text(_get(client, "/api/events.csv")))))
    assert len(rows) == len(corpus)
    by_slug = {row["slug"]: row for row in rows}
    formula = re.compile(r"^[=+\-@\t\r]")
    for event in corpus:
        row = by_slug[event.slug]
        for column, value in row.items():
            assert not formula.match(value), f"{event.slug}.{column} starts a formula: {value!r}"
        for column, stored in [
            ("title", event.title),
            ("summary", event.summary),
            ("place", event.place_name),
            ("category", event.category.name),
        ]:
            shown = row[column]
            assert shown == stored or (shown == "'" + stored and formula.match(stored))


def test_csv_keeps_negative_coordinates_as_numbers(client, make_event):
    make_event("West", latitude=-33.9, longitude=-70.6, place_name="-Santiago")
    row = next(csv.DictReader(io.StringIO(_text(_get(client, "/api/events.csv")))))
    assert (row["latitude"], row["longitude"]) == ("-33.9", "-70.6")
    assert row["place"] == "'-Santiago"


def test_the_calendar_parses_with_one_event_per_event(client, corpus):
    body = _get(client, "/api/events.ics").content
    calendar = icalendar.Calendar.from_ical(body)
    items = calendar.walk("VEVENT")
    assert len(items) == len(corpus)
    summaries = {str(item["uid"]).split("@")[0]: str(item["summary"]) for item in items}
    for event in corpus:
        assert summaries[event.slug] == event.title
    # Escaped as text ("\\nSUMMARY:…"), never a line of its own.
    assert b"\r\nSUMMARY:Injected" not in body


@pytest.mark.parametrize("path", ["/api/events.atom", "/api/events.rss"])
def test_feeds_parse_and_carry_titles_as_text(client, corpus, path):
    body = _get(client, path).content
    root = ET.fromstring(body)
    titles = [element.text for element in root.iter() if element.tag.endswith("title")]
    for event in corpus:
        assert event.title in titles
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == len(corpus)


# Bodies: sanitised on save and on render ---------------------------------------------------------


def test_an_event_body_keeps_the_allowed_tags_and_loses_the_rest_on_save(make_event):
    event = make_event(
        body='<p>Hello <strong>there</strong> <a href="https://e.example/x" onclick="x()">link</a>'
        '<a href="javascript:alert(1)">bad</a></p><script>alert(1)</script>'
        "<img src=x onerror=alert(2)><ul><li>one</li></ul><blockquote>q</blockquote>"
    )
    event.refresh_from_db()
    assert event.body == (
        '<p>Hello <strong>there</strong> <a href="https://e.example/x" rel="noopener nofollow">'
        'link</a><a rel="noopener nofollow">bad</a></p><ul><li>one</li></ul>'
        "<blockquote>q</blockquote>"
    )


def test_a_plain_text_body_is_stored_as_typed(make_event):
    text = "Casualties < 50 & rising.\n\nSecond paragraph."
    event = make_event(body=text)
    event.refresh_from_db()
    assert event.body == text


def test_a_plain_text_body_keeps_its_paragraphs_and_line_breaks(client, make_event):
    event = make_event(body="First line\nsecond line & more.\n\nNew paragraph <3")
    html = _text(_get(client, event.get_absolute_url()))
    assert (
        '<div class="body"><p>First line<br>second line &amp; more.</p>\n\n'
        "<p>New paragraph &lt;3</p></div>"
    ) in html


def test_inline_markup_in_a_body_still_gets_paragraphs(client, make_event):
    event = make_event(body="<em>First</em> line\nnext\n\nSecond")
    html = _text(_get(client, event.get_absolute_url()))
    assert "<p><em>First</em> line<br>next</p>" in html
    assert "<p>Second</p>" in html


def test_a_body_that_skipped_the_save_is_still_cleaned_on_the_page(client, make_event):
    event = make_event()
    Event.objects.filter(pk=event.pk).update(
        body='<p onclick="alert(1)">Hi <a href="javascript:alert(2)">x</a></p>'
        "<script>alert(3)</script><iframe src=https://evil.example></iframe>"
    )
    html = _text(_get(client, event.get_absolute_url()))
    assert_safe_html(html, "event page")
    assert '<div class="body"><p>Hi <a rel="noopener nofollow">x</a></p></div>' in html


def test_control_characters_are_removed_on_save(make_event):
    event = make_event("Tab\tand\x0bvertical\x1bescape", summary="a\x00b\x08c")
    event.refresh_from_db()
    assert event.title == "Tab\tand\nverticalescape"
    assert event.summary == "abc"


def test_feeds_survive_control_characters_that_skipped_the_save(client, make_event):
    event = make_event()
    Event.objects.filter(pk=event.pk).update(title="Bell\x07 title", summary="Escape\x1b here")
    for path in ("/api/events.atom", "/api/events.rss"):
        response = client.get(path)
        assert response.status_code == 200
        assert not feedparser.parse(response.content).bozo
        assert b"Bell title" in response.content
