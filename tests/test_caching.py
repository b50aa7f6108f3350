import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_public_pages_say_how_long_they_may_be_kept(client, make_event):
    make_event("Live")
    response = client.get("/")
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert response["ETag"] and response["Last-Modified"]
    assert "HX-Request" in response["Vary"]


def test_a_repeat_request_with_the_etag_gets_304_without_a_body(client, make_event):
    make_event("Live")
    etag = client.get("/?q=live")["ETag"]
    again = client.get("/?q=live", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_the_page_and_the_fragment_have_different_etags(client, make_event):
    make_event("Live")
    page = client.get("/")["ETag"]
    assert client.get("/", headers={"HX-Request": "true"})["ETag"] != page


def test_list_items_and_the_whole_fragment_of_one_address_are_cached_apart(client, make_event):
    make_event("Live")
    items = client.get("/", headers={"HX-Request": "true", "HX-Target": "more-events"})
    assert b'id="timeline-figure"' not in items.content
    results = client.get("/", headers={"HX-Request": "true", "HX-Target": "results"})
    assert b'id="timeline-figure"' in results.content
    assert results["ETag"] != items["ETag"]
    assert "HX-Target" in results["Vary"]


def test_publishing_changes_the_etag_and_the_next_reader_sees_the_event(
    client, publisher, make_event
):
    make_event("Already live")
    draft = make_event("Breaking news", status="review")
    first = client.get("/")
    assert "Breaking news" not in first.content.decode()

    client.force_login(publisher)
    client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    client.logout()

    stale = client.get("/", headers={"If-None-Match": first["ETag"]})
    assert stale.status_code == 200
    assert stale["ETag"] != first["ETag"]
    assert "Breaking news" in stale.content.decode()


def test_editing_a_published_event_is_seen_at_once(client, make_event):
    event = make_event("Old headline", summary="A summary.")
    assert "Old headline" in client.get(event.get_absolute_url()).content.decode()
    event.title = "Corrected headline"
    event.save()
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Corrected headline" in html and "Old headline" not in html


def test_unpublishing_removes_the_event_from_cached_pages(client, make_event):
    event = make_event("Retracted")
    assert "Retracted" in client.get("/").content.decode()
    event.status = "review"
    event.save()
    assert "Retracted" not in client.get("/").content.decode()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_bad_requests_are_not_kept(client, make_event):
    make_event("Live")
    response = client.get("/?start=never")
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-cache"


def test_readers_who_accept_gzip_get_the_page_compressed_once_per_version(client, make_event):
    import gzip

    make_event("Live event")
    for _ in range(2):  # the first render and the cached copy
        response = client.get("/", headers={"Accept-Encoding": "gzip, br"})
        assert response["Content-Encoding"] == "gzip"
        assert "Live event" in gzip.decompress(response.content).decode()
    plain = client.get("/")
    assert "Content-Encoding" not in plain and "Live event" in plain.content.decode()
    assert plain["ETag"] != response["ETag"]
    assert "Accept-Encoding" in plain["Vary"]
