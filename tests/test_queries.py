import datetime as dt

import pytest

from timeline.models import Event, EventActor

pytestmark = pytest.mark.django_db


def test_published_leaves_out_drafts_and_events_in_review(make_event):
    live = make_event(status="published")
    make_event(status="draft")
    make_event(status="review")
    assert list(Event.objects.published()) == [live]


def test_in_range_compares_local_dates_inclusively(make_event):
    # 00:30 on 3 January in Baghdad: 2 January in UTC.
    airport = make_event(start=dt.datetime(2020, 1, 2, 21, 30, tzinfo=dt.UTC))
    make_event(start=dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.UTC))
    assert list(Event.objects.in_range(dt.date(2020, 1, 3), dt.date(2020, 1, 3))) == [airport]
    assert airport not in Event.objects.in_range(None, dt.date(2020, 1, 2))


def test_in_range_keeps_events_that_overlap_the_range(make_event):
    siege = make_event(
        start=dt.datetime(2019, 12, 30, 21, tzinfo=dt.UTC),
        end=dt.datetime(2019, 12, 31, 21, tzinfo=dt.UTC),
        precision="day",
    )
    assert siege in Event.objects.in_range(dt.date(2020, 1, 1), None)
    assert siege not in Event.objects.in_range(dt.date(2020, 1, 2), None)


def test_for_actors_matches_any_actor_and_returns_each_event_once(make_event, make_actor):
    us, iran, iraq = make_actor("United States"), make_actor("Iran"), make_actor("Iraq")
    both = make_event(actors=(us, iran))
    EventActor.objects.create(event=both, actor=us, role="target")
    only_iran = make_event(actors=(iran,))
    make_event(actors=(iraq,))
    found = list(Event.objects.for_actors([us, "iran"]).chronological())
    assert found == [both, only_iran]


def _render_list(queryset) -> list[tuple]:
    return [
        (
            e.title,
            e.category.name,
            [r.actor.name for r in e.event_actors.all()],
            e.source_count,
            [c.attribution for c in e.claims.all()],
        )
        for e in queryset
    ]


@pytest.mark.parametrize("count", [5, 50])
def test_with_related_loads_a_list_in_a_fixed_number_of_queries(
    make_event, make_actor, django_assert_max_num_queries, count
):
    actor = make_actor("Iran")
    for _ in range(count):
        make_event(actors=(actor,))
    with django_assert_max_num_queries(5):
        rows = _render_list(Event.objects.published().with_related())
    assert len(rows) == count
