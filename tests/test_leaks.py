"""Drafts never leak: not on a page, in a fragment, a file, a feed, the API, an embed or oEmbed.

Every text field of a draft, an event in review and a scheduled event (published, but not
until next week) holds a marker word. The test walks every URL pattern with real slugs and
ids, crawls every same-site link from the home page and the API, and asks oEmbed about every
page: the marker is nowhere, and the hidden things' own addresses are 404.
"""

import datetime as dt
import json
import re
from collections import deque
from html import unescape
from urllib.parse import unquote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from tests.routes import fill, public_routes
from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    EventLink,
    Source,
    Timeline,
)

pytestmark = pytest.mark.django_db

MARK = "zqxhidden"
# The only country a hidden event happened in; its name must not show up in any facet.
HIDDEN_COUNTRY = ("KP", "Korea")
CRAWL_LIMIT = 400


def _marked(kind: str, field: str) -> str:
    return f"{MARK}{kind}{field} and more words"


@pytest.fixture
def world(make_event, make_actor, source, timeline):
    """Published events that link to, share a timeline with and sit beside hidden ones."""
    iran = make_actor("Iran")
    public = make_event("Public strike", actors=(iran,), country="IQ")
    later = make_event("Public answer", actors=(iran,))
    hidden_category = Category.objects.create(
        name=f"{MARK} category", slug="hidden-category", description=MARK
    )
    hidden = {"event": [], "actor": [], "source": []}
    kinds = [
        ("draft", Event.Status.DRAFT, None),
        ("review", Event.Status.REVIEW, None),
        ("scheduled", Event.Status.PUBLISHED, timezone.now() + dt.timedelta(days=7)),
    ]
    for kind, status, publish_at in kinds:
        actor = Actor.objects.create(
            name=_marked(kind, "actor"),
            slug=f"hidden-{kind}-actor",
            kind="person",
            aliases=_marked(kind, "alias"),
            description=_marked(kind, "actordescription"),
        )
        cited = Source.objects.create(
            publisher=_marked(kind, "publisher"),
            title=_marked(kind, "sourcetitle"),
            slug=f"hidden-{kind}-source",
            url=f"https://example.com/{MARK}{kind}",
        )
        event = Event.objects.create(
            title=_marked(kind, "title"),
            slug=f"hidden-{kind}",
            summary=_marked(kind, "summary"),
            body=_marked(kind, "body"),
            start=public.start + dt.timedelta(minutes=30),
            timezone="Asia/Pyongyang",
            place_name=_marked(kind, "place"),
            country=HIDDEN_COUNTRY[0],
            category=hidden_category,
            importance=5,
            status=status,
            publish_at=publish_at,
            image_url=f"https://example.com/{MARK}{kind}.jpg",
            image_caption=_marked(kind, "caption"),
            image_credit=_marked(kind, "credit"),
            image_alt=_marked(kind, "alt"),
        )
        Citation.objects.create(
            event=event, source=cited, quote=_marked(kind, "quote"), note=_marked(kind, "note")
        )
        Claim.objects.create(
            event=event,
            kind="statement",
            text=_marked(kind, "claim"),
            source=cited,
            attributed_to=actor,
        )
        EventActor.objects.create(event=event, actor=actor, role="target", note=_marked(kind, "n"))
        EventActor.objects.create(event=event, actor=iran, role="perpetrator")
        EventLink.objects.create(from_event=event, to_event=public, kind="retaliation_for")
        EventLink.objects.create(from_event=later, to_event=event, kind="led_to")
        # On the published timeline, as an editor would put it before publishing.
        timeline.events.add(event)
        hidden["event"].append(event)
        hidden["actor"].append(actor)
        hidden["source"].append(cited)
    _public_records_that_point_at_hidden_ones(make_actor, public, later, iran, hidden)
    unpublished = Timeline.objects.create(
        title=f"{MARK} timeline", slug="hidden-timeline", description=f"{MARK} description"
    )
    unpublished.events.add(public, later)
    hidden["timeline"] = [unpublished]
    hidden["category"] = [hidden_category]
    return {"public": [public, later], "hidden": hidden, "iran": iran}


