"""Counts of public events per timeline and day, kept beside the events, so a chart of a large
timeline is drawn from them instead of from every matching event.

Why a table of our own, kept in the same transaction as each change, rather than PostgreSQL's
machinery: a materialised view is refreshed whole (a full scan per publish, minutes at a
million events) and is stale between refreshes, and triggers would have to repeat in SQL what
"public" means in Python (`EventQuerySet.published`), on two databases. Here a change recounts
only the days it touched, for the timelines it touched, from the events themselves: each
recount is an index range over one day of one timeline, and it cannot drift, since it never
adds or subtracts.

Two tables: `DayCount` per (timeline, start day, end day, category, country), which answers
the unfiltered chart and any filter by category, country and date range (events overlapping
[start, end], as the filter reads them); `ActorDayCount` per (timeline, start day, end day,
actor), for lanes by actor. What they cannot answer (free text, an actor filter, "as of",
actor lanes filtered by category or country) is counted from the events in one pass (`Tally`).
Month tables sum them for views without a date filter; `CategoryMonthCount`, the smallest,
answers those no country narrows, its total and span in one aggregate.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from functools import cached_property

from django.db import connections, models, router, transaction
from django.db.models import Count, F, Max, Min, Q, Sum

Slice = tuple[int, dt.date]  # (timeline pk, start day)


def _db() -> str:
    """Where the counts are kept and recounted from: the primary, even in a reader's request
    that reads a replica (a scheduled event going live there)."""
    return router.db_for_write(DayCount)


class DayCount(models.Model):
    """Public events of a timeline that start and end on these days, in a category and country."""

    timeline = models.ForeignKey("timeline.Timeline", models.CASCADE, related_name="+")
    start_day = models.DateField()
    end_day = models.DateField()
    category = models.ForeignKey("timeline.Category", models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, blank=True)
    events = models.PositiveIntegerField()

    class Meta:
        app_label = "timeline"
        indexes = [
            models.Index(fields=["timeline", "start_day"], name="daycount_day_idx"),
            # The view's last day: the latest end, found by walking this backwards.
            models.Index(fields=["timeline", "end_day"], name="daycount_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.events} on {self.start_day} in timeline {self.timeline_id}"


class ActorDayCount(models.Model):
    """Public events of a timeline on these days that name the actor (in any role)."""

    timeline = models.ForeignKey("timeline.Timeline", models.CASCADE, related_name="+")
    start_day = models.DateField()
    end_day = models.DateField()
    actor = models.ForeignKey("timeline.Actor", models.CASCADE, related_name="+")
    events = models.PositiveIntegerField()

    class Meta:
        app_label = "timeline"
        indexes = [models.Index(fields=["timeline", "start_day"], name="actordaycount_day_idx")]

    def __str__(self) -> str:
        return f"{self.events} with actor {self.actor_id} on {self.start_day}"


class MonthCount(models.Model):
    """DayCount summed by the month events start in: what an undated view's chart and total
    read, a few rows per month however many events there are."""

    timeline = models.ForeignKey("timeline.Timeline", models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    category = models.ForeignKey("timeline.Category", models.CASCADE, related_name="+")
    country = models.CharField(max_length=2, blank=True)
    events = models.PositiveIntegerField()

    class Meta:
        app_label = "timeline"
        indexes = [models.Index(fields=["timeline", "month"], name="monthcount_month_idx")]

    def __str__(self) -> str:
        return f"{self.events} in {self.month:%B %Y} in timeline {self.timeline_id}"


class ActorMonthCount(models.Model):
    """ActorDayCount summed by month."""

    timeline = models.ForeignKey("timeline.Timeline", models.CASCADE, related_name="+")
    month = models.DateField()
    actor = models.ForeignKey("timeline.Actor", models.CASCADE, related_name="+")
    events = models.PositiveIntegerField()

    class Meta:
        app_label = "timeline"
        indexes = [models.Index(fields=["timeline", "month"], name="actormonthcount_month_idx")]

    def __str__(self) -> str:
        return f"{self.events} with actor {self.actor_id} in {self.month:%B %Y}"


class CategoryMonthCount(models.Model):
    """MonthCount without the country, with the first and last day of its events: a view that
    no country or date narrows reads its total and span here in one aggregate and its bins in
    one GROUP BY, over a row per month and category (721 for this demo's 100,000 events,
    where MonthCount has 5,761: summing those was what grew with the archive)."""

    timeline = models.ForeignKey("timeline.Timeline", models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.ForeignKey("timeline.Category", models.CASCADE, related_name="+")
    events = models.PositiveIntegerField()
    first_day = models.DateField()  # the earliest start of these events
    last_day = models.DateField()  # their latest end, which may be months later

    class Meta:
        app_label = "timeline"
        indexes = [models.Index(fields=["timeline", "month"], name="categorymonthcount_idx")]

    def __str__(self) -> str:
        return f"{self.events} in {self.month:%B %Y} in timeline {self.timeline_id}"


# Each day table, and the month tables summing it with the columns they keep besides the
# timeline (a CategoryMonthCount keeps its first and last day too).
MONTHLY = {
    DayCount: {MonthCount: ("category_id", "country"), CategoryMonthCount: ("category_id",)},
    ActorDayCount: {ActorMonthCount: ("actor_id",)},
}


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _recount_months(slices: list[Slice] | None) -> None:
    """The months of the slices summed again from their day rows (at most a month's worth)."""
    months = None if slices is None else sorted({(t, _month(day)) for t, day in slices})
    for day_model, summed in MONTHLY.items():
        days = day_model.objects.using(_db())
        in_month, of_day = Q(), Q()
        for timeline, month in months or ():
            following = _month(month + dt.timedelta(days=32))
            in_month |= Q(timeline=timeline, month=month)
            of_day |= Q(timeline=timeline, start_day__gte=month, start_day__lt=following)
        if months is not None:
            days = days.filter(of_day)
        vendor = connections[_db()].vendor
        for month_model, lanes in summed.items():
            stale = month_model.objects.using(_db())
            (stale if months is None else stale.filter(in_month)).delete()
            spans = {"first_day": Min("start_day"), "last_day": Max("end_day")}
            _fill(
                month_model,
                days,
                {
                    "timeline_id": F("timeline"),
                    "month": _truncated("month", vendor, "start_day"),
                    **{lane: F(lane) for lane in lanes},
                },
                {"events": Sum("events"), **(spans if month_model is CategoryMonthCount else {})},
            )


def _fill(model, source, by: dict, counted: dict, present: tuple[str, ...] = ()) -> None:
    """The model's rows written by the database from a GROUP BY over `source`, by the columns
    `by` gives, with the aggregates `counted` gives (INSERT … SELECT): a full recount reads no
    row into Python and writes none back (a million events: 1.2 million day rows). Rows where a
    column in `present` is NULL (an event in no timeline, or naming no actor) are left out."""
    # Aliased apart from the source's own field names, which an annotation may not reuse.
    grouped = (
        source.order_by()
        .values(**{f"c_{name}": value for name, value in by.items()})
        .annotate(**{f"c_{name}": value for name, value in counted.items()})
    )
    connection = connections[_db()]
    sql, params = grouped.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    names = [*by, *counted]
    kept = " AND ".join(f"{quote('c_' + name)} IS NOT NULL" for name in present)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
            f"SELECT {', '.join(quote('c_' + n) for n in names)} FROM ({sql}) counted"
            + (f" WHERE {kept}" if kept else ""),
            params,
        )


