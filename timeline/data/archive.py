"""The whole chronology as one versioned JSON document, keyed by slugs rather than database ids.

Export → import into an empty database → export gives the same bytes: every field of every
model is carried (except ids, the local dates and sort key derived from `start`, and the
editors' accounts, which are not chronology data), lists come in a fixed order, and times are
written in UTC.
"""

import datetime as dt
import json
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile

from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    EventLink,
    EventPlace,
    EventUpdate,
    Source,
    Timeline,
)

FORMAT = "timeline-archive"
# 2: claims carry their words and time, roles their new names, timelines their clock, events
# their public updates. A version 1 archive is read as it would have been migrated (_upgrade).
VERSION = 2
SKIPPED = {
    "id",
    "local_start_date",
    "local_end_date",
    "sort_at",
    "known_from",
    "created_by",
    "updated_by",
    "made_by",
}
# Fields added since version 2 was written: an older archive without them gets their defaults.
LATER_FIELDS = {
    "place_approximate",
    "image",
    "image_width",
    "image_height",
    "media_url",
    "media_title",
}
# An event's parts, stored inside it: they have no natural key of their own.
PARTS = {
    "actors": EventActor,
    "citations": Citation,
    "claims": Claim,
    "places": EventPlace,
    "updates": EventUpdate,
}


class ArchiveProblem(Exception):
    def __init__(self, where: str, field_name: str, message: str):
        super().__init__(f"{where}, {field_name}: {message}")


