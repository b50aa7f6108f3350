"""The newsroom's chronology: events with honest dates, actors, sources and attributed claims."""

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router, transaction
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Trunc
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from timeline import (
    colours,
    dates,
    media,
)
from timeline.dates import PartOfDay, Precision
from timeline.site import slug_url


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in _known_timezones():
        raise ValidationError(
            "“%(value)s” is not a known IANA time zone (e.g. Asia/Baghdad).",
            params={"value": value},
        )


LATITUDE = "Latitude runs from -90 (South Pole) to 90 (North Pole), e.g. 33.26 for Baghdad."
NEEDS_CITATION = "A published event needs at least one citation."
LONGITUDE = "Longitude runs from -180 to 180 (east is positive), e.g. 44.23 for Baghdad."
country_code = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter ISO 3166 code, e.g. IQ.")
hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f77b4.")


# What the published record shows of categories, actors and sources. A reader (or a filter,
# an oEmbed lookup, the API) sees no other: their names alone would tell what drafts are about.
def _coordinates_in_range(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name=f"{prefix}_latitude_in_range",
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name=f"{prefix}_longitude_in_range",
        ),
    ]


class CategoryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(pk__in=Event.objects.published().values("category"))


class ActorQuerySet(models.QuerySet):
    def published(self):
        """Actors a published event names (in a role or as who made a claim), and the bodies
        they belong to, unless only unpublished events name that body: an actor made for a
        draft stays hidden even when a public one is said to be part of it."""
        # Correlated EXISTS, each an index lookup from the actor through its own rows to their
        # events: the IN-lists this replaced read every published event first (107 ms of an
        # actor-filtered view at 100,000 events).
        public = _public_q(timezone.now(), "event__")

        def named(model, column: str, public_events: bool = True):
            rows = model.objects.filter(**{column: OuterRef("pk")})
            return Exists(rows.filter(public) if public_events else rows.exclude(public))

        return self.filter(
            named(EventActor, "actor")
            | named(Claim, "attributed_to")
            | (
                (named(EventActor, "actor__parent") | named(Claim, "attributed_to__parent"))
                & ~named(EventActor, "actor", public_events=False)
                & ~named(Claim, "attributed_to", public_events=False)
            )
        )

    def with_public_parent(self):
        """Each actor's parent as `public_parent`: None when readers may not see that parent
        (a body only drafts name, or one no published event reaches). Pages and the API show
        this, never `parent`, which is the desk's."""
        return self.prefetch_related(
            Prefetch("parent", queryset=Actor.objects.published(), to_attr="public_parent")
        )


class SourceQuerySet(models.QuerySet):
    def published(self):
        """Sources cited by published events or behind their claims."""
        events = Event.objects.published().values("pk")
        return self.filter(
            Q(pk__in=Citation.objects.filter(event__in=events).values("source"))
            | Q(pk__in=Claim.objects.filter(event__in=events).values("source"))
        )


class Category(models.Model):
    # Marker symbols that stay distinct in print and for colour-blind readers.
    SYMBOLS = [
        (s, s)
        for s in (
            "circle",
            "square",
            "diamond",
            "triangle-up",
            "triangle-down",
            "cross",
            "x",
            "star",
            "hexagon",
            "pentagon",
        )
    ]

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    colour = models.CharField(max_length=7, validators=[hex_colour], default="#1f6feb")
    symbol = models.CharField(max_length=20, choices=SYMBOLS, default="circle")
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(
        default=0,
        help_text="Where its lane sits on the chart: lower first. Lanes with the same number "
        "come in the order their first event happened.",
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if hex_colour.regex.match(self.colour or "") and (
            colours.weakest_contrast(self.colour) < colours.MINIMUM
        ):
            raise ValidationError(
                {
                    "colour": "Too faint on the light or the dark page: chart marks need "
                    f"{colours.MINIMUM:g}:1 against both (this colour has "
                    f"{colours.weakest_contrast(self.colour):.1f}:1). Pick a mid-tone."
                }
            )


class Actor(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        STATE = "state", "State"
        ARMED_GROUP = "armed_group", "Armed group or force"
        ORGANISATION = "organisation", "Organisation"
        MEDIA = "media", "Media outlet"
        GROUP = "group", "Group of people"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    aliases = models.TextField(blank=True, help_text="Other names, one per line.")
    country = models.CharField(max_length=2, blank=True, validators=[country_code])
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The body this actor belongs to, e.g. IRGC for the Quds Force.",
    )

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("actor", self.slug)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def clean(self) -> None:
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": "An actor cannot be its own ancestor."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Source(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", "News report"
        STATE_MEDIA = "state_media", "State media"
        STATEMENT = "statement", "Official statement"
        DOCUMENT = "document", "Official document or report"
        REFERENCE = "reference", "Reference work"
        WIRE = "wire", "Wire or agency report"

    publisher = models.CharField(max_length=150)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=150, unique=True)
    url = models.URLField(max_length=500, blank=True, help_text="Leave empty for broadcasts.")
    published = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS)
    language = models.CharField(max_length=10, default="en")

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["publisher", "-published"]

    def __str__(self) -> str:
        # What the desk's pickers show: four Wikipedia articles must not read alike.
        date = f" — {dates.short_date(self.published)}" if self.published else ""
        return f"{self.publisher} — {self.title}{date}"

    def get_absolute_url(self) -> str:
        return slug_url("source", self.slug)

    @property
    def short_name(self) -> str:
        """How a claim names where we read it: 'CNN, 7 Jan 2020'."""
        date = f", {dates.short_date(self.published)}" if self.published else ""
        return f"{self.publisher}{date}"


SEARCH_CONFIG = "english"

# SQLite's own date functions: Django's Trunc there calls back into Python for every row.
SQLITE_BIN_START = {
    "day": "date(%(expressions)s)",
    "week": "date(%(expressions)s, 'weekday 0', '-6 days')",
    "month": "date(%(expressions)s, 'start of month')",
    "year": "date(%(expressions)s, 'start of year')",
}


