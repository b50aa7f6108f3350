"""Synthetic published events for load tests and benchmarks: realistic shapes, fake facts."""

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from timeline import rollup
from timeline.apps import analyse
from timeline.models import (
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


def _insert(model, objs: list) -> list:
    """Rows written at once, their ids set: bulk INSERTs, or on PostgreSQL COPY, several times
    faster (a million events in minutes). Like bulk_create, no save() and no signals."""
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql" or not objs:
        return model.objects.bulk_create(objs, batch_size=BATCH)
    meta, quote = model._meta, connection.ops.quote_name
    fields = meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, pk)
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                # pre_save fills what bulk_create would (created_at, updated_at).
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )
    return objs


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
            made = self._seed(rng, events, seed, timeline)
            # bulk_create sends no signals: the chart's counts are made once, for everything.
            rollup.recount()
            DataVersion.bump()
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
        first = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
        span_minutes = 10 * 365 * 24 * 60
        offset = Event.objects.filter(slug__startswith=f"demo-{seed}-").count()

        for start in range(0, n, BATCH):
            batch = []
            for i in range(start, min(n, start + BATCH)):
                place, country, lat, lon, zone = rng.choice(PLACES)
                precision = rng.choice(PRECISIONS)
                event = Event(
                    title=f"{rng.choice(WORDS).capitalize()} in {place} #{offset + i}",
                    slug=f"demo-{seed}-{offset + i}",
                    summary=f"Synthetic event {offset + i} for load tests: "
                    f"{rng.choice(WORDS)} and {rng.choice(WORDS)} near {place}.",
                    start=first + dt.timedelta(minutes=rng.randrange(span_minutes)),
                    precision=precision,
                    timezone=zone,
                    place_name=place,
                    country=country,
                    latitude=lat,
                    longitude=lon,
                    category=rng.choice(categories),
                    importance=rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 25, 10, 5])[0],
                    status=Event.Status.PUBLISHED,
                )
                # bulk_create sends no signals: fill what the pre_save hook would.
                event.set_local_dates()
                batch.append(event)
            created = _insert(Event, batch)
            self._relate(rng, created, actors, sources, timeline)
        return n

    def _relate(self, rng, events, actors, sources, timeline) -> None:
        roles, citations, claims, memberships = [], [], [], []
        for event in events:
            for actor, role in zip(rng.sample(actors, 2), ("perpetrator", "target"), strict=True):
                roles.append(EventActor(event=event, actor=actor, role=role))
            source = rng.choice(sources)
            citations.append(Citation(event=event, source=source, note="Synthetic citation."))
            if rng.random() < 0.5:
                value = rng.randrange(1, 200)
                claims.append(
                    Claim(
                        event=event,
                        kind="deaths",
                        value=value,
                        text=f"{value} dead",
                        source=source,
                        attributed_to=rng.choice(actors),
                    )
                )
            memberships.append(Timeline.events.through(timeline=timeline, event=event))
        for model, rows in (
            (EventActor, roles),
            (Citation, citations),
            (Claim, claims),
            (Timeline.events.through, memberships),
        ):
            _insert(model, rows)
        analyse()
