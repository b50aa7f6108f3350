"""The events a reader's chart and chronology show, read as plain rows, and what their marks
and cards show, kept between renders.

They are read with values_list and made into real Event, Category, Claim, Source, Actor,
EventActor, Citation and EventPlace instances here, without Model.__init__ and holding only the
columns read; reading any other field costs a query per event, which the query-count tests
catch. Through the ORM (select_related and five prefetches) the same 250 events were 1,180
instances and the slowest part of an uncached fragment (README, bench notes).

What a mark or a card shows is then a function of the rows its event was read with
(`row_key`), so it is kept per worker under them (`kept`): after a publish, the next render
works out the marks and cards of the events that changed, not of every one shown. That, more
than the reading, is what took the fragment at 1,000 events from 81 to about 45 ms.
"""

import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState

from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    EventPlace,
    Source,
    claims_in_order,
)

# What a mark, its hover card and its map markers read.
EVENT_COLUMNS = (
    "id",
    "slug",
    "title",
    "label",
    "start",
    "end",
    "precision",
    "end_precision",
    "part_of_day",
    "approximate",
    "timezone",
    "local_start_date",
    "local_end_date",
    "sort_at",
    "importance",
    "place_name",
    "country",
    "latitude",
    "longitude",
    "place_approximate",
    "category_id",
)
# A card shows the summary too.
CARD_COLUMNS = (*EVENT_COLUMNS, "summary")
# What a mark, card and lane name read of a category (its description is on no card).
CATEGORY_COLUMNS = ("id", "name", "slug", "colour", "symbol", "order")
# What a figure's headline reads: "56 dead — IRINN, via CNN, 7 Jan 2020".
FIGURE_COLUMNS = (
    "id",
    "event_id",
    "kind",
    "value",
    "value_max",
    "qualifier",
    "reported_at",
    "reported_precision",
    "reported_timezone",
    "sequence",
    "source_id",
    "attributed_to_id",
)
SOURCE_COLUMNS = ("publisher", "published")
ROLE_COLUMNS = ("id", "event_id", "role", "actor_id")
ACTOR_COLUMNS = ("name", "slug")
CITATION_COLUMNS = ("id", "event_id", "source_id")
PLACE_COLUMNS = ("id", "event_id", "name", "country", "latitude", "longitude", "approximate")


def most_important(matching: QuerySet[Event], lanes: str, as_of, limit: int) -> list[Event]:
    """The `limit` most important of `matching`, in time order, each with its category, its
    figures in the order given (`given_figures`, as headline_claim reads them) and, for actor
    lanes, its actors."""
    return most_important_and_listed(matching, lanes, as_of, limit, slice(0, 0))[0]


def listed(matching: QuerySet[Event], as_of, window: slice = slice(None)) -> list[Event]:
    """`matching[window]`, in its order, with what the chronology's cards show: besides what a
    mark shows, the summary, the actors and their roles, the other places and how many sources
    are cited. The chart draws them as they are when it draws every match."""
    events = _events(matching, CARD_COLUMNS, window)
    _add_figures(events, as_of)
    _add_actors(events)
    _add_citations(events)
    add_places(events)
    return events


def most_important_and_listed(
    matching: QuerySet[Event], lanes: str, as_of, limit: int, window: slice
) -> tuple[list[Event], list[Event]]:
    """most_important(…) and listed(…, window) as a big chart and its list show them, with the
    figures (and for actor lanes the actors) of both read at once: one statement fewer to plan
    and run, about a millisecond on PostgreSQL."""
    top = _events(matching.order_by("-importance", "sort_at", "pk"), EVENT_COLUMNS, slice(0, limit))
    page = _events(matching, CARD_COLUMNS, window) if window != slice(0, 0) else []
    _add_figures(top + page, as_of)
    _add_actors(top + page if lanes == "actor" else page)
    _add_citations(page)
    add_places(page)
    top.sort(key=lambda e: (e.sort_at, e.id))
    return top, page


