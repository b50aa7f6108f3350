"""Media on events: an uploaded picture with its smaller copies, or an image address; a video or
post as a link card that loads nothing from its site until the reader asks."""

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.helpers import change_url, form_data
from timeline.data import archive
from timeline.data.importers import import_document, read_json
from timeline.models import Actor, Category, Event, Source, Timeline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _png(width=1000, height=500, name="embassy gate.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _meta(html: str, prop: str) -> str | None:
    found = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def _upload(client, event, **fields):
    data = form_data(event, event.category, **fields)
    return client.post(change_url(event), data)


@pytest.fixture
def pictured(client, publisher, make_event, storage):
    """A published event whose picture an editor uploaded through the admin."""
    event = make_event("Embassy stormed")
    client.force_login(publisher)
    response = _upload(
        client, event, image=_png(), image_alt="Protesters at the embassy gate",
        image_caption="The gate on 31 December", image_credit="Photo: A. Reporter",
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    event.refresh_from_db()
    return event


def test_an_upload_is_stored_with_its_size_and_smaller_copies(pictured, storage):
    assert pictured.image and (pictured.image_width, pictured.image_height) == (1000, 500)
    stored = Path(storage) / pictured.image.name
    assert stored.exists()
    # A random name: a draft's picture cannot be found from its file's name.
    assert "embassy" not in pictured.image.name
    for width in (480, 960):
        copy = stored.with_name(f"{stored.stem}-{width}w{stored.suffix}")
        with Image.open(copy) as image:
            assert image.size == (width, width // 2)
    assert not stored.with_name(f"{stored.stem}-1600w{stored.suffix}").exists()


def test_the_event_page_draws_the_picture_with_its_size_copies_caption_and_credit(client, pictured):
    html = client.get(pictured.get_absolute_url()).content.decode()
    img = re.search(r'<figure class="event-media">\s*<img ([^>]+)>', html).group(1)
    src = re.search(r'src="([^"]+)"', img).group(1)
    assert src == f"/media/{pictured.image.name}"
    assert 'width="1000" height="500"' in img
    assert 'alt="Protesters at the embassy gate"' in img
    srcset = re.search(r'srcset="([^"]+)"', img).group(1)
    assert [entry.rsplit(" ", 1)[1] for entry in srcset.split(", ")] == ["480w", "960w", "1000w"]
    assert 'sizes="' in img
    assert "The gate on 31 December" in html and "Photo: A. Reporter" in html
    # The copies and the original are served, for a year.
    for entry in srcset.split(", "):
        response = client.get(entry.rsplit(" ", 1)[0])
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
        b"".join(response.streaming_content)


def test_the_panel_and_the_story_slide_show_the_picture_too(client, pictured):
    panel = client.get(pictured.get_absolute_url(), headers={"HX-Request": "true"})
    assert f'src="/media/{pictured.image.name}"' in panel.content.decode()
    slide = client.get(f"/story/{pictured.slug}/").content.decode()
    assert f'src="/media/{pictured.image.name}"' in slide
    assert 'alt="Protesters at the embassy gate"' in slide


def test_og_image_is_the_uploads_largest_copy_with_its_size(client, pictured):
    html = client.get(pictured.get_absolute_url()).content.decode()
    og = _meta(html, "og:image")
    assert urlsplit(og).scheme == "http" and urlsplit(og).path.endswith("-960w.png")
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("960", "480")
    assert _meta(html, "og:image:alt") == "Protesters at the embassy gate"
    assert client.get(urlsplit(og).path).status_code == 200


def test_a_picture_needs_words_for_readers_who_cannot_see_it(client, publisher, make_event):
    event = make_event("Embassy stormed")
    client.force_login(publisher)
    refused = _upload(client, event, image=_png(), image_alt="")
    assert refused.status_code == 200
    assert "Say what the image shows" in refused.content.decode()
    event.refresh_from_db()
    assert not event.image
    event.image_url = "https://images.example/gate.jpg"
    with pytest.raises(ValidationError) as problem:
        event.full_clean()
    assert "image_alt" in problem.value.message_dict


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"not a picture at all"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_with_a_form_error(
    client, publisher, make_event, name, content
):
    event = make_event("Embassy stormed")
    client.force_login(publisher)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    refused = _upload(client, event, image=upload, image_alt="A drawing")
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()
    event.refresh_from_db()
    assert not event.image


def test_an_image_address_is_shown_with_the_size_its_editor_gave(client, make_event):
    event = make_event(
        image_url="https://images.example/gate.jpg", image_alt="The gate",
        image_width=1200, image_height=800,
    )  # fmt: skip
    html = client.get(event.get_absolute_url()).content.decode()
    assert re.search(
        r'<img src="https://images.example/gate.jpg"[^>]* width="1200" height="800"', html
    )
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("1200", "800")


def test_a_video_is_a_link_card_that_loads_nothing_until_asked(client, make_event):
    event = make_event(
        media_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
        media_title="Video of the funeral procession",
    )
    html = client.get(event.get_absolute_url()).content.decode()
    card = re.search(r'<aside class="link-card".*?</aside>', html, re.S).group(0)
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=10"' in card
    assert "Video of the funeral procession" in card
    assert 'data-player="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in card
    assert "<iframe" not in html
    assert not re.search(r"<(script|img|link)[^>]+(youtube|ytimg)", html)


def test_a_post_elsewhere_is_a_plain_link_card(client, make_event):
    event = make_event(media_url="https://social.example/@newsroom/1", media_title="The statement")
    card = re.search(
        r'<aside class="link-card".*?</aside>',
        client.get(event.get_absolute_url()).content.decode(),
        re.S,
    ).group(0)
    assert "social.example" in card and "data-player" not in card


def test_the_api_and_exports_carry_the_picture_and_the_link_card(client, pictured):
    pictured.media_url = "https://vimeo.com/123456"
    pictured.media_title = "The briefing"
    pictured.save()
    event = client.get(f"/api/events/{pictured.slug}").json()
    image = event["image"]
    assert image["url"] == f"http://testserver/media/{pictured.image.name}"
    assert (image["width"], image["height"], image["alt"]) == (
        1000, 500, "Protesters at the embassy gate",
    )  # fmt: skip
    assert image["srcset"].startswith("http://testserver/media/") and "480w" in image["srcset"]
    assert event["media"] == {
        "url": "https://vimeo.com/123456",
        "title": "The briefing",
        "kind": "Video",
    }
    slides = client.get("/api/timelinejs.json").json()["events"]
    slide = next(s for s in slides if s["unique_id"] == pictured.slug)
    assert slide["media"]["url"] == image["url"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events.csv").content.decode())))
    row = next(r for r in rows if r["slug"] == pictured.slug)
    assert row["image"] == image["url"] and row["media_url"] == "https://vimeo.com/123456"


def test_a_draft_picture_is_in_no_public_output(client, pictured):
    pictured.status = Event.Status.DRAFT
    pictured.save()
    for path in ("/api/timelinejs.json", "/api/events.csv", "/feed.atom", "/"):
        assert pictured.image.name not in client.get(path).content.decode(), path


def test_the_archive_round_trip_keeps_the_media_fields_byte_for_byte(pictured):
    pictured.media_url = "https://youtu.be/dQw4w9WgXcQ"
    pictured.media_title = "The procession"
    pictured.save()
    first = archive.export()
    event = next(e for e in json.loads(first)["events"] if e["slug"] == pictured.slug)
    assert event["image"] == pictured.image.name and event["image_width"] == 1000
    for model in (Timeline, Event, Actor, Source, Category):
        model.objects.all().delete()
    archive.load(first)
    assert archive.export() == first


def test_timelinejs_media_come_in_as_a_picture_or_a_link_card(timeline):
    document = {
        "events": [
            {
                "start_date": {"year": "2020", "month": "1", "day": "3"},
                "text": {"headline": "Strike"},
                "media": {
                    "url": "https://images.example/strike.jpg",
                    "caption": "The wreckage",
                    "credit": "AP",
                },
            },
            {
                "start_date": {"year": "2020", "month": "1", "day": "6"},
                "text": {"headline": "Procession"},
                "media": {
                    "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                    "caption": "Tehran",
                },
            },
        ]
    }
    import_document(read_json(json.dumps(document)), timeline=timeline.slug)
    strike, procession = Event.objects.get(title="Strike"), Event.objects.get(title="Procession")
    assert strike.image_url == "https://images.example/strike.jpg"
    assert (strike.image_caption, strike.image_credit, strike.image_alt) == (
        "The wreckage", "AP", "The wreckage",
    )  # fmt: skip
    assert procession.media_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert procession.media_title == "Tehran" and not procession.image_url


def test_a_phone_photo_stored_on_its_side_is_measured_and_copied_upright(
    client, publisher, make_event, storage
):
    buffer = io.BytesIO()
    sideways = Image.new("RGB", (1200, 600), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    sideways.save(buffer, format="JPEG", exif=exif)
    event = make_event("Embassy stormed")
    client.force_login(publisher)
    upload = SimpleUploadedFile("phone.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert _upload(client, event, image=upload, image_alt="The gate").status_code == 302
    event.refresh_from_db()
    assert (event.image_width, event.image_height) == (600, 1200)
    stored = Path(storage) / event.image.name
    with Image.open(stored.with_name(f"{stored.stem}-480w{stored.suffix}")) as copy:
        assert copy.size == (480, 960)


def test_a_picture_is_served_to_readers_only_while_its_event_is_public(client, pictured, publisher):
    path = f"/media/{pictured.image.name}"
    copy = path.replace(".png", "-480w.png")
    assert client.get(copy)["Cache-Control"] == "public, max-age=31536000, immutable"
    pictured.status = Event.Status.DRAFT
    pictured.save()
    assert client.get(path).status_code == 404 and client.get(copy).status_code == 404
    client.force_login(publisher)
    seen = client.get(path)
    assert seen.status_code == 200 and "no-store" in seen["Cache-Control"]
    client.logout()
    assert client.get("/media/events/not-a-picture.png").status_code == 404


def test_a_truncated_photo_is_a_form_error_and_keeps_what_the_editor_typed(
    client, publisher, make_event
):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 90, 90)).save(buffer, format="JPEG")
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    event = make_event("Embassy stormed")
    client.force_login(publisher)
    upload = SimpleUploadedFile("cut.jpg", cut, content_type="image/jpeg")
    refused = _upload(client, event, image=upload, image_alt="The gate", summary="Kept words.")
    assert refused.status_code == 200
    assert "not an image we can show" in refused.content.decode()
    assert "Kept words." in refused.content.decode()


def test_a_very_wide_strip_gets_copies_too(client, publisher, make_event, storage):
    event = make_event("Panorama")
    client.force_login(publisher)
    assert _upload(client, event, image=_png(2000, 3), image_alt="A strip").status_code == 302
    event.refresh_from_db()
    stored = Path(storage) / event.image.name
    with Image.open(stored.with_name(f"{stored.stem}-480w{stored.suffix}")) as copy:
        assert copy.width == 480 and copy.height >= 1


def test_a_partial_save_of_a_new_upload_stores_the_file_and_its_copies(make_event, storage):
    event = make_event("Embassy stormed")
    event.image = _png(1000, 500, name="gate.png")
    event.image_alt = "The gate"
    event.save(update_fields=["image_alt"])
    event.refresh_from_db()
    assert event.image.name.startswith("events/") and (Path(storage) / event.image.name).exists()
    assert (event.image_width, event.image_height) == (1000, 500)
    assert not (Path(storage) / "gate-480w.png").exists()


def test_clearing_an_upload_forgets_its_size(client, pictured):
    pictured.image = ""
    pictured.save()
    pictured.refresh_from_db()
    assert (pictured.image_width, pictured.image_height) == (None, None)
    assert client.get(pictured.get_absolute_url()).status_code == 200
