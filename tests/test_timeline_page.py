import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from tests.figures import drawn_slugs, event_traces, figure_of
from timeline.models import Category, EventActor, EventLink

pytestmark = pytest.mark.django_db

HOSTILE = "<img src=x onerror=alert(1)>"


_figure = figure_of
_plotted_slugs = drawn_slugs


def _listed(response) -> list[str]:
    return re.findall(r'<article class="event-card" id="event-([^"]+)"', response.content.decode())


@pytest.fixture
def story(make_event, make_actor):
    us, iran = make_actor("United States", country="US"), make_actor("Iran", country="IR")
    strike = Category.objects.create(
        name="Air strike", slug="air-strike", colour="#1f6feb", symbol="diamond"
    )
    events = {
        "rockets": make_event(
            "Rocket attack on K-1",
            actors=(iran,),
            country="IQ",
            place_name="Kirkuk",
            start=dt.datetime(2019, 12, 27, 16, 20, tzinfo=dt.UTC),
        ),
        "strikes": make_event(
            "US strikes on militia sites",
            actors=(us,),
            category=strike,
            country="IQ",
            start=dt.datetime(2019, 12, 29, 15, tzinfo=dt.UTC),
        ),
        "airport": make_event(
            "Drone strike at Baghdad airport",
            actors=(us, iran),
            category=strike,
            country="IQ",
            place_name="Baghdad airport",
            start=dt.datetime(2020, 1, 2, 21, 30, tzinfo=dt.UTC),
            precision="hour",
        ),
        "funeral": make_event(
            "Funeral in Kerman",
            actors=(iran,),
            country="IR",
            timezone="Asia/Tehran",
            start=dt.datetime(2020, 1, 6, 20, 30, tzinfo=dt.UTC),
        ),
    }
    EventLink.objects.create(
        from_event=events["strikes"], to_event=events["rockets"], kind="retaliation_for"
    )
    return events


def _slugs(*events) -> list[str]:
    return sorted(e.slug for e in events)


def test_home_plots_and_lists_every_published_event(client, story, make_event):
    make_event("A draft", status="draft")
    response = client.get("/")
    assert response.status_code == 200
    assert _plotted_slugs(_figure(response)) == _slugs(*story.values())
    assert sorted(_listed(response)) == _slugs(*story.values())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=kerman", ["funeral"]),
        ("q=united+states", ["strikes", "airport"]),
        ("actor=united-states", ["strikes", "airport"]),
        ("actor=united-states&actor=iran", ["rockets", "strikes", "airport", "funeral"]),
        ("category=air-strike", ["strikes", "airport"]),
        ("country=IR", ["funeral"]),
        ("start=2020-01-03&end=2020-01-03", ["airport"]),
        ("end=2020-01-02", ["rockets", "strikes"]),
        ("actor=iran&category=air-strike", ["airport"]),
        ("actor=iran&start=2020-01-01&q=funeral", ["funeral"]),
    ],
)
def test_filters_or_within_a_field_and_and_across_fields(client, story, query, expected):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert sorted(_listed(response)) == _slugs(*(story[k] for k in expected))
    assert _plotted_slugs(_figure(response)) == _slugs(*(story[k] for k in expected))


def test_the_date_filter_uses_the_local_date(client, story):
    # 00:30 on 3 January in Baghdad is 2 January in UTC: it belongs to the 3rd.
    assert _listed(client.get("/?start=2020-01-02&end=2020-01-02")) == []


def test_htmx_gets_only_the_fragment_and_the_same_url_gives_the_full_page(client, story):
    url = "/?actor=united-states"
    fragment = client.get(url, headers={"HX-Request": "true"})
    full = client.get(url)
    assert "<html" not in fragment.content.decode()
    assert 'id="results"' in fragment.content.decode()
    assert "<html" in full.content.decode()
    assert _listed(fragment) == _listed(full)
    assert _plotted_slugs(_figure(fragment)) == _plotted_slugs(_figure(full))


def test_active_filters_show_as_removable_chips(client, story):
    html = client.get("/?actor=united-states&category=air-strike").content.decode()
    assert "Actor: United States" in html
    assert 'href="/?category=air-strike"' in html  # removing the actor keeps the category
    assert "Clear all" in html


def test_result_count_and_facet_counts_are_shown(client, story):
    html = client.get("/?category=air-strike").content.decode()
    assert "<strong>2</strong> events" in html
    iran_option = re.search(r'value="iran".*?facet-count">(\d+)<', html, re.S)
    assert iran_option.group(1) == "3"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2020-13-45", "start", "Enter a real date"),
        ("start=yesterday", "start", "Enter a real date"),
        ("start=2020-01-05&end=2020-01-01", "end", "before the start date"),
        ("actor=nobody", "actor", "Select a valid choice"),
        ("category=nothing", "category", "Select a valid choice"),
        ("country=ZZ", "country", "Select a valid choice"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
        ("&".join(["actor=iran"] * 51), "actor", "at most 50"),
        ("lanes=sideways", "lanes", "Select a valid choice"),
    ],
)
def test_bad_filter_input_gets_400_with_a_message_next_to_the_field(
    client, story, query, field, message
):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/?{query}", headers=headers)
        assert response.status_code == 400
        error = re.search(
            rf'<p class="field-error" id="error-{field}"[^>]*>(.*?)</p>',
            response.content.decode(),
            re.S,
        )
        assert error and message in error.group(1)