def _truncated_local_date(kind: str, vendor: str, field: str = "local_start_date"):
    if vendor == "sqlite":
        return Func(F(field), template=SQLITE_BIN_START[kind], output_field=models.DateField())
    return Trunc(field, kind, output_field=models.DateField())


def event_search_vector():
    """The weighted document a reader's words are matched against (PostgreSQL only)."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("place_name", weight="C", config=SEARCH_CONFIG)
    )


def actor_search_vector(prefix: str = ""):
    from django.contrib.postgres.search import SearchVector

    return SearchVector(f"{prefix}name", f"{prefix}aliases", weight="D", config=SEARCH_CONFIG)


def _public_q(now: dt.datetime, prefix: str = "") -> Q:
    """What "published" means at `now`, for events reached through `prefix` ("event__")."""
    return Q(**{f"{prefix}status": Event.Status.PUBLISHED}) & (
        Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now})
    )


class EventQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and past its scheduled time if it has one.

        Compared with the clock on every query, so a scheduled event goes live on time with
        no job to flip it (DataVersion notices the moment for the caches).
        """
        return self.filter(_public_q(timezone.now()))

    def scheduled(self):
        """Published by a Publisher but waiting for its time."""
        return self.filter(status=Event.Status.PUBLISHED, publish_at__gt=timezone.now())

    def in_range(self, start: dt.date | None = None, end: dt.date | None = None):
        """Events whose local period overlaps [start, end], both inclusive."""
        qs = self
        if start is not None:
            qs = qs.filter(local_end_date__gte=start)
        if end is not None:
            qs = qs.filter(local_start_date__lte=end)
        return qs

    def for_actors(self, actors):
        """Events involving any of the actors (objects or slugs), each event once."""
        slugs = [a.slug if isinstance(a, Actor) else a for a in actors]
        return self.filter(pk__in=EventActor.objects.filter(actor__slug__in=slugs).values("event"))

    def search(self, text: str):
        """Free text over title, summary, place and actor names.

        PostgreSQL: weighted full-text search with web-search syntax ("kerman -funeral"),
        backed by a GIN index on the same expression. Elsewhere: case-insensitive contains.
        """
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
            # The actors the words name, first (a small table): most searches name none, and
            # then the events' own index answers alone, as one bitmap scan. An OR with "or an
            # actor of it matches" made PostgreSQL read every event (745 ms at a million).
            actors = list(
                Actor.objects.alias(document=actor_search_vector())
                .filter(document=query)
                .values_list("pk", flat=True)
            )
            matches = Q(document=query)
            if actors:
                by_actor = EventActor.objects.filter(actor__in=actors).values("event")
                matches |= Q(pk__in=by_actor)
            return self.alias(document=event_search_vector()).filter(matches)
        by_actor = EventActor.objects.filter(
            Q(actor__name__icontains=text) | Q(actor__aliases__icontains=text)
        ).values("event")
        return self.filter(
            Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(place_name__icontains=text)
            | Q(pk__in=by_actor)
        )

    def known_by(self, moment: dt.datetime):
        """Events known to have begun by `moment` (Event.known_from): an "as of" view."""
        return self.filter(known_from__lte=moment)

    def chronological(self):
        """The one order of the chronology: list, chart, API, feeds' ties and exports."""
        return self.order_by("sort_at", "pk")

    def date_span(self) -> tuple[dt.date | None, dt.date | None]:
        # Two index walks that stop at the first match, not MIN/MAX over every matching row
        # (the README's performance notes give the figures).
        first = self.order_by("local_start_date").values_list("local_start_date", flat=True)
        last = self.order_by("-local_end_date").values_list("local_end_date", flat=True)
        return first.first(), last.first()

    def with_related(self, as_of: dt.datetime | None = None):
        """What a list of events shows, in a fixed number of queries; with `as_of`, only the
        figures given by then."""
        return self.select_related("category").prefetch_related(
            actors_in_order(),
            Prefetch("citations", queryset=Citation.objects.select_related("source")),
            claims_in_order(as_of),
            "more_places",
        )

    def for_feed(self, as_of: dt.datetime | None = None):
        """What a feed entry shows: the summary, the dates it was published and changed, the
        headline figure and the public notes; not the body or the picture."""
        return (
            self.select_related("category")
            .defer("body", *PICTURE_FIELDS)
            .prefetch_related(_figures_given(as_of), "updates")
        )


# An event's picture and media: no list or feed entry shows them.
PICTURE_FIELDS = (
    "image",
    "image_url",
    "image_width",
    "image_height",
    "image_caption",
    "image_credit",
    "image_alt",
    "media_url",
    "media_title",
)


def _figures_given(as_of: dt.datetime | None = None) -> Prefetch:
    """The figures (not statements), in the order given, into `given_figures`."""
    return Prefetch(
        "claims",
        queryset=claims_in_order(as_of).queryset.exclude(value=None),
        to_attr="given_figures",
    )


def actors_in_order() -> Prefetch:
    return Prefetch(
        "event_actors", queryset=EventActor.objects.select_related("actor").order_by("pk")
    )


