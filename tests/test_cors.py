"""Other sites' scripts may read the public data; nothing that has a session answers them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ORIGIN = "https://newsroom.example"


def _public_routes(event) -> list[str]:
    return [
        "/api/events",
        f"/api/events/{event.slug}",
        "/api/events.csv",
        "/api/events.ics",
        "/api/timelinejs.json",
        "/api/events.atom",
        "/api/events.rss",
        "/api/actors",
        "/api/openapi.json",
        f"/oembed?url=http://testserver/events/{event.slug}/",
    ]


def test_every_public_data_route_answers_any_origin_without_credentials(client, make_event):
    event = make_event("Live")
    for path in _public_routes(event):
        response = client.get(path, headers={"Origin": ORIGIN})
        assert response.status_code == 200, path
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response, path


def test_a_preflight_for_the_api_is_answered(client, make_event):
    response = client.options(
        "/api/timelinejs.json",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_pages_the_desk_and_previews_send_no_cors_headers(client, make_event, editor):
    event = make_event("Live")
    client.force_login(editor)
    for path in (
        "/",
        f"/events/{event.slug}/",
        "/embed/",
        reverse("admin:index"),
        reverse("admin:timeline_event_changelist"),
        reverse("preview-event", args=[event.pk]),
    ):
        response = client.get(path, headers={"Origin": ORIGIN})
        assert "Access-Control-Allow-Origin" not in response, path
