"""One query of events for every surface: page, fragment, embed, preview, API, exports, feeds.

`EventQuery` is what each view asks: it validates the parameters (through the one FilterSet
below), and answers with the errors, the events, the page, the lanes, the date window and the
addresses built from them. Who is asking is said by its arguments, not by copies of it: the
public see `Event.objects.published()`, the staff preview passes another base and `url_for`.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from operator import itemgetter
from urllib.parse import parse_qs, urlencode, urlsplit

import django_filters
import pycountry
from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, QueryDict

from timeline import dates
from timeline.models import Actor, Category, Event, EventActor, Timeline
from timeline.site import address, slug_urls

MAX_VALUES = 50
MULTI_FIELDS = ("actor", "category", "country")
LANES = [("category", "Category"), ("actor", "Actor")]
# What the page draws beside the list: the chart alone, or the map of the same events above it.
VIEWS = [("chart", "Chart"), ("map", "Map")]
OLD_ZOOM = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d~\d{4}-\d\d-\d\dT\d\d:\d\d$")
FACET_FIELDS = [("category", "Categories"), ("actor", "Actors"), ("country", "Countries")]
FIELD_NAMES = [
    "q",
    "start",
    "end",
    "category",
    "actor",
    "country",
    "as_of",
    "lanes",
    "view",
    "timeline",
    "page",
]


def known_params(data) -> QueryDict:
    """The filter parameters in `data`, without empty values: the one rule for every view.

    An empty value means "no filter" (an empty search box or date field sends `?q=&start=`, a
    hand-edited address leaves `&country=` behind), and among others it is dropped. Any other
    parameter (Pym.js's parentUrl, a typo, a cache-buster) is not the page's to know: it selects
    nothing, so nothing built from this (chips, pager, API next links) may repeat it.
    """
    known = QueryDict(mutable=True)
    for name in FIELD_NAMES:
        given = data.getlist(name)
        # Too many is refused as sent (the OpenAPI document's maxItems counts empty ones too).
        values = given if len(given) > MAX_VALUES else [value for value in given if value != ""]
        if values:
            known.setlist(name, values)
    return known


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or getattr(country, "name", code)


class EventFilterForm(forms.Form):
    def clean_q(self) -> str:
        return (self.cleaned_data.get("q") or "").strip()

    def clean(self):
        cleaned = super().clean()
        for name in MULTI_FIELDS:
            if len(self.data.getlist(name)) > MAX_VALUES:
                self.add_error(name, f"Choose at most {MAX_VALUES} values.")
            elif isinstance(chosen := cleaned.get(name), QuerySet) and chosen.query.is_empty():
                # Nothing chosen reads as nothing, not as an empty queryset that each "is any
                # chosen?" would compile a query to answer (three per request).
                cleaned[name] = []
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return cleaned


class IsoDateFilter(django_filters.DateFilter):
    field_class = forms.DateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a real date as YYYY-MM-DD, e.g. 2020-01-03."}
        )
        super().__init__(*args, **kwargs)


class AsOfField(forms.CharField):
    """`as_of` as sent: a day, a local time, or an instant (dates.AsOf)."""

    def clean(self, value):
        value = super().clean(value)  # a string, its length checked
        if not value:
            return None
        try:
            return dates.AsOf(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class AsOfFilter(django_filters.CharFilter):
    field_class = AsOfField


class PageFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 100_000)
        super().__init__(*args, **kwargs)


def _countries_that_occur() -> list[tuple[str, str]]:
    codes = (
        Event.objects.published()
        .exclude(country="")
        .order_by("country")
        .values_list("country", flat=True)
        .distinct()
    )
    return [(code, country_name(code)) for code in codes]


class EventFilter(django_filters.FilterSet):
    # No widgets: the pages write their own inputs (templates/timeline/timeline.html's
    # partials, shared by the page and the embed), laid out for the space each has.
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        max_length=200,
        # Measured as sent, as the OpenAPI document's maxLength is; EventFilterForm trims it.
        strip=False,
    )
    # Querysets as callables: published() reads the clock, so it must run per request.
    actor = django_filters.ModelMultipleChoiceFilter(
        label="Actors",
        queryset=lambda request: Actor.objects.published(),
        to_field_name="slug",
        method="filter_actors",
    )
    category = django_filters.ModelMultipleChoiceFilter(
        label="Categories",
        queryset=lambda request: Category.objects.published(),
        to_field_name="slug",
        field_name="category__slug",
    )
    country = django_filters.MultipleChoiceFilter(label="Countries", choices=[])
    start = IsoDateFilter(label="From", method="filter_start")
    end = IsoDateFilter(label="To", method="filter_end")
    as_of = AsOfFilter(label="As known on", method="filter_as_of", max_length=40)
    timeline = django_filters.ModelChoiceFilter(
        label="Timeline",
        queryset=Timeline.objects.published(),
        to_field_name="slug",
        field_name="timelines",
    )
    page = PageFilter(label="Page", method="keep", widget=forms.HiddenInput)
    lanes = django_filters.ChoiceFilter(
        label="Lanes",
        choices=LANES,
        method="keep",
        empty_label=None,
    )
    view = django_filters.ChoiceFilter(label="View", choices=VIEWS, method="keep", empty_label=None)

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def __init__(self, data=None, queryset=None, zone=None, **kwargs):
        if data is not None:
            data = known_params(data)
            if OLD_ZOOM.match(data.get("view") or ""):
                # A chart zoom shared before it moved to zoom=: the chart reads it, not the filter.
                data = data.copy()
                data.pop("view")
        super().__init__(data, queryset=queryset, **kwargs)
        self._zone = zone
        # Only countries that occur are offered; any other code is a 400, not an empty page.
        # Asked only when a country is chosen: finding them reads every published event
        # (138 ms at a million), and the options the page shows come from facets().
        # Once per form: Django asks the callable again for every value given.
        self.filters["country"].extra["choices"] = cache(_countries_that_occur)
        # The same for actors and categories: which ones readers may see is only built when
        # one is chosen (published() of actors is six subqueries, 3 of a 55 ms fragment), since
        # the form's own options are never drawn (the page shows facets()).
        chosen = data.getlist if data is not None else (lambda name: [])
        for name, model in (("actor", Actor), ("category", Category)):
            if not any(chosen(name)):
                self.filters[name].queryset = model.objects.none()

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def filter_actors(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.for_actors(value) if value else queryset

    def filter_start(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.in_range(start=value)

    def filter_end(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.in_range(end=value)

    def filter_as_of(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.known_by(value.moment(self.zone)) if value else queryset

    def keep(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    @cached_property
    def zone(self):
        """The clock an `as_of` local time is read on: the view's timeline's, else the one
        `timeline` names, else the newsroom's main timeline's."""
        if self._zone is not None:
            return self._zone
        chosen = self.form.cleaned_data.get("timeline") if self.is_valid() else None
        timeline = chosen or Timeline.default()
        return timeline.zone if timeline else dates.UTC

    @property
    def as_of_chosen(self) -> "dates.AsOf | None":
        return self.form.cleaned_data.get("as_of") if self.is_bound and self.is_valid() else None

    @property
    def as_of_label(self) -> str:
        chosen = self.as_of_chosen
        return chosen.describe(self.zone) if chosen else ""

    @property
    def as_of_input(self) -> str:
        """`as_of` as a datetime-local field holds it, on the timeline's clock (a day as its
        last minute, which counts to the same instant)."""
        chosen = self.as_of_chosen
        return f"{chosen.moment(self.zone).astimezone(self.zone):%Y-%m-%dT%H:%M}" if chosen else ""

    @property
    def known_by(self):
        """The last instant an "as of" view counts, or None."""
        chosen = self.as_of_chosen
        return chosen.moment(self.zone) if chosen else None

    @property
    def page_number(self) -> int:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("page") or 1
        return 1

    @property
    def window(self) -> tuple:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("start"), self.form.cleaned_data.get("end")
        return None, None

    @property
    def lanes_value(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("lanes") or "category"
        return "category"

    @property
    def view_value(self) -> str:
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("view") or "chart"
        return "chart"

    @property
    def chosen_fields(self) -> set[str]:
        return (
            {name for name in MULTI_FIELDS if self.data.getlist(name)} if self.is_bound else set()
        )

    def active_chips(self) -> list[dict]:
        """Each active filter value as a chip, with the query string that removes it."""
        if not self.is_valid():
            return []
        data, chips = self.form.cleaned_data, []
        for actor in data.get("actor") or []:
            chips.append(self._chip("actor", actor.slug, f"Actor: {actor.name}"))
        for category in data.get("category") or []:
            chips.append(self._chip("category", category.slug, f"Category: {category.name}"))
        for code in data.get("country") or []:
            chips.append(self._chip("country", code, f"Country: {country_name(code)}"))
        if data.get("q"):
            chips.append(self._chip("q", self.data.get("q"), f"Text: “{data['q']}”"))
        for name, word in (("start", "From"), ("end", "To")):
            if data.get(name):
                label = f"{word} {dates.short_date(data[name])}"
                chips.append(self._chip(name, self.data.get(name), label))
        if data.get("as_of"):
            label = f"As known at {self.as_of_label}"
            chips.append(self._chip("as_of", self.data.get("as_of"), label))
        return chips

    def _chip(self, name: str, value: str, label: str) -> dict:
        remaining = self.data.copy()
        remaining.setlist(name, [v for v in self.data.getlist(name) if v != value])
        remaining.pop("page", None)
        return {"label": label, "query": clean_query(remaining)}

    def query(self, **changes) -> str:
        """This view's query string from the known parameters only, with `changes` applied
        (None removes a parameter): what every link the page or the API writes is built from."""
        params = self.data.copy() if self.is_bound else QueryDict(mutable=True)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = str(value)
        return clean_query(params)

    def facets(self, base: QuerySet, counted=None) -> dict[str, list[dict]]:
        """Actor and category options with how many of the timeline's events each has: from
        the timeline's kept counts (`counted`, timeline.rollup.Counts) when it has them, which
        at 100,000 events is a few hundred month rows instead of three scans of every event."""
        selected = self.data.getlist if self.is_bound else (lambda name: [])
        if counted is not None:
            actor_counts, category_counts, country_counts = counted.facet_rows()
        else:
            actor_counts = (
                EventActor.objects.filter(event__in=base)
                .values("actor__slug", "actor__name")
                .annotate(n=Count("event", distinct=True))
                .order_by("actor__name")
            )
            category_counts = (
                Category.objects.annotate(n=Count("events", filter=Q(events__in=base)))
                .filter(n__gt=0)
                .values("slug", "name", "colour", "symbol", "n")
                # Meta.ordering is not applied to a GROUP BY: without this, PostgreSQL gave
                # the options in its hash's order.
                .order_by("order", "name")
            )
            country_counts = (
                base.exclude(country="")
                .values("country")
                .annotate(n=Count("pk"))
                .order_by("country")
            )

        def options(rows, name: str, value: str, label, *extra: str) -> list[dict]:
            chosen = set(selected(name))
            return [
                {
                    "value": row[value],
                    "label": label(row),
                    "count": row["n"],
                    "checked": row[value] in chosen,
                    **{key: row[key] for key in extra},
                }
                for row in rows
            ]

        return {
            "actor": options(actor_counts, "actor", "actor__slug", itemgetter("actor__name")),
            "category": options(
                category_counts, "category", "slug", itemgetter("name"), "colour", "symbol"
            ),
            "country": options(
                country_counts, "country", "country", lambda row: country_name(row["country"])
            ),
        }


def clean_query(data) -> str:
    """A query string without empty parameters, so shared links stay short."""
    clean = data.copy()
    for key in list(clean.keys()):
        values = [v for v in clean.getlist(key) if v]
        if values:
            clean.setlist(key, values)
        else:
            del clean[key]
    return clean.urlencode()


class BadParameters(Exception):
    """Query parameters that failed validation, by parameter name: the data surfaces' 400."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(", ".join(errors))
        self.errors = errors

    def body(self) -> dict:
        names = ", ".join(self.errors)
        return {"detail": f"Invalid parameter: {names}.", "errors": self.errors}

    def text(self) -> str:
        """The same, for a page's plain-text 400: one line per parameter."""
        return "".join(f"{name}: {' '.join(msgs)}\n" for name, msgs in self.errors.items())


