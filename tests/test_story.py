"""Story mode: the timeline one event per slide, each slide its own address, linked in order."""

import re

import pytest
from django.core.management import call_command

from timeline.models import Event

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a class="story-\w+" rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(client, start: str) -> list[str]:
    """Every slide's address, following Next from the title slide as a reader without JS."""
    seen, url = [], start
    html = client.get(url).content.decode()
    while (url := _link(html, "next")) is not None:
        seen.append(url)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
    return seen


def test_next_steps_through_every_published_event_in_the_chronologys_order(client, seed):
    slides = _walk(client, "/story/")
    slugs = [url.split("/")[2] for url in slides]
    assert slugs == list(Event.objects.published().chronological().values_list("slug", flat=True))


def test_each_slide_says_where_it_is_and_links_back(client, seed):
    events = list(Event.objects.published().chronological())
    html = client.get(f"/story/{events[1].slug}/").content.decode()
    assert f"2 of {len(events)}" in html
    assert _link(html, "prev") == f"/story/{events[0].slug}/"
    first = client.get(f"/story/{events[0].slug}/").content.decode()
    assert _link(first, "prev") == "/story/"  # the title slide is before the first event
    last = client.get(f"/story/{events[-1].slug}/").content.decode()
    assert _link(last, "next") is None


def test_a_slide_tells_the_event_with_its_attributed_figures_and_sources(client, seed):
    html = client.get("/story/kerman-funeral-stampede/").content.decode()
    assert (
        '<h1 id="slide-title" tabindex="-1">Stampede at Soleimani’s funeral in Kerman</h1>' in html
    )
    assert "7 January 2020, morning" in html
    assert "<li>more than 50 dead — Coroner, via Radio Farda, 7 Jan 2020</li>" in html
    assert "<li>56 dead — IRINN, via CNN, 7 Jan 2020</li>" in html
    start = html.index('class="slide-sources"')
    sources = html[start : html.index("</p>", start)]
    assert sources.count("CNN") == 1  # two citations of CNN, one source named once


def test_the_title_slide_is_the_timelines_description(client, seed):
    html = client.get("/story/").content.decode()
    assert "US–Iran escalation, December 2019 – January 2020" in html
    assert "A sourced chronology of the escalation" in html
    assert _link(html, "next").startswith("/story/k1-air-base-rocket-attack/")


def test_filters_choose_the_slides_and_travel_with_every_link(client, seed):
    slides = _walk(client, "/story/?category=funeral")
    assert slides and all(url.endswith("?category=funeral") for url in slides)
    assert {Event.objects.get(slug=url.split("/")[2]).category.slug for url in slides} == {
        "funeral"
    }
    html = client.get(slides[0]).content.decode()
    assert f"1 of {len(slides)}" in html
    # An event outside the view is not one of its slides.
    assert client.get("/story/k1-air-base-rocket-attack/?category=funeral").status_code == 404


def test_a_timelines_own_story_and_a_bad_filter(client, seed):
    slug = "us-iran-escalation-2019-2020"
    slides = _walk(client, f"/timelines/{slug}/story/")
    assert slides[0].startswith(f"/timelines/{slug}/story/")
    assert client.get("/story/?start=yesterday").status_code == 400


def test_a_draft_is_never_a_slide(client, seed):
    draft = Event.objects.get(slug="kerman-funeral-stampede")
    draft.status = Event.Status.DRAFT
    draft.save()
    assert client.get("/story/kerman-funeral-stampede/").status_code == 404
    assert not any("kerman-funeral-stampede" in url for url in _walk(client, "/story/"))


def test_an_as_of_story_gives_the_figures_known_then(client, seed):
    html = client.get("/story/iranian-missile-strikes-ain-al-asad-erbil/?as_of=2020-01-09").content
    assert b"109" not in html.split(b'class="slide-sources"')[0]


def test_the_timeline_page_offers_its_view_as_a_story(client, seed):
    html = client.get("/", {"category": "funeral"}).content.decode()
    assert 'href="/story/?category=funeral">Read it as a story' in html


def test_the_chart_under_a_slide_marks_where_the_story_is_and_opens_slides(client, seed):
    import json

    html = client.get("/story/kerman-funeral-stampede/?category=funeral").content.decode()
    found = re.search(r'<script id="timeline-figure" type="application/json">(.*?)</script>', html)
    figure = json.loads(found.group(1))
    assert figure["layout"]["meta"]["current"] == "kerman-funeral-stampede"
    band = [s for s in figure["layout"]["shapes"] if s.get("name") == "current"]
    kerman = next(
        m for m in figure["layout"]["meta"]["marks"] if m["slug"] == "kerman-funeral-stampede"
    )
    assert [(b["x0"], b["x1"]) for b in band] == [(kerman["x0"], kerman["x1"])]
    urls = {card[1] for trace in figure["data"] for card in trace.get("customdata") or []}
    assert "/story/kerman-funeral-stampede/?category=funeral" in urls
    assert all(url.startswith("/story/") and url.endswith("?category=funeral") for url in urls)


