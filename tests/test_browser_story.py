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
