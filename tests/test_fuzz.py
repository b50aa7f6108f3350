"""No 500s: generated query strings, path segments, headers and oEmbed URLs on every public route.

Each answer must be below 500, and a 4xx must say something (an empty 400 helps nobody).
2,600 generated requests in all; the examples are not stored between runs.

A failure prints the falsifying example and, noted, the exact request that failed (path,
query, headers): paste that into `test_inputs_that_once_broke_something_answer_below_500`
to keep it. To replay the generated example itself, run with the "ci" profile (derandomised,
the same examples on every run, as CI draws them) and it also prints a blob:

    HYPOTHESIS_PROFILE=ci DEBUG=True .venv/bin/pytest tests/test_fuzz.py -k query_strings

    You can reproduce this test case by temporarily adding @reproduce_failure('6.x',
    b'...') as a decorator on your test function

Add that decorator (from hypothesis import reproduce_failure) above `@given` of the failing
test, run it, fix, and remove it. The profiles are registered in tests/conftest.py.
"""

import datetime as dt
import string
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from hypothesis import given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.routes import fill, public_routes
from timeline.filters import FIELD_NAMES

pytestmark = pytest.mark.django_db


def fuzz(examples: int):
    # One chronology per test, shared by its examples; they only read it. The deadline and
    # health checks come from the loaded profile (tests/conftest.py).
    return hypothesis_settings(max_examples=examples, database=None)


# The parameter names that views read, so garbage reaches real code, not only unknown keys.
KNOWN = [
    *FIELD_NAMES,
    "page_size",
    "theme",
    "url",
    "format",
    "maxwidth",
    "maxheight",
    "initialWidth",
    "childId",
    "parentUrl",
]
# Text that has broken parsers before: NUL, surrogate-free astral characters, RTL marks.
ANY_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)),
    max_size=40,
)
NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "%00",
        "%",
        "%zz",
        "%ff%fe",
        "\u202e",
        "𝕏",
        "-1",
        "0",
        "1e9",
        "99999999999999999999999",
        "9" * 5000,
        "2020-02-30",
        "0000-01-01",
        "9999-12-31",
        "1-1-1",
        "2020-1-3",
        "NaN",
        "true",
        "[]",
        "{}",
        "' OR 1=1 --",
        "<script>",
        "&amp;",
        "....//",
        "iran",
        "attack",
        "IQ",
        "actor",
        "dark",
        "json",
        "http://testserver/",
    ]
)
VALUES = st.one_of(ANY_TEXT, NASTY, st.integers(-(10**20), 10**20).map(str))
KEYS = st.one_of(st.sampled_from(KNOWN), ANY_TEXT, NASTY)
# Half the pairs aim at the parameters views read, with the nastiest values.
PAIRS = st.one_of(st.tuples(KEYS, VALUES), st.tuples(st.sampled_from(KNOWN), NASTY))
DATES = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))


@pytest.fixture
def routes(make_event, make_actor, source, timeline):
    """Every public route, filled with the slugs and ids of a small published chronology."""
    iran = make_actor("Iran")
    event = make_event("Strike", actors=(iran,), country="IQ")
    make_event("Answer", precision="month", end=event.start + dt.timedelta(days=40))
    values = {
        "slug": [event.slug, iran.slug, source.slug, timeline.slug],
        "int": [str(event.pk)],
    }
    addresses = sorted({a for route in public_routes() for a in fill(route, values)})
    assert "/" in addresses and "/oembed" in addresses and "/api/events" in addresses
    return addresses


def _get(client, path: str, headers: dict | None = None):
    """The request, noted first: a failure prints exactly what was sent."""
    note(f"request: GET {path!r} headers={headers or {}!r}")
    return client.get(path, headers=headers or {})


def _check(response, what: str) -> None:
    # oEmbed 1.0 itself asks for 501 when a format other than json is asked for.
    protocol = response.status_code == 501 and what.startswith("/oembed?")
    assert response.status_code < 500 or protocol, f"{what}: {response.status_code}"
    if 400 <= response.status_code < 500:
        body = b"".join(response) if response.streaming else response.content
        assert body.strip(), f"{what}: empty {response.status_code}"


def _query(pairs: list[tuple[str, str]], raw: bool) -> str:
    if raw:
        # As a hand-typed or broken client sends it: only what would end the query escaped.
        return "&".join(f"{quote(k, safe='=%+[]')}={quote(v, safe='=%+&')}" for k, v in pairs)
    return urlencode(pairs)


@fuzz(900)
@given(
    data=st.data(),
    pairs=st.lists(PAIRS, max_size=6),
    repeat=st.lists(st.sampled_from(["actor", "category", "country", "page"]), max_size=4),
    raw=st.booleans(),
    htmx=st.booleans(),
)
def test_query_strings_never_cause_a_server_error(client, routes, data, pairs, repeat, raw, htmx):
    path = data.draw(st.sampled_from(routes), label="path")
    pairs += [(name, data.draw(VALUES, label=name)) for name in repeat]
    query = _query(pairs, raw)
    headers = {"HX-Request": "true"} if htmx else {}
    response = _get(client, f"{path}?{query}", headers)
    _check(response, f"{path}?{query}")


SEGMENTS = st.one_of(
    ANY_TEXT.filter(lambda s: s not in ("", ".", "..")).map(lambda s: quote(s, safe="")),
    NASTY.map(lambda s: quote(s, safe="%")),
    st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=300),
)


