import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from timeline.models import Claim, EventLink

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def kerman(make_event, make_actor, source):
    event = make_event(
        "Stampede at the Kerman funeral",
        place_name="Kerman, Iran",
        timezone="Asia/Tehran",
        precision="minute",
        latitude=30.28,
        longitude=57.08,
        start=dt.datetime(2020, 1, 7, 6, 30, tzinfo=dt.UTC),
    )
    event.claims.all().delete()
    irinn = make_actor("IRINN", kind="media")
    state_tv = make_actor("Iranian state TV", kind="media", slug="state-tv")
    Claim.objects.create(
        event=event, kind="deaths", value=56, text="56 killed", source=source, attributed_to=irinn
    )
    Claim.objects.create(
        event=event,
        kind="deaths",
        value=32,
        text="32 killed",
        source=source,
        attributed_to=state_tv,
    )
    Claim.objects.create(
        event=event,
        kind="injuries",
        value=213,
        text="213 injured",
        source=source,
        attributed_to=irinn,
    )
    return event


def _page(client, event, **headers):
    return client.get(reverse("event", args=[event.slug]), headers=headers)


def test_event_page_shows_local_and_utc_time_and_the_map_link(client, kerman):
    html = _page(client, kerman).content.decode()
    assert "7 January 2020, 10:00 Tehran time (UTC+3:30); 7 January 06:30 UTC" in html
    assert "openstreetmap.org/?mlat=30.28&amp;mlon=57.08" in html


def test_competing_figures_sit_side_by_side_with_who_said_them(client, kerman):
    html = _page(client, kerman).content.decode()
    deaths = html[html.index(">Deaths<") : html.index(">Injuries<")]
    assert "56" in deaths and "IRINN, via CNN, 7 Jan 2020" in deaths
    assert "32" in deaths and "Iranian state TV, via CNN, 7 Jan 2020" in deaths


def test_citations_show_their_quotes_and_sources(client, kerman):
    html = _page(client, kerman).content.decode()
    assert "<blockquote>A quoted passage.</blockquote>" in html
    assert reverse("source", args=["cnn-stampede"]) in html


def test_linked_events_show_in_both_directions_and_prev_next(client, make_event):
    first, second, third = make_event("First"), make_event("Second"), make_event("Third")
    EventLink.objects.create(from_event=second, to_event=first, kind="retaliation_for")
    html = _page(client, second).content.decode()
    assert "Retaliation for" in html and first.get_absolute_url() in html
    assert 'rel="prev"' in html and 'rel="next"' in html and third.get_absolute_url() in html
    assert "Answered by" in _page(client, first).content.decode()


def test_links_to_drafts_are_not_shown(client, make_event):
    live, draft = make_event("Live"), make_event("Hidden plan", status="draft")
    EventLink.objects.create(from_event=live, to_event=draft, kind="led_to")
    html = _page(client, live).content.decode()
    assert "Hidden plan" not in html


def test_event_page_carries_open_graph_and_json_ld(client, kerman):
    html = _page(client, kerman).content.decode()
    assert '<meta property="og:title" content="Stampede at the Kerman funeral">' in html
    assert 'name="twitter:card"' in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["@type"] == "Event"
    assert data["startDate"] == "2020-01-07T10:00+03:30"
    assert data["location"]["geo"]["latitude"] == 30.28


def test_hostile_text_cannot_break_out_of_json_ld_or_meta_tags(client, make_event):
    event = make_event(HOSTILE, summary='"><script>alert(2)</script>')
    html = _page(client, event).content.decode()
    assert "<script>alert" not in html


def test_htmx_gets_the_event_panel_only(client, kerman):
    html = _page(client, kerman, HX_Request="true").content.decode()
    assert "<html" not in html
    assert 'class="panel-inner" data-slug="' in html
    assert "56 killed" in html


def test_drafts_and_unknown_slugs_are_404(client, make_event):
    draft = make_event(status="review")
    assert _page(client, draft).status_code == 404
    assert client.get("/events/no-such-event/").status_code == 404
    assert client.get("/actors/nobody/").status_code == 404
    assert client.get("/sources/nothing/").status_code == 404


def test_actor_page_shows_aliases_parent_and_its_events_only(client, make_event, make_actor):
    irgc = make_actor("IRGC", kind="armed_group")
    quds = make_actor("Quds Force", kind="armed_group", parent=irgc, aliases="IRGC-QF")
    make_event("With Quds", actors=(quds,))
    make_event("Without Quds", actors=(irgc,))
    make_event("Secret Quds draft", actors=(quds,), status="draft")
    html = client.get(quds.get_absolute_url()).content.decode()
    assert "IRGC-QF" in html and irgc.get_absolute_url() in html
    assert "With Quds" in html
    assert "Without Quds" not in html and "Secret Quds draft" not in html
    assert 'id="timeline-figure"' in html


def test_source_page_lists_the_published_events_citing_it(client, make_event, source):
    make_event("Cited and live")
    make_event("Cited but draft", status="draft")
    html = client.get(source.get_absolute_url()).content.decode()
    assert "Cited and live" in html and "Cited but draft" not in html


@pytest.mark.parametrize("count", [5, 200])
def test_event_actor_and_source_pages_run_a_fixed_number_of_queries(
    client, make_event, make_actor, source, django_assert_max_num_queries, count
):
    actor = make_actor("Iran")
    events = [make_event(actors=(actor,)) for _ in range(count)]
    for other in events[1:]:
        EventLink.objects.create(from_event=events[0], to_event=other, kind="led_to")
    with django_assert_max_num_queries(12):
        assert _page(client, events[0]).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(actor.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(source.get_absolute_url()).status_code == 200
