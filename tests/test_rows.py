"""A big chart's most important events, read as plain rows: their marks and hover cards say what
the events' own pages say, and follow every change to what they show."""

import datetime as dt
import re
import threading

import pytest
from django.core.management import call_command

from tests.figures import event_traces
from tests.figures import figure_of as _figure
from timeline.models import Actor, Category, Citation, Claim, Event, EventActor, EventPlace, Source
from timeline.reader import browse

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(db, monkeypatch):
    """The seed's 14 events as a big chart: counts per bin behind its 8 most important."""
    call_command("loaddata", "fixtures/us-iran-2019-2020.json", verbosity=0)
    monkeypatch.setattr(browse, "DETAIL_LIMIT", 5)
    monkeypatch.setattr(browse, "TOP_EVENTS", 8)


def _cards(client, path: str = "/") -> dict[str, list]:
    """Each drawn event's hover card, [url, date, title, headline figure], by slug."""
    figure = _figure(client.get(path))
    assert figure["layout"]["meta"]["aggregated"] is True
    return {row[0]: row[1:] for trace in event_traces(figure) for row in trace["customdata"]}


def test_the_hover_cards_say_what_the_events_pages_say(client, seed):
    cards = _cards(client)
    assert len(cards) == 8
    for slug, (url, date, title, headline) in cards.items():
        event = Event.objects.get(slug=slug)
        claim = event.headline_claim()
        assert (url, date, title) == (f"/events/{slug}/", event.local_period, event.title)
        assert headline == (claim.headline if claim else "")
    # The day's latest toll, who gave it and where we read it.
    assert cards["kerman-funeral-stampede"][3] == "56 dead — IRINN, via CNN, 7 Jan 2020"


def test_a_hover_card_follows_each_change_to_what_it_shows(client, seed):
    slug = "kerman-funeral-stampede"
    assert _cards(client)[slug][3] == "56 dead — IRINN, via CNN, 7 Jan 2020"

    latest = Event.objects.get(slug=slug).headline_claim()
    latest.value = 60
    latest.save()
    assert _cards(client)[slug][3] == "60 dead — IRINN, via CNN, 7 Jan 2020"

    teller = Actor.objects.get(pk=latest.attributed_to_id)
    teller.name = "Iranian state television"
    teller.save()
    assert _cards(client)[slug][3] == "60 dead — Iranian state television, via CNN, 7 Jan 2020"

    outlet = Source.objects.get(pk=latest.source_id)
    outlet.publisher = "CNN International"
    outlet.save()
    assert _cards(client)[slug][3].endswith("via CNN International, 7 Jan 2020")

    Claim.objects.create(
        event=latest.event,
        kind="deaths",
        value=62,
        text="62 dead",
        source=outlet,
        reported_at=latest.reported_at + dt.timedelta(hours=6),
        reported_precision="day",
    )
    assert _cards(client)[slug][3].startswith("62 dead — CNN International")

    event = Event.objects.get(slug=slug)
    event.title = "Crush at the Kerman funeral"
    event.start = event.start + dt.timedelta(days=1)
    event.save()
    url, date, title, _ = _cards(client)[slug]
    assert (date, title) == (Event.objects.get(slug=slug).local_period, event.title)
    assert date != latest.event.local_period


def test_a_card_as_of_a_moment_shows_the_figure_known_then(client, seed):
    kerman = Event.objects.get(slug="kerman-funeral-stampede")
    Claim.objects.create(
        event=kerman,
        kind="deaths",
        value=59,
        text="59 dead",
        source=Source.objects.get(publisher="CNN"),
        reported_at=dt.datetime(2020, 1, 10, 9, tzinfo=dt.UTC),
        reported_precision="day",
    )
    assert _cards(client)[kerman.slug][3].startswith("59 dead")
    then = _cards(client, "/?as_of=2020-01-09T12:00")[kerman.slug][3]
    assert then == "56 dead — IRINN, via CNN, 7 Jan 2020"


def test_the_marks_stand_where_the_events_pages_place_them(client, seed):
    figure = _figure(client.get("/"))
    marks = {m["slug"]: m for m in figure["layout"]["meta"]["marks"]}
    for slug, mark in marks.items():
        event = Event.objects.get(slug=slug)
        if mark.get("point"):
            moment = event.sort_moment.replace(tzinfo=None).isoformat(timespec="minutes")
            assert mark["x0"] == mark["x1"] == moment
        else:
            assert mark["x0"] == event.period_start.replace(tzinfo=None).isoformat(
                timespec="minutes"
            )


