"""The editors' desk: events with their actors, sources, claims and links on one page.

The workflow (who may publish) lives in timeline.desk.workflow, the history (diffs, restore) in
timeline.desk.history, date entry in timeline.desk.entry; this module wires them into the admin.
"""

import datetime as dt
import json
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from timeline import dates
from timeline.desk import history, lookalikes, review, workflow
from timeline.desk import list_edits as desk_list
from timeline.desk import review_pages as desk_review
from timeline.desk import sheet_import as desk_import
from timeline.desk.entry import (
    COUNTRY_ZONES,
    MULTI_ZONE_COUNTRIES,
    When,
    WhenField,
    country_code,
    country_label,
    country_labels,
    format_when,
    suggest_zone,
    zone_for_country,
    zone_names,
)
from timeline.desk.workflow import DRAFT, PUBLISHED, REVIEW, can_publish
from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    EventLink,
    EventSeen,
    PendingChange,
    Precision,
    Source,
    Timeline,
    validate_timezone,
)

PUBLISHERS_PUBLISH_TIMELINES = "Only a Publisher can publish or unpublish a timeline."
ONLY_PUBLISHERS_RECOVER = (
    "Only a Publisher can bring back a deleted event: ask one, and say which event it was."
)

# The desk says whose it is, not which framework it runs on.
admin.site.site_header = "Timeline — the editors' desk"
admin.site.site_title = "Timeline desk"
admin.site.index_title = "Events, sources and timelines"
PRECISION_CHOICES = [("", "As typed"), *Precision.choices]
# A date's precision select: a date taken from another editor takes its precision too.
PRECISION_FIELDS = {"start": "precision", "end": "end_precision"}
# The history's fields as the form names them, in the order a conflict lists them; precisions
# travel with their dates, and the publication time is the workflow's to set, not merged.
MERGED_FIELDS = [
    "category" if name == "category_id" else name
    for name in history.EVENT_FIELDS
    if name not in {*PRECISION_FIELDS.values(), "publish_at"}
]


class DatalistInput(forms.TextInput):
    """A text box with a searchable list of values (the browser filters as you type)."""

    list_id = ""

    def options(self):
        raise NotImplementedError

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": self.list_id, "autocomplete": "off"}
        options = format_html_join("", '<option value="{}">', ((o,) for o in self.options()))
        return super().render(name, value, attrs, renderer) + format_html(
            '<datalist id="{}">{}</datalist>', self.list_id, options
        )


class ZoneInput(DatalistInput):
    """Every IANA zone."""

    list_id = "zone-names"

    def options(self):
        return zone_names()


class Bookkeeping:
    """A hidden field the form needs for itself: never "changed", so the history's summary
    ("Changed start and timelines") names only what the editor changed."""

    def has_changed(self, initial, data) -> bool:
        return False


class SeenVersionField(Bookkeeping, forms.IntegerField):
    pass


class AcknowledgementField(Bookkeeping, forms.CharField):
    pass


class CountryInput(DatalistInput):
    """Every country's name with its code: "Iraq (IQ)"."""

    list_id = "country-names"

    def options(self):
        return country_labels()

    def format_value(self, value):
        return country_label(value) if value and len(value) == 2 else value


