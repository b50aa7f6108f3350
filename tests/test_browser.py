"""What a reader meets in a real browser: chart, filters, panel, keyboard, phone, accessibility."""

import os
import re

import pytest

from tests.browser import (
    ARTIFACTS,
    AXE,
    DESKTOP,
    PHONE,
    drawn_marks,
    wait_for_chart_to_fit,
    wait_for_marks,
)
from tests.helpers import serve_directory

pytestmark = pytest.mark.browser

CARDS = "#chronology .event-card"


def _shot(page, name: str, widths=(DESKTOP, PHONE)) -> None:
    """What the reader sees at this moment, at desktop and phone widths."""
    ARTIFACTS.mkdir(exist_ok=True)
    before = page.viewport_size
    for size in widths:
        page.set_viewport_size(size)
        wait_for_chart_to_fit(page)
        page.screenshot(path=ARTIFACTS / f"{name}-{size['width']}.png", full_page=True)
    page.set_viewport_size(before)


def _figure_events(page) -> int:
    figure = page.evaluate("() => document.getElementById('timeline-figure').textContent")
    return __import__("json").loads(figure)["layout"]["meta"]["events"]


def _marks(page) -> int:
    return len(drawn_marks(page))


def _open(page, path: str = "/") -> None:
    page.goto(path)
    wait_for_marks(page)


# Predicates are functions, not expression strings: those would need eval, which the
# page's Content-Security-Policy rightly forbids.
def _wait_for_count(page, selector: str, count: int) -> None:
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n", arg=[selector, count]
    )


def _wait_for_list(page, count: int) -> None:
    _wait_for_count(page, CARDS, count)


def _axe(page) -> list:
    # Evaluated through the DevTools protocol: an injected <script> would (rightly) be
    # refused by the page's Content-Security-Policy.
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


def test_home_draws_one_marker_per_event_and_lists_them_all(reader):
    _open(reader)
    events = _figure_events(reader)
    assert events >= 8
    assert _marks(reader) == events
    assert reader.locator(CARDS).count() == events
    assert re.search(rf"\b{events} events\b", reader.locator("#result-count").inner_text())
    _shot(reader, "home")


def test_filters_update_chart_list_count_and_address_without_a_reload(reader):
    _open(reader)
    total = reader.locator(CARDS).count()
    reader.evaluate("window.__stillHere = true")
    reader.evaluate("window.__liveRegion = document.getElementById('result-count')")

    reader.fill("#id_q", "Kerman")
    reader.wait_for_url(re.compile(r"q=Kerman"))
    kerman = reader.locator(CARDS).count()
    assert 0 < kerman < total
    wait_for_marks(reader, kerman)
    assert f"{kerman} event" in reader.locator("#result-count").inner_text()
    # Screen readers announce changes to a live region that stays; a replaced one is silent.
    assert reader.evaluate("window.__liveRegion === document.getElementById('result-count')")

    reader.fill("#id_q", "")
    reader.wait_for_url(re.compile(r"/$"))
    _wait_for_list(reader, total)
    reader.locator("details.actor-options summary").click()
    reader.locator("input[name=actor][value=islamic-revolutionary-guards-corps]").check()
    reader.wait_for_url(re.compile(r"actor=islamic-revolutionary-guards-corps"))
    irgc = reader.locator(CARDS).count()
    assert 0 < irgc < total

    reader.fill("#id_start", "2020-01-07")
    reader.fill("#id_end", "2020-01-08")
    reader.wait_for_url(re.compile(r"end=2020-01-08"))
    narrowed = reader.locator(CARDS).count()
    assert 0 < narrowed <= irgc
    wait_for_marks(reader, narrowed)
    assert reader.evaluate("window.__stillHere") is True
    _shot(reader, "filtered")

    pushed = reader.url
    reader.go_back()
    reader.wait_for_url(lambda url: url != pushed)
    reader.wait_for_function(
        "n => document.querySelectorAll('#chronology .event-card').length !== n", arg=narrowed
    )
    reader.goto(pushed)
    _wait_for_list(reader, narrowed)
    wait_for_marks(reader, narrowed)


def test_a_bad_date_shows_its_message_and_keeps_the_last_good_chart(reader):
    _open(reader, "/?q=strike")
    # The server answers the impossible range 400 with its message, as it should; Chromium
    # logs any 4xx as a console error. Only that answer may be logged.
    reader.allow_console_errors(
        r"^console error: Failed to load resource: the server responded with a status of 400 "
        r"\(Bad Request\) \(http://[^/]+/\?q=strike&start=2020-01-09&end=2020-01-01\)$"
    )
    shown = reader.locator(CARDS).count()
    reader.fill("#id_start", "2020-01-09")
    reader.fill("#id_end", "2020-01-01")
    error = reader.locator("#error-end")
    error.wait_for(state="visible")
    assert "before the start date" in error.inner_text()
    assert reader.locator(CARDS).count() == shown
    assert _marks(reader) == shown
    _shot(reader, "bad-date")