def fields(model: type[models.Model]) -> list[models.Field]:
    """The fields an archive carries for a model, in the model's order."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED and not (model in PARTS.values() and f.name == "event")
    ]


def _dump(obj: models.Model) -> dict:
    out = {}
    for f in fields(type(obj)):
        if f.is_relation:
            related = getattr(obj, f.name)
            out[f.name] = related.slug if related is not None else None
            continue
        value = f.value_from_object(obj)
        if isinstance(value, FieldFile):
            # The file's name in storage: the archive carries words, the storage the pictures.
            value = value.name or ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[f.name] = value
    return out


def export() -> str:
    parts = [
        Prefetch("event_actors", EventActor.objects.select_related("actor").order_by("pk")),
        Prefetch("citations", Citation.objects.select_related("source").order_by("pk")),
        Prefetch("claims", Claim.objects.select_related("source", "attributed_to").order_by("pk")),
        Prefetch("more_places", EventPlace.objects.order_by("pk")),
        Prefetch("updates", EventUpdate.objects.order_by("pk")),
    ]
    events = Event.objects.select_related("category").prefetch_related(*parts).order_by("slug")
    links = EventLink.objects.select_related("from_event", "to_event").order_by(
        "from_event__slug", "to_event__slug"
    )
    timelines = Timeline.objects.prefetch_related("events").order_by("slug")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "categories": [_dump(c) for c in Category.objects.order_by("slug")],
        "actors": [_dump(a) for a in Actor.objects.select_related("parent").order_by("slug")],
        "sources": [_dump(s) for s in Source.objects.order_by("slug")],
        "events": [
            {
                **_dump(event),
                "actors": [_dump(role) for role in event.event_actors.all()],
                "citations": [_dump(citation) for citation in event.citations.all()],
                "claims": [_dump(claim) for claim in event.claims.all()],
                "places": [_dump(place) for place in event.more_places.all()],
                "updates": [_dump(update) for update in event.updates.all()],
            }
            for event in events
        ],
        "links": [_dump(link) for link in links],
        "timelines": [
            {**_dump(t), "events": sorted(e.slug for e in t.events.all())} for t in timelines
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


class _Loader:
    def __init__(self, update: bool):
        self.update = update
        self.counts: Counter[str] = Counter()
        self.found: dict[tuple[type, str], models.Model] = {}

    def related(self, model, slug, where: str, name: str):
        if slug is None:
            return None
        key = (model, slug)
        if key not in self.found:
            obj = model.objects.filter(slug=slug).first()
            if obj is None:
                label = model._meta.verbose_name
                raise ArchiveProblem(where, name, f"no {label} “{slug}” in the archive or database")
            self.found[key] = obj
        return self.found[key]

    def fill(self, obj, item: dict, where: str, skip=()) -> dict:
        """Set obj's fields from the item; returns the automatic timestamps to restore."""
        if not isinstance(item, dict):
            raise ArchiveProblem(where, "item", "expected an object")
        stamps = {}
        for f in fields(type(obj)):
            if f.name in skip:
                continue
            if f.name not in item and f.name in LATER_FIELDS:
                item = {**item, f.name: f.get_default()}
            if f.name not in item:
                raise ArchiveProblem(where, f.name, "missing")
            raw = item[f.name]
            if f.is_relation:
                setattr(obj, f.name, self.related(f.related_model, raw, where, f.name))
                continue
            try:
                value = f.to_python(raw)
            except ValidationError as exc:
                raise ArchiveProblem(where, f.name, " ".join(exc.messages)) from None
            setattr(obj, f.attname, value)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                stamps[f.name] = value
        return stamps

    def save(self, obj, stamps: dict, where: str) -> None:
        try:
            obj.full_clean()
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            raise ArchiveProblem(where, name, " ".join(messages)) from None
        obj.save()
        if stamps:
            # auto_now fields take the clock on save; the archive's times are the real ones.
            type(obj).objects.filter(pk=obj.pk).update(**stamps)
        if hasattr(obj, "slug"):
            self.found[(type(obj), obj.slug)] = obj

    def upsert(self, model, item: dict, where: str, skip=(), prepare=None):
        """The object for the item's slug, changed only if it is new or --update was given."""
        slug = item.get("slug") if isinstance(item, dict) else None
        existing = model.objects.filter(slug=slug).first() if slug else None
        section = model._meta.verbose_name_plural
        if existing is not None and not self.update:
            self.counts[f"{section} kept"] += 1
            return existing, False
        obj = existing or model()
        stamps = self.fill(obj, item, where, skip)
        if prepare:
            prepare(obj)
        self.save(obj, stamps, where)
        self.counts[f"{section} {'updated' if existing else 'created'}"] += 1
        return obj, True

    def categories(self, items: list) -> None:
        for n, item in enumerate(items):
            self.upsert(Category, item, f"categories[{n}]")

    def actors(self, items: list) -> None:
        # A parent may come later in the list, so every actor exists before any is linked.
        placed = [
            self.upsert(Actor, item, f"actors[{n}]", skip={"parent"})
            for n, item in enumerate(items)
        ]
        for n, ((actor, changed), item) in enumerate(zip(placed, items, strict=True)):
            if changed:
                actor.parent = self.related(Actor, item.get("parent"), f"actors[{n}]", "parent")
                self.save(actor, {}, f"actors[{n}]")

    def sources(self, items: list) -> None:
        for n, item in enumerate(items):
            self.upsert(Source, item, f"sources[{n}]")

    def events(self, items: list) -> None:
        for n, item in enumerate(items):
            where = f"events[{n}]"

            def check_citations(event: Event, item=item, where=where) -> None:
                # Its citations are saved after it, from the same item.
                problem = event.citation_problem(cited=bool(item.get("citations")))
                if problem:
                    raise ArchiveProblem(where, "citations", problem.rstrip("."))

            event, changed = self.upsert(Event, item, where, prepare=check_citations)
            if changed:
                self.event_parts(event, item, where)

    def event_parts(self, event: Event, item: dict, where: str) -> None:
        for name, model in PARTS.items():
            parts = item.get(name) or []
            if not isinstance(parts, list):
                raise ArchiveProblem(where, name, "expected a list")
            kept = set()
            if model is EventUpdate:
                # Public updates and corrections are never taken away: the archive's join them.
                kept = set(event.updates.values_list("kind", "note", "made_at"))
            else:
                model.objects.filter(event=event).delete()
            for n, part in enumerate(parts):
                obj = model(event=event)
                stamps = self.fill(obj, part, f"{where}.{name}[{n}]")
                if model is EventUpdate and (obj.kind, obj.note, obj.made_at) in kept:
                    continue
                self.save(obj, stamps, where)

    def links(self, items: list) -> None:
        for n, item in enumerate(items):
            where, link = f"links[{n}]", EventLink()
            self.fill(link, item, where)
            existing = EventLink.objects.filter(
                from_event=link.from_event, to_event=link.to_event
            ).first()
            if existing is None:
                self.save(link, {}, where)
                self.counts["links created"] += 1
            elif self.update:
                existing.kind = link.kind
                self.save(existing, {}, where)
                self.counts["links updated"] += 1
            else:
                self.counts["links kept"] += 1

    def timelines(self, items: list) -> None:
        for n, item in enumerate(items):
            where = f"timelines[{n}]"
            timeline, changed = self.upsert(Timeline, item, where)
            slugs = item.get("events") or []
            events = [self.related(Event, slug, where, "events") for slug in slugs]
            if changed:
                timeline.events.set(events)
            else:
                # A kept timeline still gains the archive's events; nothing on it is removed.
                timeline.events.add(*events)


