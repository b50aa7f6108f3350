"""Every saved state of an event, as django-reversion keeps it, told as readable changes.

Each revision holds one event and its parts (actors, citations, claims, links) as they were
after one save. `timeline_of(event)` pairs each revision with what changed since the one before;
`restore(...)` puts an old state back, keeping the event's workflow status, transition log and
version number moving forward.
"""

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

import reversion
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version

from timeline import dates
from timeline.desk import conflicts
from timeline.desk.entry import country_label
from timeline.desk.workflow import Refused
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
    KeptMemberships,
    PartOfDay,
    Precision,
    Source,
)

PARTS = {
    EventActor: ("event_id", "Actor"),
    Citation: ("event_id", "Citation"),
    Claim: ("event_id", "Claim"),
    EventLink: ("from_event_id", "Link"),
    EventPlace: ("event_id", "Place"),
}
# Shown in this order; the rest (timestamps, ids, version) is bookkeeping.
EVENT_FIELDS = [
    "title",
    "label",
    "slug",
    "summary",
    "body",
    "category_id",
    "importance",
    "start",
    "precision",
    "part_of_day",
    "end",
    "end_precision",
    "approximate",
    "timezone",
    "place_name",
    "country",
    "latitude",
    "longitude",
    "image",
    "image_url",
    "image_width",
    "image_height",
    "image_alt",
    "image_caption",
    "image_credit",
    "media_url",
    "media_title",
    "status",
    "publish_at",
]
# Where the model's own name reads as a column name rather than as words.
LABELS = {
    "label": "Chart label",
    "slug": "Web address (slug)",
    "precision": "Start precision",
    "part_of_day": "Part of the day",
    "timezone": "Time zone",
    "place_name": "Place",
    "image": "Uploaded image",
    "image_url": "Image address",
    "media_url": "Video or post",
    "media_title": "What the link is",
    "image_alt": "Image description (alt text)",
    "publish_at": "Goes live at",
}
# The workflow is changed by its own steps (and logged there); restoring content keeps it.
KEPT_ON_RESTORE = ["status", "publish_at", "published_at", "version", "created_at", "created_by_id"]
# "Nothing here" as _show writes it: a value appearing or going is marked whole, not as a dash
# replaced by words.
NOTHING = ("", "—")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass
class Change:
    label: str
    before: str
    after: str

    def marked(self) -> tuple[SafeString, SafeString]:
        """Before and after as HTML: removed words in <del>, added ones in <ins>, all escaped."""
        return mark_words(self.before, self.after)