class EventAdminForm(forms.ModelForm):
    """Editors type dates as the clock read where it happened; we store UTC.

    Also the form's half of the workflow: publish permission, the version the editor opened
    (a newer save refuses this one, with what changed), and a likely-duplicate warning.
    """

    user = None  # set per request by EventAdmin.get_form
    recovered_timelines = None  # set by EventAdmin.recover_view: the deleted event's timelines
    reopened = None  # set by EventAdmin.get_form: a change for review shown in the form

    start = WhenField(label="Start")
    end = WhenField(label="End", required=False, help_text="Only for events that lasted.")
    precision = forms.ChoiceField(
        choices=PRECISION_CHOICES,
        required=False,
        help_text="Leave “As typed”, or choose a coarser one, e.g. Day if the time is unconfirmed.",
    )
    end_precision = forms.ChoiceField(choices=PRECISION_CHOICES, required=False)
    timezone = forms.CharField(
        required=False,
        max_length=64,
        widget=ZoneInput,
        help_text="Where the clock was. Leave empty to take it from the country.",
    )
    country = forms.CharField(
        required=False,
        max_length=80,
        widget=CountryInput,
        help_text="Type its name or its two-letter code, e.g. Iraq or IQ.",
    )
    seen_version = SeenVersionField(widget=forms.HiddenInput, required=False)
    duplicate_ok = AcknowledgementField(widget=forms.HiddenInput, required=False)
    # The change waiting for review that this form showed, if any (see EventAdmin.get_form).
    seen_change = SeenVersionField(widget=forms.HiddenInput, required=False)
    timelines = forms.ModelMultipleChoiceField(
        queryset=Timeline.objects.order_by("title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Where readers find it once it is published. A new event starts on the main "
        "timeline.",
    )

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 - EventAdmin.fieldsets picks the fields
        # Sized for what they hold (one or two sentences), so the whole event fits less scrolling.
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        if self.reopened is not None and not args and kwargs.get("data") is None:
            # The form shows the change as it was sent for review, ready to be amended.
            kwargs["data"] = review.form_data(self.reopened)
            kwargs["data"]["seen_change"] = str(self.reopened.pk)
        super().__init__(*args, **kwargs)
        event = self.instance
        self.initial_status = event.status if event.pk else ""
        self.conflict = False
        self.fields["country"].widget.attrs["data-zones"] = json.dumps(COUNTRY_ZONES)
        if "status" in self.fields and not can_publish(self.user):
            # Offer only the moves this person may make: an Editor writes drafts and submits
            # them; a live event stays live until a Publisher unpublishes it.
            allowed = [PUBLISHED] if event.status == PUBLISHED else [DRAFT, REVIEW]
            self.fields["status"].choices = [
                (value, label) for value, label in Event.Status.choices if value in allowed
            ]
            self.fields["status"].error_messages["invalid_choice"] = workflow.ONLY_PUBLISHERS
        if "timelines" in self.fields:
            main = Timeline.main()
            if self.recovered_timelines is not None:
                self.initial["timelines"] = list(
                    Timeline.objects.filter(pk__in=self.recovered_timelines)
                )
            else:
                self.initial["timelines"] = (
                    list(event.timelines.all()) if event.pk else [main] if main else []
                )
        if event.pk:
            self.initial["seen_version"] = event.version
            self.initial["start"] = When(event.local_start.replace(tzinfo=None), event.precision)
            # "Hour" has no typed form of its own; the rest read back as typed.
            self.initial["precision"] = "hour" if event.precision == "hour" else ""
            if event.end:
                end_precision = event.end_precision or event.precision
                self.initial["end"] = When(event.local_end.replace(tzinfo=None), end_precision)
                self.initial["end_precision"] = "hour" if end_precision == "hour" else ""
        else:
            self.initial.setdefault("timezone", "")

    def clean_country(self) -> str:
        typed = (self.cleaned_data.get("country") or "").strip()
        if not typed:
            return ""
        code = country_code(typed)
        if code is None:
            raise ValidationError(
                f"We don't know a country called “{typed}”: type its full name (e.g. Iraq) or "
                "its two-letter code (IQ), or pick it from the list."
            )
        return code

    def clean_timezone(self) -> str:
        name = (self.cleaned_data.get("timezone") or "").strip()
        if not name:
            return name
        try:
            validate_timezone(name)
        except ValidationError:
            guess = suggest_zone(name)
            hint = f" Did you mean {guess}?" if guess else " Pick one from the list."
            raise ValidationError(f"“{name}” is not a time zone we know.{hint}") from None
        return name

    def clean(self):
        cleaned = super().clean()
        zone = self._zone(cleaned)
        if zone is not None:
            cleaned["timezone"] = zone.key
            self._dates(cleaned, zone)
        if zone is None:
            for name in ("start", "end"):
                if isinstance(cleaned.get(name), When):
                    self.add_error(
                        name, "This date is read in the event's time zone: fix that first."
                    )
        problem = workflow.permission_problem(self.user, self.initial_status, cleaned.get("status"))
        if problem:
            self.add_error("status", problem)
        if self.instance.pk:
            self._check_version(cleaned)
            self._check_waiting_change(cleaned)
        if zone is not None and isinstance(cleaned.get("start"), dt.datetime):
            self._check_duplicates(cleaned, zone)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.conflict:
            # The refused form was written onto the instance, which also heads the page (title,
            # breadcrumbs, "View on site"): those name the event as saved, not as this form
            # would have it. The status stays the form's: the citation inline checks it.
            saved = Event.objects.filter(pk=self.instance.pk).values("title", "slug").first()
            for name, value in (saved or {}).items():
                setattr(self.instance, name, value)

    def _zone(self, cleaned) -> ZoneInfo | None:
        if "timezone" in self.errors:
            return None
        name = cleaned.get("timezone")
        if name:
            return ZoneInfo(name)
        country = cleaned.get("country") or ""
        if zone_for_country(country):
            return ZoneInfo(zone_for_country(country))
        if country in MULTI_ZONE_COUNTRIES:
            message = f"{country} has several time zones: choose the one where it happened."
        elif country:
            message = f"We don't know the time zone for {country}: choose it from the list."
        else:
            message = (
                "Choose the time zone where it happened (e.g. Asia/Baghdad), or give the country."
            )
        self.add_error("timezone", message)
        return None

    def _dates(self, cleaned, zone: ZoneInfo) -> None:
        for name, precision_name in (("start", "precision"), ("end", "end_precision")):
            when = cleaned.get(name)
            if not isinstance(when, When):
                if name == "end":
                    cleaned["end_precision"] = ""
                continue
            chosen = cleaned.get(precision_name) or ""
            if chosen and when.finer_than(chosen):
                self.add_error(
                    name,
                    f"You typed only the {when.precision}; for {chosen} precision type the "
                    f"{chosen} too, or choose {Precision(when.precision).label}.",
                )
                continue
            precision = chosen or when.precision
            moment = when.moment
            local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
            cleaned[name] = Precision(precision).start_of(local)
            cleaned[precision_name] = precision

    def _check_version(self, cleaned) -> None:
        seen = cleaned.get("seen_version")
        # Locked until this save commits, so a second save cannot slip in between.
        current = Event.objects.select_for_update().get(pk=self.instance.pk)
        if seen == current.version:
            return
        self.conflict = True
        changes = history.changes_since(current, seen) if seen is not None else None
        merged, clashes = self._merge(cleaned, current, seen)
        inline_changed = changes is None or any(
            c.label.split()[0] in ("Actor", "Citation", "Claim", "Link") for c in changes
        )
        if not inline_changed:
            # Everything they did is now in this form; saving again is a real decision.
            self.data = self.data.copy()
            self.data["seen_version"] = str(current.version)
        who = current.updated_by or "Someone"
        when = dates.short_moment(current.updated_at)
        message = format_html(
            "<strong>{} saved this event at {}, after you opened it. Your changes are not saved "
            "yet.</strong>",
            who,
            when,
        )
        if changes:
            message += format_html(
                "<p>What they changed:</p><ul class='changes'>{}</ul>",
                format_html_join(
                    "",
                    "<li><b>{}</b>: {} → {}</li>",
                    ((c.label, *c.marked()) for c in changes),
                ),
            )
        if merged:
            message += format_html(
                "<p>Their new {} now in the form: you had not changed {}.</p>",
                ", ".join(merged),
                "it" if len(merged) == 1 else "them",
            )
        if clashes:
            message += format_html(
                "<p>You both changed these; the form keeps yours:</p><ul class='clashes'>{}</ul>",
                format_html_join(
                    "",
                    "<li><b>{}</b>: theirs “{}”, yours “{}” <button type='button' "
                    "data-use-theirs='{}' data-value='{}'{}>Use theirs</button></li>",
                    (
                        (
                            c.label,
                            *history.mark_words(c.theirs, c.yours),
                            c.name,
                            c.value,
                            c.precision_attributes(),
                        )
                        for c in clashes
                    ),
                ),
            )
        if inline_changed:
            message += format_html(
                "<p>They changed actors, citations, claims or links, which cannot be merged "
                "here. <a href='{}' target='_blank' rel='noopener'>Open the saved event in a "
                "new tab</a>, then copy your changes from this page into it.</p>",
                reverse("admin:timeline_event_change", args=[current.pk]),
            )
        else:
            message += mark_safe("<p>Check the form, then save again to keep the result.</p>")
        raise ValidationError(message, code="conflict")

    def _check_waiting_change(self, cleaned) -> None:
        """Someone's change waiting for review is not silently replaced by a form that never
        showed it."""
        if not review.needs_review(self.user, self.instance):
            return
        waiting = review.waiting_for(self.instance.pk)
        if waiting is None or waiting.pk == cleaned.get("seen_change"):
            return
        self.conflict = True
        raise ValidationError(
            format_html(
                "<strong>{} sent a change to this event for review on {}, after you opened it. "
                "Your changes are not saved yet.</strong> <a href='{}' target='_blank' "
                "rel='noopener'>See their change</a>, then open the event again: the form "
                "will show it, and you can add yours.",
                waiting.proposed_by or "Someone",
                dates.short_moment(waiting.proposed_at),
                reverse("admin:timeline_event_review", args=[self.instance.pk]),
            ),
            code="conflict",
        )

    def _merge(self, cleaned, current: Event, seen: int | None):
        """Take their value where you left a field alone; list fields you both changed."""
        base = history.fields_at(current, seen) if seen is not None else None
        merged, clashes = [], []
        data = self.data.copy()
        for name in MERGED_FIELDS:
            if name not in self.fields or name not in cleaned:
                continue
            theirs = _model_value(current, name)
            yours = _cleaned_value(cleaned, name)
            if theirs == yours:
                continue
            label = history.field_label(name)
            precision_field = PRECISION_FIELDS.get(name, "")
            if base is not None and yours == base.get(name) and theirs != base.get(name):
                data.setlist(name, _as_form_data(current, name))
                if precision_field:
                    data.setlist(precision_field, [_precision_as_form_data(current, name)])
                merged.append(label.lower())
            elif base is None or theirs != base.get(name):
                shown = _as_form_data(current, name)
                clashes.append(
                    Clash(
                        label,
                        _readable(current, name),
                        yours_text(cleaned, name),
                        name,
                        shown[0] if shown else "",
                        precision_field,
                        _precision_as_form_data(current, name) if precision_field else "",
                    )
                )
        self.data = data
        return merged, clashes

    def _check_duplicates(self, cleaned, zone: ZoneInfo) -> None:
        title, start = cleaned.get("title"), cleaned.get("start")
        if not title or start is None:
            return
        instance = self.instance  # still as saved: the form is written onto it after clean()
        day = start.astimezone(zone).date()
        if instance.pk and title == instance.title and day == instance.local_start_date:
            return
        acknowledged = set((cleaned.get("duplicate_ok") or "").split(","))
        found = workflow.likely_duplicates(title, day, instance.pk)
        if instance.pk and found:
            # The acknowledgement is not stored with the event, but what it was about is known:
            # a look-alike of the event as saved was warned about when it was saved (or, made
            # later, warned its own editor about this one). Only a new look-alike is news.
            before = workflow.likely_duplicates(
                instance.title, instance.local_start_date, instance.pk
            )
            acknowledged |= {str(e.pk) for e in before}
        fresh = [e for e in found if str(e.pk) not in acknowledged]
        if not fresh:
            return
        self.data = self.data.copy()
        self.data["duplicate_ok"] = ",".join(
            sorted({*acknowledged - {""}, *(str(e.pk) for e in found)})
        )
        links = format_html_join(
            ", ",
            "<a href='{}' target='_blank' rel='noopener'>{}</a>",
            ((reverse("admin:timeline_event_change", args=[e.pk]), e.title) for e in fresh),
        )
        self.add_error(
            "title",
            ValidationError(
                format_html(
                    "This may be a duplicate of {} (same local day, similar title). "
                    "If it is a different event, save again.",
                    links,
                ),
                code="duplicate",
            ),
        )


def _model_value(event: Event, name: str):
    if name == "category":
        return event.category_id
    return getattr(event, name)


def _cleaned_value(cleaned: dict, name: str):
    value = cleaned.get(name)
    if name == "category":
        return value.pk if value is not None else None
    return value


def _as_form_data(event: Event, name: str) -> list[str]:
    """How the form posts the event's current value for `name`."""
    if name == "start":
        return [format_when(event.local_start.replace(tzinfo=None), event.precision)]
    if name == "end":
        if not event.end:
            return [""]
        end_precision = event.end_precision or event.precision
        return [format_when(event.local_end.replace(tzinfo=None), end_precision)]
    value = _model_value(event, name)
    if isinstance(value, bool):
        return ["on"] if value else []
    return ["" if value is None else str(value)]


def _precision_as_form_data(event: Event, name: str) -> str:
    """The precision select as the form shows it for the event's date: "hour" has no typed
    form of its own (see EventAdminForm.__init__); the rest read back as typed."""
    precision = event.precision if name == "start" else event.end_precision or event.precision
    return "hour" if precision == "hour" else ""


class Clash(NamedTuple):
    """A field both editors changed: both values, and what "Use theirs" puts in the form."""

    label: str
    theirs: str
    yours: str
    name: str
    value: str
    precision_field: str = ""
    precision: str = ""

    def precision_attributes(self) -> str:
        """For a date, the precision select editors.js sets with it, so 10:15 stays 10:15."""
        if not self.precision_field:
            return ""
        return format_html(
            " data-precision-field='{}' data-precision='{}'", self.precision_field, self.precision
        )


def _readable(event: Event, name: str) -> str:
    if name == "start":
        return event.display_start
    if name == "end":
        return event.display_end
    if name == "category":
        return str(event.category)
    return str(getattr(event, name) or "—")


def yours_text(cleaned: dict, name: str) -> str:
    value = cleaned.get(name)
    if name in ("start", "end") and value is not None:
        zone = ZoneInfo(cleaned.get("timezone") or "UTC")
        precision = cleaned.get("precision" if name == "start" else "end_precision") or "day"
        return Precision(precision).describe(value, zone)
    return str(value if value not in (None, "") else "—")


class CitationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # The event form has written its status onto the instance; these are its citations.
        kept = any(form.cleaned_data and not form.cleaned_data.get("DELETE") for form in self.forms)
        problem = self.instance.citation_problem(cited=kept)
        if problem:
            raise ValidationError(problem)


class ClaimForm(forms.ModelForm):
    NO_SOURCE = "Say where this claim was reported: pick a source, or cite one under Sources."

    class Meta:
        model = Claim
        fields = "__all__"  # noqa: DJ007 - ClaimInline.fields picks the fields
        error_messages = {"text": {"required": "Write the claim as it was reported."}}
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ClaimFormSet fills it from the citations when it is left empty.
        self.fields["source"].required = False
        self.fields["source"].help_text = "Leave empty to use the first source cited above."


class EventActorInline(admin.TabularInline):
    model = EventActor
    autocomplete_fields = ["actor"]
    verbose_name_plural = "Who: actors and their roles"
    extra = 1


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = "__all__"  # noqa: DJ007 - the inline shows every field
        widgets = {"quote": forms.Textarea(attrs={"rows": 3, "cols": 80})}


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationForm
    formset = CitationFormSet
    autocomplete_fields = ["source"]
    verbose_name_plural = "Sources: where it was reported"
    extra = 1


class ClaimFormSet(forms.BaseInlineFormSet):
    """A claim left without a source takes the event's first cited one: the source is chosen
    once, in Sources, for the usual event reported by one outlet."""

    def clean(self):
        super().clean()
        cited = _first_cited_source(self.data)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("source") or not form.has_changed():
                continue
            if cited is None:
                form.add_error("source", ClaimForm.NO_SOURCE)
            else:
                form.instance.source = cited
                data["source"] = cited


def _first_cited_source(data) -> Source | None:
    total = data.get("citations-TOTAL_FORMS", "")
    for i in range(int(total) if total.isdigit() else 0):
        pk = data.get(f"citations-{i}-source", "")
        if pk.isdigit() and not data.get(f"citations-{i}-DELETE"):
            source = Source.objects.filter(pk=pk).first()
            if source is not None:
                return source
    return None


class ClaimInline(admin.StackedInline):
    model = Claim
    form = ClaimForm
    formset = ClaimFormSet
    autocomplete_fields = ["source", "attributed_to"]
    fields = [("kind", "value", "value_max"), "text", ("source", "attributed_to")]
    verbose_name_plural = "Figures: who said how many"
    extra = 1


class EventLinkInline(admin.TabularInline):
    model = EventLink
    fk_name = "from_event"
    autocomplete_fields = ["to_event"]
    verbose_name = "link to another event"
    verbose_name_plural = "links to other events (this event … the other)"
    extra = 0


class WorkflowFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "workflow"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("live", "Published and live"),
            ("waiting", "Live, with a change waiting for review"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (DRAFT, REVIEW):
            return queryset.filter(status=value)
        if value == "scheduled":
            return queryset.scheduled()
        if value == "live":
            return queryset.published()
        if value == "waiting":
            return queryset.filter(pending_changes__state=PendingChange.State.WAITING)
        return queryset


class SinceYouLookedFilter(admin.SimpleListFilter):
    title = "since you looked"
    parameter_name = "since"

    def lookups(self, request, model_admin):
        return [("changed", "Changed or new to you")]

    def queryset(self, request, queryset):
        if self.value() == "changed":
            return queryset.filter(Q(seen_version__isnull=True) | Q(version__gt=F("seen_version")))
        return queryset


@admin.register(Event)
class EventAdmin(VersionAdmin):
    form = EventAdminForm
    inlines = [EventActorInline, CitationInline, ClaimInline, EventLinkInline]
    # The status next to the title: it says why a published row is read-only for an Editor.
    # The fixes most often made come first, in view before the list scrolls sideways.
    list_display = [
        "title",
        "status_badge",
        "when",
        "importance",
        "category",
        "part_of_day",
        "label",
        "since_you_looked",
    ]
    # Saved row by row by desk_list.save_list; read-only on published rows for Editors.
    list_editable = desk_list.LIST_EDITABLE
    # reversion's list (for its "Recover deleted" link) with the import beside "Add event".
    change_list_template = "admin/timeline/event/change_list.html"
    list_filter = [WorkflowFilter, SinceYouLookedFilter, "category", "timelines"]
    list_select_related = ["category"]
    date_hierarchy = "start"
    search_fields = ["title", "summary", "place_name"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["submit_for_review", "publish", "unpublish"]
    history_latest_first = True
    # In the order an editor reports it: what, when, where, then (as inlines) who, sources
    # and figures; what is rarely needed waits, folded, after them (change_form.html puts the
    # "after-parts" sets below the inlines).
    fieldsets = [
        ("What", {"fields": ["title", "summary", "category", "timelines"]}),
        (
            "When",
            {
                "fields": [
                    ("start", "precision", "approximate"),
                    "part_of_day",
                    ("end", "end_precision"),
                    "timezone",
                ],
                "description": "Type dates as the local clock read where it happened.",
            },
        ),
        ("Where", {"fields": ["place_name", "country"]}),
        (
            "More details: chart label, address, body text, importance, map position",
            {
                "fields": [
                    "label",
                    "slug",
                    "body",
                    "importance",
                    ("latitude", "longitude"),
                ],
                "classes": ["collapse", "after-parts"],
            },
        ),
        (
            "Image",
            {
                "fields": ["image_url", "image_alt", "image_caption", "image_credit"],
                "classes": ["collapse", "after-parts"],
            },
        ),
        (
            "Workflow",
            {
                "fields": [
                    "status",
                    "publish_at",
                    "preview_links",
                    "transition_log",
                    "seen_version",
                    "duplicate_ok",
                    "seen_change",
                ],
                "classes": ["after-parts"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/editors.css"]}
        js = ["js/editors.js"]

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.fieldsets
        # A new event has no previews or log yet, and only a Publisher schedules.
        unused = {"preview_links", "transition_log"}
        if not can_publish(request.user):
            unused.add("publish_at")
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in unused]})
            for name, options in self.fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        form.recovered_timelines = getattr(request, "recovered_timelines", None)
        form.reopened = getattr(request, "reopened_change", None)
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        reopened = getattr(request, "reopened_change", None)
        if reopened is not None and request.method != "POST":
            kwargs["data"] = review.form_data(reopened)
        return kwargs

    def get_readonly_fields(self, request, obj=None):
        readonly = ["preview_links", "transition_log"]
        if not can_publish(request.user):
            # Scheduling decides when readers see it: a Publisher's call, like publishing.
            readonly.append("publish_at")
        return readonly

    def get_queryset(self, request):
        seen = EventSeen.objects.filter(user=request.user.pk, event=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                seen_version=Subquery(seen.values("version")[:1]),
                change_waiting=Exists(PendingChange.objects.waiting().filter(event=OuterRef("pk"))),
            )
        )

    @admin.display(description="date", ordering="start")
    def when(self, event: Event) -> str:
        return event.short_date

    @admin.display(description="status", ordering="status")
    def status_badge(self, event: Event) -> str:
        kind = "scheduled" if event.is_scheduled else event.status
        waiting = ""
        if getattr(event, "change_waiting", False):
            waiting = format_html(
                ' <a class="badge badge-waiting" href="{}" title="A change to this live event is '
                "waiting for a Publisher's review\">change waiting</a>",
                reverse("admin:timeline_event_review", args=[event.pk]),
            )
        # The version this row shows travels with a bulk action, which refuses rows changed since.
        return format_html(
            '<span class="badge badge-{}">{}</span>{}'
            '<input type="hidden" name="seen-version-{}" value="{}">',
            kind,
            workflow.describe_status(event),
            waiting,
            event.pk,
            event.version,
        )

    @admin.display(description="for you")
    def since_you_looked(self, event: Event) -> str:
        seen = getattr(event, "seen_version", None)
        if seen is None:
            return format_html('<span class="badge badge-new">{}</span>', "New to you")
        if event.version > seen:
            return format_html('<span class="badge badge-changed">{}</span>', "Changed")
        return ""

    @admin.display(description="preview")
    def preview_links(self, event: Event) -> str:
        if not event.pk:
            return "Save the event first."
        return format_html(
            '<a href="{}" target="_blank">Page</a> · <a href="{}" target="_blank">On the '
            'timeline</a> · <a href="{}" target="_blank">Embed</a> '
            '<span class="help">exactly as readers will see it; only signed-in staff can open '
            "these.</span>",
            reverse("preview-event", args=[event.pk]),
            reverse("preview-timeline", args=[event.pk]),
            reverse("preview-embed", args=[event.pk]),
        )

    @admin.display(description="workflow log")
    def transition_log(self, event: Event) -> str:
        steps = list(event.transitions.select_related("by")[:20]) if event.pk else []
        if not steps:
            return "No status changes yet."
        return format_html(
            "<ol class='transitions'>{}</ol>",
            format_html_join(
                "",
                "<li>{} → <b>{}</b>{} by {} on {}</li>",
                (
                    (
                        step.get_from_status_display() or "New",
                        step.get_to_status_display(),
                        f" (for {dates.short_moment(step.publish_at)})" if step.publish_at else "",
                        step.by or "someone since removed",
                        dates.short_moment(step.at),
                    )
                    for step in steps
                ),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and "_saveasnew" in request.POST and not self.save_as:
            # Django acts on the button even when the form does not offer it.
            return HttpResponseBadRequest("This form has no “Save as new”.")
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return super().change_view(request, object_id, form_url, extra_context)
        waiting = review.waiting_for(event.pk)
        for_review = review.needs_review(request.user, event)
        if for_review and request.method != "POST" and not request.GET.get("live"):
            # An Editor amends the change already waiting (theirs or another's), or one they
            # chose to reopen from its review page.
            request.reopened_change = waiting or desk_review.reopenable(request, event)
        context = {
            "for_review": for_review,
            "waiting_change": waiting,
            "reopened_change": getattr(request, "reopened_change", None),
            **(extra_context or {}),
        }
        if for_review and request.method == "POST":
            return desk_review.propose(self, request, event, object_id, form_url, context)
        response = super().change_view(request, object_id, form_url, context)
        if request.method == "GET" and response.status_code == 200:
            event = Event.objects.filter(pk=unquote(object_id)).only("pk", "version").first()
            if event is not None:
                EventSeen.mark(request.user, event)
                # Events made outside the desk (imports, fixtures) get a first revision, so the
                # next change has something to be compared with.
                history.ensure_baseline(event, request.user)
        return response

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, form=desk_list.ListEditForm, **kwargs)
        form.user = request.user
        return form

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=desk_list.ListEditFormSet, **kwargs)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "_save" in request.POST:
            saved = desk_list.save_list(self, request)
            if saved is not None:
                return saved
        # Not VersionAdmin's: its one revision around the whole list would put every event an
        # action touches into one revision; each event keeps revisions of its own instead.
        context = {"has_change_permission": can_publish(request.user), **(extra_context or {})}
        return admin.ModelAdmin.changelist_view(self, request, context)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs) -> None:
        if getattr(request, "for_review", False) and level == messages.SUCCESS:
            return  # "changed successfully" would be untrue: the change waits for review
        super().message_user(request, message, level, *args, **kwargs)

    def view_on_site(self, obj: Event) -> str:
        # A draft has no public page yet: "View on site" shows it as readers would see it.
        return (
            obj.get_absolute_url() if obj.is_published else reverse("preview-event", args=[obj.pk])
        )

    def save_model(self, request, obj: Event, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if form.initial_status != obj.status:
            workflow.record(obj, form.initial_status, request.user, obj.publish_at)
        EventSeen.mark(request.user, obj)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "timelines" in form.cleaned_data:
            form.instance.timelines.set(form.cleaned_data["timelines"])
        if getattr(request, "for_review", False):
            request.captured_change = review.capture(form.instance)
        self._warn_if_unlisted(request, [form.instance])
        event = form.instance
        expected = zone_for_country(event.country)
        if "country" in form.changed_data and expected and expected != event.timezone:
            self.message_user(
                request,
                f"The country is now {country_label(event.country)}, but the time zone is still "
                f"{event.timezone}; its own is {expected}. Change the zone if the clock was "
                "that country's.",
                messages.WARNING,
            )

    def _warn_if_unlisted(self, request, events) -> None:
        """A published event on no published timeline is on no page a reader browses."""
        for event in events:
            if event.is_published and not event.timelines.published().exists():
                self.message_user(
                    request,
                    f"“{event.title}” is published but on no published timeline, so readers "
                    "will not find it on a timeline page or in the chart. Tick a timeline on "
                    "its form.",
                    messages.WARNING,
                )

    def delete_model(self, request, obj: Event) -> None:
        history.snapshot_before_delete(obj, request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            history.snapshot_before_delete(event, request.user)
        super().delete_queryset(request, queryset)

    # History: readable diffs, restore by Publishers.

    def get_urls(self):
        return [
            # Before the others: "<path:object_id>/" would take "import/" for an event's id.
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="timeline_event_import",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="timeline_event_restore",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="timeline_event_review",
            ),
            path(
                "<path:object_id>/review/<int:change_id>/",
                self.admin_site.admin_view(self.decide_view),
                name="timeline_event_decide",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        event = desk_review.event_or_404(self, request, object_id)
        if not self.has_view_or_change_permission(request, event):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {event}",
            "subtitle": None,
            "object": event,
            "opts": self.model._meta,
            "entries": history.timeline_of(event),
            "can_restore": can_publish(request.user),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/timeline/event/history.html", context)

    def review_view(self, request, object_id):
        return desk_review.review_page(self, request, object_id)

    def decide_view(self, request, object_id, change_id):
        return desk_review.decide(request, self, object_id, change_id)

    def import_view(self, request):
        return desk_import.import_view(request, self)

    def restore_view(self, request, object_id, version_id):
        return _restore(request, self, object_id, version_id)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # reversion's own revert reverts a whole revision through the form; ours restores one
        # event, checks its version and keeps the workflow.
        return HttpResponseRedirect(reverse("admin:timeline_event_history", args=[object_id]))

    def recoverlist_view(self, request, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied(ONLY_PUBLISHERS_RECOVER)
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not can_publish(request.user):
            raise PermissionDenied(ONLY_PUBLISHERS_RECOVER)
        version = Version.objects.filter(pk=version_id).first()
        if version is not None:
            # The membership rows went with the event: its timelines come back ticked.
            request.recovered_timelines = history.kept_timelines(version)
        return super().recover_view(request, version_id, extra_context)

    # Workflow actions; each checks the version the row showed when the list was loaded.

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can_publish(request.user)

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        self._move(request, queryset.filter(status=DRAFT), REVIEW, "Submitted {} for review.")

    @admin.action(description="Publish selected events", permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        if not self.has_publish_permission(request):
            self.message_user(request, "Only a Publisher can publish.", messages.ERROR)
            return
        moved = self._move(request, queryset.exclude(status=PUBLISHED), PUBLISHED, "Published {}.")
        self._warn_if_unlisted(request, moved)

    @admin.action(description="Unpublish selected events (back to draft)", permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        if not self.has_publish_permission(request):
            self.message_user(request, "Only a Publisher can unpublish.", messages.ERROR)
            return
        self._move(request, queryset.filter(status=PUBLISHED), DRAFT, "Unpublished {}.")

    def _move(self, request, queryset: QuerySet[Event], status: str, done: str) -> list[Event]:
        """Move each event the workflow allows; say which moved and why the others did not."""
        moved, refused = [], []
        for event in queryset.select_related(None).only("pk"):
            seen = request.POST.get(f"seen-version-{event.pk}")
            try:
                moved.append(
                    workflow.move(event.pk, int(seen) if seen else None, status, request.user)
                )
            except (workflow.Refused, ValueError) as exc:
                refused.append(str(exc) if isinstance(exc, workflow.Refused) else "Bad version.")
        if moved:
            self.message_user(request, done.format(f"{len(moved)} event(s)"), messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)
        return moved


@require_POST
def _restore(request, model_admin: EventAdmin, object_id, version_id) -> HttpResponse:
    event = desk_review.event_or_404(model_admin, request, object_id)
    if not (model_admin.has_change_permission(request, event) and can_publish(request.user)):
        raise PermissionDenied
    try:
        seen = int(request.POST.get("version", ""))
        history.restore(event.pk, version_id, seen, request.user)
    except ValueError:
        messages.error(request, "The restore form was incomplete; open the history again.")
    except workflow.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Restored. The version you replaced is kept in the history.")
        return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[event.pk]))
    return HttpResponseRedirect(reverse("admin:timeline_event_history", args=[event.pk]))


class PublicForPublishers:
    """What readers already see (a source a live event cites, an actor named in one, a category
    in use, a published timeline) is changed by a Publisher, as a live event's text is: an
    Editor sees it read-only, and still adds new ones."""

    # The list's editable columns change every row at once, public or not.
    list_edits_for_publishers_only = False

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or can_publish(request.user):
            return allowed
        if obj is None:
            return not self.list_edits_for_publishers_only
        return not _is_public(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if request.method == "GET" and obj is not None and not can_publish(request.user):
            if _is_public(obj):
                messages.info(
                    request,
                    f"Readers see this {obj._meta.verbose_name} now, so only a Publisher can "
                    "change it: ask one, and say what should change.",
                )
        return super().change_view(request, object_id, form_url, extra_context)


def _is_public(obj) -> bool:
    return type(obj).objects.published().filter(pk=obj.pk).exists()


@admin.register(Actor)
class ActorAdmin(PublicForPublishers, VersionAdmin):
    form = lookalikes.ActorForm
    list_display = ["name", "kind", "country", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Source)
class SourceAdmin(PublicForPublishers, VersionAdmin):
    form = lookalikes.SourceForm
    list_display = ["publisher", "title", "published", "kind"]
    list_filter = ["kind"]
    search_fields = ["publisher", "title", "url"]
    prepopulated_fields = {"slug": ["publisher", "title"]}


@admin.register(Category)
class CategoryAdmin(PublicForPublishers, admin.ModelAdmin):
    list_display = ["name", "order", "colour", "symbol"]
    list_editable = ["order"]  # the chart's lane order
    list_edits_for_publishers_only = True
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Timeline)
class TimelineAdmin(PublicForPublishers, admin.ModelAdmin):
    list_display = ["title", "is_published", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    # Membership is chosen on each event's form, where a save checks the version the editor
    # saw; a list of events here would be a second road on which one editor's additions
    # silently undo another's.
    fields = ["title", "slug", "description", "is_published", "event_list"]
    actions = ["publish_timelines", "unpublish_timelines"]

    class Media:
        css = {"all": ["css/editors.css"]}

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return can_publish(request.user)

    @admin.action(description="Publish selected timelines", permissions=["publish"])
    def publish_timelines(self, request: HttpRequest, queryset: QuerySet[Timeline]) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description="Unpublish selected timelines", permissions=["publish"])
    def unpublish_timelines(self, request: HttpRequest, queryset: QuerySet[Timeline]) -> None:
        self._set_published(request, queryset, False)

    def _set_published(self, request, queryset: QuerySet[Timeline], published: bool) -> None:
        # The actions' "publish" permission is checked by Django before either runs.
        changed = 0
        for timeline in queryset.exclude(is_published=published):
            timeline.is_published = published
            timeline.save(update_fields=["is_published", "updated_at"])
            changed += 1
        verb = "Published" if published else "Unpublished"
        self.message_user(request, f"{verb} {changed} timeline(s).", messages.SUCCESS)

    def get_fieldsets(self, request, obj=None):
        note = "" if can_publish(request.user) else PUBLISHERS_PUBLISH_TIMELINES
        return [(None, {"fields": self.fields, "description": note})]

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request.user):
            return ["event_list"]
        # Putting a whole timeline in front of readers, or taking it away, is a Publisher's act.
        return ["is_published", "event_list"]

    @admin.display(description="events")
    def event_list(self, timeline: Timeline) -> str:
        events = list(timeline.events.order_by("sort_at")) if timeline.pk else []
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> <span class="badge badge-{}">{}</span></li>',
            (
                (
                    reverse("admin:timeline_event_change", args=[e.pk]),
                    e.title,
                    "scheduled" if e.is_scheduled else e.status,
                    workflow.describe_status(e),
                )
                for e in events
            ),
        )
        return format_html(
            "<p>{} event(s). To add or remove one, tick this timeline on the "
            'event\'s own form.</p><ol class="timeline-events">{}</ol>',
            len(events),
            rows,
        )
