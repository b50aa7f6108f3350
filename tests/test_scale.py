"""Past a few hundred events the chart shows counts per bin; the list comes 50 at a time."""

import datetime as dt
import os
import re
import threading

import pytest
from django.core.management import call_command

from tests.figures import density_cells, drawn_slugs
from tests.figures import drawn_markers as _markers
from tests.figures import figure_of as _figure
from timeline.models import Citation, Event, EventActor
from timeline.reader import browse

pytestmark = pytest.mark.django_db


def _listed(response) -> list[str]:
    return re.findall(r'<article class="event-card" id="event-([^"]+)"', response.content.decode())


@pytest.fixture
def small_limits(monkeypatch):
    """The real limits scaled down, so a few dozen events behave like a hundred thousand."""
    monkeypatch.setattr(browse, "DETAIL_LIMIT", 10)
    monkeypatch.setattr(browse, "TOP_EVENTS", 4)
    monkeypatch.setattr(browse, "PAGE_SIZE", 5)
    monkeypatch.setattr(browse, "MAX_MARKERS", 60)
    monkeypatch.setattr(browse, "MAX_LANES", 3)


@pytest.fixture
def many(make_event):
    def make(count: int, days: int = 1) -> list[Event]:
        first = dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC)
        return [
            make_event(
                start=first + dt.timedelta(days=(i * days) // max(count, 1)), importance=1 + i % 5
            )
            for i in range(count)
        ]

    return make


def test_few_events_are_each_drawn(client, small_limits, many):
    many(8, days=30)
    figure = _figure(client.get("/"))
    assert figure["layout"]["meta"]["aggregated"] is False
    assert _markers(figure) == 8


def test_many_events_become_counts_per_bin_plus_the_most_important(client, small_limits, many):
    events = many(30, days=60)
    response = client.get("/")
    figure = _figure(response)
    meta = figure["layout"]["meta"]
    assert meta["aggregated"] is True
    assert meta["events"] == 4
    drawn = set(drawn_slugs(figure))
    most_important = sorted(events, key=lambda e: (-e.importance, e.start, e.pk))[:4]
    assert drawn == {e.slug for e in most_important}
    counted = sum(
        int(re.match(r"([\d,]+) event", h).group(1).replace(",", "")) for h in density_cells(figure)
    )
    assert counted == 30
    assert "30 events from" in response.content.decode()
    assert "zoom in to see each" in response.content.decode()


def test_the_figure_never_holds_more_markers_than_the_cap(client, small_limits, many):
    many(40, days=400)
    assert _markers(_figure(client.get("/"))) <= 60


@pytest.mark.parametrize(
    ("days", "expected"),
    [(30, "day"), (200, "week"), (900, "month"), (8000, "year")],
)
def test_the_bin_follows_the_visible_range(days, expected):
    first = dt.date(2020, 1, 1)
    assert browse._bin_for(first, first + dt.timedelta(days=days)) == expected


def test_a_date_range_narrows_the_bins_and_brings_back_single_events(client, small_limits, many):
    events = many(30, days=300)
    wide = _figure(client.get("/"))
    assert wide["layout"]["meta"]["aggregated"] is True
    day = events[0].local_start_date.isoformat()
    narrow = _figure(client.get(f"/?start={day}&end={day}"))
    assert narrow["layout"]["meta"]["aggregated"] is False
    assert narrow["layout"]["xaxis"]["range"] == [f"{day}T00:00", f"{day}T23:59"]


def test_the_list_comes_a_page_at_a_time_with_a_real_next_link(client, small_limits, many):
    events = many(12, days=12)
    first = client.get("/")
    assert _listed(first) == [e.slug for e in events[:5]]
    html = first.content.decode()
    assert 'href="/?page=2"' in html and 'hx-trigger="revealed, click"' in html
    second = client.get("/?page=2")
    assert _listed(second) == [e.slug for e in events[5:10]]
    assert 'rel="prev"' in second.content.decode()


def test_scrolling_loads_only_the_next_items(client, small_limits, many):
    events = many(12, days=12)
    more = client.get("/?page=3", headers={"HX-Request": "true", "HX-Target": "more-events"})
    html = more.content.decode()
    assert _listed(more) == [e.slug for e in events[10:12]]
    assert "<html" not in html and 'id="timeline-figure"' not in html
    assert 'id="more-events"' not in html  # the last page has no further link


def test_scrolling_at_scale_does_not_draw_the_chart_again(client, small_limits, many):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    events = many(30, days=300)
    more = {"HX-Request": "true", "HX-Target": "more-events"}
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/?page=2", headers=more)
    assert _listed(response) == [e.slug for e in events[5:10]]
    assert 'hx-get="/?page=3"' in response.content.decode()
    # Neither the chart's counts per bin nor a count of every match: one row past the page
    # says whether there is a next one.
    assert not [q["sql"] for q in captured if "GROUP BY" in q["sql"] or "COUNT(" in q["sql"]]
    with CaptureQueriesContext(connection) as whole:
        fragment = client.get("/?page=2", headers={"HX-Request": "true", "HX-Target": "results"})
    assert _figure(fragment)["layout"]["meta"]["aggregated"] is True
    assert len(captured) < len(whole)


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_a_bad_page_number_is_a_400(client, many, page):
    many(3)
    assert client.get(f"/?page={page}").status_code == 400


def test_aggregated_pages_run_the_same_queries_at_any_size(client, small_limits, many):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> list[int]:
        counts = []
        for path, headers in [
            ("/", {}),
            ("/?lanes=actor", {}),
            ("/embed/", {}),
            ("/?q=event", {"HX-Request": "true"}),
        ]:
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path, headers=headers).status_code == 200
            counts.append(len(captured))
        return counts

    many(15, days=90)
    small = queries()
    many(60, days=90)
    assert queries() == small
    assert max(small) <= 18