def _public_in(slices: Iterable[Slice] | None):
    from timeline.models import Event

    events = Event.objects.db_manager(_db()).published()
    if slices is None:
        return events
    match = Q()
    for timeline, day in slices:
        match |= Q(timelines=timeline, local_start_date=day)
    return events.filter(match)


def recount(slices: Iterable[Slice] | None = None) -> None:
    """Count again the given (timeline, day) slices from the events; all of them with None."""
    slices = None if slices is None else sorted(set(slices))
    if slices == []:
        return
    with transaction.atomic(using=_db()):
        _lock(slices)
        for model in (DayCount, ActorDayCount):
            stale = model.objects.using(_db())
            if slices is not None:
                match = Q()
                for timeline, day in slices:
                    match |= Q(timeline=timeline, start_day=day)
                stale = stale.filter(match)
            stale.delete()
        events = _public_in(slices)
        # Filtered by timeline and day through the join the rows are grouped by: only the
        # slices asked for are counted, not an event's other timelines.
        days = {
            "timeline_id": F("timelines"),
            "start_day": F("local_start_date"),
            "end_day": F("local_end_date"),
        }
        _fill(
            DayCount,
            events,
            {**days, "category_id": F("category"), "country": F("country")},
            # One row per event and timeline: no DISTINCT, which would group by sorting.
            {"events": Count("pk")},
            present=("timeline_id",),
        )
        _fill(
            ActorDayCount,
            events,
            {**days, "actor_id": F("event_actors__actor")},
            # Once per actor, though the event name them in two roles.
            {"events": Count("pk", distinct=True)},
            present=("timeline_id", "actor_id"),
        )
        _recount_months(slices)


