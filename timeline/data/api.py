"""The read-only JSON API at /api/: published data only, described by /api/openapi.json.

Event lists take the timeline page's filter parameters, validated by the shared EventFilter;
the parameters' documentation is generated from that FilterSet too, so the two cannot drift.
"""

import datetime as dt
from functools import partial, wraps
from typing import Any, Literal

import django_filters
from django.core.validators import slug_re
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, reverse
from ninja import Field, ModelSchema, NinjaAPI, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase, paginate
from pydantic import ConfigDict

from timeline import models
from timeline.caching import LISTS_KEY, event_key, public_cache, shows
from timeline.data import exports
from timeline.filters import MAX_VALUES, BadParameters, EventFilter, EventQuery, Page, known_params
from timeline.models import Actor, Event, EventLink, Source, Timeline
from timeline.site import absolute_url

api = NinjaAPI(
    title="Timeline API",
    version="1",
    description=(
        "Published events, actors, sources and timelines; read-only, no key needed. "
        "Atom and RSS feeds at /api/events.atom and /api/events.rss take the same filters."
    ),
    urls_namespace="api",
)

FILTER_HELP = {
    "q": "Text to find in the title, summary, place or an actor's name or alias.",
    "actor": "Actor slug; repeat the parameter to match events involving any of them.",
    "category": "Category slug; repeat the parameter for several.",
    "country": "ISO 3166 two-letter code of where it happened; repeat for several.",
    "start": "Events still going on this local date or later (YYYY-MM-DD).",
    "end": "Events that began on this local date or earlier (YYYY-MM-DD).",
    "timeline": "Slug of a published timeline.",
    "as_of": (
        "The record as it stood then: only events under way and figures given by this time. "
        "A day (YYYY-MM-DD, all of it), a local time on the main timeline's clock "
        "(YYYY-MM-DDTHH:MM) or an instant with its offset (2020-01-07T09:00Z)."
    ),
}


def _enum(choices) -> Any:
    return Literal[tuple(choices.values)]


# Schemas: each resolves straight from the model objects the endpoints return ---------------


def _page_url(obj, context: dict) -> str:
    """Resolver: the object's page on this site."""
    return absolute_url(context["request"], obj.get_absolute_url())


def _events_url(parameter: str):
    """Resolver: the API address of the published events the object (its slug) filters."""

    def resolve(obj, context: dict) -> str:
        path = f"{reverse('api:list_events')}?{parameter}={obj.slug}"
        return absolute_url(context["request"], path)

    return resolve


class AllRequired(Schema):
    # Every field is always in the output, null or not: say so, defaults or none.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


# A ModelSchema lists its model's fields in the order given; a schema refining some of them
# (choices as an enum, what the public sees) subclasses it, which keeps that order in the output.


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Messages by parameter name.")


class NotFoundOut(Schema):
    detail: str


class ActorRef(ModelSchema, AllRequired):
    class Meta:
        model = Actor
        fields = ["slug", "name"]


class SourceFields(ModelSchema):
    class Meta:
        model = Source
        fields = ["slug", "publisher", "title", "url", "published", "kind", "language"]


class SourceOut(SourceFields, AllRequired):
    url: str | None
    kind: _enum(Source.Kind)

    @staticmethod
    def resolve_url(source: Source) -> str | None:
        return source.url or None


# Read from a models.Place.
class PlaceOut(Schema):
    name: str | None
    country: str | None = Field(description="ISO 3166 two-letter code.")
    latitude: float | None
    longitude: float | None
    approximate: bool = Field(description="The point marks the city or area, not the spot.")

    @staticmethod
    def resolve_name(place: models.Place) -> str | None:
        return place.name or None

    @staticmethod
    def resolve_country(place: models.Place) -> str | None:
        return place.country or None


class CategoryOut(ModelSchema, AllRequired):
    class Meta:
        model = models.Category
        fields = ["slug", "name", "colour"]


