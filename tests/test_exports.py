import csv
import datetime as dt
import io
import json
from html import unescape
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.payloads import load_corpus
from timeline.models import EventActor, Source

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _rows(client, query: str = "") -> list[dict]:
    response = client.get(f"/api/events.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _calendar(client, query: str = "") -> dict[str, icalendar.Event]:
    response = client.get(f"/api/events.ics{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(item["summary"]): item for item in calendar.walk("VEVENT")}


def _timelinejs(client, query: str = "") -> dict:
    response = client.get(f"/api/timelinejs.json{query}")
    assert response.status_code == 200
    return json.loads(response.content)


# CSV


def test_the_csv_has_one_row_per_event_with_actors_and_sources_joined(
    client, make_event, make_actor, source
):
    us, iran = make_actor("United States"), make_actor("Iran")
    event = make_event("Strike", actors=(us,), place_name="Baghdad, Iraq")
    EventActor.objects.create(event=event, actor=iran, role="target")
    reuters = Source.objects.create(
        publisher="Reuters", title="Strike report", slug="reuters", url="https://example.org/r"
    )
    event.citations.create(source=reuters)
    make_event("Another")
    rows = _rows(client)
    assert [row["title"] for row in rows] == ["Strike", "Another"]
    assert rows[0]["actors"] == "United States (perpetrator); Iran (target)"
    assert (
        rows[0]["sources"] == "CNN: Stampede report; Reuters: Strike report <https://example.org/r>"
    )
    assert rows[0]["place"] == "Baghdad, Iraq"
    assert rows[0]["url"] == f"http://testserver/events/{event.slug}/"


def test_the_csv_gives_times_with_the_local_offset(client, make_event):
    make_event(start=dt.datetime(2020, 1, 2, 22, tzinfo=UTC), precision="hour")
    row = _rows(client)[0]
    assert row["start"] == "2020-01-03T01:00:00+03:00"
    assert row["precision"] == "hour"


def test_the_csv_takes_the_page_filters_and_rejects_bad_ones(client, make_event, make_actor):
    iran = make_actor("Iran")
    make_event("With Iran", actors=(iran,))
    make_event("Without")
    assert [row["title"] for row in _rows(client, "?actor=iran")] == ["With Iran"]
    bad = client.get("/api/events.csv?end=31/12/2019")
    assert bad.status_code == 400
    assert "end" in bad.json()["errors"]


BOM = b"\xef\xbb\xbf"


def test_the_csv_has_no_byte_order_mark_so_scripts_read_the_first_header_as_it_is(
    client, make_event
):
    make_event("Strike \u2013 \u201cprecise\u201d")
    body = client.get("/api/events.csv").content
    assert not body.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert rows[0]["title"] == "Strike \u2013 \u201cprecise\u201d"


def test_the_csv_for_excel_starts_with_a_byte_order_mark(client, make_event):
    make_event("Strike \u2013 \u201cprecise\u201d")
    plain = client.get("/api/events.csv").content
    response = client.get("/api/events.csv?bom=1")
    assert response.status_code == 200
    body = response.content
    assert body == BOM + plain  # the same file, marked
    # Read as Excel and Python's utf-8-sig do, the mark is no data.
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0])[0] == "slug"
    assert rows[0]["title"] == "Strike \u2013 \u201cprecise\u201d"
    # Read as plain UTF-8 it sticks to the first header: why it is not the default.
    assert next(csv.reader(io.StringIO(body.decode("utf-8"))))[0] == "\ufeffslug"
    # Cached apart: neither answer is served for the other.
    assert client.get("/api/events.csv").content == plain
    assert client.get("/api/events.csv?bom=1").content == body


@pytest.mark.parametrize("value", ["0", ""])
def test_a_csv_asked_for_with_bom_0_or_empty_has_none(client, make_event, value):
    make_event("Live")
    assert not client.get(f"/api/events.csv?bom={value}").content.startswith(BOM)


def test_a_bom_value_other_than_1_or_0_is_a_400_naming_it(client, make_event):
    response = client.get("/api/events.csv?bom=yes")
    assert response.status_code == 400
    assert "bom" in response.json()["errors"]


def test_pages_offer_the_csv_for_excel_with_the_same_filters(client, make_event, timeline, source):
    make_event("Live")
    footer = client.get(timeline.get_absolute_url()).content.decode()
    footer = footer.split('<footer class="site-footer">')[1]
    href = f"/api/events.csv?timeline={timeline.slug}&amp;bom=1"
    assert f'href="{href}">CSV for Excel</a>' in footer
    assert client.get(href.replace("&amp;", "&")).content.startswith(BOM)
    # A page about no timeline or actor offers all published events.
    page = client.get(source.get_absolute_url()).content.decode()
    assert 'href="/api/events.csv?bom=1">CSV for Excel</a>' in page.split("site-footer")[1]