def _lock(slices: list[Slice] | None) -> None:
    """Two changes to one slice at once recount it one after the other, each seeing the
    other's committed events (READ COMMITTED), or the later would delete and write over what
    it could not see. Held to the end of the change's transaction. A public change also
    waits on the data version's row (caching), but nothing here should rest on the order
    signals run in. SQLite already has one writer at a time."""
    connection = connections[_db()]
    if slices is None or connection.vendor != "postgresql":
        return
    # By month: a month's rows sum all its days, so two changes in one month take turns.
    months = sorted({(timeline, _month(day)) for timeline, day in slices})
    with connection.cursor() as cursor:
        for timeline, month in months:  # sorted: two changes never wait on each other in a ring
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [timeline * 4_000_000 + month.toordinal()]
            )


def slices_of(event) -> set[Slice]:
    """The (timeline, day) slices an event counts in, as it is stored now."""
    if event.pk is None:
        return set()
    from timeline.models import Event

    db = _db()
    stored = (
        Event.objects.using(db)
        .filter(pk=event.pk)
        .values_list("local_start_date", flat=True)
        .first()
    )
    if stored is None:
        return set()
    return {(timeline, stored) for timeline in _timelines_of(event.pk)}


def _timelines_of(pk) -> list[int]:
    from timeline.models import Timeline

    through = Timeline.events.through.objects.using(_db())
    return list(through.filter(event_id=pk).values_list("timeline_id", flat=True))


def _truncated(kind: str, vendor: str, field: str):
    from timeline.models import _truncated_local_date

    return _truncated_local_date(kind, vendor, field=field)


