import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from timeline.models import DataVersion, Timeline

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


def test_the_embed_preview_keeps_its_filters_and_theme_as_the_public_embed_does(
    client, editor, draft
):
    client.force_login(editor)
    url = reverse("preview-embed", args=[draft.pk])
    response = client.get(url, {"category": draft.category.slug, "theme": "dark"})
    html = response.content.decode()
    # Typing in the frame's search box sends these along, so the view keeps its category.
    assert f'<input type="hidden" name="category" value="{draft.category.slug}">' in html
    assert '<input type="hidden" name="theme" value="dark">' in html
    assert client.get(url, {"theme": "sepia"}).status_code == 400


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


# The banner on every preview tells the truth about the event's state and its timelines.


def _banner(response) -> str:
    html = response.content.decode()
    match = re.search(r'<aside class="preview-banner[^"]*".*?</aside>', html, re.S)
    assert match, "no preview banner"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(0)).split())


@pytest.mark.parametrize("name", VIEWS)
def test_every_preview_of_a_draft_says_readers_cannot_see_it_yet(client, editor, draft, name):
    client.force_login(editor)
    banner = _banner(client.get(reverse(name, args=[draft.pk])))
    assert "Draft" in banner
    assert "Readers cannot see this event yet" in banner


@pytest.mark.parametrize("name", VIEWS)
def test_a_scheduled_events_preview_says_when_it_goes_live(client, editor, make_event, name):
    soon = timezone.now() + dt.timedelta(days=2)
    event = make_event("Embargoed report", publish_at=soon.replace(hour=18, minute=30))
    client.force_login(editor)
    banner = _banner(client.get(reverse(name, args=[event.pk])))
    assert "Scheduled" in banner
    assert f"goes live on {soon:%-d %b %Y}, 18:30 UTC" in banner


@pytest.mark.parametrize("name", VIEWS)
def test_a_live_events_preview_says_it_is_live_not_hidden(client, editor, make_event, name):
    event = make_event("Already out")
    client.force_login(editor)
    banner = _banner(client.get(reverse(name, args=[event.pk])))
    assert "readers cannot see" not in banner.lower()
    assert "Live. Readers see this event now" in banner
    assert "staff preview" in banner.lower()


def test_the_timeline_preview_shows_the_timeline_the_draft_is_on(
    client, editor, make_event, timeline
):
    other = Timeline.objects.create(title="Gulf shipping", slug="gulf-shipping", is_published=True)
    make_event("On the main timeline")
    shipping = make_event("Tanker seized", on_timeline=False)
    other.events.add(shipping)
    draft = make_event("Mine found on a tanker", status="draft", on_timeline=False)
    other.events.add(draft)
    client.force_login(editor)
    response = client.get(reverse("preview-timeline", args=[draft.pk]))
    assert response.context["timeline"] == other
    html = response.content.decode()
    assert "Tanker seized" in html and "Mine found on a tanker" in html
    assert "On the main timeline" not in html
    assert "Shown on “Gulf shipping”" in _banner(response)


@pytest.mark.parametrize("name", ["preview-timeline", "preview-embed"])
def test_an_event_on_several_timelines_names_the_one_shown_and_links_to_the_others(
    client, editor, draft, timeline, name
):
    other = Timeline.objects.create(title="Gulf shipping", slug="gulf-shipping", is_published=True)
    other.events.add(draft)
    client.force_login(editor)
    response = client.get(reverse(name, args=[draft.pk]))
    banner = _banner(response)
    assert f"Shown on “{timeline.title}”" in banner
    switch = reverse(f"{name}-on", args=[draft.pk, other.slug])
    assert f'href="{switch}"' in response.content.decode()

    chosen = client.get(switch)
    assert chosen.status_code == 200
    assert chosen.context["timeline"] == other
    assert "Shown on “Gulf shipping”" in _banner(chosen)
    assert "Unannounced strike" in chosen.content.decode()


def test_a_timeline_the_event_is_not_on_cannot_be_chosen(client, editor, draft):
    Timeline.objects.create(title="Elsewhere", slug="elsewhere", is_published=True)
    client.force_login(editor)
    url = reverse("preview-timeline-on", args=[draft.pk, "elsewhere"])
    assert client.get(url).status_code == 404


def test_an_unpublished_timeline_is_shown_with_a_warning(client, editor, make_event):
    hidden = Timeline.objects.create(title="Not yet out", slug="not-yet-out")
    event = make_event("Quiet event", status="draft", on_timeline=False)
    hidden.events.add(event)
    client.force_login(editor)
    response = client.get(reverse("preview-timeline", args=[event.pk]))
    assert response.context["timeline"] == hidden
    assert "“Not yet out” is not published either" in _banner(response)


@pytest.mark.parametrize("name", VIEWS)
def test_an_event_on_no_timeline_says_so_plainly(client, editor, make_event, name):
    make_event("On the main timeline")
    event = make_event("Orphan draft", status="draft", on_timeline=False)
    client.force_login(editor)
    response = client.get(reverse(name, args=[event.pk]))
    assert "It is not on any timeline yet: tick one on its form" in _banner(response)
    if name != "preview-event":
        assert response.context["timeline"].title == "All published events"


def test_the_banner_links_back_to_the_events_form(client, editor, draft):
    client.force_login(editor)
    response = client.get(reverse("preview-event", args=[draft.pk]))
    form = reverse("admin:timeline_event_change", args=[draft.pk])
    assert f'href="{form}"' in response.content.decode()


def test_the_public_pages_have_no_preview_banner(client, make_event):
    event = make_event("Public")
    for url in ["/", f"/events/{event.slug}/", "/embed/"]:
        assert "preview-banner" not in client.get(url).content.decode(), url