def claims_in_order(as_of: dt.datetime | None = None) -> Prefetch:
    claims = Claim.objects.select_related("source", "attributed_to")
    if as_of is not None:
        claims = claims.known_by(as_of)
    # In the order they were given (Claim.Meta): the headline is the latest.
    return Prefetch("claims", queryset=claims)


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    label = models.CharField(
        max_length=40,
        blank=True,
        help_text="A short label written on the chart, e.g. “Soleimani killed”. Leave empty "
        "to use a shortened title.",
    )
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(max_length=600, help_text="One or two sentences.")
    body = models.TextField(blank=True)

    start = models.DateTimeField(help_text="When it began, in the event's local time zone.")
    precision = models.CharField(
        max_length=10,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text="How precisely the start is known: pick 'day' if the time is unconfirmed.",
    )
    part_of_day = models.CharField(
        max_length=12,
        choices=PartOfDay.choices,
        blank=True,
        help_text="For an event known to the day: roughly when in it, if the sources say "
        "(“early hours”, “Tuesday morning”). It orders events within the day.",
    )
    end = models.DateTimeField(null=True, blank=True)
    end_precision = models.CharField(max_length=10, choices=Precision.choices, blank=True)
    approximate = models.BooleanField(
        default=False, help_text="The time is an estimate; readers see “about”."
    )
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA name of the local time zone, e.g. Asia/Baghdad.",
    )
    # The local calendar dates the event covers, kept so date filters run in the database.
    local_start_date = models.DateField(editable=False, db_index=True)
    local_end_date = models.DateField(editable=False, db_index=True)
    # Where the event falls in the chronology (see Precision.sort_moment), in UTC: every list,
    # chart, feed and export orders by it, so they all agree.
    sort_at = models.DateTimeField(editable=False, db_index=True)
    # When the record can say it had begun (Precision.known_from): what "as of" compares.
    known_from = models.DateTimeField(editable=False, db_index=True)

    place_name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[country_code], db_index=True)
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90, LATITUDE), MaxValueValidator(90, LATITUDE)],
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180, LONGITUDE), MaxValueValidator(180, LONGITUDE)],
    )
    place_approximate = models.BooleanField(
        "Approximate position",
        default=False,
        help_text="The point marks the city or area, not the spot; the map draws it as a ring.",
    )

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="events")
    importance = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (minor) to 5 (defining moment); sets the marker size.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Optional, in UTC: a published event stays hidden from readers until then.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When it first went public."
    )
    # Optimistic concurrency: every save adds one; a form saved from an older number is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    actors = models.ManyToManyField("Actor", through="EventActor", related_name="events")

    image = models.ImageField(
        "picture to upload",
        db_index=True,  # the upload view finds a file's event by it
        upload_to=media.upload_path,
        max_length=300,
        blank=True,
        validators=[media.validate_upload],
        help_text="A photo to upload (JPEG, PNG, WebP or GIF, up to 10 MB); smaller copies for "
        "phones are made from it.",
    )
    image_url = models.URLField(
        "or the picture's address",
        max_length=500,
        blank=True,
        help_text="An image published elsewhere.",
    )
    image_width = models.PositiveIntegerField(
        "width",
        null=True,
        blank=True,
        help_text="In pixels: read from an upload; for an image address, as its source gives it.",
    )
    image_height = models.PositiveIntegerField(
        "height", null=True, blank=True, help_text="In pixels."
    )
    image_caption = models.CharField("caption", max_length=300, blank=True)
    image_credit = models.CharField("credit", max_length=200, blank=True)
    image_alt = models.CharField(
        "description (alt text)",
        max_length=300,
        blank=True,
        help_text="What the image shows, for readers who can't see it.",
    )
    media_url = models.URLField(
        "video or post",
        max_length=500,
        blank=True,
        help_text="A video or post to show as a link card; nothing from it loads until the "
        "reader asks.",
    )
    media_title = models.CharField(
        "what the link is",
        max_length=200,
        blank=True,
        help_text="What the link is, e.g. “Video of the funeral”.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["sort_at", "pk"]
        permissions = [("publish_event", "Can publish and unpublish events")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="event_end_after_start",
            ),
            *_coordinates_in_range("event"),
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=5), name="event_importance_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published"]), name="event_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start"]),
            # published() tests both on every public query: the index answers without the rows.
            models.Index(fields=["status", "publish_at", "sort_at"], name="event_public_idx"),
            # The chart's "most important events" walk this in order and stop after 200.
            models.Index(fields=["-importance", "sort_at"], name="event_importance_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Every write is a new version, with the fields derived from the dates and the status
        computed here; a partial save carries those whose inputs it writes."""
        update_fields = kwargs.get("update_fields")
        if not self._state.adding:
            self.version += 1
        self.set_local_dates()
        self.set_published_at()
        if update_fields is not None:
            written = {*update_fields, "version"}
            if written & DATE_INPUTS:
                written.update(DERIVED)
            if written & PUBLISH_INPUTS:
                written.add("published_at")
            kwargs["update_fields"] = written
        # A new upload: its size is read now, and its smaller copies written once it is stored.
        fresh_upload = bool(self.image) and not getattr(self.image, "_committed", True)
        if fresh_upload:
            self.image_width, self.image_height = media.dimensions(self.image)
        elif not self.image and self.image_width is not None and self._had_upload():
            # The upload was cleared: its size describes nothing now.
            self.image_width = self.image_height = None
        if fresh_upload and update_fields is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "image",
                "image_width",
                "image_height",
            }
        loaded = getattr(self, "_loaded_timezone", None)
        super().save(*args, **kwargs)
        if fresh_upload:
            media.make_renditions(self.image)
        if loaded is not None and loaded != self.timezone:
            self._reclock_claims()
        self._loaded_timezone = self.timezone

    def get_absolute_url(self) -> str:
        return slug_url("event", self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        event = super().from_db(db, field_names, values)
        # The zone as stored, so a save that changes it can move the figures on its clock.
        event._loaded_timezone = event.__dict__.get("timezone")
        return event

    def _had_upload(self) -> bool:
        """The stored row has an upload (that this save clears)."""
        if self._state.adding or self.pk is None:
            return False
        return Event.objects.filter(pk=self.pk).exclude(image="").exists()

    def _reclock_claims(self) -> None:
        """Figures given on the event's clock move with it when its zone changes."""
        claims = list(self.claims.filter(reported_timezone="", reported_at__isnull=False))
        changed = []
        for claim in claims:
            claim.event = self
            before = claim.known_from
            claim.set_known_from()
            if claim.known_from != before:
                changed.append(claim)
        Claim.objects.bulk_update(changed, ["known_from"])

    @property
    def is_published(self) -> bool:
        """Readers can see it now (a scheduled event is not published until its time)."""
        return self.status == self.Status.PUBLISHED and not self.is_scheduled

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone if self.timezone in _known_timezones() else "UTC")

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> dt.datetime | None:
        return self.end.astimezone(self.zone) if self.end else None

    @property
    def period_start(self) -> dt.datetime:
        """The first local instant the event may cover: a day's 00:00, a part's first hour."""
        return self.start_precision.start_of(self.local_start, self.part_of_day)

    @property
    def period_end(self) -> dt.datetime:
        """The last local instant the event may cover: the end of its last day (or hour,
        month, year, part of the day)."""
        if self.end:
            return self.end_or_start_precision.stop_of(self.local_end)
        return self.start_precision.stop_of(self.local_start, self.part_of_day)

    @property
    def start_precision(self) -> Precision:
        return Precision(self.precision)

    @property
    def end_or_start_precision(self) -> Precision:
        """The end's precision: its own, or the start's when it gives none."""
        return Precision(self.end_precision or self.precision)

    @property
    def sort_moment(self) -> dt.datetime:
        return self.start_precision.sort_moment(self.local_start, self.part_of_day)

    @property
    def is_span(self) -> bool:
        return bool(self.end) or self.start_precision.spans_days

    @property
    def chart_label(self) -> str:
        """The editor's label, or the title cut at a word to fit 40 characters."""
        if self.label:
            return self.label
        if len(self.title) <= 40:
            return self.title
        return self.title[:39].rsplit(" ", 1)[0].rstrip(" ,;:–—-") + "…"

    def headline_claim(self) -> "Claim | None":
        """The figure a card leads with: the death toll, else injuries, else any figure — the
        latest given where they are dated (Kerman's 56, not the morning's 32), else the first."""
        figures = self.__dict__.get("given_figures")
        if figures is None:
            figures = [c for c in self.claims.all() if c.value is not None]
        rank = {Claim.Kind.DEATHS: 0, Claim.Kind.INJURIES: 1}
        best = min((rank.get(c.kind, 2) for c in figures), default=None)
        kind = [c for c in figures if rank.get(c.kind, 2) == best]
        dated = [c for c in kind if c.reported_at is not None]
        if dated:
            return max(dated, key=Claim.given_order)
        return kind[0] if kind else None

    @property
    def display_start(self) -> str:
        return self.start_precision.describe(
            self.start, self.zone, self.approximate, self.part_of_day
        )

    @property
    def display_end(self) -> str:
        if not self.end:
            return ""
        return self.end_or_start_precision.describe(self.end, self.zone)

    @property
    def display_date(self) -> str:
        """The whole date for lists: start, and end when there is one."""
        if not self.end:
            return self.display_start
        return f"{self.display_start} – {self.display_end}"

    @property
    def local_period(self) -> str:
        """Local dates only, for lists: '31 December 2019 – 1 January 2020'."""
        if not self.end:
            return self.short_date
        end = self.end_or_start_precision.describe_local(self.end, self.zone)
        return f"{self.short_date} – {end}"

    @property
    def iso_start(self) -> str:
        """Machine-readable start at its precision, for <time datetime> and feeds."""
        return self.start_precision.iso(self.local_start)

    @property
    def short_date(self) -> str:
        """The local start alone: '8 January 2020, early hours'."""
        return self.start_precision.describe_local(
            self.start, self.zone, self.approximate, self.part_of_day
        )

    def sources_cited(self) -> list["Source"]:
        """Each cited source once, in citation order."""
        seen = {}
        for citation in self.citations.all():
            seen.setdefault(citation.source_id, citation.source)
        return list(seen.values())

    @property
    def source_count(self) -> int:
        citations = self.__dict__.get("cited")
        if citations is None:
            citations = self.citations.all()
        return len({c.source_id for c in citations})

    def figures(self) -> list["Claim"]:
        """Every figure (not statements) in the order given, each to be shown attributed."""
        return [claim for claim in self.claims.all() if claim.value is not None]

    def public_log(self) -> list["EventUpdate"]:
        """Its updates and corrections, oldest first (prefetched where a page shows them)."""
        return list(self.updates.all())

    def actors_by_role(self) -> list[tuple[str, list["EventActor"]]]:
        """Roles in the order first given, each with its actors and their notes."""
        groups: dict[str, list[EventActor]] = {}
        for role in self.event_actors.all():
            groups.setdefault(role.get_role_display(), []).append(role)
        return list(groups.items())

    def claims_by_kind(self) -> list[tuple[str, list["Claim"]]]:
        """Claims by kind, in the order given; where one teller gave a kind of figure more than
        once, their latest is marked (`claim.latest_of_several`), the others stay beside it."""
        groups: dict[str, list[Claim]] = {}
        for claim in self.claims.all():
            groups.setdefault(claim.get_kind_display(), []).append(claim)
        for claims in groups.values():
            by_teller: dict[tuple, list[Claim]] = {}
            for claim in claims:
                if claim.value is not None and claim.reported_at is not None:
                    by_teller.setdefault(claim.teller, []).append(claim)
            for given in by_teller.values():
                if len(given) > 1:
                    max(given, key=Claim.given_order).latest_of_several = True
        return list(groups.items())

    def published_links(self) -> list[tuple[str, "Event"]]:
        """Links in both directions, worded from this event's side, to published events only."""
        public = Event.objects.published().values("pk")
        out = EventLink.objects.filter(from_event=self, to_event__in=public)
        into = EventLink.objects.filter(to_event=self, from_event__in=public)
        links = [
            (link.get_kind_display(), link.to_event) for link in out.select_related("to_event")
        ]
        links += [
            (EventLink.INVERSE[link.kind], link.from_event)
            for link in into.select_related("from_event")
        ]
        return sorted(links, key=lambda pair: (pair[1].sort_at, pair[1].pk))

    @cached_property
    def card_timeline(self) -> "Timeline | None":
        """The published timeline whose card stands for this event in link previews: the main
        one if it is on it, else the oldest. One query, kept for the page's og:image and JSON-LD."""
        on = list(self.timelines.published().order_by("created_at", "pk"))
        main = [t for t in on if t.slug == settings.DEFAULT_TIMELINE_SLUG]
        return (main or on or [None])[0]

    def neighbours(self, within=None) -> tuple["Event | None", "Event | None"]:
        """The previous and next events in the chronology: published ones, or `within`."""
        published = Event.objects.published() if within is None else within
        at = self.sort_at
        before = published.filter(Q(sort_at__lt=at) | Q(sort_at=at, pk__lt=self.pk))
        after = published.filter(Q(sort_at__gt=at) | Q(sort_at=at, pk__gt=self.pk))
        return (
            before.order_by("-sort_at", "-pk").first(),
            after.order_by("sort_at", "pk").first(),
        )

    def position(self, within) -> int:
        """Where it stands in `within`'s chronology, from 1."""
        at = self.sort_at
        return within.filter(Q(sort_at__lt=at) | Q(sort_at=at, pk__lt=self.pk)).count() + 1

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("start", "end"):
            moment = getattr(self, name)
            if moment is not None and not dates.year_in_range(moment):
                errors[name] = dates.YEAR_RANGE_MESSAGE
        if self.start and self.end and self.end < self.start:
            errors["end"] = (
                "The end is before the start. Check both dates; times are read in the "
                "event's time zone."
            )
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            errors[missing] = "Give both latitude and longitude, or leave both empty."
        if self.end and not self.end_precision:
            self.end_precision = self.precision
        if not self.end:
            self.end_precision = ""
        if self.part_of_day and self.precision != Precision.DAY:
            errors["part_of_day"] = (
                "A part of the day is for events known only to the day: with a clock time, "
                "leave it empty; or set the precision to “day”."
            )
        if self.image and self.image_url:
            errors["image_url"] = "Give an upload or an image address, not both."
        if (self.image_width is None) != (self.image_height is None):
            missing = "image_height" if self.image_height is None else "image_width"
            errors[missing] = "Give both the width and the height, or leave both empty."
        if (self.image or self.image_url) and not self.image_alt.strip():
            errors["image_alt"] = (
                "Say what the image shows: readers who cannot see it get these words instead."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def picture(self) -> "media.Picture | None":
        return media.picture_of(self)

    @property
    def link_card(self) -> "media.LinkCard | None":
        return media.link_card_of(self)

    @property
    def places(self) -> list["Place"]:
        """Every place it happened, the main one (on the event itself) first."""
        main = Place(
            self.place_name, self.country, self.latitude, self.longitude, self.place_approximate
        )
        others = self.__dict__.get("other_places")
        if others is None:
            others = self.more_places.all()
        more = [place.as_place() for place in others]
        return [main, *more] if (main.name or main.country or main.located) else more

    @property
    def where(self) -> str:
        """The places' names as a sentence says them: "Ahvaz, Iran and Mashhad, Iran"."""
        names = [place.name or place.country for place in self.places]
        return " and ".join(names) if len(names) < 3 else "; ".join(names)

    def citation_problem(self, cited: bool | None = None) -> str | None:
        """The one rule on sources, said in words, or None: a published event cites one.

        Every way an event is written (the desk's form and actions, restore, review, the archive
        loader) asks this. Citations are rows saved after their event, which is why clean()
        cannot: a writer that brings them along says whether it has any (`cited`); otherwise
        the saved ones count.
        """
        if self.status != self.Status.PUBLISHED:
            return None
        if cited is None:
            cited = self.pk is not None and self.citations.exists()
        return None if cited else NEEDS_CITATION

    def set_published_at(self) -> None:
        """When it went (or goes) public: the first save as published, or its scheduled time."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            now = timezone.now()
            self.published_at = max(now, self.publish_at) if self.publish_at else now

    def set_local_dates(self) -> None:
        if self.start is None:
            return
        self.local_start_date = self.local_start.date()
        self.local_end_date = self.period_end.date()
        try:
            self.sort_at = self.sort_moment.astimezone(dt.UTC)
        except OverflowError:
            # A part of the day at the very edge of the calendar: the day's start still orders it.
            self.sort_at = self.start
        self.known_from = self.start_precision.known_from(
            self.local_start, self.part_of_day
        ).astimezone(dt.UTC)


# What save() derives, and from what: a partial save of an input writes what it derives.
DERIVED = ("local_start_date", "local_end_date", "sort_at", "known_from")
DATE_INPUTS = {"start", "end", "precision", "end_precision", "timezone", "part_of_day"}
PUBLISH_INPUTS = {"status", "publish_at"}


@receiver(pre_save, sender=Event)
def _derive_on_raw_load(sender, instance: Event, raw: bool = False, **kwargs) -> None:
    # loaddata saves raw, past save(): fixtures carry no derived fields, so they are computed here.
    if raw:
        instance.set_local_dates()
        instance.set_published_at()


@receiver(pre_save, sender="timeline.Claim")
def _claim_known_on_raw_load(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        instance.set_known_from()


@dataclass(frozen=True)
class Place:
    """Where an event happened, as pages, exports and the map read it."""

    name: str
    country: str
    latitude: float | None
    longitude: float | None
    approximate: bool = False

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __str__(self) -> str:
        """ "Erbil, Iraq (36.24, 43.96)": as a cell or a line of text carries it."""
        name = self.name or self.country
        if not self.located:
            return name
        about = ", approximate" if self.approximate else ""
        return f"{name} ({self.latitude}, {self.longitude}{about})".strip()

    def as_dict(self) -> dict:
        return {
            "name": self.name or None,
            "country": self.country or None,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "approximate": self.approximate,
        }


class EventPlace(models.Model):
    """A further place the same event happened (funerals in Ahvaz *and* Mashhad); the main
    place stays on the event, where filters and search read it without a join."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="more_places")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, blank=True, validators=[country_code])
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90, LATITUDE), MaxValueValidator(90, LATITUDE)],
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180, LONGITUDE), MaxValueValidator(180, LONGITUDE)],
    )
    approximate = models.BooleanField("Approximate", default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = "other place"
        constraints = _coordinates_in_range("eventplace")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError({missing: "Give both latitude and longitude, or neither."})

    def as_place(self) -> Place:
        return Place(self.name, self.country, self.latitude, self.longitude, self.approximate)


class EventActor(models.Model):
    class Role(models.TextChoices):
        PERPETRATOR = "perpetrator", "Perpetrator"
        SUSPECTED = "suspected", "Suspected or blamed"
        ORDERED = "ordered", "Ordered it"
        COMMANDER = "commander", "Commander"
        TARGET = "target", "Target"
        KILLED = "killed", "Killed"
        INJURED = "injured", "Injured"
        RESPONDER = "responder", "Responder"
        PARTICIPANT = "participant", "Participant"
        MOURNER = "mourner", "Mourner"
        OBJECTED = "objected", "Objected"
        # Who told of it, apart from who took part: a spokesman is not a journalist.
        OFFICIAL_SOURCE = "official_source", "Official source"
        SPOKESPERSON = "spokesperson", "Spokesperson"
        REPORTING_OUTLET = "reporting_outlet", "Reporting outlet"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_actors")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="event_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown beside the role: “blamed by the US; Kata'ib Hezbollah denied it”.",
    )

    class Meta:
        verbose_name = "actor in event"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"], name="unique_event_actor_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display()})"


