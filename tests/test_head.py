"""Every route that answers GET answers HEAD the same way, without a body."""

import pytest

from tests.routes import fill, public_routes

pytestmark = pytest.mark.django_db

# Headers that may differ between two requests made a moment apart.
VOLATILE = {"Date", "Expires"}


@pytest.fixture
def addresses(make_event, make_actor, source, timeline):
    actor = make_actor("Iran")
    event = make_event("Strike", actors=(actor,), country="IQ")
    values = {
        "slug": [event.slug, actor.slug, source.slug, timeline.slug, "no-such-thing"],
        "int": [str(event.pk)],
    }
    return [a for route in public_routes() for a in fill(route, values)]


def _headers(response) -> dict:
    return {k: v for k, v in response.headers.items() if k not in VOLATILE}


def test_every_get_route_answers_head_with_the_same_status_and_headers_and_no_body(
    client, addresses
):
    assert any(a.startswith("/api/") for a in addresses) and "/" in addresses
    answered = 0
    for path in addresses:
        get = client.get(path)
        if get.status_code == 405:
            continue  # not a GET route
        head = client.head(path)
        assert head.status_code == get.status_code, path
        assert _headers(head) == _headers(get), path
        assert head.content == b"", path
        answered += 1
    assert answered == len(addresses)


@pytest.mark.parametrize(
    "path", ["/api/events", "/api/events.csv", "/api/timelinejs.json", "/api/openapi.json"]
)
def test_head_on_the_api_is_not_405(client, make_event, path):
    make_event("Strike")
    response = client.head(path)
    assert response.status_code == 200
    assert response["Content-Type"] == client.get(path)["Content-Type"]
