"""A link card in a browser: nothing from the video site loads until the reader asks for it."""

from urllib.parse import urlsplit

import pytest

from timeline.models import Event

pytestmark = pytest.mark.browser


def test_the_player_loads_only_when_the_reader_asks_and_the_page_allows_it(seeded, open_page):
    event = Event.objects.get(slug="kerman-funeral-stampede")
    event.media_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    event.media_title = "Video of the procession"
    event.save()
    page = open_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).netloc))
    # The player's site stands in here: the test needs no network, the page cannot tell.
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(body="<p>player</p>", content_type="text/html"),
    )
    page.goto(event.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert not [host for host in asked if "youtube" in host]
    page.get_by_role("button", name="Play it here").click()
    frame = page.locator(".link-card-player iframe")
    frame.wait_for()
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert frame.get_attribute("title") == "Video of the procession"
    page.frame_locator(".link-card-player iframe").locator("text=player").wait_for()
    assert "www.youtube-nocookie.com" in asked
    assert not [host for host in asked if host in ("www.youtube.com", "youtube.com")]
