"""Synthetic published events for load tests and benchmarks: realistic shapes, fake facts."""

import datetime as dt
import queue
import random
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections, transaction
from django.db.models import Max

from timeline import rollup
from timeline.apps import analyse
from timeline.models import (
    DERIVED,
    Actor,
    Category,
    Citation,
    Claim,
    DataVersion,
    Event,
    EventActor,
    Source,
    Timeline,
)

BATCH = 5000


class Rows:
    """Rows of one model written at once, with ids given ahead or numbered by the database: on
    PostgreSQL with COPY from plain tuples (no model instance, no field conversion per value:
    a million events in minutes), elsewhere with bulk_create. Like bulk_create, no save() and
    no signals."""

    def __init__(self, model):
        self.model = model
        self.connection = connections[model.objects.db]
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        # What an unsaved instance would store (defaults, created_at/updated_at), once.
        blank = model()
        self.defaults = {
            f.attname: f.get_db_prep_save(f.pre_save(blank, True), self.connection)
            for f in self.fields
        }

    def ids(self, count: int) -> list[int]:
        """Ids for rows not written yet, so the rows naming them can be made first."""
        meta = self.model._meta
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, count],
                )
                return [pk for (pk,) in cursor.fetchall()]
        # SQLite has one writer at a time, the load's transaction. Past the highest id ever
        # given (AUTOINCREMENT's), not the highest kept: a deleted event's id is not given
        # again (its history, kept under it, would become a demo event's).
        top = self.model.objects.aggregate(top=Max("pk"))["top"] or 0
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
            given = cursor.fetchone()
        top = max(top, given[0] if given else 0)
        return list(range(top + 1, top + 1 + count))

    def insert(self, values: list[dict], ids: list[int] | None = None) -> None:
        """Each dict names the columns that differ from the defaults, as Python values; the
        ids, where given, are the rows' (else the database numbers them)."""
        if ids is not None and len(ids) != len(values):
            raise ValueError(f"{len(values)} rows, {len(ids)} ids")
        if self.connection.vendor != "postgresql":
            made = [self.model(**row) for row in values]
            for obj, pk in zip(made, ids or (), strict=False):
                obj.pk = pk
            self.model.objects.bulk_create(made, batch_size=BATCH)
            return
        if not values:
            return
        meta, quote = self.model._meta, self.connection.ops.quote_name
        names = ([meta.pk.attname] if ids is not None else []) + [f.attname for f in self.fields]
        columns = ", ".join(quote(meta.get_field(n).column) for n in names)
        place = {name: i for i, name in enumerate(names)}
        template = [self.defaults.get(name) for name in names]
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for i, row in enumerate(values):
                    line = template.copy()
                    if ids is not None:
                        line[0] = ids[i]
                    for name, value in row.items():
                        line[place[name]] = value
                    copy.write_row(line)