class Counts:
    """The counts answering one timeline's chart under category, country and date filters."""

    def __init__(self, timeline, categories=(), countries=(), start=None, end=None):
        self.timeline, self.start, self.end = timeline, start, end
        self.categories = [getattr(c, "pk", c) for c in categories]
        self.countries = list(countries)

    @classmethod
    def of(cls, query) -> "Counts | None":
        """The counts for an EventQuery, or None when its filters need the events themselves."""
        timeline = getattr(query, "counted_timeline", None)
        if timeline is None or not query.is_valid or query.as_of is not None:
            return None
        data = query.filters.form.cleaned_data
        if data.get("q") or data.get("actor") or data.get("timeline"):
            return None
        categories, countries = data.get("category") or [], data.get("country") or []
        if query.lanes == "actor" and (categories or countries):
            return None  # actor counts are not kept per category or country
        return cls(timeline, categories, countries, data.get("start"), data.get("end"))

    @property
    def _undated(self) -> bool:
        # Only a view without a date filter can read whole months: a filter's first and last
        # months are partly in and partly out, and it keeps events that began before it.
        return self.start is None and self.end is None

    def _rows(self, model):
        rows = model.objects.filter(timeline=self.timeline)
        if self.start is not None:
            rows = rows.filter(end_day__gte=self.start)
        if self.end is not None:
            rows = rows.filter(start_day__lte=self.end)
        if model in (DayCount, MonthCount, CategoryMonthCount):
            if self.categories:
                rows = rows.filter(category__in=self.categories)
            if self.countries:
                rows = rows.filter(country__in=self.countries)
        return rows

    @property
    def _by_category(self) -> bool:
        # Counts per month and category alone answer a view no country or date narrows.
        return self._undated and not self.countries

    @cached_property
    def _summary(self) -> dict:
        """The total, first start and last end of the matching events, in one aggregate over
        the counts per month and category."""
        return self._rows(CategoryMonthCount).aggregate(
            n=Sum("events"), first=Min("first_day"), last=Max("last_day")
        )

    def total(self) -> int:
        if self._by_category:
            return self._summary["n"] or 0
        rows = self._rows(MonthCount if self._undated else DayCount)
        return rows.aggregate(n=Sum("events"))["n"] or 0

    def span(self) -> tuple[dt.date | None, dt.date | None]:
        """The first start and last end of the matching events: one aggregate over the month
        rows without a country or date filter, else an index walk each over the day rows."""
        if self._by_category:
            return self._summary["first"], self._summary["last"]
        rows = self._rows(DayCount)
        first = rows.order_by("start_day").values_list("start_day", flat=True).first()
        last = rows.order_by("-end_day").values_list("end_day", flat=True).first()
        return first, last

    def per_bin(self, kind: str, lanes: str = "category") -> list[tuple[dt.date, str, int]]:
        """(bin start, lane name, events), as Tally counts them from the events."""
        model, lane = (
            (ActorDayCount, "actor__name") if lanes == "actor" else (DayCount, "category__name")
        )
        field = "start_day"
        if self._undated and kind in ("month", "year"):
            field = "month"
            if lanes == "actor":
                model = ActorMonthCount
            else:
                model = CategoryMonthCount if self._by_category else MonthCount
        vendor = connections[model.objects.db].vendor
        rows = (
            self._rows(model)
            .annotate(bin=_truncated(kind, vendor, field))
            .values("bin", lane)
            .annotate(n=Sum("events"))
            .values_list("bin", lane, "n")
            .order_by()
        )
        return [(day, name, n) for day, name, n in rows]

    def facet_rows(self) -> tuple:
        """The filter form's options for the whole timeline, as EventFilter.facets counts them
        from the events: (actor, category, country) rows, summed from the month rows."""
        months = MonthCount.objects.filter(timeline=self.timeline)
        by_category = CategoryMonthCount.objects.filter(timeline=self.timeline)
        actors = (
            ActorMonthCount.objects.filter(timeline=self.timeline)
            .values("actor__slug", "actor__name")
            .annotate(n=Sum("events"))
            .order_by("actor__name")
        )
        categories = (
            by_category.values(
                slug=F("category__slug"),
                name=F("category__name"),
                colour=F("category__colour"),
                symbol=F("category__symbol"),
            )
            .annotate(n=Sum("events"))
            .order_by("category__order", "category__name")
        )
        countries = (
            months.exclude(country="")
            .values("country")
            .annotate(n=Sum("events"))
            .order_by("country")
        )
        return actors, categories, countries


class Tally:
    """What the kept counts give a chart, counted from the matching events when they cannot
    answer (free text, an actor filter, "as of"): one GROUP BY by start day, end day and lane,
    then read as the kept counts are. The count, the first and last day and the counts per
    bin were four scans of the matches (204 of 271 ms for a search at 100,000 events)."""

    def __init__(self, events, lanes: str = "category"):
        self.events, self.lanes = events, lanes

    @cached_property
    def _rows(self) -> list[tuple[dt.date, dt.date, str | None, int]]:
        by_actor = self.lanes == "actor"
        lane = "event_actors__actor__name" if by_actor else "category__name"
        return list(
            self.events.order_by()
            .values("local_start_date", "local_end_date", lane)
            # Each event once per lane, though it name an actor in two roles; an event has one
            # category, and without DISTINCT PostgreSQL groups by hashing instead of sorting.
            .annotate(n=Count("pk", distinct=by_actor))
            .values_list("local_start_date", "local_end_date", lane, "n")
        )

    def total(self) -> int:
        if self.lanes == "actor":
            return self.events.count()  # an event is in as many rows as it has actors
        return sum(n for *_, n in self._rows)

    def span(self) -> tuple[dt.date | None, dt.date | None]:
        if not self._rows:
            return None, None
        return min(r[0] for r in self._rows), max(r[1] for r in self._rows)

    def per_bin(self, kind: str, lanes: str = "category") -> list[tuple[dt.date, str, int]]:
        """(bin start, lane name, events): bins start on a day, a Monday, a month's or a
        year's first day, as the database truncates them for the kept counts."""
        start_of = BIN_START[kind]
        cells: Counter = Counter()
        for first, _, lane, n in self._rows:
            if lane is not None:
                cells[(start_of(first), lane)] += n
        return [(day, lane, n) for (day, lane), n in cells.items()]


