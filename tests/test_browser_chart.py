"""The chart as a reader meets it in Chromium, measured from what is drawn on the screen:
labels, reachable marks, hover cards, empty results, resizing, phones, zoom, contrast."""

import json
import re

import pytest

from tests.browser import ARTIFACTS, PHONE, drawn_marks, next_frame, wait_for_marks
from tests.helpers import serve_directory
from timeline.colours import contrast

pytestmark = pytest.mark.browser

CARDS = "#chronology .event-card"
SEED_EVENTS = 14
DAY_MS = 24 * 3600 * 1000


def _plot(page, frame=None) -> dict:
    """The plot area on screen: Plotly's drag surface covers exactly it."""
    return (frame or page).evaluate(
        """() => { const chart = document.getElementById('timeline-chart');
                   const box = chart.getBoundingClientRect();
                   const x = chart._fullLayout.xaxis, y = chart._fullLayout.yaxis;
                   const l = box.left + x._offset, t = box.top + y._offset;
                   return {l, r: l + x._length, t, b: t + y._length, h: y._length}; }"""
    )


def _labels(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.chart-labels .chart-label')].map(el => {
             const r = el.getBoundingClientRect();
             return {slug: el.dataset.slug, text: el.textContent,
                     l: r.left, r: r.right, t: r.top, b: r.bottom}; })"""
    )


def _range(page) -> list[float]:
    return page.evaluate(
        """() => document.getElementById('timeline-chart')._fullLayout.xaxis.range
                 .map(v => typeof v === 'number' ? v : Date.parse(v.replace(' ', 'T') + 'Z'))"""
    )


def _overlap(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def _box(mark: dict) -> dict:
    return {
        "l": mark["left"],
        "r": mark["left"] + mark["width"],
        "t": mark["top"],
        "b": mark["top"] + mark["height"],
    }


def _open(page, path: str = "/") -> None:
    page.goto(path)
    wait_for_marks(page)
    page.wait_for_function("() => document.querySelectorAll('.chart-label').length > 0")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


@pytest.fixture
def phone(seeded, open_page):
    """A touch phone, 390 × 844; console errors fail the test."""
    return open_page(viewport=PHONE, has_touch=True, is_mobile=True)


@pytest.mark.parametrize(("width", "at_least"), [(1440, 3), (390, 1)])
def test_labels_are_written_on_the_chart_apart_from_each_other_and_every_mark(
    reader, width, at_least
):
    reader.set_viewport_size({"width": width, "height": 900})
    _open(reader)
    plot, labels, marks = _plot(reader), _labels(reader), drawn_marks(reader)
    assert len(labels) >= at_least
    for i, label in enumerate(labels):
        assert plot["l"] <= label["l"] and label["r"] <= plot["r"] + 0.5, label
        assert plot["t"] <= label["t"] and label["b"] <= plot["b"] + 0.5, label
        for other in labels[i + 1 :]:
            assert not _overlap(label, other), (label["text"], other["text"])
        for mark in marks:
            assert not _overlap(label, _box(mark)), (label["text"], mark["slug"])
    # The most important events are labelled first: Soleimani's killing (importance 5).
    assert "soleimani-killed-baghdad-airport-strike" in {label["slug"] for label in labels}
    _shot(reader, f"chart-labels-{width}")


def test_no_mark_covers_the_centre_of_another(reader):
    _open(reader)
    marks = drawn_marks(reader)
    assert len(marks) == SEED_EVENTS
    for mark in marks:
        for other in marks:
            if other is not mark:
                box = _box(other)
                inside = box["l"] < mark["x"] < box["r"] and box["t"] < mark["y"] < box["b"]
                assert not inside, (mark["slug"], other["slug"])


def test_a_click_on_every_mark_opens_its_own_event(reader):
    _open(reader)
    marks = drawn_marks(reader)
    assert len({mark["slug"] for mark in marks}) == SEED_EVENTS
    panel = reader.locator("#event-panel")
    for mark in marks:
        reader.mouse.click(mark["x"], mark["y"])
        reader.wait_for_function(
            "slug => document.querySelector('#event-panel .panel-inner')?.dataset.slug === slug"
            " && document.activeElement.id === 'event-title'",
            arg=mark["slug"],
        )
        reader.keyboard.press("Escape")
        panel.wait_for(state="hidden")


def test_events_on_the_same_day_without_a_time_are_listed_in_order_and_drawn_apart(reader):
    _open(reader)
    marks = {mark["slug"]: mark for mark in drawn_marks(reader)}
    vote = marks["iraqi-parliament-foreign-troops-resolution"]
    fifth_step = marks["iran-fifth-step-nuclear-deal"]
    assert abs(vote["y"] - fifth_step["y"]) >= vote["height"]
    listed = reader.evaluate(
        "() => [...document.querySelectorAll('#chronology .event-card')].map(c => c.dataset.slug)"
    )
    # Facts: the missiles struck at 01:30 in Iraq, the burial came hours after, PS752 at 06:12.
    order = [
        listed.index(slug)
        for slug in (
            "iranian-missile-strikes-ain-al-asad-erbil",
            "soleimani-buried-kerman",
            "flight-ps752-shot-down",
        )
    ]
    assert order == sorted(order)
    # The procession began at about 08:00 on Monday; the high alert was Monday night.
    assert listed.index("funeral-procession-tehran-qom") < listed.index("us-forces-high-alert")


def test_a_whole_day_is_drawn_as_that_day_not_as_a_noon_dot(reader):
    _open(reader)
    marks = {mark["slug"]: mark for mark in drawn_marks(reader)}
    vote = marks["iraqi-parliament-foreign-troops-resolution"]
    assert vote["bar"]
    width = _plot(reader)["r"] - _plot(reader)["l"]
    days = (_range(reader)[1] - _range(reader)[0]) / DAY_MS
    assert vote["width"] == pytest.approx(width / days, rel=0.05)
    # The embassy siege runs through 1 January: its bar ends where 2 January begins.
    embassy = marks["us-embassy-baghdad-attack"]
    assert embassy["width"] == pytest.approx(width / days * 1.75, rel=0.05)  # 06:00 to 24:00 +1d


@pytest.mark.parametrize("width", [390, 1280, 1440])
def test_hover_cards_stay_inside_the_viewport_and_keep_every_figure(seeded, open_page, width):
    # A mouse at every width, phones included: a narrow desktop window hovers too.
    page = open_page(viewport={"width": width, "height": 844})
    page.goto("/")
    wait_for_marks(page)
    page.locator("#timeline-chart").scroll_into_view_if_needed()
    seen = {}
    for mark in drawn_marks(page):
        page.mouse.move(mark["x"], mark["y"])
        tip = page.locator(".chart-tip")
        tip.wait_for(state="visible")
        box = tip.bounding_box()
        assert box["width"] <= 320
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, mark["slug"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, mark["slug"]
        seen[mark["slug"]] = tip.inner_text()
        page.mouse.move(1, 1)
    kerman = seen["kerman-funeral-stampede"]
    assert "56 dead — IRINN, via CNN" in kerman
    assert seen["soleimani-killed-baghdad-airport-strike"].splitlines()[0] == (
        "3 January 2020, between 00:00 and 01:00 Baghdad time (UTC+3)"
    )
    for text in seen.values():
        assert not re.search(r"&(quot|amp|lt|gt|#\d+);", text), text


def test_after_an_empty_result_clearing_draws_exactly_the_list_again(reader):
    _open(reader)
    everything = _range(reader)
    reader.fill("#id_q", "no such words anywhere")
    reader.locator(".chart-empty").wait_for(state="visible")
    assert drawn_marks(reader) == []
    assert reader.locator(".chart-empty").inner_text().count("clear all filters") == 1
    reader.locator("[data-clear-filters]").click()
    reader.wait_for_url(re.compile(r"/$"))
    wait_for_marks(reader, SEED_EVENTS)
    assert reader.locator(CARDS).count() == SEED_EVENTS
    assert _range(reader) == pytest.approx(everything)
    plot = _plot(reader)
    for mark in drawn_marks(reader):
        assert plot["l"] <= mark["x"] <= plot["r"], mark["slug"]

    # Back to the empty result, forward again, and a category on top: never stale.
    reader.go_back()
    reader.locator(".chart-empty").wait_for(state="visible")
    reader.go_forward()
    wait_for_marks(reader, SEED_EVENTS)
    reader.locator("input[name=category][value=funeral]").check()
    reader.wait_for_url(re.compile(r"category=funeral"))
    listed = 5
    reader.wait_for_function(
        "n => document.querySelectorAll('#chronology .event-card').length === n", arg=listed
    )
    wait_for_marks(reader, listed)
    assert {m["slug"] for m in drawn_marks(reader)} == set(
        reader.evaluate(
            "() => [...document.querySelectorAll('#chronology .event-card')]"
            ".map(c => c.dataset.slug)"
        )
    )


def test_the_chart_keeps_its_height_when_its_container_narrows_and_redraws_to_fit(reader):
    _open(reader)
    before = _plot(reader)
    reader.set_viewport_size({"width": 600, "height": 900})
    reader.wait_for_function(
        "w => document.getElementById('timeline-chart')._fullLayout.xaxis._length < w", arg=600
    )
    after = _plot(reader)
    assert after["h"] == pytest.approx(before["h"], abs=1)
    assert after["r"] - after["l"] < before["r"] - before["l"]
    reader.wait_for_function("() => document.querySelectorAll('.chart-label').length > 0")


@pytest.fixture
def narrowing_host(tmp_path, live_server):
    """A host article whose column narrows from 1000 to 420 pixels, as on a reflow."""
    (tmp_path / "host.html").write_text(
        f"""<!doctype html><html lang="en"><head><title>Host</title></head><body>
        <div id="column" style="width: 1000px">
        <div id="box" data-timeline-embed=""></div></div>
        <script async src="{live_server.url}/embed.js"></script></body></html>"""
    )
    with serve_directory(tmp_path) as origin:
        yield f"{origin}/host.html"


def test_an_embed_keeps_the_charts_height_when_the_host_column_narrows(reader, narrowing_host):
    reader.goto(narrowing_host)
    reader.wait_for_function("() => document.querySelector('#box iframe')")
    frame = reader.locator("#box iframe").element_handle().content_frame()
    wait_for_marks(frame)
    wide = _plot(reader, frame)
    reader.evaluate("document.getElementById('column').style.width = '420px'")
    frame.wait_for_function(
        "w => document.getElementById('timeline-chart')._fullLayout.xaxis._length < w",
        arg=wide["r"] - wide["l"] - 200,
    )
    narrow = _plot(reader, frame)
    assert narrow["h"] == pytest.approx(wide["h"], abs=1)
    assert len(drawn_marks(frame)) == SEED_EVENTS


def test_on_a_phone_the_chart_starts_on_the_first_screen_and_uses_the_width(phone):
    phone.goto("/")
    wait_for_marks(phone)
    plot = _plot(phone)
    assert plot["t"] < 844 - 250, "at least 250 px of chart on the first screen"
    assert plot["r"] - plot["l"] >= 390 - 2 * 24, "the plot spans the column"
    marks = drawn_marks(phone)
    spread = max(m["left"] + m["width"] for m in marks) - min(m["left"] for m in marks)
    assert spread / (plot["r"] - plot["l"]) >= 0.85, "the axis spans the events"
    # Lane names sit above their lanes: none shares a row with a mark.
    names = phone.evaluate(
        """() => [...document.querySelectorAll('#timeline-chart .annotation-text')].map(n => {
             const r = n.getBoundingClientRect();
             return {l: r.left, r: r.right, t: r.top, b: r.bottom}; })"""
    )
    assert len(names) == 6
    for name in names:
        for mark in marks:
            assert not _overlap(name, _box(mark))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(phone, "chart-phone")


def test_on_a_phone_a_vertical_swipe_over_the_chart_scrolls_and_a_tap_opens_the_event(phone):
    phone.goto("/")
    wait_for_marks(phone)
    plot = _plot(phone)
    session = phone.context.new_cdp_session(phone)
    x, y = (plot["l"] + plot["r"]) / 2, plot["t"] + 150
    # A finger put down on the chart and drawn upwards, as the touch screen reports it.
    session.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    for step in range(1, 11):
        point = {"x": x, "y": y - 20 * step}
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        next_frame(phone)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    phone.wait_for_function("() => window.scrollY > 100")
    # Let the fling come to rest before aiming at a mark.
    phone.evaluate(
        """() => new Promise(done => { let last = -1; const check = () => {
             if (scrollY === last) return done(); last = scrollY; setTimeout(check, 150); };
             check(); })"""
    )
    mark = next(m for m in drawn_marks(phone) if m["slug"] == "kerman-funeral-stampede")
    phone.touchscreen.tap(mark["x"], mark["y"])
    phone.wait_for_function(
        "() => document.querySelector('#event-panel .panel-inner')?.dataset.slug"
        " === 'kerman-funeral-stampede'"
    )
    assert phone.locator(".chart-tip:visible").count() == 0


def test_range_buttons_zoom_and_move_and_the_view_stays_in_the_address(reader):
    _open(reader)
    home = _range(reader)
    reader.get_by_role("button", name="Week").click()
    reader.wait_for_url(re.compile(r"zoom="))
    week = _range(reader)
    assert week[1] - week[0] == pytest.approx(7 * DAY_MS, rel=0.001)
    assert reader.get_by_role("button", name="Week").get_attribute("aria-pressed") == "true"
    week_url = reader.url
    reader.get_by_role("button", name="Later").click()
    reader.wait_for_url(lambda url: url != week_url)
    moved = _range(reader)
    assert moved[0] - week[0] == pytest.approx(3.5 * DAY_MS, rel=0.01)
    shared = reader.url

    # The address reproduces the view.
    reader.goto(shared)
    wait_for_marks(reader)
    assert _range(reader) == pytest.approx(moved, abs=60_000)
    reader.get_by_role("button", name="Reset").click()
    reader.wait_for_url(re.compile(r"^(?!.*zoom=)"))
    assert _range(reader) == pytest.approx(home, abs=60_000)

    # "Day" centres on the event the reader opened.
    mark = next(m for m in drawn_marks(reader) if m["slug"] == "flight-ps752-shot-down")
    reader.mouse.click(mark["x"], mark["y"])
    reader.locator("#event-panel .panel-inner").wait_for()
    reader.keyboard.press("Escape")
    reader.get_by_role("button", name="Day").click()
    reader.wait_for_url(re.compile(r"zoom="))
    day = _range(reader)
    assert day[1] - day[0] == pytest.approx(DAY_MS, rel=0.001)
    figure = json.loads(reader.evaluate("document.getElementById('timeline-figure').textContent"))
    marks = figure["layout"]["meta"]["marks"]
    ps752 = next(m for m in marks if m["slug"] == "flight-ps752-shot-down")
    at = reader.evaluate(f"Date.parse('{ps752['x0']}Z')")
    assert day[0] < at < day[1]


def test_the_wheel_scrolls_the_page_and_zooms_only_with_ctrl(reader):
    _open(reader)
    plot = _plot(reader)
    before = _range(reader)
    reader.mouse.move((plot["l"] + plot["r"]) / 2, plot["t"] + 30)
    reader.mouse.wheel(0, 300)
    reader.wait_for_function("() => window.scrollY > 0")
    assert _range(reader) == before
    plot = _plot(reader)
    reader.mouse.move((plot["l"] + plot["r"]) / 2, plot["t"] + 30)
    reader.keyboard.down("Control")
    reader.mouse.wheel(0, -100)
    reader.keyboard.up("Control")
    reader.wait_for_function(
        "w => { const r = document.getElementById('timeline-chart')._fullLayout.xaxis.range;"
        " return Date.parse(r[1]) - Date.parse(r[0]) < w; }",
        arg=before[1] - before[0] - 1000,
    )
    assert "Drag to move along the timeline" in reader.locator(".chart-hint").inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_mark_stands_out_three_to_one_from_the_page(reader, scheme):
    reader.emulate_media(color_scheme=scheme)
    _open(reader)
    background = reader.evaluate("getComputedStyle(document.body).backgroundColor")
    page_colour = _hex(background)
    for mark in drawn_marks(reader):
        colour = _hex(mark["fill"])
        assert contrast(colour, page_colour) >= 3, (mark["slug"], colour, page_colour)
    opacities = reader.evaluate(
        """() => [...document.querySelectorAll('#timeline-chart .barlayer .point path')]
                 .map(p => [getComputedStyle(p).opacity, getComputedStyle(p).fillOpacity])"""
    )
    assert opacities and all(o == ["1", "1"] for o in opacities)


def _hex(css: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_the_page_paints_its_text_before_plotly_arrives(seeded, open_page):
    page = open_page()
    held = []
    page.route("**/vendor/plotly/**", lambda route: held.append(route))
    page.goto("/", wait_until="domcontentloaded")
    page.wait_for_function(
        "() => performance.getEntriesByName('first-contentful-paint').length === 1"
    )
    assert page.locator(CARDS).count() == SEED_EVENTS
    assert page.evaluate("typeof window.Plotly") == "undefined"
    assert held, "plotly.js is asked for after the page is up"
    for route in held:
        route.continue_()
    wait_for_marks(page, SEED_EVENTS)


def test_label_layout_keeps_labels_apart_inside_the_plot_and_prefers_the_first(reader):
    _open(reader)
    placed = reader.evaluate(
        """() => TimelineChart.layoutLabels(
             [{id: 'a', text: 'A', width: 60, box: {l: 100, r: 110, t: 45, b: 55}},
              {id: 'b', text: 'B', width: 60, box: {l: 112, r: 122, t: 45, b: 55}},
              {id: 'c', text: 'C', width: 60, box: {l: 290, r: 298, t: 45, b: 55}},
              {id: 'off', text: 'Off', width: 60, box: {l: 900, r: 910, t: 45, b: 55}}],
             [{l: 100, r: 110, t: 45, b: 55}, {l: 112, r: 122, t: 45, b: 55},
              {l: 290, r: 298, t: 45, b: 55}],
             {l: 0, r: 300, t: 0, b: 100})"""
    )
    ids = [spot["id"] for spot in placed]
    assert ids[0] == "a" and "c" in ids and "off" not in ids
    for spot in placed:
        assert 0 <= spot["l"] and spot["r"] <= 300 and 0 <= spot["t"] and spot["b"] <= 100
    for i, spot in enumerate(placed):
        for other in placed[i + 1 :]:
            assert not _overlap(spot, other)