def _events(queryset: QuerySet[Event], columns: tuple[str, ...], window: slice) -> list[Event]:
    db = queryset.db
    categories: dict[int, Category] = {}
    events = []
    split = len(columns)
    in_category = [f"category__{name}" for name in CATEGORY_COLUMNS]
    read = queryset.values_list(*columns, *in_category)[window]
    compiler = read.query.get_compiler(db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # what the ORM answers with no rows, as for none()
        return []
    for row in _fetched(db, sql, params, _selected(compiler)):
        event = loaded(Event, db, columns, row[:split])
        category = categories.get(event.category_id)
        if category is None:
            category = loaded(Category, db, CATEGORY_COLUMNS, row[split:])
            categories[event.category_id] = category
        event._state.fields_cache["category"] = category
        event.given_figures = []
        # Every row the event is read with: each _add_ below adds the rows it reads.
        event.row_key = row
        events.append(event)
    return events


def _related(events: list[Event], queryset: QuerySet, columns: tuple[str, ...], shape=None):
    """(event, row) for each row of `queryset` (in its order) that belongs to one of `events`;
    read by a statement kept under `shape` when given (`_read`)."""
    # An event may be read twice (a chart's mark and a list's card): each copy is read with
    # the row, which is yielded once.
    by_pk: dict[int, list[Event]] = {}
    for event in events:
        by_pk.setdefault(event.id, []).append(event)
    if not by_pk:
        return
    db = events[0]._state.db
    for row in _read(queryset.using(db), columns, list(by_pk), shape):
        copies = by_pk[row[1]]
        for event in copies:
            event.row_key += (row,)
        yield copies[0], row


# A related read's SQL, made once per worker, database and shape: for a few hundred ids, the
# ORM spent 1.1 ms making the same statement (0.5 of it checking each id) to run a 0.3 ms query,
# and a fragment makes six (README, bench notes).
_statements: dict[tuple[str, Hashable], tuple] = {}
# An id no row has: it marks where the events' ids go in the statement made from the queryset.
_IDS = -7_919_000_017


def _read(queryset: QuerySet, columns: tuple[str, ...], ids: list[int], shape) -> Iterable[tuple]:
    """queryset.filter(event__in=ids).values_list(*columns), each row converted as Django would;
    with `shape`, its SQL is kept under it and only the ids change from read to read. A kept
    statement may hold no other parameter (a moment read from the clock would stand still)."""
    if shape is None:
        return queryset.filter(event__in=ids).values_list(*columns)
    db = queryset.db
    made = _statements.get((db, shape))
    if made is None:
        made = _statements[(db, shape)] = _statement(queryset, columns)
    head, tail, selected = made
    if connections[db].vendor == "postgresql":
        # One array rather than a list of ids: PostgreSQL plans it in a fraction of the time
        # (0.8 against 1.2 ms for a read of 200 events' figures).
        return _fetched(db, f"{head}= ANY(%s){tail}", [ids], selected)
    return _fetched(db, f"{head}IN ({', '.join(['%s'] * len(ids))}){tail}", ids, selected)


def _selected(compiler) -> list:
    """The expressions a compiled statement selects, in order (their converters read them)."""
    return [column for column, _, _ in compiler.select[: compiler.col_count]]


# Rows as the database sent them, and as Django converts them: on SQLite every date and time
# is parsed from text, most of reading a row; after a publish most rows read are as before.
# A fragment converts about 700 rows; each is kept twice over (raw and converted), about 1.5 KB.
CONVERTED_MAX = 10_000
_converted: dict[tuple, tuple] = {}


def _fetched(db: str, sql: str, params, selected: list) -> list[tuple]:
    """The rows of `sql`, each converted as the ORM would (values_list) by the converters of
    the `selected` expressions; a row converted before is taken as it was."""
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if found and len(found[0]) > len(selected):
        # What DISTINCT adds to be ordered by, which values_list leaves out too.
        found = [row[: len(selected)] for row in found]
    converters = []
    for position, expression in enumerate(selected):
        convert = connection.ops.get_db_converters(expression)
        convert += expression.get_db_converters(connection)
        if convert:
            converters.append((position, convert, expression))
    if not converters:
        return found
    # What is converted, and how: the same raw row read as other columns (another field, a
    # database on another clock) converts otherwise.
    kind = (db, *((p, str(e.output_field)) for p, _, e in converters))
    rows = []
    for row in found:
        key = (kind, row)
        converted = _converted.get(key)
        if converted is None:
            values = list(row)
            for position, convert, expression in converters:
                value = values[position]
                for converter in convert:
                    value = converter(value, expression, connection)
                values[position] = value
            converted = tuple(values)
            if len(_converted) >= CONVERTED_MAX:
                _converted.clear()
            _converted[key] = converted
        rows.append(converted)
    return rows


def _statement(queryset: QuerySet, columns: tuple[str, ...]) -> tuple:
    """(SQL before "IN (ids)", SQL after it, the selected expressions whose converters the rows
    need), from the ORM's own statement."""
    compiler = (
        queryset.filter(event__in=[_IDS]).values_list(*columns).query.get_compiler(queryset.db)
    )
    sql, params = compiler.as_sql()
    head, ids, tail = sql.partition("IN (%s)")
    if list(params) != [_IDS] or sql.count("%s") != 1 or not ids:
        raise ValueError(f"a kept statement takes the ids and nothing else: {sql} {params}")
    return head, tail, _selected(compiler)


def _add_figures(events: list[Event], as_of) -> None:
    """Each event's figures (not statements) known by `as_of`, in the order given, with who
    gave them and where we read them (`given_figures`)."""
    columns = (
        *FIGURE_COLUMNS,
        *(f"source__{name}" for name in SOURCE_COLUMNS),
        "attributed_to__name",
    )
    figures = claims_in_order(as_of).queryset.exclude(value=None)
    # Known by a moment: that moment is in the statement, so it is made anew.
    shape = "figures" if as_of is None else None
    found = _by_event(_related(events, figures, columns, shape))
    for event in events:
        if event.id in found:
            db, clock = event._state.db, event.timezone
            event.given_figures = Later(_figures, db, event.id, clock, found[event.id])


def _figures(db: str, event_id: int, timezone: str, rows: list[tuple]) -> list[Claim]:
    split = len(FIGURE_COLUMNS)
    # Its event as far as a figure reads it (the clock it was given on), and not the event
    # itself: event and figures referring to each other would outlive the request until the
    # collector found them (900 objects a render), and its full passes cost most.
    clock = loaded(Event, db, ("id", "timezone"), (event_id, timezone))
    claims = []
    for row in rows:
        claim = loaded(Claim, db, FIGURE_COLUMNS, row[:split])
        cache = claim._state.fields_cache
        cache["event"] = clock
        source = (claim.source_id, *row[split:-1])
        cache["source"] = loaded(Source, db, ("id", *SOURCE_COLUMNS), source)
        teller = claim.attributed_to_id
        cache["attributed_to"] = teller and loaded(Actor, db, ("id", "name"), (teller, row[-1]))
        claims.append(claim)
    return claims


def _add_actors(events: list[Event]) -> None:
    """Each event's actors with their roles, in the order given, where event_actors.all() finds
    them."""
    columns = (*ROLE_COLUMNS, *(f"actor__{name}" for name in ACTOR_COLUMNS))
    found = _by_event(_related(events, EventActor.objects.order_by("pk"), columns, "roles"))
    for event in events:
        roles = Later(_roles, event._state.db, found.get(event.id, ()))
        event._prefetched_objects_cache = {"event_actors": roles}


def _roles(db: str, rows: list[tuple]) -> list[EventActor]:
    roles = []
    for row in rows:
        role = loaded(EventActor, db, ROLE_COLUMNS, row[:4])
        role._state.fields_cache["actor"] = loaded(Actor, db, ("id", *ACTOR_COLUMNS), row[3:])
        roles.append(role)
    return roles


def _add_citations(events: list[Event]) -> None:
    """Which sources each event cites (`cited`, which source_count reads)."""
    _add_parts(events, "cited", Citation, CITATION_COLUMNS, "citations")


def add_places(events: list[Event]) -> None:
    """Each event's further places (`other_places`, which Event.places reads)."""
    _add_parts(events, "other_places", EventPlace, PLACE_COLUMNS, "places")


def _add_parts(events: list[Event], name: str, model, columns: tuple[str, ...], shape) -> None:
    found = _by_event(_related(events, model.objects.order_by("pk"), columns, shape))
    for event in events:
        parts = found.get(event.id, ())
        event.__dict__[name] = Later(_instances, event._state.db, model, columns, parts)


def _instances(db: str, model, columns: tuple[str, ...], rows: list[tuple]) -> list:
    return [loaded(model, db, columns, row) for row in rows]


def _by_event(found: Iterable[tuple[Event, tuple]]) -> dict[int, list[tuple]]:
    rows: dict[int, list[tuple]] = {}
    for event, row in found:
        rows.setdefault(event.id, []).append(row)
    return rows


class Later(Sequence):
    """A list of instances made from their rows when first read: a mark or card kept from an
    earlier render reads none, and most of a render's marks and cards are kept."""

    __slots__ = ("_make", "_made")

    def __init__(self, make: Callable[..., list], *args):
        self._make, self._made = (make, args), None

    def _list(self) -> list:
        if self._made is None:
            make, args = self._make
            self._made = make(*args)
        return self._made

    def __getitem__(self, index):
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self):
        return iter(self._list())


