"""The editors' desk: events with their actors, sources, claims and links on one page."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from timeline import dates
from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    EventLink,
    Source,
    Timeline,
    validate_timezone,
)

PUBLISH_PERMISSION = "timeline.publish_event"
PUBLISHED = Event.Status.PUBLISHED


class EventAdminForm(forms.ModelForm):
    """Editors type times as the clock read where it happened; we store UTC."""

    user = None  # set per request by EventAdmin.get_form

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 - EventAdmin.fieldsets picks the fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["start"] = self.instance.local_start.replace(tzinfo=None)
            if self.instance.end:
                self.initial["end"] = self.instance.local_end.replace(tzinfo=None)

    def _localise(self, value: dt.datetime | None, zone: ZoneInfo, precision: str):
        if value is None:
            return None
        # The field parsed the editor's wall-clock time as UTC; re-read it in the event's zone.
        local = value.replace(tzinfo=None).replace(tzinfo=zone)
        return dates.start_of_period(local, precision)

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("timezone")
        try:
            validate_timezone(name or "")
        except ValidationError:
            return cleaned  # the field already reports it
        zone, precision = ZoneInfo(name), cleaned.get("precision") or "day"
        cleaned["start"] = self._localise(cleaned.get("start"), zone, precision)
        cleaned["end"] = self._localise(
            cleaned.get("end"), zone, cleaned.get("end_precision") or precision
        )
        self._check_publishing(cleaned.get("status"))
        # The citation inline checks the citations that arrive with this form.
        self.instance._citations_checked_elsewhere = True
        return cleaned

    def _check_publishing(self, new_status: str | None) -> None:
        old_status = self.instance.status if self.instance.pk else None
        if new_status == old_status or PUBLISHED not in (new_status, old_status):
            return
        if self.user is None or not self.user.has_perm(PUBLISH_PERMISSION):
            self.add_error(
                "status",
                "Only a Publisher can publish or unpublish an event. "
                "Set it to “In review” and a Publisher will take it from there.",
            )


class CitationFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.status != PUBLISHED:
            return
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError("A published event needs at least one citation.")


class EventActorInline(admin.TabularInline):
    model = EventActor
    autocomplete_fields = ["actor"]
    extra = 1


class CitationInline(admin.StackedInline):
    model = Citation
    formset = CitationFormSet
    autocomplete_fields = ["source"]
    extra = 1


class ClaimInline(admin.StackedInline):
    model = Claim
    autocomplete_fields = ["source", "attributed_to"]
    fields = [("kind", "value", "value_max"), "text", ("source", "attributed_to")]
    extra = 0


class EventLinkInline(admin.TabularInline):
    model = EventLink
    fk_name = "from_event"
    autocomplete_fields = ["to_event"]
    verbose_name = "link to another event"
    verbose_name_plural = "links to other events (this event … the other)"
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    inlines = [EventActorInline, CitationInline, ClaimInline, EventLinkInline]
    list_display = ["title", "when", "category", "status", "is_live"]
    list_filter = ["status", "category", "timelines"]
    list_select_related = ["category"]
    date_hierarchy = "start"
    search_fields = ["title", "summary", "place_name"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "category", "importance"]}),
        (
            "When",
            {
                "fields": [
                    ("start", "precision", "approximate"),
                    ("end", "end_precision"),
                    "timezone",
                ],
                "description": "Type times as the local clock read where it happened.",
            },
        ),
        ("Where", {"fields": ["place_name", "country", ("latitude", "longitude")]}),
        (
            "Image",
            {
                "fields": ["image_url", "image_alt", "image_caption", "image_credit"],
                "classes": ["collapse"],
            },
        ),
        ("Workflow", {"fields": ["status"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    @admin.display(description="date", ordering="start")
    def when(self, event: Event) -> str:
        return event.short_date

    @admin.display(description="public", boolean=True, ordering="status")
    def is_live(self, event: Event) -> bool:
        return event.is_published

    def save_model(self, request, obj: Event, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.action(description="Publish selected events", permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        if not self.has_publish_permission(request):
            self.message_user(request, "Only a Publisher can publish.", messages.ERROR)
            return
        ready = queryset.exclude(status=PUBLISHED).filter(citations__isnull=False).distinct()
        uncited = queryset.exclude(status=PUBLISHED).filter(citations__isnull=True)
        count = self._set_status(request, ready, PUBLISHED)
        self.message_user(request, f"Published {count} event(s).", messages.SUCCESS)
        skipped = ", ".join(e.title for e in uncited)
        if skipped:
            self.message_user(
                request, f"Not published, no citation yet: {skipped}.", messages.WARNING
            )

    @admin.action(description="Unpublish selected events (back to review)", permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        if not self.has_publish_permission(request):
            self.message_user(request, "Only a Publisher can unpublish.", messages.ERROR)
            return
        count = self._set_status(request, queryset.filter(status=PUBLISHED), Event.Status.REVIEW)
        self.message_user(request, f"Unpublished {count} event(s).", messages.SUCCESS)

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Event], status: str) -> int:
        count = 0
        for event in queryset:
            event.status = status
            event.updated_by = request.user
            event.save(update_fields=["status", "updated_by", "updated_at"])
            count += 1
        return count


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["publisher", "title", "published", "kind"]
    list_filter = ["kind"]
    search_fields = ["publisher", "title", "url"]
    prepopulated_fields = {"slug": ["publisher", "title"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "colour", "symbol"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Timeline)
class TimelineAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["events"]