def _ahead(items: Iterator, depth: int = 2) -> Iterator:
    """The items of an iterator, made in a thread while the caller uses those before them.
    Python makes a batch of events while PostgreSQL stores the last, on the other core: when
    each waited for the other, a million events took 93 s to load, and 73 s so. An error in
    the thread is raised here; the thread stops when the caller does."""
    made: queue.Queue = queue.Queue(maxsize=depth)
    stop, end = threading.Event(), object()

    def make():
        try:
            for item in items:
                if stop.is_set():
                    return
                made.put(item)
            made.put(end)
        except BaseException as error:  # raised again in the caller's thread
            made.put(error)

    thread = threading.Thread(target=make, name="seed-batches", daemon=True)
    thread.start()
    try:
        while (item := made.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # a put blocked on a full queue must return to see `stop`
            try:
                made.get(timeout=0.05)
            except queue.Empty:
                pass


@contextmanager
def _loading_fast():
    """On PostgreSQL, for the load: room to merge the search index's pending entries in
    memory, and, where the role may (a superuser's), no foreign-key check per row at commit
    (5.5 rows an event, each checked; the ids they name are made here in this transaction).
    Without that right the checks run, only slower. The counts made from the loaded rows
    are written under them too. Both settings are put back after; a failed load rolls the
    transaction back, and them with it."""
    connection = connections[Event.objects.db]
    if connection.vendor != "postgresql":
        yield
        return
    unchecked = True
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            unchecked = False  # setting it back would be refused the same way
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = DEFAULT")
        if unchecked:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@contextmanager
def _indexes_built_after(wanted: bool):
    """On PostgreSQL, the loaded tables' indexes that back no constraint dropped for the load
    and made again from their own definitions after it, in the same transaction: a failure
    rolls both back. The search index (GIN) is kept and fed row by row instead: its words
    are PostgreSQL's work while Python, the slower, makes the next rows on the other core;
    built at the end, it took 20 s alone at a million events (97 s in all, not 126)."""
    connection = connections[Event.objects.db]
    if not wanted or connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in (Event, EventActor, Citation, Claim)]
    tables.append(Timeline.events.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('%%I.%%I', schemaname, indexname), indexdef FROM pg_indexes i "
            "WHERE tablename = ANY(%s) AND schemaname = current_schema() AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass) "
            "AND indexdef NOT LIKE '%% USING gin %%'",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Foreign keys checked at commit (all of ours are deferred) leave events pending, and
        # PostgreSQL builds no index on a table with pending events: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


CATEGORIES = [
    ("Demo: attack", "#c0392b", "triangle-up"),
    ("Demo: air strike", "#1f6feb", "diamond"),
    ("Demo: protest", "#6f42c1", "square"),
    ("Demo: diplomacy", "#2e7d32", "circle"),
    ("Demo: court ruling", "#b26a00", "hexagon"),
    ("Demo: election", "#5f6b7a", "star"),
]
PLACES = [
    ("Baghdad", "IQ", 33.31, 44.37, "Asia/Baghdad"),
    ("Tehran", "IR", 35.69, 51.39, "Asia/Tehran"),
    ("Kyiv", "UA", 50.45, 30.52, "Europe/Kyiv"),
    ("Washington", "US", 38.90, -77.04, "America/New_York"),
    ("Beirut", "LB", 33.89, 35.50, "Asia/Beirut"),
    ("Khartoum", "SD", 15.50, 32.56, "Africa/Khartoum"),
    ("Caracas", "VE", 10.49, -66.88, "America/Caracas"),
    ("Manila", "PH", 14.60, 120.98, "Asia/Manila"),
]
PRECISIONS = ["minute"] * 5 + ["hour"] * 2 + ["day"] * 10 + ["month"] * 2 + ["year"]
WORDS = (
    "talks strike protest ruling vote ceasefire convoy blockade summit sanctions raid "
    "march election inquiry statement shelling evacuation"
).split()


# What each event names, written after it.
RELATED = (EventActor, Citation, Claim, Timeline.events.through)


class Command(BaseCommand):
    help = "Create N synthetic published events in a demo timeline (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--timeline", default="demo")

    def handle(self, *args, events: int, seed: int, timeline: str, **options):
        if events < 1:
            raise CommandError("--events must be at least 1")
        began = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            # Into tables no bigger than the load, indexes built once at the end beat every
            # row updating them (3.5 of 3.6 s per 100,000 events on PostgreSQL); all but
            # the search index's (see _indexes_built_after).
            with _loading_fast():
                with _indexes_built_after(events >= Event.objects.count()):
                    made = self._seed(rng, events, seed, timeline)
                # bulk_create sends no signals: the chart's counts are made once, for
                # everything. Under the load's settings: the 1.2 million rows of a million
                # events' counts, each foreign key checked at commit, took 17 s more.
                rollup.recount()
            DataVersion.bump()
        analyse()
        self.stdout.write(f"Created {made} events in {time.monotonic() - began:.1f}s")

    def _seed(self, rng: random.Random, n: int, seed: int, slug: str) -> int:
        categories = [
            Category.objects.get_or_create(
                slug=f"demo-{i}", defaults={"name": name, "colour": colour, "symbol": symbol}
            )[0]
            for i, (name, colour, symbol) in enumerate(CATEGORIES)
        ]
        actors = Actor.objects.bulk_create(
            [
                Actor(
                    name=f"Demo actor {seed}-{i}",
                    slug=f"demo-actor-{seed}-{i}",
                    kind=rng.choice(Actor.Kind.values),
                    country=rng.choice(PLACES)[1],
                )
                for i in range(200)
            ],
            ignore_conflicts=True,
        )
        actors = list(Actor.objects.filter(slug__startswith=f"demo-actor-{seed}-"))
        Source.objects.bulk_create(
            [
                Source(
                    publisher=f"Demo wire {i % 20}",
                    title=f"Demo report {i}",
                    slug=f"demo-source-{seed}-{i}",
                    published=dt.date(2015, 1, 1) + dt.timedelta(days=i * 7),
                )
                for i in range(500)
            ],
            ignore_conflicts=True,
        )
        sources = list(Source.objects.filter(slug__startswith=f"demo-source-{seed}-"))
        timeline, _ = Timeline.objects.get_or_create(
            slug=slug, defaults={"title": f"Demo timeline ({n:,} events)", "is_published": True}
        )
        offset = Event.objects.filter(slug__startswith=f"demo-{seed}-").count()

        events = Rows(Event)
        parts = {model: Rows(model) for model in RELATED}
        batches = self._batches(
            rng, events.ids(n), offset, seed, categories, actors, sources, timeline
        )
        # Closed when the loop ends, by an error too: the thread stops then, not when the
        # generator is collected.
        with closing(_ahead(batches)) as ahead:
            for ids, made, related in ahead:
                events.insert(made, ids)
                for model, rows in related.items():
                    parts[model].insert(rows)
        return n

    def _batches(
        self, rng, ids, offset, seed, categories, actors, sources, timeline
    ) -> Iterator[tuple]:
        """Each batch of events with its ids, and the rows naming them."""
        for start in range(0, len(ids), BATCH):
            part = ids[start : start + BATCH]
            batch = range(start, start + len(part))
            made = list(self._events(rng, batch, offset, seed, categories))
            yield part, made, self._related(rng, part, actors, sources, timeline)

    def _events(self, rng, batch: range, offset: int, seed: int, categories) -> Iterator[dict]:
        first = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
        span_minutes = 10 * 365 * 24 * 60
        # One instance derives every event's dates (Event.set_local_dates), as a save would.
        probe = Event()
        for i in batch:
            # The generator is asked in the same order as ever, so a --seed gives the same
            # events it always gave (tests pick windows of them).
            place, country, lat, lon, zone = rng.choice(PLACES)
            probe.precision, probe.timezone = rng.choice(PRECISIONS), zone
            title = f"{rng.choice(WORDS).capitalize()} in {place} #{offset + i}"
            summary = (
                f"Synthetic event {offset + i} for load tests: "
                f"{rng.choice(WORDS)} and {rng.choice(WORDS)} near {place}."
            )
            probe.start = first + dt.timedelta(minutes=rng.randrange(span_minutes))
            probe.set_local_dates()
            yield {
                "title": title,
                "slug": f"demo-{seed}-{offset + i}",
                "summary": summary,
                "start": probe.start,
                "precision": probe.precision,
                "timezone": zone,
                "place_name": place,
                "country": country,
                "latitude": lat,
                "longitude": lon,
                "category_id": rng.choice(categories).pk,
                "importance": rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 25, 10, 5])[0],
                "status": Event.Status.PUBLISHED,
                **{name: getattr(probe, name) for name in DERIVED},
            }

    def _related(self, rng, events: list[int], actors, sources, timeline) -> dict:
        roles, citations, claims, memberships = [], [], [], []
        actor_ids, source_ids = [a.pk for a in actors], [s.pk for s in sources]
        for event in events:
            for actor, role in zip(
                rng.sample(actor_ids, 2), ("perpetrator", "target"), strict=True
            ):
                roles.append({"event_id": event, "actor_id": actor, "role": role})
            source = rng.choice(source_ids)
            citations.append(
                {"event_id": event, "source_id": source, "note": "Synthetic citation."}
            )
            if rng.random() < 0.5:
                value = rng.randrange(1, 200)
                claims.append(
                    {
                        "event_id": event,
                        "kind": "deaths",
                        "value": value,
                        "text": f"{value} dead",
                        "source_id": source,
                        "attributed_to_id": rng.choice(actor_ids),
                    }
                )
            memberships.append({"timeline_id": timeline.pk, "event_id": event})
        return dict(zip(RELATED, (roles, citations, claims, memberships), strict=True))
