"""With SITE_URL set, every absolute address names it, whatever Host or scheme a request claims.

The request comes in on another allowed host with a forged X-Forwarded-Proto: what a client
says about where it is must not reach a feed reader, a CMS, an embed or a calendar (feeds are
checked in test_feeds.py).
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.urls import reverse

from timeline.site import absolute_url, host

pytestmark = pytest.mark.django_db

SITE = "https://news.example"
ELSEWHERE = {"host": "internal.example", "x-forwarded-proto": "http"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "internal.example"]
    # Trusted proxy or not, the configured origin wins.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _addresses(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>&;,)]+", text)


def _only_the_site(text: str) -> None:
    addresses = [a for a in _addresses(text) if "w3.org" not in a and "schema.org" not in a]
    assert addresses
    assert all(a.startswith(f"{SITE}/") for a in addresses), addresses
    assert "internal.example" not in text


def test_the_helper_uses_the_configured_origin_and_only_its_origin(rf, settings):
    settings.SITE_URL = "https://news.example/ignored-path"
    request = rf.get("/events/x/?q=1", headers=ELSEWHERE)
    assert absolute_url(request) == "https://news.example/events/x/?q=1"
    assert absolute_url(request, "/api/events") == "https://news.example/api/events"
    # A path that looks like a network-path reference stays on this site.
    assert absolute_url(request, "//evil.example/x") == "https://news.example//evil.example/x"
    assert host(request) == "news.example"


def test_without_site_url_the_helper_uses_the_request(rf, settings):
    settings.SITE_URL = ""
    request = rf.get("/events/x/", headers={"host": "internal.example"})
    assert absolute_url(request) == "http://internal.example/events/x/"
    assert host(request) == "internal.example"


def test_a_site_url_that_is_no_origin_refuses_to_serve(rf, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SITE_URL = "news.example"
    with pytest.raises(ImproperlyConfigured):
        absolute_url(rf.get("/"), "/")


def test_oembed_names_the_site_and_accepts_its_addresses(client, make_event):
    event = make_event("Live")
    response = client.get(
        reverse("oembed"), {"url": f"{SITE}{event.get_absolute_url()}"}, headers=ELSEWHERE
    )
    assert response.status_code == 200
    data = response.json()
    assert data["provider_url"] == f"{SITE}/"
    _only_the_site(data["html"])


def test_pages_advertise_oembed_and_canonical_addresses_on_the_site(client, make_event):
    event = make_event("Live")
    for path in ("/?q=live", event.get_absolute_url()):
        html = client.get(path, headers=ELSEWHERE).content.decode()
        link = re.search(r'type="application/json\+oembed" href="([^"]+)"', html).group(1)
        link = link.replace("&amp;", "&")
        assert link.startswith(f"{SITE}/oembed?")
        assert parse_qs(urlsplit(link).query)["url"][0].startswith(f"{SITE}/")
    html = client.get(event.get_absolute_url(), headers=ELSEWHERE).content.decode()
    assert f'<link rel="canonical" href="{SITE}{event.get_absolute_url()}">' in html


def test_the_embed_snippets_and_the_embed_link_to_the_site(client, make_event):
    make_event("Live")
    html = client.get("/?q=live", headers=ELSEWHERE).content.decode()
    box = html[html.index('class="embed-box"') :]
    assert f"{SITE}/embed/?q=live" in box
    assert f"{SITE}/embed.js" in box
    assert f"{SITE}/oembed?url=" in box
    assert "internal.example" not in box
    embed = client.get("/embed/?q=live", headers=ELSEWHERE).content.decode()
    assert f'href="{SITE}/?q=live"' in embed


def test_the_embeds_list_links_to_events_and_actors_on_the_site(client, make_event, make_actor):
    event = make_event("Live", actors=(make_actor("Iran"),))
    embed = client.get("/embed/", headers=ELSEWHERE).content.decode()
    assert f'href="{SITE}{event.get_absolute_url()}"' in embed
    assert f'href="{SITE}/actors/iran/"' in embed
    assert "internal.example" not in embed


def test_the_calendar_and_the_csv_name_the_site(client, make_event):
    event = make_event("Live")
    response = client.get("/api/events.ics", headers=ELSEWHERE)
    item = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(item["uid"]) == f"{event.slug}@news.example"
    assert str(item["url"]) == f"{SITE}{event.get_absolute_url()}"
    assert "internal.example" not in response.content.decode()
    csv_text = client.get("/api/events.csv", headers=ELSEWHERE).content.decode()
    assert f"{SITE}{event.get_absolute_url()}" in csv_text
    assert "internal.example" not in csv_text


def test_the_api_names_the_site_in_every_url_field(client, make_event, make_actor, timeline):
    actor = make_actor("Iran")
    for n in range(3):
        make_event(f"Live {n}", actors=(actor,))
    for path in (
        "/api/events?page_size=1&page=2",
        "/api/actors",
        f"/api/actors/{actor.slug}",
        "/api/timelines",
    ):
        response = client.get(path, headers=ELSEWHERE)
        assert response.status_code == 200, path
        _only_the_site(json.dumps(response.json()))


def test_previews_name_the_site(client, editor, make_event):
    draft = make_event("Unannounced strike", status="draft")
    client.force_login(editor)
    html = client.get(reverse("preview-event", args=[draft.pk]), headers=ELSEWHERE)
    assert f'href="{SITE}{draft.get_absolute_url()}"' in html.content.decode()
    embed = client.get(reverse("preview-embed", args=[draft.pk]), headers=ELSEWHERE)
    full = reverse("preview-timeline", args=[draft.pk])
    assert f'href="{SITE}{full}' in embed.content.decode()
