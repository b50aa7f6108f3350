import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.helpers import staff_user
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

# Hypothesis profiles; HYPOTHESIS_PROFILE names the one to load (.ci/run exports "ci").
# "dev", the default, draws new examples on every run. "ci" is derandomised, so a run is
# reproducible from the commit alone, stores nothing, and prints a failure's blob for
# `@reproduce_failure(...)` as well as the falsifying example. Both keep the deadline policy
# the tests had: none (an example goes through the whole Django stack, whose first request
# is slow), with the health checks that function-scoped fixtures trip off; the tests set
# their own max_examples.
_HYPOTHESIS_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile("dev", **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile(
    "ci", derandomize=True, print_blob=True, database=None, **_HYPOTHESIS_COMMON
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "allow_console_errors(pattern, ...): browser console errors matching a regex that the "
        "test provokes on purpose; any other console error or uncaught exception fails it",
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test's database is rolled back, so data versions repeat; cached bodies must not.
    from django.core.cache import cache

    from timeline import caching
    from timeline.reader import rows

    cache.clear()
    caching._last_kept = None  # what this process believes the cache holds
    # Ids and rows repeat from test to test too: marks and cards kept from an earlier test
    # would hide a read that the query-count tests are there to catch.
    rows._kept.clear()
    rows._converted.clear()
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

    made = []  # this test's events: the n-th is event-n, whatever ran before

    def make(
        title: str | None = None,
        *,
        status: str = Event.Status.PUBLISHED,
        start: dt.datetime | None = None,
        actors: tuple[Actor, ...] = (),
        on_timeline: bool = True,
        **fields,
    ) -> Event:
        made.append(title)
        n = len(made)
        title = title or f"Event {n}"
        event = Event.objects.create(
            title=title,
            slug=fields.pop("slug", f"event-{n}"),
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


@pytest.fixture
def editor(db) -> User:
    return staff_user("editor", "Editor")


@pytest.fixture
def publisher(db) -> User:
    return staff_user("publisher", "Publisher")


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


class ConsoleWatch:
    """The console errors and uncaught exceptions of every page a test opens.

    The fixture that opens the pages fails the test at teardown if any was recorded, with the
    messages; a test that provokes some on purpose says which, narrowly, with
    `allow_console_errors(regex)` (on the page or the `open_page` factory) or the marker
    `@pytest.mark.allow_console_errors(regex)`. Each message ends with the address it came
    from, so a pattern can name the resource as well as the error.
    """

    def __init__(self, allowed=()):
        self.errors: list[str] = []
        self.allowed = [re.compile(pattern) for pattern in allowed]

    def allow_console_errors(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def watch(self, page):
        page.problems = []  # everything noted, failed requests and 5xx answers included
        page.console_errors = []  # what fails the test
        page.allow_console_errors = self.allow_console_errors

        def error(text: str) -> None:
            page.problems.append(text)
            page.console_errors.append(text)
            self.errors.append(text)

        def console(message) -> None:
            if message.type == "error":
                where = message.location.get("url") or page.url
                error(f"console error: {message.text} ({where})")

        page.on("console", console)
        page.on("pageerror", lambda e: error(f"uncaught exception: {e} ({page.url})"))
        page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: r.status >= 500 and page.problems.append(f"{r.status}: {r.url}"),
        )
        return page

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def open_page(request, chromium, live_server):
    """`open_page(**context_options)`: a page in a fresh browser context on the live server
    (desktop width unless told), watched for console errors; all closed at teardown, where
    the test fails if any page logged an error or threw one it did not allow."""
    from tests.browser import DESKTOP

    allowed = [p for mark in request.node.iter_markers("allow_console_errors") for p in mark.args]
    watch = ConsoleWatch(allowed)
    contexts = []

    def open_page(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", live_server.url)
        context = chromium.new_context(**options)
        contexts.append(context)
        return watch.watch(context.new_page())

    open_page.allow_console_errors = watch.allow_console_errors
    yield open_page
    for context in contexts:
        context.close()  # a no-op for one the test closed; pending events are delivered
    if unexpected := watch.unexpected():
        pytest.fail(
            f"the browser logged {len(unexpected)} error(s):\n  " + "\n  ".join(unexpected),
            pytrace=False,
        )


@pytest.fixture
def reader(seeded, open_page):
    """A fresh page at desktop width on the seeded chronology; fails on console errors."""
    return open_page()


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