# iCalendar


def test_a_day_event_is_an_all_day_entry_on_its_local_date(client, make_event):
    # 21:00 UTC on 2 January is already 3 January in Baghdad.
    make_event("Funeral", start=dt.datetime(2020, 1, 2, 21, tzinfo=UTC), precision="day")
    item = _calendar(client)["Funeral"]
    assert item["dtstart"].dt == dt.date(2020, 1, 3)
    assert item["dtend"].dt == dt.date(2020, 1, 4)


def test_a_timed_event_keeps_its_time_zone(client, make_event):
    make_event(
        "Strike",
        start=dt.datetime(2020, 1, 2, 22, 0, tzinfo=UTC),
        precision="minute",
        timezone="Asia/Baghdad",
    )
    start = _calendar(client)["Strike"]["dtstart"].dt
    assert start == dt.datetime(2020, 1, 3, 1, 0, tzinfo=ZoneInfo("Asia/Baghdad"))
    assert str(start.tzinfo) == "Asia/Baghdad"


def test_month_and_year_events_are_all_day_spans_of_the_whole_period(client, make_event):
    make_event("Protests", start=dt.datetime(2019, 12, 31, 21, tzinfo=UTC), precision="month")
    make_event("Sanctions year", start=dt.datetime(2018, 12, 31, 21, tzinfo=UTC), precision="year")
    entries = _calendar(client)
    assert entries["Protests"]["dtstart"].dt == dt.date(2020, 1, 1)
    assert entries["Protests"]["dtend"].dt == dt.date(2020, 2, 1)
    assert entries["Sanctions year"]["dtstart"].dt == dt.date(2019, 1, 1)
    assert entries["Sanctions year"]["dtend"].dt == dt.date(2020, 1, 1)


def test_a_multi_day_event_ends_after_its_last_day(client, make_event):
    make_event(
        "Siege",
        start=dt.datetime(2019, 12, 30, 21, tzinfo=UTC),
        end=dt.datetime(2019, 12, 31, 21, tzinfo=UTC),
        precision="day",
        end_precision="day",
    )
    item = _calendar(client)["Siege"]
    assert (item["dtstart"].dt, item["dtend"].dt) == (dt.date(2019, 12, 31), dt.date(2020, 1, 2))


def test_calendar_uids_stay_the_same_when_an_event_is_corrected(client, make_event):
    event = make_event("First headline")
    uid = str(_calendar(client)["First headline"]["uid"])
    event.title = "Corrected headline"
    event.save()
    assert str(_calendar(client)["Corrected headline"]["uid"]) == uid
    assert uid == f"{event.slug}@testserver"


# TimelineJS


@pytest.mark.parametrize(
    "precision, parts",
    [
        ("year", {"year": 2020}),
        ("month", {"year": 2020, "month": 1}),
        ("day", {"year": 2020, "month": 1, "day": 3}),
        ("hour", {"year": 2020, "month": 1, "day": 3, "hour": 1}),
        ("minute", {"year": 2020, "month": 1, "day": 3, "hour": 1, "minute": 20}),
    ],
)
def test_timelinejs_dates_hold_the_parts_the_precision_allows_in_local_time(
    client, make_event, precision, parts
):
    # 22:20 UTC on 2 January: 01:20 on 3 January in Baghdad.
    make_event(start=dt.datetime(2020, 1, 2, 22, 20, tzinfo=UTC), precision=precision)
    slide = _timelinejs(client)["events"][0]
    assert slide["start_date"] == parts


def test_timelinejs_slides_carry_headline_text_group_media_and_end(client, make_event):
    make_event(
        "Strike <b>bold</b>",
        summary="Rockets & missiles.",
        start=dt.datetime(2019, 12, 30, 21, tzinfo=UTC),
        end=dt.datetime(2019, 12, 31, 21, tzinfo=UTC),
        precision="day",
        end_precision="day",
        image_url="https://example.org/base.jpg",
        image_caption="The base",
        image_credit="Agency",
    )
    slide = _timelinejs(client)["events"][0]
    assert slide["text"]["headline"] == "Strike &lt;b&gt;bold&lt;/b&gt;"
    assert slide["text"]["text"].startswith("<p>Rockets &amp; missiles.</p>")
    assert "CNN" in slide["text"]["text"]
    assert slide["group"] == "Attack"
    assert slide["end_date"] == {"year": 2020, "month": 1, "day": 1}
    assert slide["media"]["url"] == "https://example.org/base.jpg"
    assert slide["media"]["credit"] == "Agency"
    assert slide["display_date"] == "31 December 2019 – 1 January 2020"


