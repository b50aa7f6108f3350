"""The read-only JSON API at /api/: published data only, described by /api/openapi.json.

Event lists take the timeline page's filter parameters, validated by the shared EventFilter;
the parameters' documentation is generated from that FilterSet too, so the two cannot drift.
"""

import datetime as dt
import math
from functools import wraps
from typing import Any, Literal

import django_filters
from django.core.validators import slug_re
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, reverse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError

from timeline import models
from timeline.caching import public_cache
from timeline.data import exports
from timeline.data.exports import BadParameters, filtered_events
from timeline.filters import MAX_VALUES, EventFilter, known_params
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

PUBLISHED = Event.Status.PUBLISHED
FILTER_HELP = {
    "q": "Text to find in the title, summary, place or an actor's name or alias.",
    "actor": "Actor slug; repeat the parameter to match events involving any of them.",
    "category": "Category slug; repeat the parameter for several.",
    "country": "ISO 3166 two-letter code of where it happened; repeat for several.",
    "start": "Events still going on this local date or later (YYYY-MM-DD).",
    "end": "Events that began on this local date or earlier (YYYY-MM-DD).",
    "timeline": "Slug of a published timeline.",
}


def _enum(choices) -> Any:
    return Literal[tuple(choices.values)]


# Schemas --------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Messages by parameter name.")


class NotFoundOut(Schema):
    detail: str