def test_the_story_embeds_framed_by_other_sites_with_its_own_slide_links(client, seed):
    response = client.get("/embed/story/", {"theme": "dark", "category": "funeral"})
    assert response.status_code == 200
    assert "frame-ancestors" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert 'data-theme="dark"' in html
    first = _link(html, "next")
    assert (
        first.startswith("/embed/story/") and "theme=dark" in first and "category=funeral" in first
    )
    slide = client.get(first).content.decode()
    # Links out open a tab of their own; the story's own links stay in the frame.
    assert '<base target="_blank">' in slide
    assert re.search(r'<a class="story-next" rel="next" href="[^"]+" target="_self">', slide)
    assert re.search(r'<a class="story-prev" rel="prev" href="[^"]+" target="_self">', slide)
    slug = "us-iran-escalation-2019-2020"
    assert client.get(f"/embed/{slug}/story/").status_code == 200
    assert client.get("/embed/story/", {"theme": "purple"}).status_code == 400
    # The site's own story is not framed by others.
    assert "frame-ancestors 'none'" in client.get("/story/")["Content-Security-Policy"] or (
        client.get("/story/")["X-Frame-Options"] == "DENY"
    )


def test_the_embed_box_offers_the_views_story_too(client, seed):
    html = client.get("/", {"category": "funeral"}).content.decode()
    box = html[html.index('class="embed-box"') :]
    assert "The story, one event per slide (iframe)" in box
    assert "/embed/story/?category=funeral" in box


def test_an_as_of_storys_chart_opens_slides_with_the_moment_once(client, seed):
    import json

    html = client.get("/story/kerman-funeral-stampede/?as_of=2020-01-09").content.decode()
    found = re.search(r'<script id="timeline-figure" type="application/json">(.*?)</script>', html)
    figure = json.loads(found.group(1))
    urls = {card[1] for trace in figure["data"] for card in trace.get("customdata") or []}
    assert urls and all(url.count("as_of=") == 1 for url in urls)


def test_every_slide_of_a_view_shares_one_drawn_chart(client, seed, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get("/story/kerman-funeral-stampede/?category=funeral")
    with CaptureQueriesContext(connection) as second:
        response = client.get("/story/funerals-ahvaz-mashhad/?category=funeral")
    assert response.status_code == 200
    assert b'"current": "funerals-ahvaz-mashhad"' in response.content
    assert len(second) < len(first)


def test_an_unknown_slide_is_a_404_that_an_embed_can_frame(client, seed):
    assert client.get("/story/no-such-event/").status_code == 404
    response = client.get("/embed/story/no-such-event/")
    assert response.status_code == 404
    assert "frame-ancestors" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_a_slide_links_to_its_event_page_even_without_sources(client, seed):
    event = Event.objects.get(slug="kerman-funeral-stampede")
    event.citations.all().delete()
    event.claims.all().delete()
    assert not event.sources_cited()
    html = client.get("/story/kerman-funeral-stampede/").content.decode()
    assert 'href="/events/kerman-funeral-stampede/">Everything on this event' in html


def test_a_filtered_story_points_search_engines_at_the_unfiltered_slide(client, seed):
    html = client.get("/story/kerman-funeral-stampede/?category=funeral").content.decode()
    assert re.search(
        r'<link rel="canonical" href="http://testserver/story/kerman-funeral-stampede/">', html
    )
    assert '<meta name="robots" content="noindex">' in html
    plain = client.get("/story/kerman-funeral-stampede/").content.decode()
    assert '<meta name="robots" content="noindex">' not in plain


def test_a_bad_filter_says_which_parameter_and_why(client, seed):
    response = client.get("/story/?start=yesterday")
    assert response.status_code == 400
    assert response.content.decode().startswith("start: ")


def test_no_timeline_may_take_a_slug_the_site_addresses_use(db):
    from django.core.exceptions import ValidationError

    from timeline.models import Timeline

    with pytest.raises(ValidationError) as raised:
        Timeline(title="Story", slug="story").full_clean()
    assert "slug" in raised.value.message_dict


def test_a_repeated_parameter_is_cached_as_the_page_reads_it(client, seed):
    # The page reads a repeated single-valued parameter from its last value, so must the cache.
    first = client.get("/embed/story/?theme=dark&theme=light").content.decode()
    second = client.get("/embed/story/?theme=light&theme=dark").content.decode()
    assert 'data-theme="light"' in first
    assert 'data-theme="dark"' in second