def test_seed_demo_creates_published_events_with_their_relations(db):
    call_command(
        "seed_demo", events=120, seed=7, timeline="demo-test", stdout=open("/dev/null", "w")
    )
    events = Event.objects.published().filter(timelines__slug="demo-test")
    assert events.count() == 120
    sample = events.with_related().first()
    assert sample.citations.all() and sample.event_actors.all()
    assert sample.local_start_date is not None


def test_seeded_events_in_many_batches_each_name_their_own_actors_source_and_timeline(
    db, monkeypatch, make_event
):
    from timeline.management.commands import seed_demo

    # The newest event deleted: its id is not given to a seeded one (its history is kept
    # under it), though no row holds it any more.
    gone = make_event("Deleted before the seed")
    gone_id = gone.pk
    gone.delete()
    monkeypatch.setattr(seed_demo, "BATCH", 7)  # batches made in a thread while others load
    call_command("seed_demo", events=30, seed=9, timeline="demo-test", stdout=open(os.devnull, "w"))
    events = Event.objects.filter(timelines__slug="demo-test").prefetch_related(
        "event_actors", "citations", "timelines"
    )
    assert events.count() == 30
    assert min(e.pk for e in events) > gone_id
    for event in events:
        assert sorted(r.role for r in event.event_actors.all()) == ["perpetrator", "target"]
        assert len(event.citations.all()) == 1
        assert [t.slug for t in event.timelines.all()] == ["demo-test"]


@pytest.mark.parametrize("where", ["making a batch", "storing a batch"])
def test_a_seed_that_fails_part_way_is_raised_and_leaves_nothing(db, monkeypatch, where):
    from timeline.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "BATCH", 5)
    if where == "making a batch":
        made = seed_demo.Command._events

        def failing(self, rng, batch, *args):
            if batch.start >= 10:
                raise RuntimeError("broke")
            return made(self, rng, batch, *args)

        monkeypatch.setattr(seed_demo.Command, "_events", failing)
    else:
        stored = seed_demo.Rows.insert
        calls = []

        def failing(self, values, ids=None):
            calls.append(self.model)
            if len(calls) > 5:  # the second batch's events, once the first is stored
                raise RuntimeError("broke")
            return stored(self, values, ids)

        monkeypatch.setattr(seed_demo.Rows, "insert", failing)
    # Looked at as the error leaves the load, while its frames (and batches) are still held.
    seeded, running = seed_demo.Command._seed, []

    def watched(self, *args):
        try:
            return seeded(self, *args)
        finally:
            running.extend(t.name for t in threading.enumerate() if t.name == "seed-batches")

    monkeypatch.setattr(seed_demo.Command, "_seed", watched)
    before = Event.objects.count()
    with pytest.raises(RuntimeError, match="broke"):
        call_command("seed_demo", events=60, timeline="demo-test", stdout=open(os.devnull, "w"))
    assert Event.objects.count() == before
    assert not Citation.objects.exists() and not EventActor.objects.exists()
    # The thread making batches has stopped, though it was ahead of the one that failed.
    assert running == []