def _listed_card(client, slug: str, path: str = "/") -> str:
    html = client.get(path).content.decode()
    start = html.index(f'<article class="event-card" id="event-{slug}"')
    return html[start : html.index("</article>", start)]


@pytest.mark.parametrize("path", ["/", "/?page=2", "/embed/"])
def test_a_listed_card_follows_each_change_to_what_it_shows(client, seed, monkeypatch, path):
    # Five to a page, so the second page lists the events drawn from the counts' side too.
    monkeypatch.setattr(browse, "PAGE_SIZE", 5)
    html = client.get(path).content.decode()
    slug = re.findall(r'<article class="event-card" id="event-([^"]+)"', html)[-1]
    event = Event.objects.get(slug=slug)
    card = _listed_card(client, slug, path)
    # Embedded cards link out with absolute addresses; the page's with its own.
    assert ('href="http://testserver/events/' in card) == (path == "/embed/")

    event.summary = "A new first sentence."
    event.save()
    assert "A new first sentence." in _listed_card(client, slug, path)

    actor = Actor.objects.create(
        name="Kata'ib Hezbollah", slug="kataib-hezbollah-new", kind="group"
    )
    role = EventActor.objects.create(event=event, actor=actor, role="perpetrator")
    assert 'Kata&#x27;ib Hezbollah</a> <span class="role">perpetrator' in _listed_card(
        client, slug, path
    )
    role.role = "suspected"
    role.save()
    actor.name = "KH"
    actor.save()
    assert 'KH</a> <span class="role">suspected or blamed' in _listed_card(client, slug, path)

    count = int(re.search(r"(\d+) sources?<", _listed_card(client, slug, path)).group(1))
    outlet = Source.objects.create(publisher="Reuters", title="A new report", slug="reuters-new")
    Citation.objects.create(event=event, source=outlet, quote="Quoted.")
    assert f"{count + 1} sources<" in _listed_card(client, slug, path)

    EventPlace.objects.create(event=event, name="Karbala", country="IQ")
    assert "Karbala" in _listed_card(client, slug, path)

    category = Category.objects.get(pk=event.category_id)
    category.name, category.colour = "Strikes", "#123456"
    category.save()
    card = _listed_card(client, slug, path)
    assert "--cat: #123456" in card and ">Strikes<" in card


def test_an_embedded_card_links_to_the_host_it_was_asked_from(client, seed, settings):
    """Kept cards are kept per host: an embed asked for under one name never links readers to
    another."""
    settings.ALLOWED_HOSTS = ["news.example", "mirror.example"]
    first = client.get("/embed/", HTTP_HOST="news.example").content.decode()
    second = client.get("/embed/", HTTP_HOST="mirror.example").content.decode()
    assert 'href="http://news.example/events/' in first
    assert 'href="http://mirror.example/events/' in second
    assert "news.example" not in second


def test_kept_output_that_would_read_the_database_is_refused(seed):
    from timeline.reader import rows

    event = rows.most_important(Event.objects.published(), "category", None, 1)[0]
    with pytest.raises(rows.NotInRows):
        rows.kept(event, "summary", lambda: event.summary)  # not read with a chart's events
    assert rows.kept(event, "title", lambda: event.title) == event.title


def test_a_card_being_kept_in_one_thread_refuses_no_query_of_another_sharing_its_connection(
    seed,
):
    """A test's live server shares one SQLite connection between its threads: one reader's
    card being made must not refuse another reader's query, nor stay refusing after."""
    from django.db import connections

    from timeline.reader import rows

    event = rows.most_important(Event.objects.published(), "category", None, 1)[0]
    shared = connections["default"]  # this thread's connection object, not the proxy's
    other: list = []

    def read_elsewhere():
        try:
            with shared.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM timeline_event")
                other.append(cursor.fetchone()[0])
        except Exception as error:  # noqa: BLE001 - what the other reader would have got
            other.append(error)

    def make():
        thread = threading.Thread(target=read_elsewhere)
        thread.start()
        thread.join()
        with pytest.raises(rows.NotInRows):  # this thread is still refused
            Event.objects.count()
        return event.title

    shared.inc_thread_sharing()
    try:
        assert rows.kept(event, ("shared", event.pk), make) == event.title
    finally:
        shared.dec_thread_sharing()
    assert other == [Event.objects.count()]
    assert Event.objects.filter(pk=event.pk).exists()  # and nothing refuses after