def test_a_bad_filter_over_htmx_keeps_the_last_chart(client, story):
    response = client.get("/?start=nonsense", headers={"HX-Request": "true"})
    assert response["HX-Reswap"] == "none"
    assert response["HX-Push-Url"] == "false"
    assert 'id="results"' not in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_ranged_and_coarse_events_are_drawn_as_spans(client, make_event):
    make_event(
        "The siege",
        start=dt.datetime(2019, 12, 30, 21, tzinfo=dt.UTC),
        precision="day",
        end=dt.datetime(2019, 12, 31, 21, tzinfo=dt.UTC),
    )
    make_event(
        "A month of protests", start=dt.datetime(2019, 12, 31, 21, tzinfo=dt.UTC), precision="month"
    )
    make_event("A point in time", precision="minute")
    figure = _figure(client.get("/"))
    bars = [
        (base, dt.datetime.fromisoformat(base) + dt.timedelta(milliseconds=length))
        for t in event_traces(figure)
        if t["type"] == "bar"
        for base, length in zip(t["base"], t["x"], strict=True)
    ]
    # Each runs to the end of its last day: the siege through 1 January, the month to its end.
    assert sorted(bars) == [
        ("2019-12-31T00:00", dt.datetime(2020, 1, 2)),
        ("2020-01-01T00:00", dt.datetime(2020, 2, 1)),
    ]
    points = [t for t in event_traces(figure) if t["type"] == "scatter"]
    assert [len(t["x"]) for t in points] == [1]


def test_links_between_events_are_drawn_as_arrows_styled_by_kind(client, story):
    figure = _figure(client.get("/"))
    links = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert len(links) == 1
    assert links[0]["name"] == "Retaliation for"
    assert links[0]["line"]["dash"] == "dash"
    start, middle, end, _ = links[0]["x"]
    assert start < middle < end  # from the rocket attack forward to the strikes
    assert figure["layout"]["meta"]["link_kinds"] == ["retaliation_for"]
    assert "Retaliation for" in client.get("/").content.decode()  # the key under the chart


def test_lanes_can_be_one_per_actor(client, story):
    figure = _figure(client.get("/?lanes=actor"))
    assert figure["layout"]["meta"]["lane_names"] == ["Iran", "United States"]
    # The airport strike involves both, so it sits in both lanes.
    assert _plotted_slugs(figure).count(story["airport"].slug) == 2


def test_hostile_text_is_escaped_in_page_list_hover_and_json(client, make_event, make_actor):
    make_event(HOSTILE, place_name=HOSTILE, actors=(make_actor(HOSTILE, slug="hostile"),))
    response = client.get("/")
    html = response.content.decode()
    assert HOSTILE not in html
    figure = _figure(response)
    # The hover card is written as text by the page: the title travels as it was typed.
    card = event_traces(figure)[0]["customdata"][0]
    assert card[3] == HOSTILE
    # What Plotly itself draws as markup (names, lane titles) is escaped.
    actor_lanes = _figure(client.get("/?lanes=actor"))
    lane_titles = [a["text"] for a in actor_lanes["layout"]["annotations"]]
    assert "&lt;IMG SRC=X ONERROR=ALERT(1)&gt;" in lane_titles
    drawn_as_markup = json.dumps(lane_titles + [t.get("name") for t in actor_lanes["data"]])
    assert "<img" not in drawn_as_markup.lower()


def test_the_pushed_url_renders_the_same_events_without_htmx(client, story):
    fragment = client.get("/?q=strike&start=2019-12-28", headers={"HX-Request": "true"})
    assert _listed(client.get("/?q=strike&start=2019-12-28")) == _listed(fragment)


def test_any_published_timeline_has_its_own_page(client, story, timeline):
    assert client.get(reverse("timeline", args=[timeline.slug])).status_code == 200
    timeline.is_published = False
    timeline.save()
    assert client.get(reverse("timeline", args=[timeline.slug])).status_code == 404
    assert client.get("/timelines/nope/").status_code == 404


@pytest.mark.parametrize("count", [5, 200])
def test_the_timeline_page_runs_a_fixed_number_of_queries(
    client, make_event, make_actor, django_assert_max_num_queries, count
):
    actors = [make_actor(f"Actor {i}") for i in range(3)]
    for i in range(count):
        event = make_event(actors=(actors[i % 3],))
        EventActor.objects.create(event=event, actor=actors[(i + 1) % 3], role="target")
    with django_assert_max_num_queries(14):
        response = client.get("/?q=event&lanes=category")
    assert len(_plotted_slugs(_figure(response))) == count
    assert len(_listed(response)) == min(count, 50)