class Citation(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(
        blank=True,
        help_text="The passage that supports the event, word for word. Leave it empty rather "
        "than paraphrase; say what the source supports in the note.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="What this source supports.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.source} on {self.event}"


FIGURE_NOUNS = {"deaths": "dead", "injuries": "injured", "munitions": "rockets or missiles"}


# What a claim's known_from is read from: its time, precision and clock (else its event's).
KNOWN_FROM_INPUTS = {"reported_at", "reported_precision", "reported_timezone"}


class ClaimQuerySet(models.QuerySet):
    def known_by(self, moment: dt.datetime):
        """Figures given by `moment`; one with no date given counts as known with its event."""
        return self.filter(Q(known_from__isnull=True) | Q(known_from__lte=moment))


class Claim(models.Model):
    class Kind(models.TextChoices):
        DEATHS = "deaths", "Deaths"
        INJURIES = "injuries", "Injuries"
        MUNITIONS = "munitions", "Rockets or missiles"
        STATEMENT = "statement", "Statement"

    class Qualifier(models.TextChoices):
        """The words a figure came with: "more than 50" is not 50."""

        EXACT = "exact", "Exactly (as given)"
        AT_LEAST = "at_least", "At least"
        MORE_THAN = "more_than", "More than"
        ABOUT = "about", "About"
        UP_TO = "up_to", "Up to"
        FEWER_THAN = "fewer_than", "Fewer than"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    qualifier = models.CharField(
        max_length=12,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text="As the figure was given: “more than 50” is More than, 50.",
    )
    value = models.PositiveIntegerField(null=True, blank=True)
    value_max = models.PositiveIntegerField(
        null=True, blank=True, help_text="For a range such as 11–16: the upper figure."
    )
    text = models.TextField(help_text="The claim as reported.")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="claims", help_text="Where we read it."
    )
    attributed_to = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Who said it, if not the source itself (e.g. IRINN, US officials).",
    )
    # When the figure was given, as precisely as known and on whose clock: tolls move.
    reported_at = models.DateTimeField(
        null=True, blank=True, help_text="When the figure was given (stored in UTC)."
    )
    reported_precision = models.CharField(
        max_length=10, choices=Precision.choices, blank=True, default=""
    )
    reported_timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="The clock it was given on; empty for the event's own.",
    )
    sequence = models.PositiveSmallIntegerField(
        default=0,
        help_text="For figures given the same day in a known order: 1, 2, 3…",
    )

    # When the figure can be said to have been given (Precision.known_from): "as of" compares it.
    known_from = models.DateTimeField(null=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        # Figures of a kind in the order they were given; ones not dated keep their entry order
        # after the dated ones.
        ordering = ["kind", F("reported_at").asc(nulls_last=True), "sequence", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_max__isnull=True)
                | (Q(value__isnull=False) & Q(value_max__gte=models.F("value"))),
                name="claim_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs) -> None:
        self.set_known_from()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KNOWN_FROM_INPUTS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "known_from"}
        super().save(*args, **kwargs)

    def set_known_from(self) -> None:
        if self.reported_at is None:
            self.known_from = None
            return
        precision = Precision(self.reported_precision or Precision.DAY)
        local = self.reported_at.astimezone(self.zone)
        self.known_from = precision.known_from(local).astimezone(dt.UTC)

    @property
    def figure(self) -> str:
        """The figure in the words it came with: "more than 50", "11–16", "56"."""
        if self.value is None:
            return ""
        number = f"{self.value:,}"
        if self.value_max is not None and self.value_max != self.value:
            number = f"{self.value:,}–{self.value_max:,}"
        if self.qualifier not in QUALIFIERS or self.qualifier == self.Qualifier.EXACT:
            return number
        return f"{self.Qualifier(self.qualifier).label.lower()} {number}"

    # Set by Event.claims_by_kind on the newest of several figures from one teller.
    latest_of_several = False

    @property
    def teller(self) -> tuple:
        """Who gave the figure: the one it is attributed to, else the outlet we read it in."""
        return (
            ("actor", self.attributed_to_id)
            if self.attributed_to_id
            else ("source", self.source_id)
        )

    def given_order(self) -> tuple:
        """Where a dated figure falls among those given: when, then its number that day."""
        return (self.reported_at, self.sequence)

    @property
    def teller_name(self) -> str:
        """Who gave it, by name alone: "IRINN", or the outlet when nobody else is named."""
        return self.attributed_to.name if self.attributed_to_id else self.source.publisher

    @property
    def headline(self) -> str:
        """The figure as a card leads with it: "56 dead — IRINN, via CNN, 7 Jan 2020"."""
        noun = FIGURE_NOUNS.get(self.kind, self.get_kind_display().lower())
        return f"{self.figure} {noun} — {self.attribution}"

    @property
    def zone(self) -> ZoneInfo:
        # The only field of its event a figure reads: the chart's figures hold a stand-in event
        # with its id and clock alone (timeline.reader.rows), and reading more would query.
        try:
            return ZoneInfo(self.reported_timezone or self.event.timezone or "UTC")
        except (ValueError, ZoneInfoNotFoundError, ObjectDoesNotExist):
            # A zone no longer known, or no event to ask (a deleted one in the history): UTC.
            return ZoneInfo("UTC")

    @property
    def reported_when(self) -> str:
        """When it was given, honest to its precision: "7 January 2020"."""
        if self.reported_at is None:
            return ""
        precision = Precision(self.reported_precision or Precision.DAY)
        return precision.describe_local(self.reported_at, self.zone)

    @property
    def attribution(self) -> str:
        """'IRINN, via CNN, 7 Jan 2020' — who said it and where we read it."""
        via = self.source.short_name
        if self.attributed_to_id is None or self.attributed_to.name == self.source.publisher:
            return via
        return f"{self.attributed_to.name}, via {via}"

    def clean(self) -> None:
        if self.value_max is not None and (self.value is None or self.value_max < self.value):
            raise ValidationError({"value_max": "The upper figure must be at least the lower."})
        if self.kind != self.Kind.STATEMENT and self.value is None:
            raise ValidationError({"value": "A figure is needed for this kind of claim."})
        if self.reported_at is not None and not self.reported_precision:
            self.reported_precision = Precision.DAY
        if self.reported_at is None:
            self.reported_precision = ""


