"""The figure built from events, without a request: marks, rows, lanes, links and cards."""

import datetime as dt

import pytest

from timeline.models import Category, Claim, EventActor, EventLink
from timeline.reader import charts

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _marks(figure: dict) -> dict[str, dict]:
    return {mark["slug"]: mark for mark in figure["layout"]["meta"]["marks"]}


def _figure(events, **kwargs) -> dict:
    return charts.timeline_figure(events, **kwargs)


def test_a_clock_time_is_a_point_and_a_day_a_bar_over_the_whole_day(make_event):
    minute = make_event(start=dt.datetime(2020, 1, 8, 2, 42, tzinfo=UTC), precision="minute")
    day = make_event(start=dt.datetime(2020, 1, 4, 21, 0, tzinfo=UTC), precision="day")
    marks = _marks(_figure([minute, day]))
    assert marks[minute.slug]["point"] and marks[minute.slug]["x0"] == "2020-01-08T05:42"
    assert not marks[day.slug].get("point")
    assert (marks[day.slug]["x0"], marks[day.slug]["x1"]) == (
        "2020-01-05T00:00",
        "2020-01-06T00:00",
    )


def test_an_hour_is_drawn_at_its_middle_and_a_part_of_the_day_over_its_hours(make_event):
    hour = make_event(start=dt.datetime(2020, 1, 2, 21, 0, tzinfo=UTC), precision="hour")
    early = make_event(
        start=dt.datetime(2020, 1, 7, 21, 0, tzinfo=UTC), precision="day", part_of_day="early_hours"
    )
    marks = _marks(_figure([hour, early]))
    assert marks[hour.slug]["point"] and marks[hour.slug]["x0"] == "2020-01-03T00:30"
    assert (marks[early.slug]["x0"], marks[early.slug]["x1"]) == (
        "2020-01-08T00:00",
        "2020-01-08T06:00",
    )


def test_events_on_the_same_day_in_one_lane_are_dodged_onto_rows(make_event):
    same_day = dt.datetime(2020, 1, 4, 21, 0, tzinfo=UTC)
    one, two = make_event(start=same_day), make_event(start=same_day)
    later = make_event(start=same_day + dt.timedelta(days=3))
    marks = _marks(_figure([one, two, later]))
    assert marks[one.slug]["y"] != marks[two.slug]["y"]
    # A lane only grows as far as it must: the later event goes back to the first row.
    assert marks[later.slug]["y"] == marks[one.slug]["y"]


def test_points_too_close_to_tell_apart_get_rows_of_their_own(make_event):
    start = dt.datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
    near = [
        make_event(start=start + dt.timedelta(minutes=20 * i), precision="minute") for i in range(3)
    ]
    far = make_event(start=start + dt.timedelta(days=30), precision="minute")
    rows = {mark["y"] for mark in _marks(_figure(near + [far])).values()}
    assert len(rows) == 3


def test_lanes_follow_the_editors_order_then_first_appearance(make_event):
    first = Category.objects.create(name="Zeta", slug="zeta", colour="#1f6feb")
    second = Category.objects.create(name="Alpha", slug="alpha", colour="#2e7d32")
    start = dt.datetime(2020, 1, 1, tzinfo=UTC)
    events = [
        make_event(category=first, start=start),
        make_event(category=second, start=start + dt.timedelta(days=1)),
    ]
    assert _figure(events)["layout"]["meta"]["lane_names"] == ["Zeta", "Alpha"]
    first.order = 2
    first.save()
    for event in events:
        event.category.refresh_from_db()
    assert _figure(events)["layout"]["meta"]["lane_names"] == ["Alpha", "Zeta"]