SECTIONS = ("categories", "actors", "sources", "events", "links", "timelines")

# What version 2 added, and what a version 1 archive means by its absence (the migrations').
ADDED_IN_2 = {
    "claims": {
        "qualifier": Claim.Qualifier.EXACT,
        "reported_at": None,
        "reported_precision": "",
        "reported_timezone": "",
        "sequence": 0,
    },
    "timelines": {"time_zone": "UTC"},
}


def _upgrade(document: dict) -> None:
    """A version 1 archive as migrations 0012–0016 would have left it, in place."""
    kinds = {
        a.get("slug"): a.get("kind") for a in document.get("actors", []) if isinstance(a, dict)
    }
    for timeline in document.get("timelines") or []:
        if isinstance(timeline, dict):
            for name, value in ADDED_IN_2["timelines"].items():
                timeline.setdefault(name, value)
    for event in document.get("events") or []:
        if not isinstance(event, dict):
            continue
        for claim in event.get("claims") or []:
            if isinstance(claim, dict):
                for name, value in ADDED_IN_2["claims"].items():
                    claim.setdefault(name, value)
        for role in event.get("actors") or []:
            if isinstance(role, dict) and role.get("role") == "reporter":
                slug = role.get("actor")
                kind = kinds.get(slug) or (
                    Actor.objects.filter(slug=slug).values_list("kind", flat=True).first()
                )
                role["role"] = teller_role(kind, role.get("note") or "")


def teller_role(kind: str | None, note: str) -> str:
    """ "Reporter" split as migration 0013 split it: outlets, spokespeople, official sources
    (also for the saved versions, migration 0017)."""
    if kind is None:
        return EventActor.Role.OFFICIAL_SOURCE
    if kind == Actor.Kind.MEDIA:
        return EventActor.Role.REPORTING_OUTLET
    if kind == Actor.Kind.PERSON and "spokes" in note.lower():
        return EventActor.Role.SPOKESPERSON
    return EventActor.Role.OFFICIAL_SOURCE


def load(text: str, update: bool = False) -> Counter:
    """Load an archive into this database in one transaction; returns what it did."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArchiveProblem(f"line {exc.lineno}", f"column {exc.colno}", exc.msg) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveProblem("the file", "format", f"not a {FORMAT} document")
    if document.get("version") == 1:
        _upgrade(document)
    elif document.get("version") != VERSION:
        raise ArchiveProblem("the file", "version", f"this site reads versions 1 and {VERSION}")
    for name in SECTIONS:
        if not isinstance(document.get(name, []), list):
            raise ArchiveProblem("the archive", name, "expected a list")

    loader = _Loader(update)
    with transaction.atomic():
        for name in SECTIONS:
            getattr(loader, name)(document.get(name, []))
    return loader.counts