def _public_records_that_point_at_hidden_ones(make_actor, public, later, iran, hidden) -> None:
    """Published records whose relations reach things only drafts name: a parent body, a
    source behind a draft's claim, a category and links only drafts use."""
    draft_actor, review_actor, scheduled_actor = hidden["actor"]
    # Public only through a claim, part of a body only a draft names.
    claimant = make_actor("Public claimant", kind="media", parent=draft_actor)
    Claim.objects.create(
        event=public,
        kind="statement",
        text="Said so",
        source=public.citations.get().source,
        attributed_to=claimant,
    )
    # Public through a role, part of a body only an event in review names.
    iran.parent = review_actor
    iran.save()
    # A public body with no event of its own (shown as the member's parent), itself part of a
    # body only a scheduled event names.
    body = make_actor("Public body", kind="organisation", parent=scheduled_actor)
    member = make_actor("Public member", kind="person", parent=body)
    EventActor.objects.create(event=later, actor=member, role="participant")
    # A source only a draft's claim cites, and a draft in the hidden category linked both ways.
    draft = hidden["event"][0]
    behind_claim = Source.objects.create(
        publisher=_marked("claimonly", "publisher"),
        title=_marked("claimonly", "sourcetitle"),
        slug="hidden-claim-only-source",
    )
    Claim.objects.create(event=draft, kind="deaths", value=3, text="3", source=behind_claim)
    hidden["source"].append(behind_claim)


def _assert_clean(response, where: str) -> None:
    text = response.content.decode(errors="replace")
    for form in (text, unquote(text), unescape(text)):
        found = re.search(rf".{{0,60}}{MARK}.{{0,60}}", form, re.IGNORECASE | re.DOTALL)
        assert not found, f"{where} leaks: …{found.group(0)}…"
        assert HIDDEN_COUNTRY[1] not in form, f"{where} names the hidden event's country"
    assert MARK not in str(response.headers), f"{where} leaks in a header"