def test_clicking_a_marker_opens_the_panel_and_escape_returns_focus(reader):
    _open(reader)
    start_url = reader.url
    mark = drawn_marks(reader)[0]
    reader.mouse.click(mark["x"], mark["y"])
    panel = reader.locator("#event-panel")
    panel.wait_for(state="visible")
    slug = panel.locator(".panel-inner").get_attribute("data-slug")
    assert reader.url.endswith(f"/events/{slug}/")
    assert "is-selected" in reader.locator(f"#event-{slug}").get_attribute("class")
    _shot(reader, "panel")

    reader.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert reader.url == start_url
    assert reader.evaluate("document.activeElement.id") == "timeline-chart"


def test_enter_on_a_list_item_opens_the_panel_and_escape_returns_to_it(reader):
    _open(reader)
    link = reader.locator(f"{CARDS} h3 a").nth(2)
    link.focus()
    reader.keyboard.press("Enter")
    reader.locator("#event-panel").wait_for(state="visible")
    assert reader.evaluate("document.activeElement.tagName") == "H1"
    reader.keyboard.press("Escape")
    reader.locator("#event-panel").wait_for(state="hidden")
    assert reader.evaluate("document.activeElement.textContent") == link.inner_text()


def test_keyboard_reaches_skip_link_then_filters_then_the_list_with_a_visible_ring(reader):
    _open(reader)
    reader.keyboard.press("Tab")
    first = reader.evaluate("document.activeElement.textContent.trim()")
    assert first == "Skip to chronology"
    seen = []
    for _ in range(40):
        reader.keyboard.press("Tab")
        seen.append(
            reader.evaluate(
                """() => { const el = document.activeElement;
                   const style = getComputedStyle(el);
                   const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                   return [el.id || el.name || el.closest('[id]')?.id || el.tagName, ring]; }"""
            )
        )
    names = [name for name, _ in seen]
    assert names.index("id_q") < names.index("id_start") < names.index("category")
    assert any(name.startswith("event-") for name in names)
    assert all(ring for _, ring in seen), [name for name, ring in seen if not ring]


def test_skip_link_moves_focus_to_the_chronology(reader):
    _open(reader)
    reader.keyboard.press("Tab")
    reader.keyboard.press("Enter")
    assert reader.evaluate("document.activeElement.id") == "chronology"


def test_on_a_phone_filters_fold_behind_a_button_and_nothing_overflows(reader):
    reader.set_viewport_size(PHONE)
    _open(reader)
    toggle = reader.locator(".filters-toggle")
    assert toggle.is_visible()
    assert not reader.locator("#id_q").is_visible()
    _shot(reader, "phone-home", [PHONE])
    toggle.click()
    assert reader.locator("#id_q").is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    _shot(reader, "phone-filters-open", [PHONE])
    for path in ("/", "/?q=strike"):
        _open(reader, path)
        assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    reader.goto(reader.locator(f"{CARDS} h3 a").first.get_attribute("href"))
    assert reader.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(reader, "phone-event", [PHONE])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_accessibility_violations(reader, scheme):
    reader.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    _open(reader)
    first_event = reader.locator(f"{CARDS} h3 a").first.get_attribute("href")
    actor = reader.locator(f"{CARDS} .chips a").first.get_attribute("href")
    pages = ["/", "/?actor=islamic-revolutionary-guards-corps&start=2020-01-01", first_event, actor]
    for path in pages:
        reader.goto(path)
        if "events/" not in path:
            wait_for_marks(reader)
        assert _axe(reader) == [], path
        _shot(reader, f"axe-{scheme}-{path.strip('/').replace('/', '-') or 'home'}"[:80])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lane_names_and_dates_are_drawn_in_the_pages_muted_text_colour(reader, scheme):
    # axe cannot see into the chart's SVG; a grey label on a dark page would pass it.
    reader.emulate_media(color_scheme=scheme)
    _open(reader)
    muted = reader.evaluate(
        """() => { const probe = document.createElement('span');
                   probe.style.color = 'var(--muted)'; document.body.append(probe);
                   const colour = getComputedStyle(probe).color; probe.remove(); return colour; }"""
    )
    fills = reader.evaluate(
        """() => [...document.querySelectorAll(
                 '#timeline-chart .xtick text, #timeline-chart .annotation-text')]
              .map(label => getComputedStyle(label).fill)"""
    )
    assert len(fills) > 6
    assert set(fills) == {muted}


