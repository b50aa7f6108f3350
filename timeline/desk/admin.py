"""The editors' desk: events with their actors, sources, claims and links on one page.

The event's form is timeline.desk.event_form (with timeline.desk.conflicts for two editors at
once), its parts' inlines timeline.desk.inlines, the workflow (who may publish)
timeline.desk.workflow, the history (diffs, restore) timeline.desk.history; this module wires
them into the admin.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin
from reversion.models import Version

from timeline import dates
from timeline.desk import conflicts, history, lookalikes, public_notes, review, workflow
from timeline.desk import list_edits as desk_list
from timeline.desk import review_pages as desk_review
from timeline.desk import sheet_import as desk_import
from timeline.desk.entry import country_label, zone_for_country
from timeline.desk.event_form import EventAdminForm
from timeline.desk.inlines import (
    CitationInline,
    ClaimInline,
    EventActorInline,
    EventLinkInline,
    EventPlaceInline,
)
from timeline.desk.workflow import DRAFT, PUBLISHED, REVIEW, can_publish
from timeline.models import (
    Actor,
    Category,
    Event,
    EventSeen,
    PendingChange,
    Source,
    Timeline,
)

PUBLISHERS_PUBLISH_TIMELINES = "Only a Publisher can publish or unpublish a timeline."
ONLY_PUBLISHERS_RECOVER = (
    "Only a Publisher can bring back a deleted event: ask one, and say which event it was."
)

# The desk says whose it is, not which framework it runs on.
admin.site.site_header = "Timeline — the editors' desk"
admin.site.site_title = "Timeline desk"
admin.site.index_title = "Events, sources and timelines"


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


TELL_READERS = (
    "Tell readers",
    {
        "fields": ["public_change", "public_note"],
        "classes": ["after-parts", "tell-readers"],
        "description": "This event is live. If this save changes what it says, tell readers.",
    },
)


@admin.register(Event)
class EventAdmin(VersionAdmin):
    form = EventAdminForm
    inlines = [EventActorInline, CitationInline, ClaimInline, EventPlaceInline, EventLinkInline]
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
                    ("latitude", "longitude", "place_approximate"),
                ],
                "classes": ["collapse", "after-parts"],
            },
        ),
        (
            "Picture and media",
            {
                "fields": [
                    "image",
                    "image_url",
                    ("image_width", "image_height"),
                    "image_alt",
                    "image_caption",
                    "image_credit",
                    "media_url",
                    "media_title",
                ],
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
            if obj.is_published and can_publish(request.user):
                # Before the workflow: a Publisher saving a live event says what readers learn.
                return [*self.fieldsets[:-1], TELL_READERS, self.fieldsets[-1]]
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
        if obj is not None and obj.image:
            # Read from the upload itself: a typed size would name copies that do not exist.
            readonly += ["image_width", "image_height"]
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except conflicts.Overtaken:
            # Its savepoint is rolled back. Read committed (PostgreSQL's default; SQLite's
            # writers never get here, as BEGIN IMMEDIATE holds the write lock throughout), so
            # the form's check now sees the other save and says what it changed.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj: Event, form, change: bool) -> None:
        if change:
            # The form checked the version it was opened at; the lock holds the row from here
            # to the end of the save's transaction, so nothing lands between check and write.
            saved = Event.objects.select_for_update().filter(pk=obj.pk).values("version")
            if saved.first() != {"version": form.cleaned_data.get("seen_version")}:
                raise conflicts.Overtaken
        else:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        public_notes.record(obj, form.cleaned_data, request.user)
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