def _get(client, path: str, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code < 500, f"{path}: {response.status_code}"
    _assert_clean(response, path)
    return response


def _values(world) -> dict[str, list[str]]:
    slugs = [
        *Event.objects.values_list("slug", flat=True),
        *Actor.objects.values_list("slug", flat=True),
        *Source.objects.values_list("slug", flat=True),
        *Timeline.objects.values_list("slug", flat=True),
        *Category.objects.values_list("slug", flat=True),
    ]
    ids = [str(pk) for pk in Event.objects.values_list("pk", flat=True)]
    return {"slug": sorted(set(slugs)), "int": ids}


def _hidden_addresses(world) -> list[str]:
    hidden = world["hidden"]
    return [
        *(e.get_absolute_url() for e in hidden["event"]),
        *(f"/api/events/{e.slug}" for e in hidden["event"]),
        *(a.get_absolute_url() for a in hidden["actor"]),
        *(f"/api/actors/{a.slug}" for a in hidden["actor"]),
        *(s.get_absolute_url() for s in hidden["source"]),
        "/timelines/hidden-timeline/",
        "/embed/hidden-timeline/",
    ]


def test_the_hidden_things_own_addresses_are_not_found(client, world):
    for path in _hidden_addresses(world):
        response = _get(client, path)
        assert response.status_code == 404, path
        response = _get(client, path, **{"HX-Request": "true"})
        assert response.status_code == 404, f"{path} (htmx)"


def test_every_url_pattern_with_every_slug_and_id_shows_no_hidden_text(client, world):
    routes = list(public_routes())
    assert len(routes) >= 20
    addresses = [a for route in routes for a in fill(route, _values(world))]
    assert len(addresses) > 100
    statuses = {}
    for path in addresses:
        statuses[path] = _get(client, path).status_code
    assert statuses["/"] == 200 and statuses["/api/events"] == 200
    # Staff previews exist for hidden events; anonymous readers are sent to log in.
    assert all(
        statuses[path] in (302, 404)
        for path in statuses
        if path.startswith("/preview/") and path.split("/")[3] in _ids(world)
    )


def _ids(world) -> set[str]:
    return {str(e.pk) for e in world["hidden"]["event"]}


def test_filtering_by_a_hidden_actor_category_or_timeline_names_none_of_them(client, world):
    hidden = world["hidden"]
    queries = [
        {"actor": hidden["actor"][0].slug},
        {"actor": [hidden["actor"][2].slug, world["iran"].slug]},
        {"category": "hidden-category"},
        {"timeline": "hidden-timeline"},
        {"country": HIDDEN_COUNTRY[0]},
        {"q": "more words"},
        {"q": "Pyongyang"},
        {"lanes": "actor", "start": "2019-01-01"},
    ]
    paths = [
        "/",
        "/embed/",
        "/api/events",
        "/api/events.csv",
        "/api/events.ics",
        "/api/timelinejs.json",
        "/api/events.atom",
        "/api/events.rss",
        world["iran"].get_absolute_url(),
    ]
    for query in queries:
        for path in paths:
            address = f"{path}?{urlencode(query, doseq=True)}"
            response = _get(client, address)
            # Refused (400) or answered without them: either way nothing hidden is named.
            assert response.status_code in (200, 400), address
            if path == "/":
                _get(client, address, **{"HX-Request": "true", "HX-Target": "results"})


def _links(response, path: str) -> list[str]:
    text = response.content.decode(errors="replace")
    if response["Content-Type"].startswith("application/json"):
        found = re.findall(r'"(http://testserver/[^"]*)"', text)
    elif "html" in response["Content-Type"] or "xml" in response["Content-Type"]:
        found = re.findall(r'(?:href|src|hx-get)="([^"]+)"', text)
    else:
        found = []
    links = []
    for link in found:
        link = unescape(link)
        parts = urlsplit(link)
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/static/", "/" + settings.ADMIN_PATH)):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def test_a_crawl_of_every_same_site_link_from_home_and_the_api_finds_no_hidden_text(client, world):
    queue, seen = (
        deque(["/", "/api/events", "/api/actors", "/api/sources", "/api/timelines"]),
        set(),
    )
    while queue and len(seen) < CRAWL_LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = _get(client, path)
        if response.status_code == 200:
            queue.extend(link for link in _links(response, path) if link not in seen)
        if path.startswith(("/events/", "/actors/")) and response.status_code == 200:
            _get(client, path, **{"HX-Request": "true"})
    # The crawl reached the public pages, the exports and the feeds through links alone.
    reached = {urlsplit(path).path for path in seen}
    for public in world["public"]:
        assert public.get_absolute_url() in reached
    assert {"/api/events.csv", "/api/events.ics", "/api/events.atom", "/api/timelinejs.json"} <= (
        reached
    )
    assert world["iran"].get_absolute_url() in reached
    assert not reached & set(_hidden_addresses(world))


def test_oembed_knows_nothing_of_hidden_pages(client, world):
    pages = ["/", *(e.get_absolute_url() for e in world["public"])]
    pages += _hidden_addresses(world)
    pages += [f"/?actor={a.slug}" for a in world["hidden"]["actor"]]
    for page in pages:
        query = urlencode({"url": f"http://testserver{page}", "format": "json"})
        response = _get(client, f"/oembed?{query}")
        if page in _hidden_addresses(world):
            assert response.status_code == 404, page
        if response.status_code == 200:
            answer = json.loads(response.content)
            assert MARK not in answer["title"]


def test_the_api_counts_and_links_only_what_readers_can_see(client, world, timeline):
    timelines = client.get("/api/timelines").json()["results"]
    published_here = timeline.events.published().count()
    assert [t["event_count"] for t in timelines] == [published_here]
    later = client.get(f"/api/events/{world['public'][1].slug}").json()
    assert later["links"] == []
    public = client.get(f"/api/events/{world['public'][0].slug}").json()
    assert public["links"] == []


def test_a_public_actor_names_no_parent_that_only_drafts_name(client, world):
    for slug in ("public-claimant", "iran", "public-body"):
        page = _get(client, f"/actors/{slug}/")
        assert page.status_code == 200, slug
        assert "Part of" not in page.content.decode(), slug
        assert client.get(f"/api/actors/{slug}").json()["parent"] is None, slug
    member = client.get("/api/actors/public-member").json()
    assert member["parent"] == {"slug": "public-body", "name": "Public body"}
    listed = {a["slug"] for a in client.get("/api/actors?page_size=200").json()["results"]}
    assert {"public-claimant", "iran", "public-body", "public-member"} <= listed
    assert not listed & {a.slug for a in world["hidden"]["actor"]}