def mark_words(before: str, after: str) -> tuple[SafeString, SafeString]:
    """A word-level diff of two texts, each side escaped; what only one side has is marked.

    Editors' text is untrusted: every piece goes through escape() or format_html.
    """
    if before in NOTHING or after in NOTHING:
        return _whole(before, "del"), _whole(after, "ins")
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    # autojunk would drop the spaces (the commonest token) from matching on long texts.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    runs = _join_runs(
        [(tag, old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    )
    marked_before = mark_safe("".join(_run(tag, part, "del") for tag, part, _ in runs))
    marked_after = mark_safe("".join(_run(tag, part, "ins") for tag, _, part in runs))
    return marked_before, marked_after


def _join_runs(runs: list[tuple]) -> list[tuple]:
    """One mark per stretch of change: what two changes leave between them, if no more than a
    word, belongs to them ("<del>the cat</del>", not "<del>the</del> <del>cat</del>"; "Iraqi
    officials" → "the Iraqi military" as one change, not three)."""
    for i in range(1, len(runs) - 1):
        tag, old, new = runs[i]
        if tag == "equal" and sum(1 for token in old if token[0].isalnum()) <= 1:
            if runs[i - 1][0] != "equal" and runs[i + 1][0] != "equal":
                runs[i] = ("between", old, new)
    joined = []
    for tag, old, new in runs:
        if tag != "equal" and joined and joined[-1][0] != "equal":
            joined[-1] = ("changed", joined[-1][1] + old, joined[-1][2] + new)
        else:
            joined.append((tag if tag == "equal" else "changed", old, new))
    return joined


def _run(tag: str, tokens: list[str], element: str) -> str:
    text = "".join(tokens)
    if tag == "equal" or not text.strip():
        return escape(text)
    core = text.strip()
    start = text.index(core)
    lead, trail = text[:start], text[start + len(core) :]
    return escape(lead) + format_html("<{}>{}</{}>", element, core, element) + escape(trail)


def _whole(text: str, element: str) -> SafeString:
    if text in NOTHING:
        return escape(text)
    return format_html("<{}>{}</{}>", element, text, element)


@dataclass
class Snapshot:
    """One saved state: the event's fields and its parts, keyed by (part label, row id)."""

    fields: dict
    parts: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Entry:
    version: Version
    changes: list[Change]
    is_current: bool = False


def _event_versions(event_pk: int):
    return (
        Version.objects.get_for_object_reference(Event, event_pk)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def _part_rows(version: Version) -> dict[tuple[type, str], dict]:
    """The event's parts saved in the same revision, as rows keyed by (model, row id)."""
    event_pk = int(version.object_id)
    rows = {}
    for other in version.revision.version_set.exclude(pk=version.pk):
        model = other._model
        if model in PARTS and other.field_dict.get(PARTS[model][0]) == event_pk:
            rows[(model, other.object_id)] = other.field_dict
    return rows


def snapshot(version: Version) -> Snapshot:
    parts = {
        (PARTS[model][1], pk): describe_part(model, row)
        for (model, pk), row in _part_rows(version).items()
    }
    return Snapshot(fields=version.field_dict, parts=parts)


def state(version: Version) -> conflicts.State:
    """One saved version as the merge reads it: fields under the form's names, parts as rows."""
    fields = {name.removesuffix("_id"): value for name, value in version.field_dict.items()}
    parts = {(PARTS[model][1], pk): row for (model, pk), row in _part_rows(version).items()}
    return conflicts.State(fields, parts)


def _name(model, pk, attribute="name") -> str:
    if pk is None:
        return ""
    obj = model.objects.filter(pk=pk).first()
    return str(getattr(obj, attribute)) if obj else f"(deleted, #{pk})"


def describe_part(model, row: dict) -> str:
    if model is EventActor:
        role = EventActor.Role(row["role"]).label if row["role"] in EventActor.Role else row["role"]
        note = f" — {row['note']}" if row.get("note") else ""
        return f"{_name(Actor, row['actor_id'])} ({role.lower()}){note}"
    if model is Citation:
        source = str(Source.objects.filter(pk=row["source_id"]).first() or "(deleted source)")
        quote = f": “{row['quote']}”" if row.get("quote") else ""
        note = f" ({row['note']})" if row.get("note") else ""
        return f"{source}{quote}{note}"
    if model is Claim:
        claim = Claim(
            event_id=row["event_id"],
            qualifier=row.get("qualifier", ""),
            value=row["value"],
            value_max=row["value_max"],
            reported_at=row.get("reported_at"),
            reported_precision=row.get("reported_precision", ""),
            reported_timezone=row.get("reported_timezone", ""),
        )
        figure = claim.figure
        if claim.reported_at:
            # As the page says it, on its own clock and to its precision: a change of either
            # is a change the history and the review must show.
            figure += f", given {claim.reported_when}"
        if row.get("sequence"):
            figure += f" (no. {row['sequence']} that day)"
        said = (
            f", said by {_name(Actor, row['attributed_to_id'])}" if row["attributed_to_id"] else ""
        )
        source = str(Source.objects.filter(pk=row["source_id"]).first() or "(deleted source)")
        return f"{row['kind']} {figure}: {row['text']} (per {source}{said})".replace("  ", " ")
    if model is EventPlace:
        where = ", ".join(filter(None, [row["name"], country_label(row["country"] or "")]))
        if row["latitude"] is not None and row["longitude"] is not None:
            where += f" ({row['latitude']}, {row['longitude']}"
            where += ", approximate)" if row.get("approximate") else ")"
        return where
    kind = EventLink.Kind(row["kind"]).label if row["kind"] in EventLink.Kind else row["kind"]
    return f"{kind} “{_name(Event, row['to_event_id'], 'title')}”"


def _show(name: str, value, fields: dict) -> str:
    if value in (None, ""):
        return "—"
    if name == "category_id":
        return _name(Category, value)
    if name in ("start", "end"):
        zone = Event(timezone=fields.get("timezone") or "UTC").zone
        precision = fields.get("precision" if name == "start" else "end_precision") or "day"
        return Precision(precision).describe(value, zone)
    if name == "status":
        return Event.Status(value).label
    if name in ("precision", "end_precision") and value in Precision:
        return Precision(value).label
    if name == "part_of_day" and value in PartOfDay:
        return PartOfDay(value).label
    if name == "country":
        return country_label(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        # Said in UTC, on the 24-hour clock, like every time in the desk.
        aware = timezone.make_aware(value, dt.UTC) if timezone.is_naive(value) else value
        return dates.short_moment(aware)
    return str(value)


def field_label(name: str) -> str:
    """The field as the history and the conflict message name it: "Place", "Start precision"."""
    field_name = name.removesuffix("_id")
    if field_name in LABELS:
        return LABELS[field_name]
    return str(Event._meta.get_field(field_name).verbose_name).capitalize()


def compare(old: Snapshot | None, new: Snapshot) -> list[Change]:
    """What a reader of the admin needs to know changed from `old` to `new`."""
    if old is None:
        return [Change("Event", "", "created")]
    changes = [
        Change(
            field_label(name),
            _show(name, old.fields.get(name), old.fields),
            _show(name, new.fields.get(name), new.fields),
        )
        for name in EVENT_FIELDS
        if old.fields.get(name) != new.fields.get(name)
    ]
    for key in sorted(set(old.parts) | set(new.parts)):
        before, after = old.parts.get(key, ""), new.parts.get(key, "")
        if before != after:
            verb = "added" if not before else "removed" if not after else "changed"
            changes.append(Change(f"{key[0]} {verb}", before, after))
    return changes


def timeline_of(event: Event) -> list[Entry]:
    """The event's saved states, newest first, each with what it changed."""
    versions = list(_event_versions(event.pk))
    shots = [snapshot(v) for v in versions]
    entries = []
    for i, version in enumerate(versions):
        older = shots[i + 1] if i + 1 < len(shots) else None
        entries.append(Entry(version, compare(older, shots[i]), is_current=i == 0))
    return entries


def since(event: Event, seen_version: int | None) -> tuple[Version | None, Version | None]:
    """The version an editor opened (None if it is not in the history) and the newest one."""
    versions = list(_event_versions(event.pk))
    newest = versions[0] if versions else None
    opened = next((v for v in versions if v.field_dict.get("version") == seen_version), None)
    return (None if seen_version is None else opened), newest


def restore(event_pk: int, version_id: int, seen_version: int, user) -> Event:
    """Put back the event's content as saved in one version; a new version records it.

    Parts added since are removed, parts removed since come back. The workflow status and the
    version number are kept from now: restoring is an edit, not a way round the workflow.
    """
    with transaction.atomic(), reversion.create_revision():
        current = Event.objects.select_for_update().get(pk=event_pk)
        if current.version != seen_version:
            raise Refused(
                "The event was saved again after you opened its history; "
                "look at the newest changes, then restore."
            )
        version = Version.objects.get_for_object_reference(Event, event_pk).get(pk=version_id)
        kept = {name: getattr(current, name) for name in KEPT_ON_RESTORE}
        wanted = [
            v
            for v in version.revision.version_set.all()
            if v.pk == version.pk
            or (v._model in PARTS and v.field_dict.get(PARTS[v._model][0]) == event_pk)
        ]
        wanted_keys = {(v._model, v.object_id) for v in wanted}
        for model, (fk, _label) in PARTS.items():
            for row in model.objects.filter(**{fk: event_pk}):
                if (model, str(row.pk)) not in wanted_keys:
                    row.delete()
        try:
            with transaction.atomic():
                version.revert()
                for part in wanted:
                    if part.pk != version.pk:
                        part.revert()
        except IntegrityError:
            raise Refused(
                "That version cannot be put back as it was: it refers to a source, actor or "
                "event deleted since, or its address (slug) is now another event's."
            ) from None
        event = Event.objects.get(pk=event_pk)
        for name, value in kept.items():
            setattr(event, name, value)
        citation_problem = event.citation_problem()
        if citation_problem:
            raise Refused(f"That version has no citation. {citation_problem} Unpublish it first.")
        event.updated_by = user
        event.save()
        reversion.set_user(user)
        when = dates.short_moment(version.revision.date_created)
        reversion.set_comment(f"Restored the version saved {when}")
        if event.is_published:
            # Readers saw the newer text: the log says it changed back, and keeps every note.
            EventUpdate.objects.create(
                event=event,
                kind=EventUpdate.Kind.UPDATE,
                note=f"An earlier version of this entry, as saved on {when}, was put back.",
                made_by=user,
            )
    return event


def ensure_baseline(event: Event, user) -> None:
    if not Version.objects.get_for_object_reference(Event, event.pk).exists():
        with reversion.create_revision():
            reversion.add_to_revision(Event.objects.get(pk=event.pk))
            reversion.set_user(user)
            reversion.set_comment("First seen in the editors' desk")


def snapshot_before_delete(event: Event, user) -> None:
    """Keep a last revision of an event about to be deleted, so it can be recovered."""
    with reversion.create_revision():
        reversion.add_to_revision(event)
        reversion.add_meta(
            KeptMemberships, timelines=list(event.timelines.values_list("pk", flat=True))
        )
        reversion.set_user(user)
        reversion.set_comment("Deleted")


def kept_timelines(version: Version) -> list[int] | None:
    """The timelines a deleted event was on, from the revision kept when it was deleted."""
    kept = KeptMemberships.objects.filter(revision_id=version.revision_id).first()
    return None if kept is None else list(kept.timelines)
