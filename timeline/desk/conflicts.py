"""Two editors saved one event, the second from an older version: what that save keeps of each.

A three-way merge in plain values, like a version-control merge: the version both started from
(`base`), the event as the other editor saved it (`theirs`) and the form as posted (`yours`).
Nothing here reads a form, a request or the database; the desk's form gathers the three states
(timeline.desk.event_form) and says the result in words.
"""

from dataclasses import dataclass, field
from typing import Any


class Overtaken(Exception):
    """Another save landed after this one was checked and before it was written."""


@dataclass(frozen=True)
class State:
    """An event as one side has it: its fields under the form's names, and its parts (actors,
    citations, claims, links) as saved rows keyed by (kind, row id)."""

    fields: dict[str, Any]
    parts: dict[tuple[str, str], dict] = field(default_factory=dict)


@dataclass(frozen=True)
class Merge:
    # Fields only they changed: the form takes their value.
    taken: list[str]
    # Fields both changed, to different values: the form keeps yours, and offers theirs.
    clashes: list[str]
    # Kinds of part ("Claim", "Link") their save changed; None when there is no base to tell.
    parts_changed: list[str] | None

    @property
    def whole(self) -> bool:
        """Whether the form now holds all of both saves, so saving it again keeps both.

        Parts are edited in inlines of their own, which a merge cannot fill in.
        """
        return self.parts_changed == []


def merge(base: State | None, theirs: State, yours: dict[str, Any]) -> Merge:
    """Merge the fields in `yours` (the ones the form edits) with their save since `base`.

    Without a base (the version the form was opened at is not in the history), every field
    that differs from theirs is a clash: nobody can say who changed it.
    """
    taken, clashes = [], []
    for name, mine in yours.items():
        their = theirs.fields.get(name)
        if their == mine:
            continue
        if base is None:
            clashes.append(name)
            continue
        before = base.fields.get(name)
        if mine == before:
            taken.append(name)
        elif their != before:
            clashes.append(name)
        # Otherwise only you changed it: yours stands.
    return Merge(taken, clashes, None if base is None else _parts_changed(base, theirs))


def _parts_changed(base: State, theirs: State) -> list[str]:
    kinds = {
        key[0]
        for key in base.parts.keys() | theirs.parts.keys()
        if base.parts.get(key) != theirs.parts.get(key)
    }
    return sorted(kinds)
