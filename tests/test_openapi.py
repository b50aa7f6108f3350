"""/api/openapi.json says exactly what the server does: every response type, every 4xx.

Schemathesis, an independent client, runs `st run --checks all` against the live app with the
real fixtures, bounded by a fixed seed and example count so it fits the test budget.
"""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SEED = 1
# Per API operation and phase; about a minute for all of them on the CI machine.
MAX_EXAMPLES = 20


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/openapi.json").json()


def _declared(schema: dict, path: str, status: int) -> dict:
    responses = schema["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{path} gives {status}, which its schema does not declare"
    target = responses[str(status)]["content"]["application/json"]["schema"]
    return {**target, "components": schema["components"]}


def _conforms(schema: dict, path: str, response) -> None:
    target = _declared(schema, path, response.status_code)
    jsonschema.Draft202012Validator(target).validate(response.json())


def test_the_timelinejs_export_is_declared_as_the_object_it_is(
    client, schema, make_event, make_actor
):
    make_event("Point in time")
    span = make_event(
        "A span",
        start=dt.datetime(2020, 1, 3, tzinfo=dt.UTC),
        end=dt.datetime(2020, 1, 5, tzinfo=dt.UTC),
        image_url="https://example.com/a.jpg",
        image_caption="Caption",
        image_credit="Credit",
        image_alt="Alt",
    )
    ok = _declared(schema, "/api/timelinejs.json", 200)
    assert ok["$ref"].endswith("/TimelineJsOut")
    response = client.get("/api/timelinejs.json")
    slides = {slide["unique_id"]: slide for slide in response.json()["events"]}
    assert response.json()["eras"] and slides[span.slug]["media"]["alt"] == "Alt"
    _conforms(schema, "/api/timelinejs.json", response)


@pytest.mark.parametrize(
    ("path", "address", "status"),
    [
        ("/api/events/{slug}", "/api/events/no-such-event", 404),
        ("/api/events/{slug}", "/api/events/not%20a%20slug", 404),
        ("/api/actors/{slug}", "/api/actors/no-such-actor", 404),
        ("/api/events", "/api/events?actor=no-such-actor", 400),
        ("/api/events", "/api/events?page=99", 400),
        ("/api/events", "/api/events?start=2020-02-01&end=2020-01-01", 400),
        ("/api/actors", "/api/actors?page=2", 400),
        ("/api/sources", "/api/sources?page=2", 400),
        ("/api/timelines", "/api/timelines?page=2", 400),
        ("/api/timelinejs.json", "/api/timelinejs.json?country=ZZ", 400),
        ("/api/events.csv", "/api/events.csv?timeline=no-such-timeline", 400),
        ("/api/events.ics", "/api/events.ics?category=no-such-category", 400),
    ],
)
def test_every_4xx_the_api_gives_is_declared_with_its_body(
    client, schema, make_event, path, address, status
):
    make_event("Live")
    response = client.get(address)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    _conforms(schema, path, response)


def test_empty_dates_are_declared_as_accepted(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/events"]["get"]["parameters"]}
    date = parameters["start"]["schema"]
    assert {"format": "date"} in date["anyOf"] and {"maxLength": 0} in date["anyOf"]


@pytest.mark.schemathesis
def test_schemathesis_finds_nothing_with_every_check(live_server, seeded):
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{live_server.url}/api/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout, report
