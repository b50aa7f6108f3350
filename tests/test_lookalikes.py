"""The desk warns before a second copy of a source or an actor splits the sourcing in two."""

import pytest
from django.urls import reverse

from timeline.models import Actor, Source

pytestmark = pytest.mark.django_db


def _source_form(**fields) -> dict:
    return {
        "publisher": "Wikipedia",
        "title": "Attack on the United States embassy in Baghdad",
        "slug": "wikipedia-embassy-again",
        "url": "https://en.wikipedia.org/wiki/Attack_on_the_United_States_embassy_in_Baghdad",
        "published": "",
        "kind": "reference",
        "language": "en",
        **fields,
    }


@pytest.fixture
def on_file(db) -> Source:
    return Source.objects.create(
        publisher="Wikipedia",
        title="Attack on the United States embassy in Baghdad",
        slug="wikipedia-embassy",
        url="https://en.wikipedia.org/wiki/Attack_on_the_United_States_embassy_in_Baghdad",
        kind="reference",
    )


def test_a_source_at_an_address_already_on_file_is_refused_with_a_link_to_it(
    client, editor, on_file
):
    client.force_login(editor)
    typed = "http://WWW.en.wikipedia.org/wiki/Attack_on_the_United_States_embassy_in_Baghdad/"
    response = client.post(reverse("admin:timeline_source_add"), _source_form(url=typed))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Already on file as" in html
    assert reverse("admin:timeline_source_change", args=[on_file.pk]) in html
    assert Source.objects.count() == 1
    confirmed = _source_form(url=typed, not_a_copy="on")
    assert client.post(reverse("admin:timeline_source_add"), confirmed).status_code == 302
    assert Source.objects.count() == 2


def test_an_actor_with_nearly_the_same_name_is_refused_but_a_different_one_is_not(client, editor):
    Actor.objects.create(name="Islamic Revolutionary Guards Corps", slug="irgc", kind="armed_group")
    Actor.objects.create(name="Iran", slug="iran", kind="state")
    client.force_login(editor)
    add = reverse("admin:timeline_actor_add")
    form = {"name": "Islamic Revolutionary Guard Corps", "slug": "irgc-2", "kind": "armed_group"}
    response = client.post(add, form)
    assert response.status_code == 200
    assert "Already on file as" in response.content.decode()
    iraq = {"name": "Iraq", "slug": "iraq", "kind": "state"}
    assert client.post(add, iraq).status_code == 302


def test_the_source_picker_tells_sources_of_one_publisher_apart(client, editor, on_file):
    Source.objects.create(
        publisher="Wikipedia",
        title="2019 K-1 Air Base attack",
        slug="wikipedia-k1",
        kind="reference",
    )
    client.force_login(editor)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "timeline", "model_name": "citation", "field_name": "source", "term": "Wiki"},
    )
    labels = sorted(item["text"] for item in response.json()["results"])
    assert labels == [
        "Wikipedia — 2019 K-1 Air Base attack",
        "Wikipedia — Attack on the United States embassy in Baghdad",
    ]
