"""Filter parameters: an empty value is no filter, and nothing the page does not know is repeated.

One rule in the FilterSet serves the page, its fragment, the embed, the API and the exports, so
each is asked the same questions here.
"""

import csv
import io
import json
import re

import pytest
from django.http import QueryDict

from timeline.filters import EventFilter
from timeline.models import Event
from timeline.reader import browse

pytestmark = pytest.mark.django_db

PATHS = ["/", "/embed/", "/api/events", "/api/events.csv"]
# (query with empty values, the same query without them)
EMPTY_VALUES = [
    ("actor=", ""),
    ("actor=&start=2000-01-01", "start=2000-01-01"),
    ("actor=x&actor=", "actor=x"),
    ("actor=&actor=x", "actor=x"),
    ("country=&country=IQ", "country=IQ"),
    ("country=", ""),
    ("category=&category=attack", "category=attack"),
    ("category=&start=2000-01-01&end=", "start=2000-01-01"),
    ("q=&timeline=&lanes=", ""),
    ("actor=&category=&country=&q=&start=&end=", ""),
]
HOSTILE = "https://evil.example/x"


@pytest.fixture
def story(make_event, make_actor):
    x = make_actor("X", slug="x")
    make_event("In Iraq with X", actors=(x,), country="IQ")
    make_event("In Syria", country="SY")
    make_event("Nowhere in particular")


def _shown(response) -> list[str]:
    """The slugs of the events a response lists, whatever its format."""
    content_type = response["Content-Type"]
    if content_type.startswith("application/json"):
        return [event["slug"] for event in response.json()["results"]]
    if content_type.startswith("text/csv"):
        rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        return [row["slug"] for row in rows]
    return re.findall(r'data-slug="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("query", "same_as"), EMPTY_VALUES)
def test_an_empty_value_means_no_filter_and_is_dropped_among_others(
    client, story, path, query, same_as
):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200, response.content[:300]
    expected = client.get(f"{path}?{same_as}" if same_as else path)
    assert expected.status_code == 200
    assert _shown(response) == _shown(expected)
    assert _shown(response)  # every combination above matches something


@pytest.mark.parametrize("path", ["/", "/embed/", "/actors/x/"])
def test_an_empty_page_or_theme_on_a_page_is_the_first_page(client, story, path):
    # The API's page and page_size are typed integers in its schema, and stay strict there.
    assert client.get(f"{path}?page=&lanes=&theme=").status_code == 200


@pytest.mark.parametrize("path", ["/api/events.atom", "/api/events.rss", "/api/events.ics"])
def test_feeds_and_the_calendar_take_empty_values_too(client, story, path):
    assert client.get(f"{path}?actor=x&actor=&country=&start=2000-01-01").status_code == 200


def test_the_filterset_keeps_only_known_non_empty_parameters(story):
    data = QueryDict("actor=&actor=x&country=&country=IQ&q=&parentUrl=https://e.x/&zzz=1")
    filters = EventFilter(data, queryset=Event.objects.published())
    assert filters.is_valid(), filters.errors
    assert dict(filters.data.lists()) == {"actor": ["x"], "country": ["IQ"]}
    assert filters.query(page=2) == "actor=x&country=IQ&page=2"


@pytest.mark.parametrize("path", ["/api/events", "/embed/"])
def test_a_real_bad_value_beside_an_empty_one_is_still_refused(client, story, path):
    assert client.get(f"{path}?actor=&actor=nobody").status_code == 400


# Reflection ------------------------------------------------------------------------------------


@pytest.fixture
def many(make_event, make_actor):
    x = make_actor("X", slug="x")
    for n in range(3):
        make_event(f"Event number {n}", actors=(x,), country="IQ")


def _foreign(**more) -> str:
    params = QueryDict(mutable=True)
    params.update(
        {
            "parentUrl": HOSTILE,
            "childId": "zzzchild",
            "initialWidth": "zzzwidth",
            "parentTitle": "zzztitle",
            "zzz": "1",
            **more,
        }
    )
    return params.urlencode()


def _assert_nothing_reflected(body: bytes) -> None:
    text = body.decode()
    for needle in ("evil.example", "evil%2Eexample", "zzz"):
        assert needle not in text
        assert needle not in json.dumps(text)


@pytest.mark.parametrize(
    "path",
    [
        "/?",
        "/?actor=x&",
        "/timelines/us-iran-escalation-2019-2020/?country=IQ&",
        "/actors/x/?",
        "/embed/?actor=x&",
        "/embed/us-iran-escalation-2019-2020/?",
    ],
)
def test_pages_repeat_no_parameter_they_do_not_know(client, many, path, monkeypatch):
    # One event a page, so the pager and the "next events" link are written too.
    monkeypatch.setattr(browse, "PAGE_SIZE", 1)
    response = client.get(path + _foreign())
    fragment = client.get(
        path + _foreign(page="2"), headers={"HX-Request": "true", "HX-Target": "results"}
    )
    more = client.get(
        path + _foreign(page="2"), headers={"HX-Request": "true", "HX-Target": "more-events"}
    )
    for answer in (response, fragment, more):
        assert answer.status_code == 200
        _assert_nothing_reflected(answer.content)
    assert b'rel="prev"' in fragment.content or b"more-events" in fragment.content


@pytest.mark.parametrize("path", ["/api/events?actor=x&", "/api/actors?", "/api/sources?"])
def test_api_next_and_previous_links_carry_only_known_parameters(client, many, path):
    body = client.get(path + _foreign(page="2", page_size="1")).json()
    _assert_nothing_reflected(json.dumps(body).encode())
    if path.startswith("/api/events"):
        assert "actor=x" in body["next"] and "page_size=1" in body["next"]
        assert "page=3" in body["next"] and "page=1" in body["previous"]


def test_an_unknown_parameter_alone_is_not_reflected_by_the_event_list(client, many):
    response = client.get("/api/events?zzz=1&page_size=1")
    assert response.status_code == 200
    _assert_nothing_reflected(response.content)
    assert response.json()["next"]


def test_more_values_than_the_document_allows_are_refused_even_with_empty_ones(client, make_event):
    from timeline.filters import MAX_VALUES

    make_event("In Iraq", country="IQ")

    query = "&".join(["country=IQ"] * MAX_VALUES + ["country="])
    assert client.get(f"/api/events?{query}").status_code == 400
    assert client.get("/api/events?" + "&".join(["country=IQ"] * MAX_VALUES)).status_code == 200


def test_a_search_longer_than_the_document_allows_is_refused_even_if_blank(client, make_event):
    make_event("Live")
    assert client.get("/api/events", {"q": " " * 201}).status_code == 400
    assert client.get("/api/events", {"q": " " * 200}).status_code == 200
    assert client.get("/", {"q": "  live  "}).status_code == 200
