"""Public responses name what they show, so a CDN in front can purge exactly what a change
changes (Fastly's Surrogate-Key, Cloudflare's Cache-Tag), and nothing else."""

import datetime as dt
import logging
import re

import pytest

from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _keys(response) -> set[str]:
    space = set(response["Surrogate-Key"].split())
    assert space == set(response["Cache-Tag"].split(",")), "both headers name the same keys"
    return space


def _shown(response) -> str:
    # The live check's address carries when the data last changed; everything else is what
    # the reader sees.
    return re.sub(r"live=[0-9.]+", "live=…", response.content.decode())


def test_every_public_response_names_the_site_and_what_it_shows(client, make_event, timeline):
    first, second = make_event(), make_event()
    pages = {
        "/": {"site", f"timeline-{timeline.slug}"},
        f"/timelines/{timeline.slug}/": {"site", f"timeline-{timeline.slug}"},
        "/embed/": {"site", f"timeline-{timeline.slug}"},
        f"/events/{first.slug}/": {
            "site",
            f"event-page-{first.slug}",
            f"event-{first.slug}",
            f"event-{second.slug}",  # named as the next event
        },
        f"/story/{second.slug}/": {"site", f"timeline-{timeline.slug}", f"event-{second.slug}"},
        "/api/events": {"site", "events"},
        "/api/events.atom": {"site", "events"},
        f"/api/events/{first.slug}": {"site", f"event-{first.slug}"},
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert _keys(response) == expected, path
        # A reader served from the cache gets the same names.
        assert _keys(client.get(path)) == expected, path


def test_a_publish_is_purged_by_the_keys_of_exactly_the_pages_it_changes(
    client, make_event, timeline, caplog
):
    other = Timeline.objects.create(title="Elsewhere", slug="elsewhere", is_published=True)
    day = dt.datetime(2020, 1, 5, 12, tzinfo=UTC)
    before = make_event(start=day)
    after = make_event(start=day + dt.timedelta(days=2))
    far = make_event(start=day + dt.timedelta(days=20))
    # A draft on the other timeline, dated between two of this one's events.
    draft = make_event(start=day + dt.timedelta(days=1), status="draft", on_timeline=False)
    other.events.add(draft)
    paths = [
        f"/timelines/{timeline.slug}/",
        f"/embed/{timeline.slug}/",
        "/timelines/elsewhere/",
        f"/events/{before.slug}/",
        f"/events/{after.slug}/",
        f"/events/{far.slug}/",
        "/api/events",
    ]
    then = {path: client.get(path) for path in paths}

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="timeline.cache"):
        draft.status = Event.Status.PUBLISHED
        draft.save()
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("purge ")]
    purged = set(line.split()[1:])

    for path in paths:
        now = client.get(path)
        changed = _shown(now) != _shown(then[path])
        named = bool(_keys(then[path]) & purged)
        assert changed == named, f"{path}: changed {changed}, purged {named}"
    # The pages that name it: the other timeline, the events now beside it, the lists.
    assert {"timeline-elsewhere", f"event-page-{before.slug}", f"event-page-{after.slug}"} <= purged
    assert f"timeline-{timeline.slug}" not in purged


def test_a_draft_saved_purges_nothing(make_event, caplog):
    draft = make_event(status="draft")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="timeline.cache"):
        draft.title = "Still a draft"
        draft.save()
    assert not [r for r in caplog.records if r.getMessage().startswith("purge ")]
