import datetime as dt

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec

from timeline.models import Actor, Claim, EventActor, EventLink, Source, Timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/openapi.json").json()


def _conforms(schema: dict, path: str, status: int, body) -> None:
    """Validate a response body against what the OpenAPI document says the path returns."""
    response = schema["paths"][path]["get"]["responses"][str(status)]
    target = response["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**target, "components": schema["components"]}).validate(body)


def test_the_openapi_document_is_valid_and_describes_every_endpoint(schema):
    validate_spec(schema)
    assert set(schema["paths"]) >= {
        "/api/events",
        "/api/events/{slug}",
        "/api/events.csv",
        "/api/events.ics",
        "/api/timelinejs.json",
        "/api/actors",
        "/api/actors/{slug}",
        "/api/sources",
        "/api/timelines",
    }


def test_every_filter_of_the_timeline_page_is_documented_for_the_event_list(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    assert {"q", "actor", "category", "country", "start", "end", "timeline"} <= set(parameters)
    assert parameters["actor"]["schema"]["type"] == "array"
    assert {"format": "date"} in parameters["start"]["schema"]["anyOf"]
    assert "lanes" not in parameters


def test_responses_match_the_schema(client, schema, make_event, make_actor, source):
    us = make_actor("United States")
    event = make_event("Strike", actors=(us,), place_name="Baghdad", country="IQ")
    Claim.objects.create(
        event=event, kind="injuries", value=11, value_max=16, text="11–16", source=source
    )
    make_event("Reply", start=dt.datetime(2020, 1, 8, tzinfo=dt.UTC))
    for path, url in [
        ("/api/events", "/api/events"),
        ("/api/events/{slug}", event.get_absolute_url().replace("/events/", "/api/events/")),
        ("/api/actors", "/api/actors"),
        ("/api/actors/{slug}", "/api/actors/united-states"),
        ("/api/sources", "/api/sources"),
        ("/api/timelines", "/api/timelines"),
    ]:
        response = client.get(url.rstrip("/"))
        assert response.status_code == 200, url
        _conforms(schema, path, 200, response.json())
    bad = client.get("/api/events?start=never")
    _conforms(schema, "/api/events", 400, bad.json())


def test_the_event_list_is_paginated_with_count_next_and_previous(client, make_event):
    for _ in range(5):
        make_event()
    first = client.get("/api/events?page_size=2").json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [e["slug"] for e in second["results"]] != [e["slug"] for e in first["results"]]
    assert "page_size=2" in second["next"] and second["previous"]
    last = client.get("/api/events?page_size=2&page=3").json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_events_come_in_chronological_order(client, make_event):
    later = make_event("Later", start=dt.datetime(2020, 1, 9, tzinfo=dt.UTC))
    earlier = make_event("Earlier", start=dt.datetime(2020, 1, 2, tzinfo=dt.UTC))
    slugs = [e["slug"] for e in client.get("/api/events").json()["results"]]
    assert slugs == [earlier.slug, later.slug]


def test_times_carry_the_offset_of_the_events_own_time_zone(client, make_event):
    # 22:00 UTC on 2 January is 01:00 on 3 January in Baghdad.
    event = make_event(
        start=dt.datetime(2020, 1, 2, 22, 0, tzinfo=dt.UTC),
        end=dt.datetime(2020, 1, 2, 23, 30, tzinfo=dt.UTC),
        precision="minute",
        end_precision="minute",
        timezone="Asia/Baghdad",
    )
    data = client.get(f"/api/events/{event.slug}").json()
    assert data["start"] == "2020-01-03T01:00:00+03:00"
    assert data["end"] == "2020-01-03T02:30:00+03:00"
    assert data["precision"] == "minute" and data["timezone"] == "Asia/Baghdad"


def test_an_event_carries_its_place_actors_citations_claims_and_links(
    client, make_event, make_actor, source
):
    irgc, irinn = make_actor("IRGC", kind="armed_group"), make_actor("IRINN", kind="media")
    attack = make_event("Attack", place_name="Erbil", country="IQ", latitude=36.2, longitude=44)
    reply = make_event("Reply", actors=(irgc,))
    EventLink.objects.create(from_event=reply, to_event=attack, kind="retaliation_for")
    Claim.objects.create(
        event=reply, kind="deaths", value=80, text="80 killed", source=source, attributed_to=irinn
    )
    data = client.get(f"/api/events/{reply.slug}").json()
    assert data["actors"] == [{"slug": "irgc", "name": "IRGC", "role": "perpetrator", "note": ""}]
    assert data["citations"][0]["source"]["publisher"] == "CNN"
    assert data["citations"][0]["quote"] == "A quoted passage."
    eighty = next(c for c in data["claims"] if c["value"] == 80)
    assert eighty["attributed_to"] == {"slug": "irinn", "name": "IRINN"}
    assert eighty["source"]["slug"] == source.slug
    assert data["links"] == [
        {
            "kind": "retaliation_for",
            "direction": "outgoing",
            "label": "Retaliation for",
            "event": attack.slug,
        }
    ]
    other_side = client.get(f"/api/events/{attack.slug}").json()
    assert other_side["links"][0]["direction"] == "incoming"
    assert other_side["links"][0]["label"] == "Answered by"
    assert other_side["place"] == {
        "name": "Erbil",
        "country": "IQ",
        "latitude": 36.2,
        "longitude": 44.0,
        "approximate": False,
    }
    assert other_side["places"] == [other_side["place"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=stampede", ["Kerman stampede"]),
        ("actor=iran", ["Kerman stampede"]),
        ("actor=iran&actor=united-states", ["Airport strike", "Kerman stampede"]),
        ("category=funeral", ["Kerman stampede"]),
        ("country=IR", ["Kerman stampede"]),
        ("start=2020-01-05", ["Kerman stampede"]),
        ("end=2020-01-05", ["Airport strike"]),
        ("timeline=other-chronology", ["Airport strike"]),
    ],
)
def test_the_timeline_page_filters_select_the_same_events_in_the_api(
    client, make_event, make_actor, query, expected
):
    from timeline.models import Category

    iran, us = make_actor("Iran"), make_actor("United States")
    funeral = Category.objects.create(name="Funeral", slug="funeral")
    strike = make_event(
        "Airport strike", actors=(us,), start=dt.datetime(2020, 1, 2, 22, tzinfo=dt.UTC)
    )
    make_event(
        "Kerman stampede",
        actors=(iran,),
        category=funeral,
        country="IR",
        start=dt.datetime(2020, 1, 7, 8, tzinfo=dt.UTC),
    )
    other = Timeline.objects.create(title="Other", slug="other-chronology", is_published=True)
    other.events.add(strike)
    titles = [e["title"] for e in client.get(f"/api/events?{query}").json()["results"]]
    assert titles == expected


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("start=never", "start"),
        ("start=2020-01-09&end=2020-01-01", "end"),
        ("actor=nobody", "actor"),
        ("category=nothing", "category"),
        ("country=XX", "country"),
        ("timeline=unpublished-draft", "timeline"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("page=99", "page"),
        ("page_size=1000", "page_size"),
    ],
)
def test_bad_parameters_get_a_400_with_a_json_body_naming_the_parameter(
    client, make_event, query, parameter
):
    make_event("Live")
    Timeline.objects.create(title="Draft", slug="unpublished-draft")
    response = client.get(f"/api/events?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert parameter in response.json()["errors"]


def test_bad_parameters_on_the_other_lists_get_a_400_too(client):
    for url in ["/api/actors?page=0", "/api/sources?page_size=x", "/api/timelines?page=-1"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json()["errors"]


def test_drafts_and_events_in_review_appear_in_no_api_response(
    client, make_event, make_actor, source
):
    live = make_event("Live")
    secret_actor = make_actor("Secret general")
    secret_source = Source.objects.create(publisher="Tip-off", title="Leak", slug="leak")
    draft = make_event("Draft story", status="draft", actors=(secret_actor,))
    draft.citations.create(source=secret_source)
    review = make_event("Story in review", status="review")
    EventLink.objects.create(from_event=live, to_event=draft, kind="led_to")

    body = client.get("/api/events").content.decode()
    assert "Live" in body
    assert "Draft story" not in body and "Story in review" not in body
    assert draft.slug not in body
    assert client.get(f"/api/events/{draft.slug}").status_code == 404
    assert client.get(f"/api/events/{review.slug}").status_code == 404
    assert client.get(f"/api/events/{live.slug}").json()["links"] == []
    assert "Secret general" not in client.get("/api/actors").content.decode()
    assert client.get("/api/actors/secret-general").status_code == 404
    assert "Tip-off" not in client.get("/api/sources").content.decode()


def test_actors_list_those_the_published_record_names_with_their_parent(
    client, make_event, make_actor
):
    irgc = make_actor("IRGC", kind="armed_group")
    quds = make_actor("Quds Force", kind="armed_group", parent=irgc)
    make_event(actors=(quds,))
    data = client.get("/api/actors").json()
    assert [a["slug"] for a in data["results"]] == ["irgc", "quds-force"]
    quds_data = client.get("/api/actors/quds-force").json()
    assert quds_data["parent"] == {"slug": "irgc", "name": "IRGC"}
    assert client.get(quds_data["events"]).json()["count"] == 1


def test_timelines_list_published_ones_with_their_count_of_published_events(
    client, make_event, timeline
):
    make_event("Live")
    make_event("Draft", status="draft")
    Timeline.objects.create(title="Unpublished", slug="unpublished")
    data = client.get("/api/timelines").json()
    assert [(t["slug"], t["event_count"]) for t in data["results"]] == [(timeline.slug, 1)]
    assert client.get(data["results"][0]["events"]).json()["count"] == 1


def _many_events(make_event, make_actor, source, count: int) -> None:
    actors = [make_actor(f"Actor {n}") for n in range(3)]
    previous = None
    for n in range(count):
        event = make_event(actors=(actors[n % 3],))
        Claim.objects.create(
            event=event, kind="statement", text="said", source=source, attributed_to=actors[0]
        )
        EventActor.objects.create(event=event, actor=actors[(n + 1) % 3], role="target")
        if previous:
            EventLink.objects.create(from_event=event, to_event=previous, kind="led_to")
        previous = event


@pytest.mark.parametrize("count", [5, 100])
@pytest.mark.parametrize(
    "url",
    [
        "/api/events?page_size=200",
        "/api/events?actor=actor-1&q=event&timeline=us-iran-escalation-2019-2020",
        "/api/events.csv",
        "/api/events.ics",
        "/api/timelinejs.json",
        "/api/actors",
        "/api/sources",
        "/api/timelines",
    ],
)
def test_lists_run_a_fixed_number_of_queries_however_many_events(
    client, make_event, make_actor, source, django_assert_max_num_queries, count, url
):
    _many_events(make_event, make_actor, source, count)
    # Validating each filter value costs a query or two; nothing grows with the events.
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200


def test_api_responses_are_cached_and_answer_conditional_requests(client, make_event):
    event = make_event("Live")
    first = client.get("/api/events")
    assert first["Cache-Control"] == (
        "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400"
    )
    again = client.get("/api/events", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""

    event.title = "Corrected"
    event.save()
    fresh = client.get("/api/events", headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200
    assert fresh.json()["results"][0]["title"] == "Corrected"


def test_errors_are_not_kept_by_caches(client):
    assert client.get("/api/events?start=never")["Cache-Control"] == "no-cache"


def test_the_docs_page_loads_swagger_from_this_site_not_a_cdn(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/api/openapi.json" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_an_actor_only_on_drafts_is_not_listed_even_via_claims(client, make_event, make_actor):
    spokesman = make_actor("Spokesman")
    draft = make_event("Draft", status="draft")
    Claim.objects.create(
        event=draft,
        kind="statement",
        text="x",
        source=draft.citations.get().source,
        attributed_to=spokesman,
    )
    assert Actor.objects.count() == 1
    assert client.get("/api/actors").json()["count"] == 0


def test_pages_past_the_last_and_their_links_keep_their_shape(client, make_event):
    for _ in range(3):
        make_event()
    past = client.get("/api/events?page_size=2&page=3")
    assert past.status_code == 400
    assert past.json() == {
        "detail": "Invalid parameter: page.",
        "errors": {"page": ["The last page is 2."]},
    }
    first = client.get("/api/events?page_size=2&junk=1&q=&timeline=us-iran-escalation-2019-2020")
    assert list(first.json()) == ["count", "next", "previous", "results"]
    assert first.json()["next"] == (
        "http://testserver/api/events?timeline=us-iran-escalation-2019-2020&page_size=2&page=2"
    )
    actors = client.get("/api/actors?page_size=1&actor=x").json()
    assert actors["next"] is None or "actor=" not in actors["next"]
