import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_public_pages_say_how_long_they_may_be_kept(client, make_event):
    make_event("Live")
    response = client.get("/")
    assert response["Cache-Control"] == (
        "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400"
    )
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


def test_a_draft_saved_changes_no_etag_but_a_publish_does(client, make_event):
    make_event("Live")
    draft = make_event("Desk work", status="draft")
    before = client.get("/")["ETag"]
    draft.summary = "Rewritten at 3 a.m."
    draft.save()
    draft.citations.get().delete()
    make_event("Another draft", status="draft")
    assert client.get("/")["ETag"] == before  # nobody polling can see the desk at work
    draft.status = "published"
    draft.save()
    assert client.get("/")["ETag"] != before


def test_an_edit_to_a_published_record_changes_the_etag(client, make_event, source):
    make_event("Live")
    before = client.get("/")["ETag"]
    source.title = "Stampede report, corrected"
    source.save()
    assert client.get("/")["ETag"] != before


def test_a_forged_forwarded_proto_does_not_change_what_plain_readers_get(client, make_event):
    make_event("Live")
    for _ in range(6):
        client.get("/api/events.rss", headers={"X-Forwarded-Proto": "https"})
    plain = client.get("/api/events.rss").content.decode()
    assert "https://testserver" not in plain
    assert "http://testserver/events/" in plain


def test_unknown_parameters_and_targets_make_no_new_cache_entries(client, make_event):
    make_event("Live")
    page = client.get("/")
    assert client.get("/?zzz=1&utm_source=newsletter")["ETag"] == page["ETag"]
    fragment = client.get("/", headers={"HX-Request": "true", "HX-Target": "results"})
    for target in ("x" * 40, "nonsense", ""):
        other = client.get("/", headers={"HX-Request": "true", "HX-Target": target})
        assert other["ETag"] != page["ETag"]
        assert other.content == client.get("/", headers={"HX-Request": "true"}).content
    assert fragment["ETag"] != page["ETag"]


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [
        ("gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, deflate", False),
        ("br, gzip;q=0.5", True),
        ("*", True),
        ("*;q=0", False),
        ("identity", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(client, make_event, accept, gzipped):
    make_event("Live")
    response = client.get("/api/events", headers={"Accept-Encoding": accept})
    assert (response.get("Content-Encoding") == "gzip") is gzipped


def test_with_the_database_down_a_cached_answer_is_served_and_others_get_503(
    client, make_event, monkeypatch
):
    from django.db import OperationalError

    from timeline.models import DataVersion

    make_event("Live")
    kept = client.get("/api/events")
    assert kept.status_code == 200

    def down():
        raise OperationalError("the database is unreachable")

    monkeypatch.setattr(DataVersion, "current", staticmethod(down))
    again = client.get("/api/events")
    assert again.status_code == 200
    assert again.content == kept.content
    assert "stale-if-error" in again["Cache-Control"]
    never_kept = client.get("/api/events?q=strike")
    assert never_kept.status_code == 503
    assert int(never_kept["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/", "/embed/", "/api/events", "/api/events.atom"])
def test_an_ignored_parameter_sent_first_is_not_in_what_plain_readers_get(client, make_event, path):
    make_event("Live")
    poisoned = f"{path}?parentUrl=https://evil.example/x&childId=evil-frame&zzz=evil"
    client.get(poisoned, headers={"X-Forwarded-Proto": "https"})
    plain = client.get(path).content.decode()
    assert "evil" not in plain


@pytest.mark.parametrize("part", ["place", "actor", "citation", "figure"])
def test_a_part_added_to_a_published_event_is_on_the_next_page(
    client, make_event, make_actor, source, part
):
    """Parts are saved apart from their event (the desk's inlines, an import): each one moves
    the version, or the cached page would go on without it."""
    from timeline.models import Citation, Claim, EventActor, EventPlace, Source

    event = make_event("Strike")
    before = client.get("/")
    if part == "place":
        EventPlace.objects.create(event=event, name="Karbala", country="IQ")
        shown = "Karbala"
    elif part == "actor":
        EventActor.objects.create(event=event, actor=make_actor("Hezbollah"), role="ordered")
        shown = "Hezbollah"
    elif part == "citation":
        other = Source.objects.create(publisher="Reuters", title="Report", slug="reuters-report")
        Citation.objects.create(event=event, source=other, quote="Quoted.")
        shown = "2 sources"
    else:
        given = dt.datetime(2020, 1, 2, tzinfo=dt.UTC)
        Claim.objects.create(
            event=event, kind="deaths", value=9, text="9", source=source, reported_at=given
        )
        shown = "9 dead"
    after = client.get("/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert shown in after.content.decode()
