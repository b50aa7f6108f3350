"""The addresses of events, actors, sources and timelines, joined from a cached route, are the
ones Django's reverse() gives: under a script prefix, and refused for what is not a slug."""

import re

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from timeline.site import slug_url


@pytest.fixture
def prefix():
    set_script_prefix("/news/")
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("name", ["event", "actor", "source", "timeline", "embed"])
@pytest.mark.parametrize("slug", ["us-drone-strike", "a_b-2020", "x"])
def test_an_address_is_the_one_reverse_gives(name, slug):
    assert slug_url(name, slug) == reverse(name, args=[slug])


def test_an_address_under_a_script_prefix_carries_it(prefix):
    assert slug_url("event", "soleimani-killed") == "/news/events/soleimani-killed/"
    assert slug_url("event", "soleimani-killed") == reverse("event", args=["soleimani-killed"])


@pytest.mark.parametrize("script_prefix", ["/my app/", "/zeit-ü/", "/a%20b/", "/"])
def test_a_prefix_that_needs_encoding_is_encoded_as_reverse_encodes_it(script_prefix):
    try:
        set_script_prefix(script_prefix)
        for name in ("event", "actor"):
            assert slug_url(name, "abc") == reverse(name, args=["abc"])
    finally:
        set_script_prefix("/")
    # What was learnt under that prefix does not follow the next request under another.
    assert slug_url("event", "abc") == "/events/abc/"


@pytest.mark.parametrize("slug", ["", "a/b", "a b", "../x"])
def test_what_is_not_a_slug_is_refused_as_reverse_refuses_it(slug):
    with pytest.raises(NoReverseMatch):
        slug_url("event", slug)


@pytest.mark.django_db
def test_the_chart_and_the_list_open_events_under_the_script_prefix(client, prefix):
    """The reader's page joins its events' addresses once per render: under a script prefix
    they carry it, as reverse() would write them."""
    from django.core.management import call_command

    from tests.figures import event_traces, figure_of

    call_command("loaddata", "fixtures/us-iran-2019-2020.json", verbosity=0)
    response = client.get("/")
    urls = [row[1] for trace in event_traces(figure_of(response)) for row in trace["customdata"]]
    assert urls and all(url.startswith("/news/events/") for url in urls)
    links = re.findall(r'href="([^"]*/events/[^"]*)"', response.content.decode())
    assert links and all(link.startswith("/news/events/") for link in links)
