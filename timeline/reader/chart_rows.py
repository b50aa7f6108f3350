"""The chart's most important events, read as plain rows, and what each of their marks shows,
kept between renders.

Past DETAIL_LIMIT matches the chart draws the TOP_EVENTS most important. Read through the ORM
(select_related, a prefetch of the figures with their sources and tellers) those 200 events cost
26 of the 85 ms an uncached fragment took at 1,000 events (README, bench notes); the same columns
read with values_list and made into instances here cost 7. They are real Event, Category, Claim,
Source and Actor instances, holding only the columns read: reading any other field costs a query
per event, which the query-count tests catch.

What a mark shows (its stretch of time, its date and headline figure) is a function of those
columns alone, so charts.py keeps it per worker under them (`kept`): after a publish, the
next render works out the marks of the events that changed, not of all 200.
"""

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.db.models import Model, QuerySet, prefetch_related_objects
from django.db.models.base import ModelState

from timeline.models import Actor, Category, Claim, Event, Source, actors_in_order, claims_in_order

# What a mark, its hover card and its map markers read; `chart_key` holds them all.
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
CATEGORY_COLUMNS = tuple(f.attname for f in Category._meta.concrete_fields)
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


def most_important(matching: QuerySet[Event], lanes: str, as_of, limit: int) -> list[Event]:
    """The `limit` most important of `matching`, in time order, each with its category, its
    figures in the order given (`given_figures`, as headline_claim reads them) and, for actor
    lanes, its actors."""
    db = matching.db
    category_columns = [f"category__{name}" for name in CATEGORY_COLUMNS]
    rows = matching.order_by("-importance", "sort_at", "pk").values_list(
        *EVENT_COLUMNS, *category_columns
    )[:limit]
    categories: dict[int, Category] = {}
    events = []
    split = len(EVENT_COLUMNS)
    for row in rows:
        event = loaded(Event, db, EVENT_COLUMNS, row[:split])
        category = categories.get(event.category_id)
        if category is None:
            category = categories[event.category_id] = loaded(
                Category, db, CATEGORY_COLUMNS, row[split:]
            )
        event._state.fields_cache["category"] = category
        event.given_figures = []
        event.chart_key = row[:split]
        events.append(event)
    _add_figures(events, as_of, db)
    if lanes == "actor":
        prefetch_related_objects(events, actors_in_order())
    events.sort(key=lambda e: (e.sort_at, e.pk))
    return events


def _add_figures(events: list[Event], as_of, db: str) -> None:
    by_pk = {event.pk: event for event in events}
    if not by_pk:
        return
    figures = (
        claims_in_order(as_of)
        .queryset.using(db)
        .exclude(value=None)
        .filter(event__in=list(by_pk))
        .values_list(
            *FIGURE_COLUMNS,
            *(f"source__{name}" for name in SOURCE_COLUMNS),
            "attributed_to__name",
        )
    )
    split = len(FIGURE_COLUMNS)
    for row in figures:
        claim = loaded(Claim, db, FIGURE_COLUMNS, row[:split])
        event = by_pk[claim.event_id]
        cache = claim._state.fields_cache
        cache["event"] = event
        cache["source"] = loaded(
            Source, db, ("id", *SOURCE_COLUMNS), (claim.source_id, *row[split:-1])
        )
        cache["attributed_to"] = (
            loaded(Actor, db, ("id", "name"), (claim.attributed_to_id, row[-1]))
            if claim.attributed_to_id
            else None
        )
        event.given_figures.append(claim)
        # Its figures are part of what the event's card shows.
        event.chart_key += (row,)


def loaded(model: type[Model], db: str, names: Iterable[str], values: Iterable) -> Any:
    """An instance of `model` holding `values` as read, as Model.from_db would make it, without
    Model.__init__'s walk over every field (no model here has init signals to send)."""
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    instance.__dict__.update(zip(names, values, strict=True))
    return instance


# What marks show, by what they were worked out from: up to 5,000 events (two parts each),
# about a kilobyte apiece with their key.
KEPT_MAX = 10_000
_kept: dict[Hashable, Any] = {}


def kept(event: Event, part: str, make: Callable[[], Any]) -> Any:
    """`make()`, kept under the columns `event` was read with; worked out anew for an event
    read another way (without `chart_key`)."""
    key = event.__dict__.get("chart_key")
    if key is None:
        return make()
    key = (part, key)
    try:
        return _kept[key]
    except KeyError:
        pass
    if len(_kept) >= KEPT_MAX:
        _kept.clear()
    value = _kept[key] = make()
    return value
