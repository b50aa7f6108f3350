"""The parts of an event edited on its page, each in an inline of its own: who (actors and
their roles), where it was reported (citations), who said how many (claims), and links."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from timeline.desk.entry import When, WhenField
from timeline.models import (
    Citation,
    Claim,
    EventActor,
    EventLink,
    EventPlace,
    Precision,
    Source,
    validate_timezone,
)


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

    # When the figure was given, typed as the clock read where it was given, at any precision.
    reported = WhenField(
        label="Given on",
        required=False,
        help_text="When this figure was given, e.g. 7 Jan 2020 or 7 Jan 2020 14:10.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ClaimFormSet fills it from the citations when it is left empty.
        self.fields["source"].required = False
        self.fields["source"].help_text = "Leave empty to use the first source cited above."
        # Left out (a form from before they existed, a script), they mean "as given", "no order".
        for name in ("qualifier", "sequence"):
            if name in self.fields:
                self.fields[name].required = False
        if "reported_timezone" in self.fields:
            self.fields["reported_timezone"].label = "Its time zone"
        claim = self.instance
        if claim.reported_at is not None and claim.pk:
            local = claim.reported_at.astimezone(claim.zone).replace(tzinfo=None)
            self.initial["reported"] = When(local, claim.reported_precision or "day")

    def clean(self):
        cleaned = super().clean()
        if "qualifier" in self.fields and not cleaned.get("qualifier"):
            cleaned["qualifier"] = Claim.Qualifier.EXACT
        if "sequence" in self.fields and cleaned.get("sequence") is None:
            cleaned["sequence"] = 0
        when = cleaned.get("reported")
        if not isinstance(when, When):
            self.instance.reported_at, self.instance.reported_precision = None, ""
            return cleaned
        # The event as this save has it (set by ClaimFormSet): a new one has no row yet, and an
        # edited one may be changing its zone in the same save.
        event = getattr(self, "parent_event", None)
        name = cleaned.get("reported_timezone") or getattr(event, "timezone", "")
        try:
            validate_timezone(name or "UTC")
        except ValidationError as exc:
            self.add_error("reported_timezone", exc)
            return cleaned
        zone = ZoneInfo(name or "UTC")
        moment = when.moment
        local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
        self.instance.reported_at = Precision(when.precision).start_of(local).astimezone(dt.UTC)
        self.instance.reported_precision = when.precision
        return cleaned


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

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent_event = self.instance
        return form

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
    fields = [
        ("kind", "qualifier", "value", "value_max"),
        "text",
        ("source", "attributed_to"),
        ("reported", "reported_timezone", "sequence"),
    ]
    verbose_name_plural = "Figures: who said how many"
    extra = 1


class EventPlaceInline(admin.TabularInline):
    model = EventPlace
    verbose_name_plural = "Other places it happened (the main place is under “Where”)"
    extra = 0


class EventLinkInline(admin.TabularInline):
    model = EventLink
    fk_name = "from_event"
    autocomplete_fields = ["to_event"]
    verbose_name = "link to another event"
    verbose_name_plural = "links to other events (this event … the other)"
    extra = 0
