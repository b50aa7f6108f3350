"""The map view in a browser: drawn from our own files only, one marker per place, and in step
with the chart and the list both ways."""

from urllib.parse import urlsplit

import pytest

from tests.browser import AXE, PHONE, drawn_marks, wait_for_marks
from timeline.models import Event, EventPlace

pytestmark = pytest.mark.browser

# Every marker Plotly drew on the map, read from its SVG: the event, the place, the box on screen.
MARKERS_JS = """() => {
  const map = document.getElementById('timeline-map');
  if (!map) return [];
  const out = [];
  map.querySelectorAll('.trace path.point').forEach(el => {
    const trace = el.closest('.trace').__data__[0].trace;
    const card = trace.customdata && trace.customdata[el.__data__.i];
    if (!card) return;
    const box = el.getBoundingClientRect();
    out.push({slug: card[0], place: card[5], x: box.left + box.width / 2,
              y: box.top + box.height / 2, open: trace.marker.symbol.endsWith('-open')});
  });
  return out;
}"""
RINGED_JS = """() => {
  const map = document.getElementById('timeline-map');
  const ring = map.data.find(t => t.meta === 'highlight');
  return ring.lat.map((lat, i) => [lat, ring.lon[i]]);
}"""


def _markers(page) -> list[dict]:
    return page.evaluate(MARKERS_JS)


def _wait_for_map(page) -> list[dict]:
    page.wait_for_function(f"() => ({MARKERS_JS})().length > 0")
    return _markers(page)


def _places_of(slug: str) -> list[list[float]]:
    event = Event.objects.get(slug=slug)
    return sorted([p.latitude, p.longitude] for p in event.places if p.located)


def _located_count() -> int:
    public = Event.objects.published()
    return public.exclude(latitude=None).count() + (
        EventPlace.objects.filter(event__in=public).exclude(latitude=None).count()
    )


def test_the_map_draws_every_place_from_this_site_alone(seeded, open_page, live_server):
    page = open_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/?view=map")
    markers = _wait_for_map(page)
    assert len(markers) == _located_count()
    places = {(m["slug"], m["place"]) for m in markers}
    assert ("funerals-ahvaz-mashhad", "Mashhad, Iran") in places
    assert ("iranian-missile-strikes-ain-al-asad-erbil", "Erbil, Iraq") in places
    assert any(m["open"] for m in markers if m["slug"] == "us-embassy-baghdad-attack")
    # The country outlines came from our own static files, and nothing came from anywhere else.
    assert any("world_110m" in url for url in requests)
    site = urlsplit(live_server.url).netloc
    elsewhere = [u for u in requests if urlsplit(u).netloc not in (site, "")]
    assert elsewhere == []


def test_pointing_at_a_marker_rings_its_event_in_chart_list_and_map_and_a_click_opens_it(
    reader,
):
    page = reader
    page.goto("/?view=map")
    markers = _wait_for_map(page)
    wait_for_marks(page)
    mashhad = next(m for m in markers if m["place"] == "Mashhad, Iran")
    page.mouse.move(mashhad["x"], mashhad["y"])
    page.wait_for_selector("#event-funerals-ahvaz-mashhad.is-highlighted")
    assert page.locator(".event-card.is-highlighted").count() == 1
    ring = page.locator(".chart-highlight")
    assert ring.is_visible()
    mark = next(m for m in drawn_marks(page) if m["slug"] == "funerals-ahvaz-mashhad")
    box = ring.bounding_box()
    assert box["x"] <= mark["x"] <= box["x"] + box["width"]
    # Both of the event's places are ringed on the map, Ahvaz as well as Mashhad.
    assert sorted(page.evaluate(RINGED_JS)) == _places_of("funerals-ahvaz-mashhad")
    assert "Mashhad, Iran" in page.locator(".chart-tip").inner_text()
    page.mouse.click(mashhad["x"], mashhad["y"])
    page.wait_for_selector("#event-panel:not([hidden]) h1")
    assert (
        page.locator("#event-panel h1").inner_text()
        == Event.objects.get(slug="funerals-ahvaz-mashhad").title
    )


def test_the_charts_event_rings_its_places_on_the_map(reader):
    page = reader
    page.goto("/?view=map")
    _wait_for_map(page)
    wait_for_marks(page)
    page.locator("#timeline-chart").scroll_into_view_if_needed()
    slug = "iranian-missile-strikes-ain-al-asad-erbil"
    mark = next(m for m in drawn_marks(page) if m["slug"] == slug)
    page.mouse.move(mark["x"], mark["y"])
    page.wait_for_function(f"() => ({RINGED_JS})().length === 2")
    assert sorted(page.evaluate(RINGED_JS)) == _places_of(slug)
    page.mouse.move(5, 5)
    page.wait_for_function(f"() => ({RINGED_JS})().length === 0")
    # A click opens the event: its places stay ringed once the pointer has gone, until it closes.
    mark = next(m for m in drawn_marks(page) if m["slug"] == slug)
    page.mouse.click(mark["x"], mark["y"])
    page.wait_for_selector("#event-panel:not([hidden]) h1")
    page.mouse.move(5, 5)
    page.wait_for_function(f"() => ({RINGED_JS})().length === 2")
    page.get_by_role("button", name="Close event details").click()
    page.wait_for_function(f"() => ({RINGED_JS})().length === 0")
    # Pointing at an event in the list rings its places too.
    page.hover("#event-funerals-ahvaz-mashhad h3")
    page.wait_for_function(f"() => ({RINGED_JS})().length === 2")
    assert sorted(page.evaluate(RINGED_JS)) == _places_of("funerals-ahvaz-mashhad")


def test_a_filter_redraws_the_map_through_htmx_and_keeps_the_view(reader):
    page = reader
    page.goto("/?view=map")
    before = len(_wait_for_map(page))
    page.evaluate("() => { window.notReloaded = true; }")
    page.check("input[name=category][value=funeral]")
    page.wait_for_url("**category=funeral**")
    funerals = Event.objects.published().filter(category__slug="funeral")
    expected = set(funerals.exclude(latitude=None).values_list("slug", flat=True))
    page.wait_for_function(
        f"n => ({MARKERS_JS})().length !== n && ({MARKERS_JS})().length > 0", arg=before
    )
    assert {m["slug"] for m in _markers(page)} == expected
    assert "view=map" in page.url
    assert page.evaluate("() => window.notReloaded === true")


def test_the_map_page_fits_a_phone_and_has_no_accessibility_violations(reader):
    page = reader
    for size in (PHONE, {"width": 1440, "height": 900}):
        page.set_viewport_size(size)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.goto("/?view=map")
            _wait_for_map(page)
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
            page.evaluate(AXE.read_text())
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert [v["id"] for v in result["violations"]] == [], (size, scheme)
