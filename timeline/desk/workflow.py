"""Draft → review → published, and back to draft: who may move an event, and the log of moves.

Editors write drafts and submit them for review; only Publishers publish or unpublish. Every
write here checks the version the person saw, so nobody publishes or unpublishes an event that
changed under them.
"""

import difflib
import re

import reversion
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from timeline import dates
from timeline.models import Event, EventTransition

PUBLISH_PERMISSION = "timeline.publish_event"
DRAFT, REVIEW, PUBLISHED = Event.Status.DRAFT, Event.Status.REVIEW, Event.Status.PUBLISHED
ONLY_PUBLISHERS = (
    "Only a Publisher can publish or unpublish an event. "
    "Set it to “In review” and a Publisher will take it from there."
)


def can_publish(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return user is not None and user.has_perm(PUBLISH_PERMISSION)


def permission_problem(user, old_status: str | None, new_status: str | None) -> str | None:
    """Why this person may not make this move, or None."""
    if new_status == old_status or PUBLISHED not in (new_status, old_status):
        return None
    return None if can_publish(user) else ONLY_PUBLISHERS


def record(event: Event, old_status: str, user, publish_at=None) -> EventTransition:
    return EventTransition.objects.create(
        event=event,
        from_status=old_status or "",
        to_status=event.status,
        publish_at=publish_at if event.status == PUBLISHED else None,
        by=user if getattr(user, "pk", None) else None,
    )


class Refused(Exception):
    """A move that did not happen, with the reason in words for the person who tried it."""


def move(event_pk: int, seen_version: int | None, to_status: str, user) -> Event:
    """Set one event's status, if the version is still the one the person saw.

    The row is locked while checking, so two Publishers clicking at once cannot both win.
    Only the status (and who changed it) is written: nobody's text is overwritten.
    """
    with transaction.atomic(), reversion.create_revision():
        event = Event.objects.select_for_update().get(pk=event_pk)
        if seen_version is not None and event.version != seen_version:
            raise Refused(
                f"“{event.title}” was changed by {_who(event)} after you loaded the list; "
                "open it to see the changes, then try again."
            )
        problem = permission_problem(user, event.status, to_status)
        if problem:
            raise Refused(problem)
        old = event.status
        event.status = to_status
        citation_problem = event.citation_problem()
        if citation_problem:
            raise Refused(f"“{event.title}” has no citation yet. {citation_problem}")
        event.updated_by = user
        event.save(update_fields=["status", "updated_by", "updated_at"])
        record(event, old, user, event.publish_at)
        reversion.set_user(user)
        reversion.set_comment(f"{Event.Status(old).label} → {event.get_status_display()}")
    return event


def _who(event: Event) -> str:
    return str(event.updated_by) if event.updated_by_id else "someone"


def describe_status(event: Event) -> str:
    """The status as the desk says it: 'Scheduled for 8 Jan 2020, 06:00 UTC'."""
    if event.is_scheduled:
        return f"Scheduled for {dates.short_moment(event.publish_at)}"
    return event.get_status_display()


_WORD = re.compile(r"\w+")


def _words(title: str) -> str:
    return " ".join(_WORD.findall(title.lower()))


def similar_titles(a: str, b: str) -> bool:
    """Close enough that a second editor may be writing up the same thing."""
    left, right = _words(a), _words(b)
    if not left or not right:
        return False
    if left in right or right in left:
        return True
    return difflib.SequenceMatcher(None, left, right).ratio() >= 0.75


def likely_duplicates(title: str, local_date, exclude_pk: int | None) -> list[Event]:
    """Events (any status) on the same local day with a similar title."""
    same_day = Event.objects.filter(local_start_date=local_date).exclude(pk=exclude_pk)
    return [e for e in same_day.only("pk", "title", "slug") if similar_titles(title, e.title)]