def _indexes() -> dict:
    from django.db import connection

    from timeline.models import Citation, Claim, EventActor, Timeline

    models = (Event, EventActor, Citation, Claim, Timeline.events.through)
    with connection.cursor() as cursor:
        return {
            m._meta.db_table: connection.introspection.get_constraints(cursor, m._meta.db_table)
            for m in models
        }


def test_seeded_events_carry_what_a_save_derives_and_the_tables_keep_their_indexes(db):
    from timeline.models import DERIVED

    before = _indexes()
    call_command(
        "seed_demo", events=60, seed=5, timeline="demo-test", stdout=open("/dev/null", "w")
    )
    assert _indexes() == before
    for event in Event.objects.filter(timelines__slug="demo-test")[:30]:
        stored = {name: getattr(event, name) for name in DERIVED}
        event.set_local_dates()
        assert stored == {name: getattr(event, name) for name in DERIVED}


def test_counts_are_drawn_only_for_the_lanes_with_most_events(client, small_limits, make_event):
    from timeline.models import Category

    first = dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC)
    sizes = {"Protest": 9, "Strike": 7, "Statement": 5, "Sanction": 2, "Funeral": 1}
    for name, count in sizes.items():
        kind = Category.objects.create(name=name, slug=name.lower(), colour="#336699")
        for i in range(count):
            make_event(f"{name} {i}", category=kind, start=first + dt.timedelta(days=7 * i))

    figure = _figure(client.get("/"))
    assert figure["layout"]["meta"]["aggregated"] is True
    lanes = {h.rsplit(" · ", 1)[1] for h in density_cells(figure)}
    assert lanes == {"Protest", "Strike", "Statement"}  # MAX_LANES is 3 here


@pytest.mark.parametrize(
    "path",
    [
        "/api/events.rss",
        "/api/events.atom",
        "/api/events",
        "/api/events.csv",
        "/api/events.ics",
        "/api/timelinejs.json",
        "/api/actors",
        "/api/sources",
    ],
)
def test_feeds_and_exports_run_the_same_queries_for_more_events(client, many, path):
    """A reader's feed or calendar of fifty entries costs what one of ten does: no entry reads
    a field its query left out (a query per entry and field)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    many(10, days=30)
    fewer = queries()
    many(40, days=30)
    assert queries() == fewer


@pytest.mark.parametrize("limits", ["every event drawn", "counts per bin"])
def test_reader_pages_run_the_same_queries_for_more_events(
    client, make_event, make_actor, source, request, limits
):
    """Each reader's page, drawn event by event or as counts, costs the same number of queries
    for forty-five events as for fifteen: no card, mark, slide or place reads what its query
    left out."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from timeline.models import EventPlace

    if limits == "counts per bin":
        request.getfixturevalue("small_limits")
    actor = make_actor("Iran")
    paths = [
        "/",
        "/?view=map",
        "/?lanes=actor",
        "/?q=event",
        "/story/",
        "/embed/",
        "/embed/?view=map",
        f"/actors/{actor.slug}/",
        f"/sources/{source.slug}/",
    ]

    def make(count: int) -> None:
        for i in range(count):
            event = make_event(
                actors=(actor,),
                start=dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=i * 3),
                place_name="Baghdad",
                latitude=33.3,
                longitude=44.4,
            )
            EventPlace.objects.create(event=event, name="Erbil", latitude=36.2, longitude=44.0)

    def queries() -> dict[str, int]:
        counts = {}
        for path in paths:
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200, path
            counts[path] = len(captured)
        return counts

    make(15)
    fewer = queries()
    make(30)
    assert queries() == fewer