# Read from the event's picture (timeline/media.py): its upload on this site, or an address.
class ImageOut(Schema):
    url: str = Field(description="The full-size image.")
    width: int | None = Field(description="In pixels, when known.")
    height: int | None = Field(description="In pixels, when known.")
    srcset: str = Field(description="Smaller copies of an upload, as an HTML srcset; else empty.")
    caption: str
    credit: str
    alt: str

    @staticmethod
    def resolve_url(picture, context: dict) -> str:
        return absolute_url(context["request"], picture.src)

    @staticmethod
    def resolve_srcset(picture, context: dict) -> str:
        def absolute(entry: str) -> str:
            src, _, width = entry.rpartition(" ")
            return f"{absolute_url(context['request'], src)} {width}"

        return ", ".join(absolute(e) for e in picture.srcset.split(", ")) if picture.srcset else ""


class LinkCardOut(Schema):
    url: str = Field(description="A video or post about the event, elsewhere.")
    title: str
    kind: str = Field(description="“Video” or “Link”.")


class EventActorOut(Schema):
    slug: str = Field(alias="actor.slug")
    name: str = Field(alias="actor.name")
    role: _enum(models.EventActor.Role)
    note: str = Field(description="What the record says of the role, e.g. who blamed them.")


class CitationOut(Schema):
    source: SourceOut
    quote: str = Field(description="The supporting passage, word for word; may be empty.")
    note: str


class ClaimFields(ModelSchema):
    class Meta:
        model = models.Claim
        fields = [
            "kind",
            "qualifier",
            "value",
            "value_max",
            "text",
            "attributed_to",
            "source",
            "reported_at",
            "reported_precision",
            "sequence",
        ]


class ClaimOut(ClaimFields, AllRequired):
    kind: _enum(models.Claim.Kind)
    qualifier: _enum(models.Claim.Qualifier) = Field(
        description="The words the figure came with: more_than 50 is “more than 50”."
    )
    figure: str = Field(description="The figure as written: “more than 50”, “11–16”, “56”.")
    reported_at: dt.datetime | None = Field(description="When the figure was given (UTC).")
    reported_precision: _enum(models.Precision) | Literal[""] = Field(
        description="How much of reported_at is known; empty when it is not dated."
    )
    reported_timezone: str = Field(
        description="The clock it was given on (IANA zone); empty for the event's own."
    )
    attributed_to: ActorRef | None = Field(description="Who said it, if not the source itself.")
    source: SourceOut


class UpdateOut(Schema):
    kind: _enum(models.EventUpdate.Kind) = Field(
        description="update: news since it was published; correction: it said something wrong."
    )
    note: str = Field(description="What readers are told changed.")
    made_at: dt.datetime = Field(description="When (UTC).")


# Read from an EventLink as `_loaded` prefetches it, which knows its direction.
class LinkOut(Schema):
    kind: _enum(EventLink.Kind)
    direction: Literal["outgoing", "incoming"] = Field(
        description="outgoing: this event <kind> the other; incoming: the other <kind> this."
    )
    label: str = Field(description="The link worded from this event's side, e.g. 'Answered by'.")
    event: str = Field(description="Slug of the other event.")

    @staticmethod
    def resolve_label(link: EventLink) -> str:
        if link.direction == "outgoing":
            return link.get_kind_display()
        return EventLink.INVERSE[link.kind]

    @staticmethod
    def resolve_event(link: EventLink) -> str:
        return _other_end(link).slug


def _other_end(link: EventLink) -> Event:
    return link.to_event if link.direction == "outgoing" else link.from_event


