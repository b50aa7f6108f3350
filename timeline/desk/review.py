"""Changes to live events wait for a Publisher: proposed, shown as a diff, approved or sent back.

An Editor's save of a published event runs the desk's whole form (validation, inlines,
timelines) inside a transaction that is then rolled back — the way django-reversion previews an
old version — after `capture` has written down the result. So the proposal is exactly what the
save would have done, and nothing public changed. `approve` applies it later, as the Publisher,
if the live event is still the version it was made from.
"""

import reversion
from django.contrib.auth import get_user_model
from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import QueryDict
from django.utils import timezone

from timeline import dates
from timeline.desk import public_notes
from timeline.desk.history import KEPT_ON_RESTORE, PARTS, Change, Snapshot, compare, describe_part
from timeline.desk.workflow import PUBLISHED, Refused, can_publish
from timeline.models import Event, PendingChange, Timeline

WAITING = PendingChange.State.WAITING
# The form's own bookkeeping, not part of what the editor wrote.
NOT_FORM_DATA = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_saveasnew"}
NOTE_LENGTH = 2000
GONE = (
    "This change cannot be applied as it was proposed: it refers to a source, actor, event or "
    "timeline deleted since, or its address (slug) is now another event's. Send it back."
)


def needs_review(user, event: Event) -> bool:
    """A live (or scheduled) event changed by someone who may not publish."""
    return event.status == PUBLISHED and not can_publish(user)


def waiting_for(event_pk: int) -> PendingChange | None:
    return (
        PendingChange.objects.waiting()
        .filter(event_id=event_pk)
        .select_related("proposed_by")
        .first()
    )


def _parts_of(event: Event) -> list[Model]:
    return [
        row for model, (fk, _) in PARTS.items() for row in model.objects.filter(**{fk: event.pk})
    ]


def capture(event: Event) -> dict:
    """The saved state of an event and its parts, to be kept after the save is rolled back."""
    event = Event.objects.get(pk=event.pk)
    return {
        "proposed": serializers.serialize("json", [event, *_parts_of(event)]),
        "timelines": sorted(event.timelines.values_list("pk", flat=True)),
    }