@dataclass(frozen=True)
class Page:
    """Page `number` of `size` results out of `total`: the one paginator of pages and API.

    For "is there more" a caller may pass a total only known to reach one past this page."""

    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def shown(self) -> int:
        return max(0, min(self.size, self.total - self.offset))

    @property
    def has_next(self) -> bool:
        return self.offset + self.shown < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def public_url(event: Event) -> str:
    return event.get_absolute_url()


class EventQuery:
    """The events a request's parameters choose, from `base` (the published ones by default).

    `url_for(event)` is where a list entry or a chart marker opens; the staff preview sends its
    draft to the preview page with it.
    """

    def __init__(
        self,
        params: QueryDict,
        base: QuerySet[Event] | None = None,
        url_for: Callable[[Event], str] = public_url,
        zone=None,
        counted: Timeline | None = None,
    ):
        """`counted`: the timeline `base` is the published events of, whose kept counts
        (timeline.rollup) may answer the chart instead of the events."""
        self.base = Event.objects.published() if base is None else base
        self.counted_timeline = counted
        self.filters = EventFilter(params, queryset=self.base, zone=zone)
        self._opens = url_for

    def url_for(self, event: Event) -> str:
        """Where a list entry or a marker opens; in an "as of" view, the event as it stood then
        (as an instant, so the event page need not know this view's clock)."""
        opens = self._event_urls if self._opens is public_url else self._opens
        url, as_of = opens(event), self._as_of_param
        if not as_of or "as_of" in parse_qs(urlsplit(url).query):
            # The story's slide addresses carry the view's own parameters, as_of among them.
            return url
        return f"{url}{'&' if '?' in url else '?'}{as_of}"

    @cached_property
    def _event_urls(self) -> Callable[[Event], str]:
        """public_url for the few hundred events of one render."""
        url = slug_urls("event")
        return lambda event: url(event.slug)

    @cached_property
    def _as_of_param(self) -> str:
        """The as_of parameter of an "as of" view's event addresses, else "": worked out once, as
        a chart names a few hundred."""
        chosen = self.filters.as_of_chosen
        return urlencode({"as_of": chosen.stamp(self.filters.zone)}) if chosen else ""

    @cached_property
    def is_valid(self) -> bool:
        return self.filters.is_valid()

    @property
    def errors(self) -> dict[str, list[str]]:
        return {name: [str(m) for m in messages] for name, messages in self.filters.errors.items()}

    def check(self) -> "EventQuery":
        """This query, or BadParameters with the messages by parameter."""
        if not self.is_valid:
            raise BadParameters(self.errors)
        return self

    @property
    def events(self) -> QuerySet[Event]:
        """The matching events in reading order (nothing when the parameters are invalid)."""
        return (self.filters.qs if self.is_valid else self.base.none()).chronological()

    @property
    def timeline(self) -> Timeline | None:
        return self.filters.form.cleaned_data.get("timeline") if self.is_valid else None

    @property
    def page_number(self) -> int:
        return self.filters.page_number

    @property
    def lanes(self) -> str:
        return self.filters.lanes_value

    @property
    def view(self) -> str:
        return self.filters.view_value

    @property
    def window(self) -> tuple:
        return self.filters.window

    @property
    def as_of(self):
        """The instant an "as of" view stands at (events and figures known by then), or None."""
        return self.filters.known_by

    def page(self, size: int, total: int, number: int | None = None) -> Page:
        return Page(number or self.page_number, size, total)

    def query(self, **changes) -> str:
        return self.filters.query(**changes)

    def address(self, request: HttpRequest, path: str | None = None, **changes) -> str:
        """This view's absolute address on `path` (the request's by default), its known
        parameters only, with `changes` applied."""
        return address(request, request.path if path is None else path, self.query(**changes))

    def facets(self) -> dict[str, list[dict]]:
        from timeline.rollup import Counts

        # The facets count the whole timeline, whatever is chosen, so its kept counts answer.
        counted = Counts(self.counted_timeline) if self.counted_timeline is not None else None
        return self.filters.facets(self.base, counted)