class Paging(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(50, ge=1, le=200, description="Results per page, at most 200.")


class Page(Schema):
    count: int = Field(description="Results on all pages together.")
    next: str | None = Field(description="Address of the next page, or null on the last.")
    previous: str | None = Field(description="Address of the previous page, or null.")


class ActorRef(Schema):
    slug: str
    name: str


class SourceOut(Schema):
    slug: str
    publisher: str
    title: str
    url: str | None
    published: dt.date | None
    kind: _enum(Source.Kind)
    language: str


class PlaceOut(Schema):
    name: str | None
    country: str | None = Field(description="ISO 3166 two-letter code.")
    latitude: float | None
    longitude: float | None


class CategoryOut(Schema):
    slug: str
    name: str
    colour: str


class ImageOut(Schema):
    url: str
    caption: str
    credit: str
    alt: str


class EventActorOut(Schema):
    slug: str
    name: str
    role: _enum(models.EventActor.Role)


class CitationOut(Schema):
    source: SourceOut
    quote: str = Field(description="The supporting passage, word for word; may be empty.")
    note: str


class ClaimOut(Schema):
    kind: _enum(models.Claim.Kind)
    value: int | None
    value_max: int | None = Field(description="Upper figure of a range such as 11–16.")
    text: str
    attributed_to: ActorRef | None = Field(description="Who said it, if not the source itself.")
    source: SourceOut


class LinkOut(Schema):
    kind: _enum(EventLink.Kind)
    direction: Literal["outgoing", "incoming"] = Field(
        description="outgoing: this event <kind> the other; incoming: the other <kind> this."
    )
    label: str = Field(description="The link worded from this event's side, e.g. 'Answered by'.")
    event: str = Field(description="Slug of the other event.")


class EventOut(Schema):
    slug: str
    url: str = Field(description="The event's page.")
    title: str
    summary: str
    body: str
    start: dt.datetime = Field(description="With the offset of the event's local time zone.")
    end: dt.datetime | None
    precision: _enum(models.Precision) = Field(description="How much of `start` is known.")
    end_precision: _enum(models.Precision) | None
    approximate: bool
    timezone: str = Field(description="IANA time zone where it happened.")
    display_date: str
    place: PlaceOut
    category: CategoryOut
    importance: int = Field(ge=1, le=5)
    image: ImageOut | None
    actors: list[EventActorOut]
    citations: list[CitationOut]
    claims: list[ClaimOut]
    links: list[LinkOut] = Field(description="Links to other published events only.")


class EventPage(Page):
    results: list[EventOut]


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


class ActorOut(Schema):
    slug: str
    name: str
    kind: _enum(Actor.Kind)
    aliases: list[str]
    country: str | None
    description: str
    parent: ActorRef | None
    url: str
    events: str = Field(description="API address of the actor's published events.")


class ActorPage(Page):
    results: list[ActorOut]


class SourcePage(Page):
    results: list[SourceOut]


class TimelineOut(Schema):
    slug: str
    title: str
    description: str
    url: str
    event_count: int
    events: str = Field(description="API address of the timeline's published events.")


class TimelinePage(Page):
    results: list[TimelineOut]


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


# Serialisers ----------------------------------------------------------------------------------


def _source(source: Source) -> dict:
    return {
        "slug": source.slug,
        "publisher": source.publisher,
        "title": source.title,
        "url": source.url or None,
        "published": source.published,
        "kind": source.kind,
        "language": source.language,
    }


def _links(event: Event) -> list[dict]:
    links = [
        ("outgoing", link.kind, link.get_kind_display(), link.to_event)
        for link in event.published_links_out
    ] + [
        ("incoming", link.kind, EventLink.INVERSE[link.kind], link.from_event)
        for link in event.published_links_in
    ]
    links.sort(key=lambda link: (link[3].sort_at, link[3].pk))
    return [
        {"kind": kind, "direction": direction, "label": label, "event": other.slug}
        for direction, kind, label, other in links
    ]


def _event(event: Event, request: HttpRequest) -> dict:
    image = None
    if event.image_url:
        image = {
            "url": event.image_url,
            "caption": event.image_caption,
            "credit": event.image_credit,
            "alt": event.image_alt,
        }
    return {
        "slug": event.slug,
        "url": absolute_url(request, event.get_absolute_url()),
        "title": event.title,
        "summary": event.summary,
        "body": event.body,
        "start": event.local_start,
        "end": event.local_end,
        "precision": event.precision,
        "end_precision": (event.end_precision or event.precision) if event.end else None,
        "approximate": event.approximate,
        "timezone": event.timezone,
        "display_date": event.display_date,
        "place": {
            "name": event.place_name or None,
            "country": event.country or None,
            "latitude": event.latitude,
            "longitude": event.longitude,
        },
        "category": {
            "slug": event.category.slug,
            "name": event.category.name,
            "colour": event.category.colour,
        },
        "importance": event.importance,
        "image": image,
        "actors": [
            {"slug": role.actor.slug, "name": role.actor.name, "role": role.role}
            for role in event.event_actors.all()
        ],
        "citations": [
            {"source": _source(c.source), "quote": c.quote, "note": c.note}
            for c in event.citations.all()
        ],
        "claims": [
            {
                "kind": claim.kind,
                "value": claim.value,
                "value_max": claim.value_max,
                "text": claim.text,
                "attributed_to": (
                    {"slug": claim.attributed_to.slug, "name": claim.attributed_to.name}
                    if claim.attributed_to
                    else None
                ),
                "source": _source(claim.source),
            }
            for claim in event.claims.all()
        ],
        "links": _links(event),
    }


def _actor(actor: Actor, request: HttpRequest) -> dict:
    parent = actor.public_parent
    return {
        "slug": actor.slug,
        "name": actor.name,
        "kind": actor.kind,
        "aliases": actor.alias_list,
        "country": actor.country or None,
        "description": actor.description,
        "parent": {"slug": parent.slug, "name": parent.name} if parent else None,
        "url": absolute_url(request, actor.get_absolute_url()),
        "events": absolute_url(request, f"{reverse('api:list_events')}?actor={actor.slug}"),
    }


def _timeline(timeline: Timeline, request: HttpRequest) -> dict:
    return {
        "slug": timeline.slug,
        "title": timeline.title,
        "description": timeline.description,
        "url": absolute_url(request, timeline.get_absolute_url()),
        "event_count": timeline.event_count,
        "events": absolute_url(request, f"{reverse('api:list_events')}?timeline={timeline.slug}"),
    }


# Querysets: what the public may see, loaded in a fixed number of queries ---------------------


def _loaded(events: QuerySet[Event]) -> QuerySet[Event]:
    # Published, not merely status "published": a scheduled event is not public until its time.
    public = Event.objects.published().values("pk")
    return events.with_related().prefetch_related(
        Prefetch(
            "links_out",
            queryset=EventLink.objects.filter(to_event__in=public).select_related("to_event"),
            to_attr="published_links_out",
        ),
        Prefetch(
            "links_in",
            queryset=EventLink.objects.filter(from_event__in=public).select_related("from_event"),
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


def _paginate(
    request: HttpRequest, queryset: QuerySet, paging: Paging, serialise, filtered: bool = False
) -> dict:
    count = queryset.count()
    last = max(1, math.ceil(count / paging.page_size))
    if paging.page > last:
        raise BadParameters({"page": [f"The last page is {last}."]})
    offset = (paging.page - 1) * paging.page_size
    items = queryset[offset : offset + paging.page_size]

    def address(page: int) -> str:
        # Only the parameters that chose these results: anything else in the address is not
        # ours to repeat into a response that caches share.
        params = known_params(request.GET) if filtered else QueryDict(mutable=True)
        if paging.page_size != Paging.model_fields["page_size"].default:
            params["page_size"] = str(paging.page_size)
        params["page"] = str(page)
        return absolute_url(request, f"{request.path}?{params.urlencode()}")

    return {
        "count": count,
        "next": address(paging.page + 1) if paging.page < last else None,
        "previous": address(paging.page - 1) if paging.page > 1 else None,
        "results": [serialise(item, request) for item in items],
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


def _file_response(media_type: str, description: str) -> dict:
    content = {media_type: {"schema": {"type": "string"}}}
    return {**FILTERS, "responses": {200: {"description": description, "content": content}}}


# Endpoints ------------------------------------------------------------------------------------


@api.get("/events", response={200: EventPage, 400: ErrorOut}, openapi_extra=FILTERS)
@decorate_view(public_cache)
def list_events(request: HttpRequest, paging: Query[Paging]):
    """Published events in chronological order, filtered like the timeline page."""
    events, _ = filtered_events(request)
    return _paginate(request, _loaded(events), paging, _event, filtered=True)


@api.get(
    "/events.csv",
    response={400: ErrorOut},
    openapi_extra=_file_response("text/csv", "One row per event."),
)
@decorate_view(public_cache)
def events_csv(request: HttpRequest):
    """The filtered events as CSV; actors and sources are joined with '; '."""
    events, _ = filtered_events(request)
    response = HttpResponse(
        exports.events_csv(_loaded(events), request), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="events.csv"'
    return response


@api.get(
    "/events.ics",
    response={400: ErrorOut},
    openapi_extra=_file_response("text/calendar", "An iCalendar file to subscribe to."),
)
@decorate_view(public_cache)
def events_ics(request: HttpRequest):
    """The filtered events as an iCalendar feed: dates as all-day spans, times in local zones."""
    events, timeline = filtered_events(request)
    name = timeline.title if timeline else "Published events"
    body = exports.events_ical(_loaded(events), request, name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


@api.get("/timelinejs.json", response={200: TimelineJsOut, 400: ErrorOut}, openapi_extra=FILTERS)
@decorate_view(public_cache)
def timelinejs(request: HttpRequest):
    """The filtered events in the JSON format TimelineJS loads as it is."""
    events, timeline = filtered_events(request)
    title = timeline.title if timeline else "Published events"
    description = timeline.description if timeline else ""
    document = exports.events_timelinejs(_loaded(events), title, description)
    return api.create_response(request, document, status=200)


@api.get("/events/{slug}", response={200: EventOut, **NOT_FOUND})
@decorate_view(public_cache)
def get_event(request: HttpRequest, slug: str):
    """One published event with its actors, citations, claims and links."""
    return _event(_by_slug(_loaded(Event.objects.published()), slug), request)


@api.get("/actors", response={200: ActorPage, 400: ErrorOut})
@decorate_view(public_cache)
def list_actors(request: HttpRequest, paging: Query[Paging]):
    """Actors named in published events or their claims, by name."""
    return _paginate(request, _visible_actors(), paging, _actor)


@api.get("/actors/{slug}", response={200: ActorOut, **NOT_FOUND})
@decorate_view(public_cache)
def get_actor(request: HttpRequest, slug: str):
    return _actor(_by_slug(_visible_actors(), slug), request)


@api.get("/sources", response={200: SourcePage, 400: ErrorOut})
@decorate_view(public_cache)
def list_sources(request: HttpRequest, paging: Query[Paging]):
    """Sources cited by published events, by publisher."""
    return _paginate(request, _visible_sources(), paging, lambda source, _: _source(source))


@api.get("/timelines", response={200: TimelinePage, 400: ErrorOut})
@decorate_view(public_cache)
def list_timelines(request: HttpRequest, paging: Query[Paging]):
    """Published timelines, with how many published events each holds."""
    timelines = (
        Timeline.objects.published()
        .annotate(
            event_count=Count("events", filter=Q(events__in=Event.objects.published().values("pk")))
        )
        .order_by("title", "pk")
    )
    return _paginate(request, timelines, paging, _timeline)


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