def test_actor_lanes_keep_the_eight_most_involved_and_group_the_rest(make_event, make_actor):
    actors = [make_actor(f"Actor {i:02d}") for i in range(12)]
    events = []
    for i, actor in enumerate(actors):
        # Actor 00 is in 12 events, Actor 01 in 11, … so the first eight are the most involved.
        for _ in range(12 - i):
            events.append(make_event(actors=(actor,)))
    for event in events:
        event.refresh_from_db()
    figure = _figure(events, lanes="actor")
    names = figure["layout"]["meta"]["lane_names"]
    assert names[:8] == [f"Actor {i:02d}" for i in range(8)]
    assert names[8:] == ["Others"]
    others = len(names) - 1
    in_others = [m for m in figure["layout"]["meta"]["marks"] if m["lane"] == others]
    assert len(in_others) == sum(12 - i for i in range(8, 12))


def test_links_are_lines_styled_by_kind_pointing_forward_in_time(make_event):
    start = dt.datetime(2020, 1, 1, tzinfo=UTC)
    cause = make_event(start=start)
    effect = make_event(start=start + dt.timedelta(days=2))
    context = make_event(start=start + dt.timedelta(days=4))
    links = [
        EventLink.objects.create(from_event=effect, to_event=cause, kind="retaliation_for"),
        EventLink.objects.create(from_event=effect, to_event=context, kind="context"),
    ]
    figure = _figure([cause, effect, context], links=links)
    drawn = {t["name"]: t for t in figure["data"] if t.get("mode") == "lines+markers"}
    assert drawn["Retaliation for"]["line"]["dash"] == "dash"
    assert drawn["Context"]["line"]["dash"] == "dot"
    for trace in drawn.values():
        start_x, middle, end_x, _ = trace["x"]
        assert start_x < middle < end_x
        assert trace["marker"]["size"][1] > 0 and trace["marker"]["symbol"] == "arrow"
    assert figure["layout"]["meta"]["link_kinds"] == ["context", "retaliation_for"]


def test_the_card_leads_with_the_death_toll_and_who_gave_it(make_event, source, make_actor):
    event = make_event("Stampede at the funeral")
    event.claims.all().delete()
    irinn = make_actor("IRINN", kind="media")
    Claim.objects.create(event=event, kind="injuries", value=213, text="213 hurt", source=source)
    Claim.objects.create(
        event=event, kind="deaths", value=56, text="56 dead", source=source, attributed_to=irinn
    )
    card = charts.card_data(event)
    assert card[3] == "Stampede at the funeral"
    assert card[4] == "56 dead — IRINN, via CNN, 7 Jan 2020"


def test_a_label_falls_back_to_the_title_cut_at_a_word(make_event):
    long = make_event("Iraqi parliament asks government to end foreign troop presence")
    assert long.chart_label == "Iraqi parliament asks government to…"
    assert len(long.chart_label) <= 40
    long.label = "Iraqi MPs vote on foreign troops"
    assert long.chart_label == "Iraqi MPs vote on foreign troops"


def test_a_filter_reaching_the_ends_of_the_calendar_still_draws(make_event):
    event = make_event()
    figure = _figure([event], window=(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
    assert figure["layout"]["xaxis"]["range"][0].startswith("0001-01-01")


def test_lane_names_are_escaped_for_plotly_and_marks_carry_plain_text(make_event, make_actor):
    hostile = '<b onmouseover="x">"Quoted" & bold</b>'
    kind = Category.objects.create(name=hostile, slug="hostile", colour="#1f6feb")
    event = make_event(hostile, category=kind)
    EventActor.objects.create(event=event, actor=make_actor(hostile, slug="h"), role="target")
    figure = _figure([event])
    assert figure["layout"]["annotations"][0]["text"] == (
        '&lt;B ONMOUSEOVER="X"&gt;"QUOTED" &amp; BOLD&lt;/B&gt;'
    )
    assert _marks(figure)[event.slug]["label"] == hostile
    assert charts.card_data(event)[3] == hostile


def test_a_single_event_gets_a_window_of_hours_around_it_not_a_millisecond(make_event):
    only = make_event(start=dt.datetime(2019, 12, 27, 16, 20, tzinfo=UTC), precision="minute")
    first, last = _figure([only])["layout"]["xaxis"]["range"]
    width = dt.datetime.fromisoformat(last) - dt.datetime.fromisoformat(first)
    assert width >= dt.timedelta(hours=6)
    assert first < "2019-12-27T19:20" < last