def propose(event_pk: int, captured: dict, post: QueryDict, base_version: int, user):
    """Keep a captured change for review; it replaces a waiting one, which its form showed."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event_pk)
        waiting = PendingChange.objects.waiting().filter(event=event).first()
        shown = post.get("seen_change", "")
        if event.version != base_version or (waiting and str(waiting.pk) != shown):
            raise Refused(
                "Someone saved the event, or sent a change to it, at the same moment: open it "
                "again and redo your change."
            )
        change = PendingChange(
            event=event,
            base_version=base_version,
            form_data={k: post.getlist(k) for k in post if k not in NOT_FORM_DATA},
            proposed_by=user,
            **captured,
        )
        changes = diff(change)
        if not changes:
            return None
        change.summary = ", ".join(dict.fromkeys(c.label for c in changes))[:500]
        PendingChange.objects.waiting().filter(event=event).update(
            state=PendingChange.State.REPLACED, decided_at=timezone.now()
        )
        change.save()
    return change


def form_data(change: PendingChange) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in change.form_data.items():
        data.setlist(key, values)
    return data


def _objects(change: PendingChange) -> list[Model]:
    return [d.object for d in serializers.deserialize("json", change.proposed)]


def _fields(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def snapshot_of(objects: list[Model]) -> Snapshot:
    event = next(o for o in objects if isinstance(o, Event))
    shot = Snapshot(fields=_fields(event))
    for obj in objects:
        if type(obj) in PARTS:
            label = PARTS[type(obj)][1]
            shot.parts[(label, str(obj.pk))] = describe_part(type(obj), _fields(obj))
    return shot


def _timeline_names(pks) -> str:
    return ", ".join(Timeline.objects.filter(pk__in=pks).values_list("title", flat=True)) or "—"


def diff(change: PendingChange) -> list[Change]:
    """What approving it would change on the live event, field by field and part by part."""
    live = Event.objects.get(pk=change.event_id)
    changes = compare(snapshot_of([live, *_parts_of(live)]), snapshot_of(_objects(change)))
    before = sorted(live.timelines.values_list("pk", flat=True))
    if before != sorted(change.timelines):
        changes.append(
            Change("Timelines", _timeline_names(before), _timeline_names(change.timelines))
        )
    return changes


def _decide(change_pk: int, user, state: str, note: str = "") -> tuple[PendingChange, Event]:
    """Lock the event, then its change (the order propose takes them in), and decide it."""
    event_pk = PendingChange.objects.values_list("event_id", flat=True).get(pk=change_pk)
    live = Event.objects.select_for_update().get(pk=event_pk)
    change = PendingChange.objects.select_for_update().get(pk=change_pk)
    if change.state != WAITING:
        raise Refused(f"This change is no longer waiting: {change.get_state_display().lower()}.")
    change.state, change.decided_by, change.decided_at = state, user, timezone.now()
    change.note = note[:NOTE_LENGTH]
    change.save()
    return change, live


def approve(change_pk: int, user, tell_readers: dict | None = None) -> Event:
    """Make a waiting change live, as it was proposed, with the Publisher as the one who did;
    with `tell_readers` (public_notes), readers are told what changed."""
    if not can_publish(user):
        raise Refused("Only a Publisher can approve a change to a published event.")
    try:
        with transaction.atomic(), reversion.create_revision():
            change, live = _decide(change_pk, user, PendingChange.State.APPROVED)
            if live.version != change.base_version:
                raise Refused(
                    "The event was saved again after this change was proposed, and approving "
                    "it would undo that. Send it back, and its editor can reopen it in the "
                    "form, where the two are merged."
                )
            objects = _objects(change)
            _check_references(objects, change.timelines)
            _apply(live, objects, user)
            live.timelines.set(change.timelines)
            public_notes.record(live, tell_readers or {}, user)
            reversion.set_user(user)
            proposer = change.proposed_by or "an editor since removed"
            when = dates.short_moment(change.proposed_at)
            reversion.set_comment(f"Approved the change {proposer} sent for review on {when}")
    except IntegrityError:
        raise Refused(GONE) from None
    return Event.objects.get(pk=change.event_id)


def _check_references(objects: list[Model], timelines: list[int]) -> None:
    """Everything the proposal points at still exists (a source or linked event may have been
    deleted while it waited)."""
    for obj in objects:
        for field in obj._meta.concrete_fields:
            target = getattr(obj, field.attname) if field.is_relation else None
            if target is None or field.related_model is get_user_model():
                continue  # who wrote it is bookkeeping; the approver is recorded instead
            if field.related_model is Event and target == _event_of(obj):
                continue
            if not field.related_model._default_manager.filter(pk=target).exists():
                raise Refused(GONE)
    if Timeline.objects.filter(pk__in=timelines).count() != len(set(timelines)):
        raise Refused(GONE)


def _event_of(obj: Model) -> int | None:
    if isinstance(obj, Event):
        return obj.pk
    return getattr(obj, PARTS[type(obj)][0], None) if type(obj) in PARTS else None


def _apply(live: Event, objects: list[Model], user) -> None:
    proposed = next(o for o in objects if isinstance(o, Event))
    if proposed.pk != live.pk or any(_event_of(o) != live.pk for o in objects):
        raise Refused("This change is not a change to this event; send it back.")
    have = {(type(row), row.pk) for row in _parts_of(live)}
    wanted = {(type(o), o.pk) for o in objects if type(o) in PARTS}
    for model, pk in have - wanted:
        model.objects.filter(pk=pk).delete()
    for name in KEPT_ON_RESTORE:
        setattr(proposed, name, getattr(live, name))
    proposed.updated_by = user
    # Deserialized objects count as new; this one is the live row, saved as a new version.
    proposed._state.adding = False
    proposed.save()
    for part in objects:
        if type(part) not in PARTS:
            continue
        if (type(part), part.pk) not in have:
            # Added in the proposal: its id was only ever used in the rolled-back save.
            part.pk = None
            part._state.adding = True
        else:
            part._state.adding = False
        part.save()
    # The status is the live one (kept above), the citations those just saved.
    citation_problem = proposed.citation_problem()
    if citation_problem:
        raise Refused(f"This change removes every citation. {citation_problem}")


def send_back(change_pk: int, user, note: str) -> PendingChange:
    if not can_publish(user):
        raise Refused("Only a Publisher can send a change back.")
    with transaction.atomic():
        return _decide(change_pk, user, PendingChange.State.REJECTED, note.strip())[0]


def withdraw(change_pk: int, user) -> PendingChange:
    with transaction.atomic():
        change = PendingChange.objects.get(pk=change_pk)
        if change.proposed_by_id != user.pk and not can_publish(user):
            raise Refused("Only the editor who proposed it, or a Publisher, can withdraw it.")
        return _decide(change_pk, user, PendingChange.State.WITHDRAWN)[0]
