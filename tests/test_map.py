"""The map view: every place of the filtered events as a marker, beside the chart and list."""

import json
import re

import pytest
from django.core.management import call_command

from timeline.models import Category, Event, EventPlace

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"
MASHHAD = (36.31, 59.60)  # ../shared/facts.md, row 6
ERBIL = (36.24, 43.96)  # ../shared/facts.md, row 12


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _map(html: str) -> dict | None:
    found = re.search(
        r'<script id="timeline-map-figure" type="application/json">(.*?)</script>', html
    )
    assert found, "the page carries no map figure"
    return json.loads(found.group(1))


def _markers(figure: dict) -> list[tuple]:
    """(slug, place name, lat, lon, symbol) of every marker, the highlight ring left out."""
    rows = []
    for trace in figure["data"]:
        if trace.get("meta"):
            continue
        for card, lat, lon in zip(trace["customdata"], trace["lat"], trace["lon"], strict=True):
            rows.append((card[0], card[5], lat, lon, trace["marker"]["symbol"]))
    return rows


def _located_places() -> set[tuple]:
    public = Event.objects.published().filter(timelines__slug="us-iran-escalation-2019-2020")
    main = {
        (e.slug, e.place_name, e.latitude, e.longitude)
        for e in public.exclude(latitude=None).distinct()
    }
    more = {
        (p.event.slug, p.name, p.latitude, p.longitude)
        for p in EventPlace.objects.filter(event__in=public).exclude(latitude=None)
    }
    return main | more


def test_every_place_of_the_filtered_events_is_one_marker(client, seed):
    markers = _markers(_map(client.get("/?view=map").content.decode()))
    assert len(markers) == len(_located_places())
    assert {m[:4] for m in markers} == _located_places()
    places = {(slug, lat, lon) for slug, _, lat, lon, _ in markers}
    assert ("funerals-ahvaz-mashhad", *MASHHAD) in places
    assert ("iranian-missile-strikes-ain-al-asad-erbil", *ERBIL) in places


def test_a_marker_has_its_categorys_colour_and_symbol_and_an_approximate_place_is_a_ring(
    client, seed
):
    figure = _map(client.get("/?view=map").content.decode())
    embassy = Event.objects.get(slug="us-embassy-baghdad-attack")
    assert embassy.place_approximate
    for trace in figure["data"]:
        if trace.get("meta"):
            continue
        slugs = {card[0] for card in trace["customdata"]}
        categories = set(Event.objects.filter(slug__in=slugs).values_list("category", flat=True))
        assert len(categories) == 1
        category = Category.objects.get(pk=categories.pop())
        assert trace["marker"]["color"] == category.colour
        assert trace["marker"]["symbol"].split("-open")[0] == category.symbol
    symbols = {slug: symbol for slug, _, _, _, symbol in _markers(figure)}
    assert symbols["us-embassy-baghdad-attack"].endswith("-open")
    assert not symbols["kerman-funeral-stampede"].endswith("-open")


def test_the_map_is_zoomed_to_the_events_not_the_world(client, seed):
    geo = _map(client.get("/?view=map").content.decode())["layout"]["geo"]
    lats = [lat for *_, lat, _ in _located_places()]
    lons = [lon for *_, lon in _located_places()]
    low, high = geo["lataxis"]["range"]
    west, east = geo["lonaxis"]["range"]
    assert low < min(lats) and max(lats) < high and west < min(lons) and max(lons) < east
    # The Middle East, not the globe: every seed place fits in a window a few tens of degrees wide.
    assert east - west < 60 and high - low < 40


def test_filters_choose_the_markers_through_the_same_htmx_fragment(client, seed):
    fragment = client.get(
        "/?view=map&category=funeral", headers={"HX-Request": "true", "HX-Target": "results"}
    ).content.decode()
    slugs = {slug for slug, *_ in _markers(_map(fragment))}
    funerals = Event.objects.published().filter(category__slug="funeral").exclude(latitude=None)
    assert slugs == set(funerals.values_list("slug", flat=True))
    assert "funerals-ahvaz-mashhad" in slugs and "us-embassy-baghdad-attack" not in slugs


def test_the_map_view_travels_with_every_link_the_page_writes(client, seed):
    html = client.get("/?view=map&category=air-strike").content.decode()
    assert '<input type="hidden" name="view" value="map">' in html
    chips = re.findall(r'class="filter-chip[^"]*" href="([^"]+)"', html)
    assert chips and all("view=map" in href for href in chips)
    assert re.search(r'<a href="/\?category=air-strike"\s*>Timeline</a>', html)
    assert re.search(r'href="/\?category=air-strike&amp;view=map" aria-current="page"', html)
    plain = client.get("/").content.decode()
    assert 'aria-current="page">Timeline</a>' in plain
    assert "timeline-map-figure" not in plain and "plotly-map" not in plain


def test_the_actor_page_and_the_embed_offer_the_map_too(client, seed):
    actor = client.get("/actors/islamic-revolutionary-guards-corps/?view=map")
    assert actor.status_code == 200
    assert _markers(_map(actor.content.decode()))
    embed = client.get("/embed/?view=map").content.decode()
    assert _markers(_map(embed)) and "js/map" in embed and "plotly-map" in embed


def test_an_unknown_view_is_a_400_that_says_so(client, seed):
    response = client.get("/?view=globe")
    assert response.status_code == 400
    assert "globe" in response.content.decode() or "view" in response.content.decode().lower()


def test_an_event_without_a_position_is_in_the_list_not_on_the_map(client, make_event):
    make_event("Somewhere unknown")
    html = client.get("/?view=map").content.decode()
    assert "Somewhere unknown" in html
    assert _map(html) is None
    assert "None of these events has a position" in html


def test_a_place_name_an_editor_typed_reaches_the_map_as_text(client, make_event):
    event = make_event("Raid", place_name="Basra", latitude=30.5, longitude=47.8)
    EventPlace.objects.create(
        event=event, name='<img src=x onerror="alert(1)">', latitude=31.0, longitude=47.0
    )
    html = client.get("/?view=map").content.decode()
    assert "<img src=x" not in html
    names = {name for _, name, *_ in _markers(_map(html))}
    assert names == {"Basra", '<img src=x onerror="alert(1)">'}


def test_a_draft_has_no_marker(client, make_event):
    make_event("Published raid", latitude=30.5, longitude=47.8, place_name="Basra")
    make_event("Draft raid", status=Event.Status.DRAFT, latitude=33.3, longitude=44.4)
    markers = _markers(_map(client.get("/?view=map").content.decode()))
    assert [m[0] for m in markers] == ["event-1"]


def test_a_chart_zoom_shared_before_it_moved_to_zoom_still_opens_the_timeline(client, seed):
    response = client.get("/?view=2020-01-02T12:45~2020-01-09T12:45")
    assert response.status_code == 200
    assert "timeline-map-figure" not in response.content.decode()


def test_old_zoom_links_share_the_cache_entry_of_the_plain_page(rf):
    from timeline.caching import request_key

    plain = request_key(rf.get("/"))
    assert request_key(rf.get("/?view=2020-01-02T12:45~2020-01-09T12:45")) == plain
    assert request_key(rf.get("/?view=2020-01-03T00:00~2020-01-04T00:00")) == plain
    assert request_key(rf.get("/?view=map")) != plain
