"""`?as_of=`: the timeline and its figures as they stood then, so a reader sees what was known."""

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command

from timeline.dates import AsOf
from timeline.models import Timeline

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"
BAGHDAD = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture
def seed(db):
    call_command("loaddata", SEED, verbosity=0)


def _slugs(html: str) -> list[str]:
    return re.findall(r'<article class="event-card" id="event-([^"]+)"', html)


def _card(html: str, slug: str) -> str:
    start = html.index(f'id="event-{slug}"')
    return html[start : html.index("</article>", start)]


def _api(client, **params) -> dict:
    response = client.get("/api/events", {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return {event["slug"]: event for event in response.json()["results"]}


def test_on_6_january_the_kerman_stampede_had_not_happened(client, seed):
    html = client.get("/", {"as_of": "2020-01-06"}).content.decode()
    assert "kerman-funeral-stampede" not in _slugs(html)
    assert "funeral-procession-tehran-qom" in _slugs(html)
    assert "kerman-funeral-stampede" not in _api(client, as_of="2020-01-06")


def test_on_9_january_kerman_leads_with_irinns_56_and_ain_al_asad_has_no_109(client, seed):
    html = client.get("/", {"as_of": "2020-01-09T12:00"}).content.decode()
    assert "56 dead — IRINN, via CNN" in _card(html, "kerman-funeral-stampede")
    strike = _card(html, "iranian-missile-strikes-ain-al-asad-erbil")
    assert "109" not in strike
    events = _api(client, as_of="2020-01-09T12:00")
    kerman = [c for c in events["kerman-funeral-stampede"]["claims"] if c["kind"] == "deaths"]
    assert [c["value"] for c in kerman][-1] == 56
    assert kerman[-1]["attributed_to"]["name"] == "IRINN"
    strike = events["iranian-missile-strikes-ain-al-asad-erbil"]["claims"]
    assert 109 not in [c["value"] for c in strike]


def test_on_11_february_the_pentagons_109_brain_injuries_are_there(client, seed):
    events = _api(client, as_of="2020-02-11")
    claims = events["iranian-missile-strikes-ain-al-asad-erbil"]["claims"]
    assert 109 in [c["value"] for c in claims if c["kind"] == "injuries"]
    now = _api(client)
    assert len(now) == len(events)  # by February every seed event was known


def test_a_local_time_is_read_on_the_timelines_clock_and_an_instant_as_given(client, seed):
    # Ain al-Asad: 8 January 01:30 Baghdad time (22:30 UTC on the 7th).
    before = _slugs(client.get("/", {"as_of": "2020-01-08T01:29"}).content.decode())
    after = _slugs(client.get("/", {"as_of": "2020-01-08T01:30"}).content.decode())
    assert "iranian-missile-strikes-ain-al-asad-erbil" not in before
    assert "iranian-missile-strikes-ain-al-asad-erbil" in after
    instant = _slugs(client.get("/", {"as_of": "2020-01-07T22:30Z"}).content.decode())
    assert instant == after
    timeline = Timeline.objects.get()
    timeline.time_zone = "UTC"
    timeline.save()
    # 01:30 UTC is 04:30 in Baghdad: on a UTC clock the same words mean later.
    assert "iranian-missile-strikes-ain-al-asad-erbil" in _slugs(
        client.get("/", {"as_of": "2020-01-07T23:00"}).content.decode()
    )


def test_the_page_says_when_it_stands_and_links_back_to_now(client, seed):
    html = client.get("/", {"as_of": "2020-01-07T12:00", "category": "funeral"}).content.decode()
    assert "As it stood at 7 January 2020, 12:00 Baghdad time (UTC+3)." in html
    assert 'href="/?category=funeral">See the record as it stands now' in html
    assert 'value="2020-01-07T12:00"' in html  # the form holds it, to change or clear


def test_as_of_is_part_of_the_cached_answer(client, seed):
    later = client.get("/", {"as_of": "2020-01-09"}).content.decode()
    earlier = client.get("/", {"as_of": "2020-01-03"}).content.decode()
    assert _slugs(earlier) != _slugs(later)
    assert len(_slugs(earlier)) < len(_slugs(later))


@pytest.mark.parametrize("value", ["yesterday", "2020-13-01", "2020-01-07T25:00", "0999-01-01"])
def test_an_as_of_that_is_not_a_time_is_a_400_with_the_reason(client, seed, value):
    page = client.get("/", {"as_of": value})
    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.content.decode() or "year" in page.content.decode()
    api = client.get("/api/events", {"as_of": value})
    assert api.status_code == 400
    assert "as_of" in json.loads(api.content)["errors"]


def test_a_day_counts_to_its_last_instant():
    moment = AsOf("2020-01-07").moment(BAGHDAD)
    assert moment.astimezone(BAGHDAD).date() == dt.date(2020, 1, 7)
    assert moment + dt.timedelta(microseconds=1) == dt.datetime(2020, 1, 8, tzinfo=BAGHDAD)


def test_an_event_opened_from_an_as_of_view_shows_its_figures_as_they_stood(client, seed):
    html = client.get("/", {"as_of": "2020-01-09T12:00"}).content.decode()
    link = re.search(r'href="(/events/iranian-missile-strikes-ain-al-asad-erbil/[^"]*)"', html)
    assert link and "as_of=2020-01-09T09%3A00Z" in link.group(1)  # 12:00 in Baghdad
    page = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "As it stood at 9 January 2020, 12:00 Baghdad time (UTC+3)." in page

    def figures(html: str) -> str:  # the claims, not the sources read since
        return html[html.index('id="claims-heading"') : html.index('id="sources-heading"')]

    assert "109" not in figures(page)
    now = client.get("/events/iranian-missile-strikes-ain-al-asad-erbil/").content.decode()
    assert "109" in figures(now)
    assert client.get("/events/kerman-funeral-stampede/", {"as_of": "soon"}).status_code == 400


def test_a_figure_on_its_events_clock_moves_when_the_events_zone_changes(make_event, source):
    from timeline.models import Claim, Event

    event = make_event("Toll", timezone="Asia/Tehran")
    given = dt.datetime(2020, 1, 6, 20, 30, tzinfo=dt.UTC)  # 7 January, 00:00 in Tehran
    claim = Claim.objects.create(
        event=event,
        kind="deaths",
        value=56,
        text="56",
        source=source,
        reported_at=given,
        reported_precision="day",
    )
    assert claim.known_from == dt.datetime(2020, 1, 7, 20, 29, 59, tzinfo=dt.UTC)
    event = Event.objects.get(pk=event.pk)
    event.timezone = "UTC"  # an editor's fix: the clock was UTC's, so the day was 6 January
    event.save()
    claim.refresh_from_db()
    assert claim.known_from == dt.datetime(2020, 1, 6, 23, 59, 59, tzinfo=dt.UTC)
    claim.reported_timezone = "Asia/Tehran"
    claim.save(update_fields=["reported_timezone"])
    claim.refresh_from_db()
    assert claim.known_from == dt.datetime(2020, 1, 7, 20, 29, 59, tzinfo=dt.UTC)


def test_a_whole_day_and_its_last_minute_stand_at_the_same_moment():
    day, minute = AsOf("2020-01-07"), AsOf("2020-01-07T23:59")
    assert day.moment(BAGHDAD) == minute.moment(BAGHDAD)
    assert AsOf(day.stamp(BAGHDAD)).moment(dt.UTC) == day.moment(BAGHDAD)
    # A Baghdad clock of 1900 ran at +2:57:40; the stamp is UTC's, which the parser reads.
    old = dt.timezone(dt.timedelta(hours=2, minutes=57, seconds=40))
    assert AsOf(AsOf("1900-01-01T12:00").stamp(old)).moment(dt.UTC)