class EventOut(Schema):
    slug: str
    url: str = Field(description="The event's page.")
    title: str
    summary: str
    body: str
    start: dt.datetime = Field(
        alias="local_start", description="With the offset of the event's local time zone."
    )
    end: dt.datetime | None = Field(alias="local_end")
    precision: _enum(models.Precision) = Field(description="How much of `start` is known.")
    end_precision: _enum(models.Precision) | None
    approximate: bool
    timezone: str = Field(description="IANA time zone where it happened.")
    display_date: str
    place: PlaceOut = Field(description="The main place: the first of `places`, or all empty.")
    places: list[PlaceOut] = Field(description="Every place it happened, the main one first.")
    category: CategoryOut
    importance: int = Field(ge=1, le=5)
    image: ImageOut | None
    media: LinkCardOut | None = Field(description="A video or post shown as a link card.")
    actors: list[EventActorOut] = Field(alias="event_actors")
    citations: list[CitationOut]
    claims: list[ClaimOut]
    links: list[LinkOut] = Field(description="Links to other published events only.")
    updates: list[UpdateOut] = Field(
        description="Public updates and corrections, oldest first; never removed."
    )

    resolve_url = staticmethod(_page_url)

    @staticmethod
    def resolve_end_precision(event: Event) -> str | None:
        return (event.end_precision or event.precision) if event.end else None

    @staticmethod
    def resolve_place(event: Event) -> models.Place:
        return next(iter(event.places), models.Place("", "", None, None))

    @staticmethod
    def resolve_image(event: Event):
        return event.picture

    @staticmethod
    def resolve_media(event: Event):
        return event.link_card

    @staticmethod
    def resolve_links(event: Event) -> list[EventLink]:
        links = [*event.published_links_out, *event.published_links_in]
        return sorted(links, key=lambda link: (_other_end(link).sort_at, _other_end(link).pk))


# TimelineJS's JSON format, as exports.events_timelinejs writes it: a date has as many parts as
# its precision allows; text fields are HTML (escaped), media `alt` is plain text.
class TimelineJsDate(Schema):
    year: int
    month: int = Field(None, ge=1, le=12)
    day: int = Field(None, ge=1, le=31)
    hour: int = Field(None, ge=0, le=23)
    minute: int = Field(None, ge=0, le=59)


class TimelineJsText(Schema):
    headline: str
    text: str = Field(None)


class TimelineJsTitle(Schema):
    text: TimelineJsText


class TimelineJsMedia(Schema):
    url: str
    caption: str
    credit: str
    alt: str


class TimelineJsSlide(Schema):
    unique_id: str = Field(description="The event's slug.")
    start_date: TimelineJsDate
    end_date: TimelineJsDate = Field(None)
    display_date: str
    text: TimelineJsText
    group: str = Field(description="The event's category.")
    media: TimelineJsMedia = Field(None)


class TimelineJsEra(Schema):
    start_date: TimelineJsDate
    end_date: TimelineJsDate
    text: TimelineJsText


class TimelineJsOut(Schema):
    title: TimelineJsTitle
    events: list[TimelineJsSlide]
    eras: list[TimelineJsEra] = Field(None, description="Events that span time, as bands.")


class ActorFields(ModelSchema):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "aliases", "country", "description", "parent"]


class ActorOut(ActorFields, AllRequired):
    kind: _enum(Actor.Kind)
    aliases: list[str] = Field(alias="alias_list")
    description: str
    parent: ActorRef | None = Field(alias="public_parent")
    url: str
    events: str = Field(description="API address of the actor's published events.")

    @staticmethod
    def resolve_country(actor: Actor) -> str | None:
        return actor.country or None

    resolve_url = staticmethod(_page_url)
    resolve_events = staticmethod(_events_url("actor"))


class TimelineFields(ModelSchema):
    class Meta:
        model = Timeline
        fields = ["slug", "title", "description"]


class TimelineOut(TimelineFields, AllRequired):
    description: str
    url: str
    event_count: int
    events: str = Field(description="API address of the timeline's published events.")

    resolve_url = staticmethod(_page_url)
    resolve_events = staticmethod(_events_url("timeline"))


# Errors ---------------------------------------------------------------------------------------


@api.exception_handler(BadParameters)
def _bad_parameters(request: HttpRequest, exc: BadParameters) -> HttpResponse:
    return api.create_response(request, exc.body(), status=400)


@api.exception_handler(ValidationError)
def _invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Ninja's own checks (page, page_size) answer 400 in the same shape as the FilterSet's.
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(str(error["loc"][-1]), []).append(error["msg"])
    return _bad_parameters(request, BadParameters(errors))


# Querysets: what the public may see, loaded in a fixed number of queries ---------------------


