"""Claims keep their words ("more than 50") and when they were given, in every output."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.helpers import change_url, form_data
from timeline.models import Claim, Event

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _figures(html: str) -> list[str]:
    return [f.strip() for f in re.findall(r'<td class="figure"[^>]*>([^<]*)', html)]


def test_a_qualified_figure_reads_as_it_was_given_on_the_event_page(client, seed):
    html = client.get("/events/kerman-funeral-stampede/").content.decode()
    assert "more than 50" in _figures(html)
    assert "50" not in _figures(html)  # never the bare number the coroner did not give


def test_kerman_figures_are_in_the_order_they_were_given_on_the_day(client, seed):
    event = Event.objects.get(slug="kerman-funeral-stampede")
    deaths = [c.figure for c in event.claims.filter(kind="deaths")]
    assert deaths == ["32", "35", "40", "more than 50", "56"]
    html = client.get(event.get_absolute_url()).content.decode()
    assert _figures(html)[:5] == deaths
    assert "7 January 2020" in html[html.index('id="claims-heading"') :]


def test_undated_figures_follow_the_dated_ones_and_ties_go_by_sequence(make_event, source):
    event = make_event("Toll")  # brings one undated figure, "1 dead"
    day = dt.datetime(2020, 1, 7, tzinfo=dt.UTC)
    for value, sequence in ((3, 2), (2, 1)):
        Claim.objects.create(
            event=event,
            kind="deaths",
            value=value,
            text=f"{value} dead",
            source=source,
            reported_at=day,
            reported_precision="day",
            sequence=sequence,
        )
    assert [c.value for c in event.claims.all()] == [2, 3, 1]


def test_the_chart_card_and_the_list_lead_with_the_latest_attributed_figure(client, seed):
    event = Event.objects.get(slug="kerman-funeral-stampede")
    assert event.headline_claim().headline.startswith("56 dead — IRINN")
    html = client.get("/").content.decode()
    card = html[html.index('id="event-kerman-funeral-stampede"') :]
    assert '<p class="headline-figure">56 dead — IRINN' in card[: card.index("</article>")]
    figure = json.loads(
        html.split('id="timeline-figure" type="application/json">')[1].split("<")[0]
    )
    cards = [row for trace in figure["data"] for row in trace.get("customdata", [])]
    kerman = next(row for row in cards if row[0] == "kerman-funeral-stampede")
    assert kerman[4].startswith("56 dead — IRINN")


def test_the_api_gives_the_qualifier_the_figure_as_written_and_when_it_was_given(client, seed):
    body = client.get("/api/events/kerman-funeral-stampede").json()
    coroner = next(c for c in body["claims"] if c["qualifier"] == "more_than")
    assert (coroner["value"], coroner["figure"]) == (50, "more than 50")
    assert coroner["reported_precision"] == "day"
    given = dt.datetime.fromisoformat(coroner["reported_at"]).astimezone(TEHRAN)
    assert given.date() == dt.date(2020, 1, 7)
    assert [c["sequence"] for c in body["claims"] if c["kind"] == "deaths"] == [1, 2, 3, 4, 5]


def test_ain_al_asad_has_no_deaths_on_8_january_and_109_brain_injuries_on_10_february(seed):
    event = Event.objects.get(slug="iranian-missile-strikes-ain-al-asad-erbil")
    dated = {c.value: c.reported_when for c in event.claims.exclude(reported_at=None)}
    assert dated == {0: "8 January 2020", 109: "10 February 2020"}


def test_an_editor_types_when_a_figure_was_given_and_its_qualifier(client, publisher, make_event):
    event = make_event("Stampede", status="draft")
    client.force_login(publisher)
    data = form_data(event, event.category)
    data.update(
        {
            "claims-0-qualifier": "more_than",
            "claims-0-value": "50",
            "claims-0-reported": "7 Jan 2020 14:10",
            "claims-0-reported_timezone": "Asia/Tehran",
            "claims-0-sequence": "4",
        }
    )
    assert client.post(change_url(event), data).status_code == 302
    claim = event.claims.get()
    assert (claim.figure, claim.sequence, claim.reported_precision) == ("more than 50", 4, "minute")
    assert claim.reported_at == dt.datetime(2020, 1, 7, 10, 40, tzinfo=dt.UTC)
    # The form shows it back as typed, on the clock it was given on.
    form = client.get(change_url(event)).content.decode()
    assert 'value="2020-01-07 14:10"' in form


def test_a_figure_given_on_an_unknown_clock_is_a_form_error_not_a_crash(
    client, publisher, make_event
):
    event = make_event("Stampede", status="draft")
    client.force_login(publisher)
    data = form_data(event, event.category)
    data.update({"claims-0-reported": "7 Jan 2020", "claims-0-reported_timezone": "Mars/Base"})
    response = client.post(change_url(event), data)
    assert response.status_code == 200
    assert event.claims.get().reported_at is None


def test_the_csv_export_gives_each_figure_in_its_words_with_when_it_was_given(client, seed):
    response = client.get("/api/events.csv?q=Kerman")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    stampede = next(row for row in rows if row["slug"] == "kerman-funeral-stampede")
    figures = stampede["figures"].split("; ")
    assert "more than 50 dead — Coroner, via Radio Farda, 7 Jan 2020 (given 7 January 2020)" in (
        figures
    )
    assert figures.index(next(f for f in figures if f.startswith("32 dead"))) < figures.index(
        next(f for f in figures if f.startswith("56 dead"))
    )


def test_the_latest_of_several_figures_from_one_teller_is_marked_and_none_is_averaged(client, seed):
    event = Event.objects.get(slug="kerman-funeral-stampede")
    deaths = dict(event.claims_by_kind())["Deaths"]
    marked = [(c.figure, c.attributed_to.name) for c in deaths if c.latest_of_several]
    # Koulivand gave 32, then 40: his 40 is marked; every figure stays listed on its own.
    assert marked == [("40", "Pirhossein Koulivand")]
    html = client.get(event.get_absolute_url()).content.decode()
    assert '40 <span class="latest">latest from Pirhossein Koulivand</span>' in html
    assert len(_figures(html)) == event.claims.count()


def test_a_new_event_takes_a_dated_figure_on_its_own_clock(client, editor, category, source):
    client.force_login(editor)
    data = form_data(None, category)  # a new event in Asia/Baghdad
    data.update(
        {
            "citations-TOTAL_FORMS": 1,
            "citations-0-source": source.pk,
            "claims-TOTAL_FORMS": 1,
            "claims-0-kind": "deaths",
            "claims-0-value": "25",
            "claims-0-text": "25 people were killed.",
            "claims-0-reported": "30 Dec 2019 09:00",
        }
    )
    response = client.post(reverse("admin:timeline_event_add"), data)
    assert response.status_code == 302
    claim = Claim.objects.get(event__slug="airport-strike")
    assert claim.reported_at == dt.datetime(2019, 12, 30, 6, 0, tzinfo=dt.UTC)


def test_the_history_says_when_a_figure_was_given_on_its_own_clock_and_its_order(
    client, publisher, make_event
):
    event = make_event("Stampede", status="draft")
    client.force_login(publisher)
    client.get(change_url(event))  # the desk keeps a first version to compare with
    data = form_data(event, event.category)
    data.update(
        {
            "claims-0-reported": "7 Jan 2020",
            "claims-0-reported_timezone": "Asia/Tehran",
            "claims-0-sequence": "2",
        }
    )
    assert client.post(change_url(event), data).status_code == 302
    history = client.get(reverse("admin:timeline_event_history", args=[event.pk]))
    # Stored as 6 January 20:30 UTC; given on 7 January in Tehran.
    assert "given 7 January 2020 (no. 2 that day)" in history.content.decode()


def _history(html: str, slug: str, kind: str) -> dict:
    found = re.search(
        rf'<script id="history-{slug}-{kind}" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, f"no {kind} chart on {slug}"
    return json.loads(found.group(1))


def test_the_step_chart_draws_each_tellers_figures_in_the_order_given(client, seed):
    event = Event.objects.get(slug="kerman-funeral-stampede")
    html = client.get(event.get_absolute_url()).content.decode()
    figure = _history(html, event.slug, "deaths")
    drawn = [(trace["y"], trace["text"]) for trace in figure["data"]]
    expected: dict[str, list] = {}
    for claim in Claim.objects.filter(event=event, kind="deaths").order_by("sequence"):
        teller = claim.attributed_to.name if claim.attributed_to else claim.source.publisher
        expected.setdefault(teller, []).append(claim)
    assert drawn == [
        ([c.value for c in given], [c.figure for c in given]) for given in expected.values()
    ]
    assert ["step"] == list({trace["line"]["shape"] == "hv" and "step" for trace in figure["data"]})
    # Kerman's five came the same day: in order, not stacked on one instant.
    xs = sorted(x for trace in figure["data"] for x in trace["x"])
    assert xs == list(range(5))
    assert figure["layout"]["xaxis"]["ticktext"] == ["7 Jan", "then", "then", "then", "then"]


def test_the_latest_figure_of_each_teller_is_marked_and_bounds_are_hollow(client, seed):
    html = client.get("/events/kerman-funeral-stampede/").content.decode()
    figure = _history(html, "kerman-funeral-stampede", "deaths")
    koulivand = next(t for t in figure["data"] if t["y"] == [32, 40])
    assert koulivand["marker"]["size"][-1] > koulivand["marker"]["size"][0]
    coroner = next(t for t in figure["data"] if t["text"] == ["more than 50"])
    assert coroner["marker"]["symbol"][0].endswith("-open")
    assert "Pirhossein Koulivand: 32, then 40 (latest)" in html
    # Said once more for screen readers, as the chart's label.
    assert re.search(
        r'role="img" aria-label="Deaths, in the order given \(7 January 2020\): [^"]*IRINN: 56',
        html,
    )


def test_a_kind_given_only_once_with_a_date_has_no_step_chart(client, seed):
    html = client.get("/events/iranian-missile-strikes-ain-al-asad-erbil/").content.decode()
    assert 'id="history-iranian-missile-strikes-ain-al-asad-erbil-injuries"' not in html
    undated = client.get("/events/k1-air-base-rocket-attack/").content.decode()
    assert "how the figure changed" not in undated
    assert "chart.js" not in undated  # no chart, no script to fetch


def test_the_event_panel_carries_the_step_chart_too(client, seed):
    panel = client.get("/events/kerman-funeral-stampede/", headers={"HX-Request": "true"})
    html = panel.content.decode()
    assert "<html" not in html
    assert _history(html, "kerman-funeral-stampede", "injuries")["data"]


def test_a_tellers_name_reaches_the_chart_escaped(client, seed):
    from timeline.models import Actor

    Actor.objects.filter(name="IRINN").update(name="<b>IRINN</b>")
    html = client.get("/events/kerman-funeral-stampede/").content.decode()
    assert "<b>IRINN</b>" not in html
    assert "&lt;b&gt;IRINN&lt;/b&gt;: 56" in html


def test_every_output_gives_a_figure_in_its_words_with_who_gave_it(client, seed):
    import feedparser
    import icalendar

    expected = "more than 50 dead — Coroner, via Radio Farda, 7 Jan 2020"
    calendar = icalendar.Calendar.from_ical(client.get("/api/events.ics").content)
    kerman = next(c for c in calendar.walk("VEVENT") if c["uid"].startswith("kerman-"))
    assert expected in str(kerman["description"])
    slides = client.get("/api/timelinejs.json").json()["events"]
    text = next(s for s in slides if s["unique_id"] == "kerman-funeral-stampede")["text"]["text"]
    assert f"<li>{expected}</li>" in text
    assert "<li>56 dead — IRINN, via CNN, 7 Jan 2020</li>" in text
    feed = feedparser.parse(client.get("/api/events.atom").content)
    entry = next(e for e in feed.entries if e.link.endswith("/kerman-funeral-stampede/"))
    assert entry.summary.endswith("56 dead — IRINN, via CNN, 7 Jan 2020.")  # the latest
    rows = list(csv.DictReader(io.StringIO(client.get("/api/events.csv").content.decode())))
    assert expected in next(r for r in rows if "Kerman" in r["title"])["figures"]


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("More than 50 people were killed.", 50, "more_than"),
        ("No more than 50 people were killed.", 50, "up_to"),
        ("At least 1,200 were hurt.", 1200, "at_least"),
        ("About 20 rockets.", 20, "about"),
        ("Fewer than 10 died.", 10, "fewer_than"),
        ("50 people, more than the day before.", 50, "exact"),
        ("More than 5 buses carried 50 people.", 50, "exact"),  # not before its own figure
    ],
)
def test_figures_saved_before_qualifiers_read_them_from_their_words(
    make_event, source, text, value, qualifier
):
    import importlib

    from django.apps import apps

    event = make_event()
    claim = Claim.objects.create(event=event, kind="deaths", value=value, text=text, source=source)
    migration = importlib.import_module("timeline.migrations.0012_claims_keep_words_and_time")
    migration.qualifiers_from_text(apps, None)
    claim.refresh_from_db()
    assert claim.qualifier == qualifier
