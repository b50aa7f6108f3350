"""The event's form in the desk: dates typed as the local clock read, and the form's half of the
workflow — who may publish, a save made from an older version (merged by
timeline.desk.conflicts, refused with what changed), a change waiting for review, and likely
duplicates."""

import datetime as dt
import json
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from timeline import dates
from timeline.desk import conflicts, history, public_notes, review, workflow
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
from timeline.desk.public_notes import TellReadersForm
from timeline.desk.workflow import DRAFT, PUBLISHED, REVIEW, can_publish
from timeline.models import Event, Precision, Timeline, validate_timezone

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
# A conflict names the parts their save changed: "the claims and links".
PART_NAMES = {label: f"{label.lower()}s" for _fk, label in history.PARTS.values()}


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
    public_change = TellReadersForm.base_fields["public_change"]
    public_note = TellReadersForm.base_fields["public_note"]
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
        self._check_public_change(cleaned)
        if self.instance.pk:
            self._check_version(cleaned)
            self._check_waiting_change(cleaned)
        if zone is not None and isinstance(cleaned.get("start"), dt.datetime):
            self._check_duplicates(cleaned, zone)
        return cleaned

    def _check_public_change(self, cleaned) -> None:
        wants = cleaned.get("public_change") or (cleaned.get("public_note") or "").strip()
        if wants and not (
            self.instance.pk and self.instance.is_published and can_publish(self.user)
        ):
            self.add_error(
                "public_change", "Only a Publisher marks an update or correction to a live event."
            )
            return
        public_notes.check(self, cleaned)

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
        """Refuse a save made from an older version than the saved one; merge what can be.

        No lock here: EventAdmin.save_model checks the version again under one, and a save
        overtaken in between comes back through this check (see EventAdmin.changeform_view).
        """
        seen = cleaned.get("seen_version")
        current = Event.objects.get(pk=self.instance.pk)
        if seen == current.version:
            return
        self.conflict = True
        opened, newest = history.since(current, seen)
        theirs = conflicts.State(
            {name: _model_value(current, name) for name in MERGED_FIELDS},
            history.state(newest).parts if newest else {},
        )
        yours = {
            name: _cleaned_value(cleaned, name)
            for name in MERGED_FIELDS
            if name in self.fields and name in cleaned
        }
        result = conflicts.merge(history.state(opened) if opened else None, theirs, yours)
        self.data = self.data.copy()
        for name in result.taken:
            self.data.setlist(name, _as_form_data(current, name))
            if name in PRECISION_FIELDS:
                self.data[PRECISION_FIELDS[name]] = _precision_as_form_data(current, name)
        if result.whole:
            # Everything they did is now in this form; saving again is a real decision.
            self.data["seen_version"] = str(current.version)
        context = {
            "who": current.updated_by or "Someone",
            "when": dates.short_moment(current.updated_at),
            "changes": history.compare(history.snapshot(opened), history.snapshot(newest))
            if opened and newest
            else [],
            "taken": [history.field_label(name).lower() for name in result.taken],
            "clashes": [_clash(current, cleaned, name) for name in result.clashes],
            "parts_changed": None
            if result.parts_changed is None
            else _and([PART_NAMES[kind] for kind in result.parts_changed]),
            "saved_url": reverse("admin:timeline_event_change", args=[current.pk]),
        }
        raise ValidationError(_message("overtaken", context), code="conflict")

    def _check_waiting_change(self, cleaned) -> None:
        """Someone's change waiting for review is not silently replaced by a form that never
        showed it."""
        if not review.needs_review(self.user, self.instance):
            return
        waiting = review.waiting_for(self.instance.pk)
        if waiting is None or waiting.pk == cleaned.get("seen_change"):
            return
        self.conflict = True
        context = {
            "who": waiting.proposed_by or "Someone",
            "when": dates.short_moment(waiting.proposed_at),
            "review_url": reverse("admin:timeline_event_review", args=[self.instance.pk]),
        }
        raise ValidationError(_message("waiting", context), code="conflict")

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
        message = _message("duplicate", {"events": fresh})
        self.add_error("title", ValidationError(message, code="duplicate"))


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
    """A field both editors changed: both values marked word by word, and what "Use theirs"
    puts in the form (for a date, with the precision select editors.js sets beside it, so 10:15
    stays 10:15)."""

    label: str
    theirs: SafeString
    yours: SafeString
    name: str
    value: str
    precision_field: str = ""
    precision: str = ""


def _clash(current: Event, cleaned: dict, name: str) -> Clash:
    shown = _as_form_data(current, name)
    precision_field = PRECISION_FIELDS.get(name, "")
    return Clash(
        history.field_label(name),
        *history.mark_words(_readable(current, name), yours_text(cleaned, name)),
        name,
        shown[0] if shown else "",
        precision_field,
        _precision_as_form_data(current, name) if precision_field else "",
    )


def _message(reason: str, context: dict) -> SafeString:
    """One of the form's refusals, from its partial in _form_messages.html."""
    html = render_to_string(f"admin/timeline/event/_form_messages.html#{reason}", context)
    return mark_safe(html.strip())  # a template's output: autoescaped there


def _and(words: list[str]) -> str:
    """Words joined as a list is said: "claims", "actors and claims", "actors, claims and links"."""
    return " and ".join(filter(None, [", ".join(words[:-1]), *words[-1:]]))


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