def _loaded(events: QuerySet[Event], as_of=None) -> QuerySet[Event]:
    # Published, not merely status "published": a scheduled event is not public until its time.
    public = Event.objects.published().values("pk")
    # Each link knows its direction, for LinkOut.
    outgoing = EventLink.objects.annotate(direction=Value("outgoing"))
    incoming = EventLink.objects.annotate(direction=Value("incoming"))
    return events.with_related(as_of).prefetch_related(
        "updates",
        Prefetch(
            "links_out",
            queryset=outgoing.filter(to_event__in=public).select_related("to_event"),
            to_attr="published_links_out",
        ),
        Prefetch(
            "links_in",
            queryset=incoming.filter(from_event__in=public).select_related("from_event"),
            to_attr="published_links_in",
        ),
    )


def _visible_actors() -> QuerySet[Actor]:
    return Actor.objects.published().with_public_parent().order_by("name", "pk")


def _visible_sources() -> QuerySet[Source]:
    return Source.objects.published().order_by("publisher", "title", "pk")


def _by_slug(queryset: QuerySet, slug: str):
    # The path takes any text; what is not a slug names nothing (and a NUL byte in a query
    # would make PostgreSQL raise).
    if not slug_re.match(slug):
        raise Http404("Not a slug")
    return get_object_or_404(queryset, slug=slug)


class Paging(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(50, ge=1, le=200, description="Results per page, at most 200.")


class PagePagination(PaginationBase):
    """Numbered pages as `count`, `next`, `previous` and `results`; a page past the last is a
    400. The next and previous addresses repeat only the parameters that chose the results:
    anything else in the address is not ours to repeat into a response that caches share."""

    Input = Paging

    class Output(Schema):
        count: int = Field(description="Results on all pages together.")
        next: str | None = Field(description="Address of the next page, or null on the last.")
        previous: str | None = Field(description="Address of the previous page, or null.")
        results: list[Any]

    items_attribute = "results"

    def __init__(self, *, filtered: bool = False, **kwargs: Any) -> None:
        # Filtered: the list takes the timeline page's filters, repeated into the addresses.
        self.filtered = filtered
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Paging, request: HttpRequest, **params: Any
    ) -> dict:
        page = Page(pagination.page, pagination.page_size, queryset.count())
        if page.number > page.last:
            raise BadParameters({"page": [f"The last page is {page.last}."]})

        def address(number: int) -> str:
            query = known_params(request.GET) if self.filtered else QueryDict(mutable=True)
            if page.size != Paging.model_fields["page_size"].default:
                query["page_size"] = str(page.size)
            query["page"] = str(number)
            return absolute_url(request, f"{request.path}?{query.urlencode()}")

        return {
            "count": page.total,
            "next": address(page.number + 1) if page.has_next else None,
            "previous": address(page.number - 1) if page.has_previous else None,
            "results": queryset[page.offset : page.offset + page.size],
        }


def _filter_parameters() -> list[dict]:
    """OpenAPI parameters for the EventFilter's fields, so the docs follow the FilterSet."""
    parameters = []
    for name, field in EventFilter.base_filters.items():
        if field.method == "keep":
            # The page's own display parameters (lanes, its page): they select no events.
            continue
        schema: dict = {"type": "string"}
        if isinstance(field, django_filters.DateFilter):
            # Empty is no filter (the FilterSet drops it), so "" is as valid as a date.
            schema["anyOf"] = [{"format": "date"}, {"maxLength": 0}]
        if field.extra.get("max_length"):
            schema["maxLength"] = field.extra["max_length"]
        if isinstance(field, django_filters.MultipleChoiceFilter):
            schema = {"type": "array", "items": schema, "maxItems": MAX_VALUES}
        parameters.append(
            {
                "in": "query",
                "name": name,
                "required": False,
                "schema": schema,
                "description": FILTER_HELP.get(name, str(field.label)),
            }
        )
    return parameters


FILTERS = {"parameters": _filter_parameters()}
NOT_FOUND = {404: NotFoundOut}


def _file_route(path: str, media_type: str, description: str):
    """A filtered export served as a file: documented as one, cached like every public view."""
    content = {media_type: {"schema": {"type": "string"}}}
    docs = {**FILTERS, "responses": {200: {"description": description, "content": content}}}

    def register(view):
        route = api.get(path, response={400: ErrorOut}, openapi_extra=docs)
        return route(decorate_view(public_cache)(view))

    return register