@fuzz(600)
@given(data=st.data(), segment=SEGMENTS, suffix=st.sampled_from(["", "/", "/x/", ".json"]))
def test_path_segments_never_cause_a_server_error(client, routes, data, segment, suffix):
    template = data.draw(
        st.sampled_from(
            [
                "/timelines/{}/",
                "/events/{}/",
                "/actors/{}/",
                "/sources/{}/",
                "/embed/{}/",
                "/api/events/{}",
                "/api/actors/{}",
                "/api/{}",
                "/preview/events/{}/",
                "/{}",
            ]
        ),
        label="template",
    )
    path = template.format(segment) + suffix
    if path.startswith("/" + settings.ADMIN_PATH):
        return
    _check(_get(client, path), path)


def _http_date(moment: dt.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=60)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.one_of(st.sampled_from(["true", "false", ""]), HEADER_TEXT),
        "HX-Current-URL": st.one_of(
            st.sampled_from(["http://testserver/", "http://[::1", "javascript:x", "/?q=x"]),
            HEADER_TEXT,
        ),
        "HX-Target": st.one_of(
            st.sampled_from(["results", "more-events", "event-panel", ""]), HEADER_TEXT
        ),
        "HX-History-Restore-Request": st.sampled_from(["true", "false", "x"]),
        "HX-Trigger": HEADER_TEXT,
        "Accept": st.one_of(
            st.sampled_from(
                ["*/*", "application/json", "text/html;q=0.1, */*;q=x", "application/xml"]
            ),
            HEADER_TEXT,
        ),
        "Accept-Encoding": st.one_of(
            st.sampled_from(["gzip", "br, gzip;q=0", "identity", "*", "gzip" * 50]), HEADER_TEXT
        ),
        "If-None-Match": st.one_of(
            st.sampled_from(['"1-abc"', "*", 'W/"x"', '"', ",,,", '"1-' + "a" * 16 + '-gz"']),
            HEADER_TEXT,
        ),
        "If-Modified-Since": st.one_of(DATES.map(_http_date), HEADER_TEXT),
        "If-Unmodified-Since": st.one_of(DATES.map(_http_date), HEADER_TEXT),
        "Accept-Language": HEADER_TEXT,
        "Referer": HEADER_TEXT,
    },
)


@fuzz(500)
@given(data=st.data(), headers=HEADERS)
def test_headers_never_cause_a_server_error(client, routes, data, headers):
    path = data.draw(st.sampled_from(routes), label="path")
    response = _get(client, path, headers)
    _check(response, f"{path} {headers}")
    if headers.get("Accept-Encoding") == "gzip" and response.status_code == 200:
        assert response.get("Content-Encoding") in (None, "gzip")


PAGE_PATHS = st.one_of(
    st.sampled_from(
        [
            "/",
            "/?q=strike",
            "/?actor=iran&actor=nobody",
            "/timelines/us-iran-escalation-2019-2020/",
            "/timelines/nope/",
            "/actors/iran/",
            "/sources/cnn-stampede/",
            "/embed/",
            "/oembed",
            "/api/events",
            "/%00",
            "//evil.example/",
            "/events/",
            "/../../etc/passwd",
        ]
    ),
    SEGMENTS.map(lambda s: "/" + s),
    SEGMENTS.map(lambda s: "/events/" + s + "/"),
)
OEMBED_URLS = st.one_of(
    st.builds(
        lambda scheme, host, path, query: f"{scheme}://{host}{path}{query}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "javascript", ""]),
        st.sampled_from(
            ["testserver", "testserver:80", "evil.example", "[::1", "[::1]", "", "a@testserver"]
        ),
        PAGE_PATHS,
        st.one_of(st.just(""), VALUES.map(lambda v: "?q=" + v), VALUES.map(lambda v: "#" + v)),
    ),
    ANY_TEXT,
    NASTY,
)


@fuzz(600)
@given(
    url=OEMBED_URLS,
    extra=st.lists(
        st.tuples(st.sampled_from(["format", "maxwidth", "maxheight", "url"]), VALUES),
        max_size=3,
    ),
)
def test_oembed_urls_never_cause_a_server_error(client, routes, url, extra):
    query = urlencode([("url", url), *extra])
    _check(_get(client, f"/oembed?{query}"), f"/oembed?{query}")


# What the fuzzing found, kept as plain regressions so each run checks them on its database.
@pytest.mark.parametrize(
    "path",
    [
        "/api/events/%00",
        "/api/actors/a%00b",
        "/api/events/%E2%80%AE",
        "/?actor=%00",
        "/?category=%00&timeline=%00",
        "/api/events.csv?country=%00",
        "/oembed?url=http://[::1/",
        "/oembed?url=http://testserver/events/%00/",
        "/oembed?url=http://testserver/&format=",
        "/?page=99999999999999999999",
        "/api/events?page=99999999999999999999",
        "/?start=0000-01-01",
        "/?start=0001-01-01&end=9999-12-31",
    ],
)
def test_inputs_that_once_broke_something_answer_below_500(client, routes, path):
    _check(client.get(path), path)


def test_a_stale_if_unmodified_since_gets_412_with_a_reason(client, routes):
    response = client.get("/", headers={"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    assert response.status_code == 412
    assert b"changed" in response.content
