import datetime as dt
import itertools
import os
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User

from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    Source,
    Timeline,
)

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test's database is rolled back, so data versions repeat; cached bodies must not.
    from django.core.cache import cache

    from timeline import caching

    cache.clear()
    caching._last_kept = None  # what this process believes the cache holds
    yield
    cache.clear()


@pytest.fixture
def category(db) -> Category:
    return Category.objects.create(name="Attack", slug="attack", colour="#c0392b")


@pytest.fixture
def source(db) -> Source:
    return Source.objects.create(
        publisher="CNN",
        title="Stampede report",
        slug="cnn-stampede",
        published=dt.date(2020, 1, 7),
    )


@pytest.fixture
def timeline(db) -> Timeline:
    return Timeline.objects.create(
        title="Test chronology", slug="us-iran-escalation-2019-2020", is_published=True
    )


@pytest.fixture
def make_event(db, category, source, timeline):
    """Build a saved event; published ones get a citation first, as the rules require."""

    def make(
        title: str | None = None,
        *,
        status: str = Event.Status.PUBLISHED,
        start: dt.datetime | None = None,
        actors: tuple[Actor, ...] = (),
        on_timeline: bool = True,
        **fields,
    ) -> Event:
        n = next(_counter)
        title = title or f"Event {n}"
        event = Event.objects.create(
            title=title,
            slug=f"event-{n}",
            summary=fields.pop("summary", f"What happened in {title}."),
            start=start or dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            timezone=fields.pop("timezone", "Asia/Baghdad"),
            category=fields.pop("category", category),
            status=status,
            **fields,
        )
        Citation.objects.create(event=event, source=source, quote="A quoted passage.")
        Claim.objects.create(event=event, kind="deaths", value=n, text=f"{n} dead", source=source)
        for actor in actors:
            EventActor.objects.create(event=event, actor=actor, role="perpetrator")
        if on_timeline:
            timeline.events.add(event)
        return event

    return make


@pytest.fixture
def make_actor(db):
    def make(name: str, **fields) -> Actor:
        slug = fields.pop("slug", name.lower().replace(" ", "-"))
        return Actor.objects.create(
            name=name, slug=slug, kind=fields.pop("kind", "state"), **fields
        )

    return make


def _user(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db) -> User:
    return _user("editor", "Editor")


@pytest.fixture
def publisher(db) -> User:
    return _user("publisher", "Publisher")


BAGHDAD = ZoneInfo("Asia/Baghdad")
TEHRAN = ZoneInfo("Asia/Tehran")


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole run; Playwright's own download is never used."""
    from tests.browser import CHROMIUM, FLAGS, require_chromium

    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls in tests are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    from django.core.management import call_command

    call_command("loaddata", "fixtures/us-iran-2019-2020.json", verbosity=0)


@pytest.fixture
def reader(chromium, live_server, seeded):
    """A fresh page at desktop width that records console errors and failed requests."""
    from tests.browser import DESKTOP

    context = chromium.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 500 and page.problems.append(f"{r.status}: {r.url}"),
    )
    yield page
    context.close()


@pytest.fixture
def drawn_cards(settings, tmp_path, monkeypatch):
    """Link-preview cards drawn into a scratch static directory (never over static/cards/),
    served as `make run` serves static files. Call it after the timelines exist."""
    from django.core.management import call_command

    from timeline.reader import cards

    directory = tmp_path / "cards"
    monkeypatch.setattr(cards, "DIRECTORY", directory)
    settings.STATICFILES_DIRS = [("cards", directory), *settings.STATICFILES_DIRS]
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    def draw():
        call_command("draw_cards", verbosity=0)
        return directory

    return draw