def loaded(model: type[Model], db: str, names: Iterable[str], values: Iterable) -> Any:
    """An instance of `model` holding `values` as read, as Model.from_db would make it, without
    Model.__init__'s walk over every field (no model here has init signals to send)."""
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    instance.__dict__.update(zip(names, values, strict=True))
    return instance


# What marks and cards show, by the rows they were worked out from: one to two kilobytes
# apiece with its key in memory (about 600 bytes pickled), so at most some 15 MB per worker.
# A fragment at 1,000 events keeps 450.
KEPT_MAX = 10_000
_kept: dict[Hashable, Any] = {}


class NotInRows(LookupError):
    """What was to be kept read the database: it depends on more than the rows it would be kept
    under, and kept, it would go stale."""


def kept(event: Event, part: Hashable, make: Callable[[], Any]) -> Any:
    """`make()`, kept under `part` and the rows `event` was read with; worked out anew for an
    event read another way (without `row_key`). `make` may read nothing but those rows: a query
    while it runs (a field or relation not read with the event) raises NotInRows."""
    rows = event.__dict__.get("row_key")
    if rows is None:
        return make()
    key = (part, rows)
    try:
        return _kept[key]
    except KeyError:
        pass
    connection = connections[event._state.db]
    if _refuse not in connection.execute_wrappers:
        # First in the list, for good: Django's own execute_wrapper() pops the last.
        connection.execute_wrappers.insert(0, _refuse)
    _making.depth = getattr(_making, "depth", 0) + 1
    try:
        value = make()
    finally:
        _making.depth -= 1
    if len(_kept) >= KEPT_MAX:
        _kept.clear()
    _kept[key] = value
    return value


# Whether this thread is making a kept value. Per thread, not per connection: a test's live
# server shares one SQLite connection between its threads, and one reader's card being made
# refused another reader's query (a wrapper pushed on the shared connection, then popped by
# whichever thread finished first).
_making = threading.local()


def _refuse(execute, sql, params, many, context):
    if getattr(_making, "depth", 0):
        raise NotInRows(f"kept output read the database: {sql[:200]}")
    return execute(sql, params, many, context)
