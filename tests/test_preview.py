import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from timeline.models import DataVersion

pytestmark = pytest.mark.django_db

VIEWS = ["preview-event", "preview-timeline", "preview-embed"]


@pytest.fixture
def draft(make_event):
    make_event("Already public")
    return make_event("Unannounced strike", status="draft")


@pytest.mark.parametrize("name", VIEWS)
def test_staff_see_a_draft_as_readers_will_private_and_unindexed(client, editor, draft, name):
    client.force_login(editor)
    response = client.get(reverse(name, args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unannounced strike" in html
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex' in html
    assert "ETag" not in response  # never went through the public cache


@pytest.mark.parametrize("name", VIEWS)
def test_previews_need_a_staff_login(client, draft, name):
    url = reverse(name, args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    reader = User.objects.create_user("reader", password="correct horse battery")
    client.force_login(reader)
    assert client.get(url).status_code == 302


def test_the_draft_stays_off_the_public_pages(client, editor, draft):
    client.force_login(editor)
    client.get(reverse("preview-event", args=[draft.pk]))
    assert client.get(f"/events/{draft.slug}/").status_code == 404
    assert "Unannounced strike" not in client.get("/").content.decode()


def test_the_timeline_preview_shows_the_draft_among_published_events(client, editor, draft):
    client.force_login(editor)
    response = client.get(reverse("preview-timeline", args=[draft.pk]))
    html = response.content.decode()
    assert "Already public" in html and "Unannounced strike" in html
    # Its marker and list entry open the preview, not the public page that does not exist yet.
    preview_url = reverse("preview-event", args=[draft.pk])
    assert f'href="{preview_url}"' in html
    traces = response.context["figure"]["data"]
    markers = [row[:2] for trace in traces for row in trace.get("customdata", [])]
    assert [draft.slug, preview_url] in markers


def test_a_preview_does_not_change_the_public_data_version(client, editor, draft):
    number = DataVersion.current().number
    client.force_login(editor)
    client.get(reverse("preview-timeline", args=[draft.pk]))
    assert DataVersion.current().number == number


def test_the_change_form_links_to_the_previews(client, editor, draft):
    client.force_login(editor)
    html = client.get(reverse("admin:timeline_event_change", args=[draft.pk])).content.decode()
    for name in VIEWS:
        assert reverse(name, args=[draft.pk]) in html


# Actors and sources are picked by autocomplete and added in a popup without leaving the event.


def test_editors_can_search_actors_and_sources_from_the_event_form(
    client, editor, source, make_actor
):
    make_actor("Kataib Hezbollah", kind="armed_group")
    client.force_login(editor)
    for model, field, term, found in [
        ("eventactor", "actor", "kataib", "Kataib Hezbollah"),
        ("citation", "source", "cnn", "CNN"),
    ]:
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": "timeline", "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200
        assert found in response.content.decode()


def test_editors_add_an_actor_in_the_popup_and_get_it_back_in_the_form(client, editor):
    client.force_login(editor)
    url = reverse("admin:timeline_actor_add") + "?_to_field=id&_popup=1"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"name": "Quds Force", "slug": "quds-force", "kind": "armed_group", "_popup": "1"},
    )
    assert response.status_code == 200
    assert "popup_response" in response.content.decode()
    assert "Quds Force" in response.content.decode()