BIN_START = {
    "day": lambda day: day,
    "week": lambda day: day - dt.timedelta(days=day.weekday()),
    "month": lambda day: day.replace(day=1),
    "year": lambda day: day.replace(month=1, day=1),
}


def count_if_never_counted(using: str = "default", **kwargs) -> None:
    """After `migrate`: a database that had public events in timelines before the kept counts
    existed (migration 0023) has none of their rows, and its big charts would read zeros.
    Counted once, in full; every later change keeps them."""
    from timeline.models import Event

    if (
        using != _db()
        or DayCount._meta.db_table not in connections[using].introspection.table_names()
    ):
        return  # another database, or the counts' tables migrated away
    if DayCount.objects.using(using).exists():
        tables = connections[using].introspection.table_names()
        if CategoryMonthCount._meta.db_table not in tables:
            return  # migrated back past 0024
        if not CategoryMonthCount.objects.using(using).exists():
            with transaction.atomic(using=using):
                _recount_months(None)  # counted before migration 0024 kept these
        return
    if Event.objects.using(using).published().filter(timelines__isnull=False).exists():
        recount()


def went_live(since: dt.datetime, now: dt.datetime) -> None:
    """Scheduled events whose time came (DataVersion notices): count them where they belong."""
    from timeline import caching
    from timeline.models import Event

    due = list(
        Event.objects.using(_db()).filter(
            status=Event.Status.PUBLISHED, publish_at__gte=since, publish_at__lte=now
        )
    )
    recount(
        (timeline, event.local_start_date) for event in due for timeline in _timelines_of(event.pk)
    )
    if due:
        caching.announce_purge(set().union(*(caching.purge_keys(event) for event in due)))


# Kept in step with every change, in the change's own transaction (the desk saves atomically).


def _remember(sender, instance, raw: bool = False, **kwargs) -> None:
    instance._counted_in = slices_of(instance)


def _event_changed(sender, instance, **kwargs) -> None:
    recount(getattr(instance, "_counted_in", set()) | slices_of(instance))


def _event_deleted(sender, instance, **kwargs) -> None:
    recount(getattr(instance, "_counted_in", set()))


def _part_changed(sender, instance, **kwargs) -> None:
    from timeline.models import Event

    event = Event.objects.using(_db()).filter(pk=instance.event_id).first()
    if event is not None:
        recount(slices_of(event))


def _membership_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    from timeline.models import Event

    if action == "pre_clear":
        # A clear names no events: they are read while still linked.
        if reverse:  # event.timelines.clear()
            timelines = _timelines_of(instance.pk)
            instance._cleared = {(t, instance.local_start_date) for t in timelines}
        else:  # timeline.events.clear()
            days = Event.objects.using(_db()).filter(timelines=instance.pk)
            instance._cleared = {
                (instance.pk, d) for d in days.values_list("local_start_date", flat=True)
            }
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        touched = {(t, instance.local_start_date) for t in pk_set or ()}
    else:
        days = (
            Event.objects.using(_db())
            .filter(pk__in=pk_set or ())
            .values_list("local_start_date", flat=True)
        )
        touched = {(instance.pk, day) for day in days}
    if action == "post_clear":
        touched = getattr(instance, "_cleared", set())
    recount(touched)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    from timeline.models import Event, EventActor, Timeline

    for signal, handler in (
        (pre_save, _remember),
        (post_save, _event_changed),
        (pre_delete, _remember),
        (post_delete, _event_deleted),
    ):
        signal.connect(handler, sender=Event, dispatch_uid=f"rollup-{handler.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(_part_changed, sender=EventActor, dispatch_uid="rollup-part")
    m2m_changed.connect(
        _membership_changed, sender=Timeline.events.through, dispatch_uid="rollup-membership"
    )