def test_timelinejs_escapes_every_field_it_renders_as_html_with_hostile_text_in_each(
    client, timeline
):
    corpus = load_corpus(timeline)
    document = _timelinejs(client, f"?timeline={timeline.slug}")
    slides = {slide["unique_id"]: slide for slide in document["events"]}
    for event in corpus:
        slide = slides[event.slug]
        paragraph = slide["text"]["text"].split("</p>")[0].removeprefix("<p>")
        # TimelineJS writes each of these with innerHTML: headline and text on the slide and
        # marker, group as the row label (TimeGroup), caption and credit under the image.
        rendered = {
            "headline": (slide["text"]["headline"], event.title),
            "text": (paragraph, event.summary),
            "group": (slide["group"], event.category.name),
            "caption": (slide["media"]["caption"], event.image_caption),
            "credit": (slide["media"]["credit"], event.image_credit),
        }
        for field, (value, typed) in rendered.items():
            assert not set(value) & set("<>\"'"), (field, event.slug, value)
            assert unescape(value) == typed, (field, event.slug)
        # TimelineJS sets alt as a property (img.alt = …), never parsed: escaped, it would be
        # read out as "&#x27;", so it stays the text as typed.
        assert slide["media"]["alt"] == event.image_alt
    title = document["title"]["text"]
    assert unescape(title["headline"]) == timeline.title and "<" not in title["headline"]


def test_timelinejs_escapes_era_headlines_too(client, make_event):
    make_event(
        "Siege <img src=x onerror=alert(1)>",
        start=dt.datetime(2019, 12, 31, tzinfo=UTC),
        end=dt.datetime(2020, 1, 1, tzinfo=UTC),
        precision="day",
        end_precision="day",
    )
    era = _timelinejs(client)["eras"][0]
    assert era["text"]["headline"] == "Siege &lt;img src=x onerror=alert(1)&gt;"


def test_timelinejs_draws_spans_as_eras_and_points_not(client, make_event):
    make_event("Moment", start=dt.datetime(2020, 1, 5, tzinfo=UTC), precision="day")
    make_event(
        "Month of protests", start=dt.datetime(2019, 12, 31, 21, tzinfo=UTC), precision="month"
    )
    document = _timelinejs(client)
    assert document["eras"] == [
        {
            "start_date": {"year": 2020, "month": 1},
            "end_date": {"year": 2020, "month": 1, "day": 31},
            "text": {"headline": "Month of protests"},
        }
    ]


def test_timelinejs_titles_the_timeline_asked_for(client, make_event, timeline):
    make_event("Live")
    document = _timelinejs(client, f"?timeline={timeline.slug}")
    assert document["title"]["text"]["headline"] == timeline.title
    assert [s["text"]["headline"] for s in document["events"]] == ["Live"]


# Drafts, caching and the page's links


def test_drafts_appear_in_no_export(client, make_event):
    make_event("Live story")
    make_event("Draft story", status="draft")
    make_event("Story in review", status="review")
    for url in ["/api/events.csv", "/api/events.ics", "/api/timelinejs.json"]:
        body = client.get(url).content.decode()
        assert "Live story" in body, url
        assert "Draft story" not in body and "Story in review" not in body, url


def test_exports_answer_conditional_requests(client, make_event):
    make_event("Live")
    for url in ["/api/events.csv", "/api/events.ics", "/api/timelinejs.json"]:
        first = client.get(url)
        assert first["Cache-Control"].startswith("public")
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304, url
        cached = client.get(url)
        assert cached["Content-Type"] == first["Content-Type"]
        assert cached.content == first.content


def test_the_timeline_page_advertises_and_links_its_data(client, make_event, timeline):
    make_event("Live")
    html = client.get(timeline.get_absolute_url()).content.decode()
    head, footer = html.split("</head>")[0], html.split('<footer class="site-footer">')[1]
    query = f"?timeline={timeline.slug}"
    assert (
        f'<link rel="alternate" type="application/atom+xml" href="/api/events.atom{query}"' in head
    )
    assert f'type="application/rss+xml" href="/api/events.rss{query}"' in head
    assert f'type="text/calendar" href="/api/events.ics{query}"' in head
    for href in [
        f"/api/events.csv{query}",
        f"/api/events.ics{query}",
        f"/api/timelinejs.json{query}",
        f"/api/events.atom{query}",
        "/api/docs",
    ]:
        assert f'href="{href}"' in footer, href
        linked = client.get(href)
        assert linked.status_code == 200, href
    assert "Live" in client.get(f"/api/events.csv{query}").content.decode()


def test_an_actor_page_links_to_that_actors_events(client, make_event, make_actor):
    iran = make_actor("Iran")
    make_event(actors=(iran,))
    html = client.get(iran.get_absolute_url()).content.decode()
    assert 'href="/api/events.atom?actor=iran"' in html
    assert 'href="/api/events.csv?actor=iran"' in html
