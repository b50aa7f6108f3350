"""Import a TimelineJS sheet (CSV) or file (JSON) from the desk: a dry run first, then drafts.

The file is read and imported by timeline.data.importers, the road the import_timelinejs command
takes too. Between the dry run and the confirm, the file's text waits in the session, never in
the page: the confirm reads it again, so what is created is what the server read, not a table
a browser sent back. The confirm consumes the session's token, and rows already in the desk
are refused, so confirming twice creates nothing twice.
"""

import secrets
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.html import format_html

from timeline.data import importers
from timeline.desk.entry import zone_names
from timeline.models import Category, Timeline

# Kept in the session until the confirm: a sheet of a thousand rows is well under this.
MAX_BYTES = 1_000_000
MAX_ROWS = 1000
SESSION_KEY = "timeline-desk-import"
DONE_ALREADY = (
    "That import was already done, or a newer upload replaced it: nothing was created. "
    "Upload the file again to see what it would add now."
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="TimelineJS file",
        help_text="The TimelineJS sheet downloaded as CSV (File › Download › Comma-separated "
        "values), or a TimelineJS JSON file. At most 1 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=[(name, name) for name in zone_names()],
        initial="UTC",
        help_text="Where the clock was: the file's dates and times are read in this zone.",
    )
    timeline = forms.ModelChoiceField(
        queryset=Timeline.objects.order_by("title"),
        required=False,
        empty_label="None yet",
        help_text="Where readers will find the events once they are published.",
    )
    category = forms.CharField(
        label="Category for rows without a Group",
        max_length=Category._meta.get_field("name").max_length,
        initial="Imported",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".json")):
            raise ValidationError(
                "Upload a .csv file (the sheet downloaded as comma-separated values) or a "
                "TimelineJS .json file."
            )
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}; the import takes at most "
                f"{filesizeformat(MAX_BYTES)}. Split the sheet and import it in parts."
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                "The file is not UTF-8 text. Download the sheet again as CSV, or save it as "
                "“CSV UTF-8” from a spreadsheet."
            ) from None
        if not text.strip():
            raise ValidationError("The file is empty.")
        if "\x00" in text:
            raise ValidationError("This is not a text file: upload the sheet as CSV or JSON.")
        try:
            document = importers.read(upload.name, text)
        except importers.ImportProblem as exc:
            raise ValidationError(f"We cannot read this as a TimelineJS file: {exc}.") from None
        if not document.slides:
            raise ValidationError("The file has no events in it.")
        if len(document.slides) > MAX_ROWS:
            raise ValidationError(
                f"The file has {len(document.slides)} events; import at most {MAX_ROWS} at a time."
            )
        self.text = text
        return upload


def import_view(request: HttpRequest, model_admin) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, model_admin)
    rows, pending = None, None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            pending = {
                "token": secrets.token_urlsafe(16),
                "name": form.cleaned_data["file"].name,
                "text": form.text,
                "timezone": form.cleaned_data["timezone"],
                "timeline": getattr(form.cleaned_data["timeline"], "pk", None),
                "category": form.cleaned_data["category"].strip() or "Imported",
            }
            rows = _import(pending, request.user, keep=False)
            if any(not row.problem for row in rows):
                request.session[SESSION_KEY] = pending
            else:
                request.session.pop(SESSION_KEY, None)
    else:
        form = UploadForm(initial={"timeline": Timeline.main()})
    good = [row for row in rows or [] if not row.problem]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import a TimelineJS sheet",
        "subtitle": None,
        "opts": model_admin.model._meta,
        "form": form,
        "rows": rows,
        "good": len(good),
        "bad": len(rows or []) - len(good),
        "pending": pending if good else None,
        "timeline": Timeline.objects.filter(pk=(pending or {}).get("timeline")).first(),
    }
    return TemplateResponse(request, "admin/timeline/event/import.html", context)


def _import(pending: dict, user, keep: bool) -> list[importers.Row]:
    return importers.import_rows(
        importers.read(pending["name"], pending["text"]),
        timeline=Timeline.objects.filter(pk=pending["timeline"]).first(),
        timezone=pending["timezone"],
        fallback_group=pending["category"],
        user=user,
        comment=f"Imported from {pending['name']}",
        keep=keep,
    )


def _confirm(request: HttpRequest, model_admin) -> HttpResponse:
    here = reverse("admin:timeline_event_import")
    pending = request.session.get(SESSION_KEY)
    if not pending or not constant_time_compare(pending["token"], request.POST["token"]):
        messages.warning(request, DONE_ALREADY)
        return HttpResponseRedirect(here)
    del request.session[SESSION_KEY]
    with transaction.atomic():
        # A second confirm sent at the same moment waits here, then finds every row already
        # in the desk.
        list(get_user_model().objects.select_for_update().filter(pk=request.user.pk))
        rows = _import(pending, request.user, keep=True)
    created = [row.event_pk for row in rows if row.event_pk]
    skipped = [f"{row.where} ({row.problem})" for row in rows if row.problem]
    listing = reverse("admin:timeline_event_changelist")
    if not created:
        messages.warning(request, f"Nothing was created: no row of “{pending['name']}” could be.")
        return HttpResponseRedirect(here)
    only_these = f"{listing}?{urlencode({'id__in': ','.join(map(str, created))})}"
    messages.success(
        request,
        format_html(
            "Created {} draft event(s) from “{}”. <a href='{}'>See just those in the list</a>.",
            len(created),
            pending["name"],
            only_these,
        ),
    )
    if skipped:
        messages.warning(request, f"Not imported: {'; '.join(skipped)}.")
    return HttpResponseRedirect(only_these)
