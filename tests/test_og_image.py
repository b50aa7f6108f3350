"""Every public page names an image for link previews (ogp.me requires og:image): the event's
own, else a card drawn at set-up for its timeline, else the site's card."""

import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw

from timeline.models import Timeline
from timeline.reader import cards

pytestmark = pytest.mark.django_db


def _meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def pages(make_event, make_actor, source, timeline, drawn_cards):
    iran = make_actor("Iran")
    event = make_event("Embassy attacked", actors=(iran,))
    drawn_cards()
    return {
        "home": "/",
        "timeline": timeline.get_absolute_url(),
        "event": event.get_absolute_url(),
        "actor": iran.get_absolute_url(),
        "source": source.get_absolute_url(),
    }


def test_every_public_page_names_an_og_image_that_answers_with_an_image(client, pages):
    for name, path in pages.items():
        html = client.get(path).content.decode()
        image = _meta(html, "og:image")
        assert image and image.startswith("http://testserver/static/cards/"), name
        response = client.get(urlsplit(image).path)
        assert response.status_code == 200, f"{name}: {image}"
        assert response["Content-Type"] == "image/png", name
        assert _meta(html, "og:image:width") == "1200", name
        assert _meta(html, "og:image:height") == "630", name
        assert _meta(html, "og:image:alt"), name
        assert _meta(html, "twitter:card") == "summary_large_image", name


def test_the_timeline_and_its_events_show_its_card_and_other_pages_the_sites(
    client, pages, timeline
):
    def image(path):
        return urlsplit(_meta(client.get(path).content.decode(), "og:image")).path

    own = f"/static/cards/{timeline.slug}.png"
    assert image(pages["home"]) == image(pages["timeline"]) == image(pages["event"]) == own
    assert image(pages["actor"]) == image(pages["source"]) == "/static/cards/site.png"


def test_an_event_with_its_own_image_shows_that_image_and_its_alt(client, make_event):
    event = make_event(image_url="https://images.example/a.jpg", image_alt="The embassy gate")
    html = client.get(event.get_absolute_url()).content.decode()
    assert _meta(html, "og:image") == "https://images.example/a.jpg"
    assert _meta(html, "og:image:alt") == "The embassy gate"
    # Its size is not ours to know: none is claimed.
    assert _meta(html, "og:image:width") is None


def test_the_cards_are_1200_by_630_pngs_for_the_site_and_each_published_timeline_only(
    make_event, timeline, drawn_cards
):
    Timeline.objects.create(title="Not yet public", slug="not-yet-public")
    make_event()
    directory = drawn_cards()
    assert sorted(p.name for p in directory.iterdir()) == [
        "site.png",
        f"{timeline.slug}.png",
    ]
    for path in directory.iterdir():
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
            # A light background: the corner pixel is the page's light panel colour.
            assert image.convert("RGB").getpixel((5, 600)) == (246, 245, 242)


def test_a_long_title_is_cut_to_three_lines_with_an_ellipsis():
    pen = ImageDraw.Draw(Image.new("RGB", (cards.WIDTH, cards.HEIGHT)))
    lines, _, _ = cards._title_lines(pen, "Word " * 60)
    assert len(lines) == 3 and lines[-1].endswith("…")


def test_pages_still_render_before_any_card_is_drawn(client, make_event, tmp_path, monkeypatch):
    monkeypatch.setattr(cards, "DIRECTORY", tmp_path / "none")
    event = make_event()
    html = client.get(event.get_absolute_url()).content.decode()
    assert _meta(html, "og:image") is None
    assert _meta(html, "twitter:card") == "summary"