# `x in Claim.Qualifier` walks every member on each call; a card asks it per figure.
QUALIFIERS = frozenset(Claim.Qualifier.values)


class EventUpdate(models.Model):
    """A public note on a save of a published event: an update (news since) or a correction
    (we had it wrong). Kept for good: a restore adds one, nothing takes one away."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Update"
        CORRECTION = "correction", "Correction"

    # As the workflow log (EventTransition): no database constraint, so the notes outlive a
    # deleted event and are there again when the event is recovered.
    event = models.ForeignKey(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, related_name="updates"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.TextField(
        max_length=1000, help_text="What readers are told changed, e.g. “The toll was 65, not 56.”"
    )
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["made_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.note[:60]}"

    @property
    def verb(self) -> str:
        return "Corrected" if self.kind == self.Kind.CORRECTION else "Updated"

    @property
    def when(self) -> str:
        """'8 January 2020, 14:10 Baghdad time (UTC+3)': on the event's own clock."""
        return Precision.MINUTE.describe_local(self.made_at, self.event.zone)


class EventLink(models.Model):
    class Kind(models.TextChoices):
        LED_TO = "led_to", "Led to"
        RETALIATION_FOR = "retaliation_for", "Retaliation for"
        PART_OF = "part_of", "Part of"
        CONTEXT = "context", "Context"

    # How the link reads from the other end: "rocket attack — answered by — strikes".
    INVERSE = {
        "led_to": "Followed from",
        "retaliation_for": "Answered by",
        "part_of": "Includes",
        "context": "Context for",
    }

    # Read as: from_event <kind> to_event, e.g. "strikes — retaliation for — rocket attack".
    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_out")
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_event", "to_event"], name="unique_event_link"),
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")), name="event_link_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_event} — {self.get_kind_display().lower()} — {self.to_event}"

    def clean(self) -> None:
        if self.from_event_id and self.from_event_id == self.to_event_id:
            raise ValidationError("An event cannot link to itself.")


class TimelineQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Timeline(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="The clock most of its events keep, e.g. Asia/Baghdad: a reader's “as of "
        "7 January, 12:00” is read on it.",
    )
    events = models.ManyToManyField(Event, related_name="timelines", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TimelineQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("timeline", self.slug)

    # /embed/story/ is the default timeline's story, so a timeline of this slug could not be
    # embedded at /embed/<slug>/.
    RESERVED_SLUGS = frozenset({"story"})

    def clean(self) -> None:
        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is a word the site's addresses use."})

    @classmethod
    def main(cls) -> "Timeline | None":
        """The newsroom's main timeline (DEFAULT_TIMELINE_SLUG), published or not yet."""
        return cls.objects.filter(slug=settings.DEFAULT_TIMELINE_SLUG).first() or cls.default()

    @classmethod
    def default(cls) -> "Timeline | None":
        published = cls.objects.published()
        return (
            published.filter(slug=settings.DEFAULT_TIMELINE_SLUG).first()
            or published.order_by("created_at", "pk").first()
        )

    def published_events(self):
        return self.events.published()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone if self.time_zone in _known_timezones() else "UTC")


class DataVersion(models.Model):
    """One row counting changes to what the public can see, so every worker agrees on what is
    current.

    Public responses are cached and validated against it (ETag, Last-Modified); a publish, an
    unpublish, an edit to a published record and a scheduled go-live bump it (timeline.caching
    decides which saves count), so each is visible on the next request; drafts do not.
    """

    number = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    # The next scheduled event's time: passing it changes what readers see without any save.
    next_scheduled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"data version {self.number}"

    @classmethod
    def current(cls) -> "DataVersion":
        # Asked by every public request, even those answered from the cache: a raw query skips
        # the ORM's SQL compiler, a good part of what a cached answer costs (figures: README).
        table = connections["default"].ops.quote_name(cls._meta.db_table)
        row = next(iter(cls.objects.raw(f"SELECT * FROM {table} WHERE id = %s", [1])), None)
        version = row or cls.objects.get_or_create(pk=1)[0]
        if version.next_scheduled_at is not None and version.next_scheduled_at <= timezone.now():
            # Read from the primary: a replica a moment behind would have every request bump.
            cls.bump(only_if_due=True)
            version = cls.objects.using(router.db_for_write(cls)).get(pk=1)
        return version

    @classmethod
    def bump(cls, only_if_due: bool = False) -> None:
        """A change the public can see; with `only_if_due`, only if a scheduled event's time
        has come and nobody has noticed yet."""
        db = router.db_for_write(cls)
        with transaction.atomic(using=db):
            now = timezone.now()
            if not cls._went_live_by(now, db) and only_if_due:
                return
            updated = (
                cls.objects.using(db)
                .filter(pk=1)
                .update(
                    number=F("number") + 1, changed_at=now, next_scheduled_at=cls._next_due(now)
                )
            )
            if not updated:
                cls.objects.using(db).get_or_create(pk=1)

    @classmethod
    def reschedule(cls) -> None:
        """Only the next go-live time: nothing the public sees has changed yet (unless an
        event's time came meanwhile, which is a change)."""
        db = router.db_for_write(cls)
        with transaction.atomic(using=db):
            now = timezone.now()
            if cls._went_live_by(now, db):
                cls.objects.using(db).filter(pk=1).update(
                    number=F("number") + 1, changed_at=now, next_scheduled_at=cls._next_due(now)
                )
            elif (
                not cls.objects.using(db).filter(pk=1).update(next_scheduled_at=cls._next_due(now))
            ):
                cls.objects.using(db).get_or_create(pk=1)

    @classmethod
    def _went_live_by(cls, now, db: str) -> bool:
        """Scheduled events whose time came by `now` are counted (timeline.rollup) before the
        row forgets when that was; True if there were any. Holds the row till the end of the
        transaction, so two workers never both do it."""
        from timeline import rollup

        due = (
            cls.objects.using(db)
            .select_for_update()
            .filter(pk=1)
            .values_list("next_scheduled_at", flat=True)
            .first()
        )
        if due is None or due > now:
            return False
        rollup.went_live(due, now)
        return True

    @staticmethod
    def _next_due(now):
        return Subquery(
            Event.objects.filter(status=Event.Status.PUBLISHED, publish_at__gt=now)
            .order_by("publish_at")
            .values("publish_at")[:1]
        )