def test_the_chart_has_an_accessible_summary_and_updates_are_announced(reader):
    _open(reader)
    summary = reader.locator("#chart-summary").inner_text()
    assert re.match(r"\d+ events from \d+ \w+ 2019 to \d+ \w+ 2020 in \d+ categories", summary)
    live = reader.locator("#result-count")
    assert live.get_attribute("aria-live") == "polite"


@pytest.fixture
def host_page(tmp_path, live_server):
    """An article on another origin (another port) embedding two timelines with embed.js."""
    (tmp_path / "article.html").write_text(
        f"""<!doctype html><html lang="en"><head><title>Host article</title></head><body>
        <h1>Our story</h1><p>Before the timelines.</p>
        <div id="first" data-timeline-embed="" data-q="strike"></div>
        <p>Between them.</p>
        <div id="second" data-timeline-embed="us-iran-escalation-2019-2020"
             data-actor="qasem-soleimani" data-theme="dark"></div>
        <script async src="{live_server.url}/embed.js"></script></body></html>"""
    )
    with serve_directory(tmp_path) as origin:
        yield f"{origin}/article.html"


def _frame_height(page, selector: str) -> int:
    return page.evaluate(
        f"document.querySelector('{selector} iframe').getBoundingClientRect().height"
    )


def test_two_embeds_on_another_site_draw_and_follow_their_content_height(reader, host_page):
    reader.goto(host_page)
    first = reader.frame_locator("#first iframe")
    reader.wait_for_function("() => document.querySelectorAll('iframe').length === 2")
    reader.wait_for_function("() => [...document.querySelectorAll('iframe')].every(f => f.src)")
    frames = [
        reader.locator(f"#{box} iframe").element_handle().content_frame()
        for box in ("first", "second")
    ]
    assert len(frames) == 2
    for frame in frames:
        wait_for_marks(frame)
        assert len(drawn_marks(frame)) == frame.locator(CARDS).count() > 0
    reader.wait_for_function(
        "() => document.querySelector('#first iframe').getBoundingClientRect().height > 600"
    )
    tall = _frame_height(reader, "#first")
    first.locator("#id_q").fill("Kata'ib Hezbollah sites")
    first.locator(CARDS).first.wait_for()
    reader.wait_for_function(
        "h => document.querySelector('#first iframe').getBoundingClientRect().height < h",
        arg=tall - 100,
    )
    assert first.locator(CARDS).count() == 1
    _shot(reader, "embeds-on-a-host-page")


def test_the_embed_has_no_accessibility_violations(reader):
    for scheme in ("light", "dark"):
        reader.emulate_media(color_scheme=scheme)
        for path in ("/embed/", "/embed/?theme=dark&actor=qasem-soleimani"):
            _open(reader, path)
            assert _axe(reader) == [], (scheme, path)


@pytest.fixture
def crowded(transactional_db, monkeypatch):
    """Enough demo events, with the detail limit scaled down, for the chart to show counts."""
    from django.core.management import call_command

    from timeline.reader import browse

    monkeypatch.setattr(browse, "DETAIL_LIMIT", 40)
    call_command("seed_demo", events=400, seed=3, timeline="demo", stdout=open(os.devnull, "w"))
    return "/timelines/demo/"


def test_zooming_into_counts_brings_the_events_in_that_window(crowded, open_page):
    page = open_page()
    page.goto(crowded)
    page.wait_for_selector("#timeline-chart .barlayer .point")
    assert "zoom in to see each" in page.locator("#chart-summary").inner_text()
    page.evaluate("window.__stillHere = true")
    # The reader zooms to one week, as a drag on the chart would.
    page.evaluate(
        """Plotly.relayout('timeline-chart',
             {'xaxis.range': ['2019-03-04 00:00', '2019-03-10 23:59']})"""
    )
    page.wait_for_url(re.compile(r"start=2019-03-04&end=2019-03-10"))
    page.wait_for_function(
        "() => !document.getElementById('chart-summary').textContent.includes('zoom in')"
    )
    listed = page.locator(CARDS).count()
    wait_for_marks(page, listed)
    assert _figure_events(page) == listed
    assert page.evaluate("window.__stillHere") is True
    _shot(page, "zoomed-into-counts")


def test_the_list_loads_more_as_the_reader_scrolls(crowded, open_page):
    page = open_page()
    page.goto(crowded)
    page.wait_for_selector(CARDS)
    assert page.locator(CARDS).count() == 50
    page.locator("#more-events").scroll_into_view_if_needed()
    _wait_for_count(page, CARDS, 100)
