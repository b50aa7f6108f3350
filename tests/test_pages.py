import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_published_events_in_chronological_order(client, make_event):
    later = make_event("The later one")
    # A year back by days, not replace(year=…): the counter's dates can fall on 29 February.
    earlier = make_event("The earlier one", start=later.start - dt.timedelta(days=365))
    html = client.get("/").content.decode()
    assert html.index("The earlier one") < html.index("The later one")
    assert earlier.local_period in html


def test_drafts_and_events_in_review_never_appear_on_home(client, make_event):
    make_event("Live event")
    make_event("Secret draft", status="draft")
    make_event("Under review", status="review")
    html = client.get("/").content.decode()
    assert "Live event" in html
    assert "Secret draft" not in html
    assert "Under review" not in html


def test_home_without_a_published_timeline_says_so(client, make_event, timeline):
    make_event("Live event")
    timeline.is_published = False
    timeline.save()
    response = client.get("/")
    assert response.status_code == 200
    assert "No timeline yet" in response.content.decode()


def test_healthz_answers_ok_after_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_a_draft_event_page_is_not_found(client, make_event):
    draft = make_event(status="draft")
    assert client.get(reverse("event", args=[draft.slug])).status_code == 404


def test_editor_text_is_escaped_on_the_page(client, make_event):
    make_event("<img src=x onerror=alert(1)>")
    html = client.get("/").content.decode()
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
