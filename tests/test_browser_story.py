"""Story mode in a browser: keys and buttons move between slides, each its own address, the
focus on the new slide's heading; Back steps back; a slide fits a phone."""

import pytest

from tests.browser import AXE, PHONE

pytestmark = pytest.mark.browser


def _heading_focused(page) -> bool:
    return page.evaluate(
        "() => document.activeElement && document.activeElement.id === 'slide-title'"
    )


def test_arrow_keys_and_buttons_move_between_slides_with_the_focus(reader):
    page = reader
    page.goto("/story/")
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/story/k1-air-base-rocket-attack/")
    assert _heading_focused(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/story/us-strikes-on-kataib-hezbollah/")
    assert _heading_focused(page)
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**/story/k1-air-base-rocket-attack/")
    page.click(".story-next")
    page.wait_for_url("**/story/us-strikes-on-kataib-hezbollah/")
    assert _heading_focused(page)
    page.go_back()
    page.wait_for_url("**/story/k1-air-base-rocket-attack/")


def test_a_slide_fits_a_phone_and_has_no_accessibility_violations(reader):
    page = reader
    page.set_viewport_size(PHONE)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in ("/story/", "/story/kerman-funeral-stampede/"):
            page.goto(path)
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
            page.evaluate(AXE.read_text())
            result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            assert [v["id"] for v in result["violations"]] == [], (scheme, path)


def test_a_mark_on_the_chart_under_the_slide_opens_its_slide(reader):
    from tests.browser import drawn_marks, wait_for_marks

    page = reader
    page.goto("/story/k1-air-base-rocket-attack/")
    wait_for_marks(page)
    assert page.locator("#timeline-chart .shapelayer path").count() >= 1  # where the story is
    mark = next(m for m in drawn_marks(page) if m["slug"] != "k1-air-base-rocket-attack")
    page.locator("#timeline-chart").scroll_into_view_if_needed()
    mark = next(m for m in drawn_marks(page) if m["slug"] == mark["slug"])
    page.mouse.click(mark["x"], mark["y"])
    page.wait_for_url(f"**/story/{mark['slug']}/")
    assert _heading_focused(page)