class EventTransition(models.Model):
    """One step of the workflow: who moved which event from what status to what, and when.

    Kept apart from the event's history so restoring an old version never rewrites the log,
    and without a database constraint so the log outlives a deleted event and is there again
    when the event is recovered.
    """

    event = models.ForeignKey(
        Event,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="transitions",
    )
    from_status = models.CharField(max_length=10, choices=Event.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Event.Status.choices)
    publish_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["event", "-at"])]

    def __str__(self) -> str:
        before = self.get_from_status_display() or "new"
        return f"{self.event_id}: {before} → {self.get_to_status_display()}"


class KeptMemberships(models.Model):
    """The timelines a deleted event was on, kept with its last revision: recovering the event
    offers them ticked again. (The membership rows go with the event; this outlives it.)"""

    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="kept_memberships"
    )
    timelines = models.JSONField(default=list, help_text="Timeline ids.")

    class Meta:
        verbose_name = "timelines of a deleted event"
        verbose_name_plural = "timelines of deleted events"

    def __str__(self) -> str:
        return f"revision {self.revision_id}: timelines {self.timelines}"


class EventSeen(models.Model):
    """The version of an event an editor last opened, for “changed since you looked”."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="unique_event_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.event_id} v{self.version}"

    @classmethod
    def mark(cls, user, event: Event) -> None:
        """`user` has just seen `event` as it is now."""
        cls.objects.update_or_create(user=user, event=event, defaults={"version": event.version})


class PendingChangeQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state=PendingChange.State.WAITING)


class PendingChange(models.Model):
    """An Editor's change to a live event, held until a Publisher approves it.

    The live rows are not touched until then, so no page, feed, export, embed or cache can show
    it early. It holds the event and its parts as Django's serializer writes them (the format
    django-reversion keeps), the timelines ticked, and the form as posted, so the change can be
    shown as a diff, reopened in the form and, once approved, applied as it was proposed.
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Sent back"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REPLACED = "replaced", "Replaced by a newer change"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pending_changes")
    base_version = models.PositiveIntegerField(help_text="The live version it was made from.")
    proposed = models.TextField(help_text="The event and its parts, serialized as JSON.")
    timelines = models.JSONField(default=list, help_text="Timeline ids.")
    form_data = models.JSONField(default=dict, help_text="The form as posted, to reopen it.")
    summary = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Why it was sent back, for its editor.")

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # A second editor's change builds on the waiting one and replaces it.
            models.UniqueConstraint(
                fields=["event"], condition=Q(state="waiting"), name="one_waiting_change_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"change to {self.event_id} by {self.proposed_by_id}: {self.state}"


# The counts per timeline and day the big charts read (kept by timeline/rollup.py).
from timeline.rollup import ActorDayCount, DayCount  # noqa: E402, F401