def test_rows_read_by_a_kept_statement_are_the_rows_the_orm_reads(seed):
    """Related rows are read by SQL made once per worker, and converted as the ORM converts
    them (dates and times parsed on SQLite, flags made booleans): the same rows, twice over."""
    from timeline.models import claims_in_order
    from timeline.reader import rows

    ids = list(Event.objects.published().values_list("pk", flat=True))
    figures = claims_in_order(None).queryset.exclude(value=None)
    reads = {
        "figures": (figures, ("id", "event_id", "reported_at", "source__published", "value")),
        "roles": (EventActor.objects.order_by("pk"), rows.ROLE_COLUMNS),
        "citations": (Citation.objects.order_by("pk"), rows.CITATION_COLUMNS),
        "places": (EventPlace.objects.order_by("pk"), rows.PLACE_COLUMNS),
    }
    for shape, (queryset, columns) in reads.items():
        expected = list(queryset.filter(event__in=ids).values_list(*columns))
        assert expected, shape
        for _ in range(2):  # made, then kept; converted, then taken as converted
            assert list(rows._read(queryset, columns, ids, ("test", shape))) == expected
        fewer = ids[:3]
        assert list(rows._read(queryset, columns, fewer, ("test", shape))) == list(
            queryset.filter(event__in=fewer).values_list(*columns)
        )
    assert any(isinstance(row[2], dt.datetime) for row in rows._read(*reads["figures"], ids, "x"))


def test_no_matching_events_read_no_rows(seed):
    from timeline.reader import rows

    assert rows.listed(Event.objects.none(), None) == []
    assert rows.most_important(Event.objects.none(), "category", None, 10) == []


def test_a_kept_statement_takes_the_ids_and_nothing_else(seed):
    """A parameter kept with the statement would stand still: the clock a published() reads,
    say. Such a statement is refused, not kept."""
    from timeline.reader import rows

    ids = list(Event.objects.published().values_list("pk", flat=True))
    with pytest.raises(ValueError, match="the ids and nothing else"):
        rows._read(Claim.objects.filter(value__gt=1), ("id", "event_id"), ids, "a parameter")
    assert list(rows._read(Claim.objects.filter(value__gt=1), ("id", "event_id"), ids, None))


@pytest.mark.parametrize("lanes", ["category", "actor"])
def test_an_event_both_marked_and_listed_shows_its_figures_and_actors_in_both(seed, lanes):
    """The chart's most important events and the list's page are read together: an event in
    both is two copies, and each gets every figure and role read for it, and is kept under
    them (a mark kept without its figures' rows would not follow a change to them)."""
    from timeline.reader import rows

    matching = Event.objects.published().order_by("sort_at", "pk")
    top, page = rows.most_important_and_listed(matching, lanes, None, 8, slice(0, 14))
    both = {event.id for event in top} & {event.id for event in page}
    assert len(both) == 8
    listed = {event.id: event for event in page}
    figure_width = len(rows.FIGURE_COLUMNS) + len(rows.SOURCE_COLUMNS) + 1

    def figure_rows(event) -> list[tuple]:
        return [row for row in event.row_key if isinstance(row, tuple) and len(row) == figure_width]

    for event in [*top, *page]:
        stored = Event.objects.with_related().get(pk=event.id)
        figures = [c.headline for c in stored.claims.all() if c.value is not None]
        assert [c.headline for c in event.given_figures] == figures, event.slug
        assert len(figure_rows(event)) == len(figures), event.slug
        if lanes == "actor" or any(event is card for card in page):
            assert [(r.actor.name, r.role) for r in event.event_actors.all()] == [
                (r.actor.name, r.role) for r in stored.event_actors.all()
            ], event.slug
    for event in top:
        assert figure_rows(event) == figure_rows(listed[event.id]), event.slug
    assert any(figure_rows(event) for event in top)