def _file_response(body: str, media_type: str, disposition: str, filename: str) -> HttpResponse:
    """An export as a file: `disposition` is "attachment" to save it, "inline" to open it."""
    response = HttpResponse(body, content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


# Endpoints ------------------------------------------------------------------------------------


@api.get("/events", response={200: list[EventOut], 400: ErrorOut}, openapi_extra=FILTERS)
@decorate_view(public_cache)
@paginate(PagePagination, filtered=True)
def list_events(request: HttpRequest):
    """Published events in chronological order, filtered like the timeline page."""
    query = EventQuery(request.GET).check()
    return _loaded(query.events, query.as_of)


@_file_route("/events.csv", "text/csv", "One row per event.")
def events_csv(request: HttpRequest):
    """The filtered events as CSV; actors and sources are joined with '; '."""
    query = EventQuery(request.GET).check()
    body = exports.events_csv(_loaded(query.events, query.as_of), request)
    return _file_response(body, "text/csv", "attachment", "events.csv")


@_file_route("/events.ics", "text/calendar", "An iCalendar file to subscribe to.")
def events_ics(request: HttpRequest):
    """The filtered events as an iCalendar feed: dates as all-day spans, times in local zones."""
    query = EventQuery(request.GET).check()
    events, timeline = query.events, query.timeline
    name = timeline.title if timeline else "Published events"
    body = exports.events_ical(_loaded(events, query.as_of), request, name)
    return _file_response(body, "text/calendar", "inline", "events.ics")


@api.get("/timelinejs.json", response={200: TimelineJsOut, 400: ErrorOut}, openapi_extra=FILTERS)
@decorate_view(public_cache)
def timelinejs(request: HttpRequest):
    """The filtered events in the JSON format TimelineJS loads as it is."""
    query = EventQuery(request.GET).check()
    events, timeline = query.events, query.timeline
    title = timeline.title if timeline else "Published events"
    description = timeline.description if timeline else ""
    document = exports.events_timelinejs(
        _loaded(events, query.as_of), title, description, partial(absolute_url, request)
    )
    return api.create_response(request, document, status=200)


@api.get("/events/{slug}", response={200: EventOut, **NOT_FOUND})
@decorate_view(public_cache)
def get_event(request: HttpRequest, slug: str):
    """One published event with its actors, citations, claims and links."""
    shows(request, event_key(slug))
    return _by_slug(_loaded(Event.objects.published()), slug)


@api.get("/actors", response={200: list[ActorOut], 400: ErrorOut})
@decorate_view(public_cache)
@paginate(PagePagination)
def list_actors(request: HttpRequest):
    """Actors named in published events or their claims, by name."""
    return _visible_actors()


@api.get("/actors/{slug}", response={200: ActorOut, **NOT_FOUND})
@decorate_view(public_cache)
def get_actor(request: HttpRequest, slug: str):
    shows(request, f"actor-{slug}", LISTS_KEY)
    return _by_slug(_visible_actors(), slug)


@api.get("/sources", response={200: list[SourceOut], 400: ErrorOut})
@decorate_view(public_cache)
@paginate(PagePagination)
def list_sources(request: HttpRequest):
    """Sources cited by published events, by publisher."""
    return _visible_sources()


@api.get("/timelines", response={200: list[TimelineOut], 400: ErrorOut})
@decorate_view(public_cache)
@paginate(PagePagination)
def list_timelines(request: HttpRequest):
    """Published timelines, with how many published events each holds."""
    return (
        Timeline.objects.published()
        .annotate(
            event_count=Count("events", filter=Q(events__in=Event.objects.published().values("pk")))
        )
        .order_by("title", "pk")
    )


# HEAD -----------------------------------------------------------------------------------------


def _answers_head(view):
    """HEAD answered as GET: same status and headers; the server (gunicorn, runserver) sends no
    body, as it does for the pages' @require_safe views. Ninja routes GET only, and a 405 to a
    link checker or a CDN's HEAD probe reads as a broken address."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            return view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"

    return wrapper


def urls_answering_head() -> tuple:
    """api.urls, every route also answering HEAD."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _answers_head(pattern.callback)
    return patterns, app_name, namespace
