import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _listed(response) -> list[str]:
    return re.findall(r'<article class="event-card" id="event-([^"]+)"', response.content.decode())


def _oembed(client, **params):
    return client.get(reverse("oembed"), params)


def test_the_embed_may_be_framed_by_any_site_by_default(client, make_event):
    make_event("Live")
    response = client.get("/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert _frame_ancestors(response) == "*"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _frame_ancestors(response) -> str:
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return policy["frame-ancestors"]


def test_embed_framing_follows_the_setting(client, make_event, settings):
    make_event("Live")
    settings.TIMELINE_EMBED_ORIGINS = "https://news.example"
    response = client.get("/embed/?q=other")
    assert _frame_ancestors(response) == "https://news.example"


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/healthz"])
def test_every_other_page_refuses_to_be_framed(client, make_event, path):
    make_event("Live")
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert _frame_ancestors(response) == "'none'"


def test_an_embed_keeps_its_headers_when_served_from_the_cache(client, make_event):
    make_event("Live")
    client.get("/embed/")
    again = client.get("/embed/")
    assert "X-Frame-Options" not in again
    assert _frame_ancestors(again) == "*"
    etag = again["ETag"]
    not_modified = client.get("/embed/", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert "X-Frame-Options" not in not_modified


def test_the_embed_honours_filters_and_links_out_in_a_new_tab(client, make_event, make_actor):
    iran = make_actor("Iran")
    wanted = make_event("Funeral in Kerman", actors=(iran,))
    make_event("Something else")
    response = client.get("/embed/?actor=iran&theme=dark")
    html = response.content.decode()
    assert _listed(response) == [wanted.slug]
    assert 'data-theme="dark"' in html
    assert (
        f'href="http://testserver{wanted.get_absolute_url()}" target="_blank" rel="noopener"'
        in html
    )
    # The preset actor travels with every update made inside the frame.
    assert '<input type="hidden" name="actor" value="iran">' in html


def test_an_embed_of_a_named_timeline_and_its_fragment(client, make_event, timeline):
    make_event("Live")
    page = client.get(f"/embed/{timeline.slug}/")
    fragment = client.get(f"/embed/{timeline.slug}/", headers={"HX-Request": "true"})
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()
    assert _listed(page) == _listed(fragment)
    assert client.get("/embed/unknown/").status_code == 404


@pytest.mark.parametrize("query", ["theme=purple", "start=nope", "actor=nobody"])
def test_bad_embed_parameters_get_400(client, make_event, query):
    make_event("Live")
    assert client.get(f"/embed/?{query}").status_code == 400


def test_drafts_never_reach_the_embed(client, make_event):
    make_event("Live")
    make_event("Secret draft", status="draft")
    assert "Secret draft" not in client.get("/embed/").content.decode()


def test_oembed_for_the_timeline_page_carries_its_filters(client, make_event):
    make_event("Live")
    response = _oembed(client, url="http://testserver/?q=strike&start=2020-01-03", format="json")
    data = response.json()
    assert response.status_code == 200
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert {"width", "height", "title", "provider_name", "provider_url", "cache_age"} <= set(data)
    assert 'src="http://testserver/embed/?q=strike&amp;start=2020-01-03"' in data["html"]


def test_oembed_for_a_named_timeline_actor_and_event(client, make_event, make_actor, timeline):
    actor = make_actor("Iran")
    event = make_event("Funeral", actors=(actor,))
    named = _oembed(client, url=f"http://testserver/timelines/{timeline.slug}/").json()
    assert f"/embed/{timeline.slug}/" in named["html"]
    by_actor = _oembed(client, url="http://testserver/actors/iran/").json()
    assert "/embed/?actor=iran" in by_actor["html"] and by_actor["title"] == "Iran"
    for_event = _oembed(client, url=f"http://testserver{event.get_absolute_url()}").json()
    day = event.local_start_date.isoformat()
    assert f"start={day}&amp;end={day}" in for_event["html"]


def test_oembed_respects_the_largest_size_asked_for(client, make_event):
    make_event("Live")
    data = _oembed(client, url="http://testserver/", maxwidth=500, maxheight=300).json()
    assert (data["width"], data["height"]) == (500, 300)
    assert 'width="500" height="300"' in data["html"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"url": "https://elsewhere.example/"}, 404),
        ({"url": "http://testserver/no/such/page/"}, 404),
        ({"url": "http://testserver/actors/nobody/"}, 404),
        ({"url": "http://testserver/sources/cnn-stampede/"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://[::1"}, 404),
        ({"url": "http://testserver/", "format": "xml"}, 501),
        ({}, 400),
        ({"url": "http://testserver/", "maxwidth": "wide"}, 400),
        ({"url": "http://testserver/", "maxheight": "-5"}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_embed_in_json_with_a_reason(
    client, make_event, source, params, status
):
    make_event("Live")
    response = _oembed(client, **params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"] and body["error"]


def test_oembed_does_not_embed_a_draft(client, make_event):
    draft = make_event(status="draft")
    assert _oembed(client, url=f"http://testserver{draft.get_absolute_url()}").status_code == 404


def test_pages_advertise_their_oembed(client, make_event, make_actor):
    actor = make_actor("Iran")
    event = make_event("Live", actors=(actor,))
    for path in ("/?q=live", event.get_absolute_url(), actor.get_absolute_url()):
        html = client.get(path).content.decode()
        link = re.search(
            r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html
        )
        assert link, path
        href = link.group(1).replace("&amp;", "&")
        assert client.get(href).status_code == 200


def test_the_embed_button_offers_iframe_script_and_oembed_for_the_current_filters(
    client, make_event
):
    make_event("Live")
    html = client.get("/?q=live&category=attack").content.decode()
    box = html[html.index('class="embed-box"') :]
    assert "http://testserver/embed/?q=live&amp;amp;category=attack" in box
    assert "data-timeline-embed=&quot;&quot; data-q=&quot;live&quot;" in box
    assert "/embed.js" in box and "/oembed?url=" in box


def test_the_loader_has_a_stable_address_that_points_at_the_hashed_script(client):
    response = client.get("/embed.js")
    assert response.status_code == 302
    assert response["Location"].endswith(".js")
    assert "max-age=300" in response["Cache-Control"]


def test_embed_script_stays_small():
    from pathlib import Path

    size = Path("static/js/embed.js").stat().st_size + Path("static/js/frame.js").stat().st_size
    assert size < 4096, size


def test_oembed_answers_json_only(client, make_event):
    make_event("Live")
    response = _oembed(client, url="http://testserver/")
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)


def test_oembed_refuses_other_methods_in_json(client):
    response = client.post("/oembed?url=http://testserver/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]
