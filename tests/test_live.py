"""Live pages: an open page's check answers 304 while nothing public changed, and says how many
events are new or changed in its own view once something did."""

import re

import pytest

from timeline.models import Event

pytestmark = pytest.mark.django_db


def _live_url(client, path: str = "/") -> str:
    html = client.get(path).content.decode()
    found = re.search(r'<span id="live-source" data-src="([^"]+)" data-every="(\d+)"', html)
    assert found, f"no live check on {path}"
    return found.group(1).replace("&amp;", "&")


def _check(client, url: str, etag: str | None = None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(url, headers=headers)


def test_the_check_answers_304_across_a_draft_save_and_200_after_a_publish(client, make_event):
    make_event("Already there")
    url = _live_url(client)
    first = _check(client, url)
    assert first.status_code == 200
    assert first.json() == {"new": 0, "updated": 0}
    etag = first["ETag"]
    assert _check(client, url, etag).status_code == 304

    draft = make_event("Not yet", status="draft")
    draft.summary = "Still being written."
    draft.save()
    assert _check(client, url, etag).status_code == 304  # the desk at work wakes nobody

    draft.status = Event.Status.PUBLISHED
    draft.save()
    after = _check(client, url, etag)
    assert after.status_code == 200
    assert after.json() == {"new": 1, "updated": 0}


def test_an_edit_to_a_shown_event_is_counted_as_updated(client, make_event):
    event = make_event("Toll")
    url = _live_url(client)
    etag = _check(client, url)["ETag"]
    event.summary = "At least 56 died."
    event.save()
    answer = _check(client, url, etag)
    assert answer.json() == {"new": 0, "updated": 1}


def test_the_check_counts_only_the_pages_own_view(client, make_event, category):
    from timeline.models import Category

    other = Category.objects.create(name="Politics", slug="politics", colour="#444444")
    make_event("Strike")
    url = _live_url(client, f"/?category={category.slug}")
    etag = _check(client, url)["ETag"]
    make_event("Vote", category=other)
    answer = _check(client, url, etag)
    assert answer.status_code == 200  # something public changed…
    assert answer.json() == {"new": 0, "updated": 0}  # …but nothing in this view


def test_the_actor_page_and_the_embed_check_too(client, make_event, make_actor):
    actor = make_actor("IRGC")
    make_event("Strike", actors=(actor,))
    for path in (actor.get_absolute_url(), "/embed/"):
        url = _live_url(client, path)
        assert url.startswith(path)
        assert _check(client, url).json() == {"new": 0, "updated": 0}


def test_an_as_of_view_is_the_past_and_does_not_poll(client, make_event):
    make_event("Strike")
    assert 'id="live-source"' not in client.get("/?as_of=2020-01-01").content.decode()


def test_the_check_may_be_kept_only_briefly(client, make_event):
    make_event("Strike")
    url = _live_url(client)
    first = _check(client, url)
    assert first["Cache-Control"] == "public, max-age=5"
    assert _check(client, url, first["ETag"])["Cache-Control"] == "public, max-age=5"
    assert "max-age=60" in client.get("/")["Cache-Control"]


@pytest.mark.parametrize("value", ["yesterday", "nan", "-1", "1e300"])
def test_a_live_value_that_is_not_a_time_is_a_400(client, make_event, value):
    make_event("Strike")
    response = client.get("/", {"live": value})
    assert response.status_code == 400
    assert "seconds since 1970" in response.json()["detail"]


def test_an_event_published_again_is_new_to_a_page_drawn_while_it_was_down(
    client, make_event, publisher
):
    from timeline.desk import workflow

    event = make_event("Strike")
    first_published = event.published_at
    workflow.move(event.pk, event.version, Event.Status.DRAFT, publisher)
    url = _live_url(client)
    etag = _check(client, url)["ETag"]
    workflow.move(event.pk, event.version + 1, Event.Status.PUBLISHED, publisher)
    assert Event.objects.get(pk=event.pk).published_at == first_published
    assert _check(client, url, etag).json() == {"new": 1, "updated": 0}
