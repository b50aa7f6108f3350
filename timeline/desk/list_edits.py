"""Bulk fixes in the event list: label, part of day, category and importance, row by row.

A row changed in the list is saved like a save on the event's form: a new version, a revision
of its own in the history, and refused if the event changed after the list was loaded. A
published event is changed here only by a Publisher; for anyone else its row is read-only,
because a change to a live event waits for review, and the list has no review step.
"""

import reversion
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponseRedirect

from timeline.desk import history, review
from timeline.desk.workflow import Refused
from timeline.models import Event, EventSeen, PartOfDay

LIST_EDITABLE = ["importance", "category", "part_of_day", "label"]
READ_ONLY = (
    "Published: only a Publisher changes it here. Open the event to send a change for review."
)


class ListEditForm(forms.ModelForm):
    """One row of the list. A disabled field keeps its saved value whatever is posted."""

    user = None  # set per request by EventAdmin.get_changelist_form

    def __init__(self, *args, category_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        # A plain select, without the add and change icons on every row, and the categories
        # read once for the whole list rather than once a row.
        category.widget = forms.Select(
            choices=category_choices if category_choices is not None else category.choices
        )
        # "Morning", not "Morning (06:00–12:00)": the hours are on the event's form.
        self.fields["part_of_day"].choices = [
            ("", "—"),
            *((part.value, part.short_label) for part in PartOfDay),
        ]
        self.fields["importance"].widget.attrs.update({"min": 1, "max": 5})
        if review.needs_review(self.user, self.instance):
            for field in self.fields.values():
                field.disabled = True
                field.widget.attrs["title"] = READ_ONLY


class ListEditFormSet(BaseModelFormSet):
    def get_form_kwargs(self, index):
        if not hasattr(self, "_category_choices"):
            self._category_choices = list(self.form.base_fields["category"].choices)
        return {**super().get_form_kwargs(index), "category_choices": self._category_choices}


def save_list(model_admin, request: HttpRequest) -> HttpResponseRedirect | None:
    """Save each row the list changed, each on its own; None if the list has errors to show
    (the admin then shows it again, with them, and saves nothing)."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    FormSet = model_admin.get_changelist_formset(request)
    queryset = model_admin._get_list_editable_queryset(request, FormSet.get_default_prefix())
    formset = FormSet(request.POST, request.FILES, queryset=queryset)
    if not formset.is_valid():
        return None
    saved = 0
    for form in formset.forms:
        if not form.has_changed():
            continue
        try:
            _save_row(model_admin, request, form)
            saved += 1
        except Refused as exc:
            messages.warning(request, str(exc))
    if saved:
        messages.success(request, f"Saved {saved} event(s) from the list.")
    return HttpResponseRedirect(request.get_full_path())


def _save_row(model_admin, request: HttpRequest, form: ListEditForm) -> Event:
    event: Event = form.instance
    seen = request.POST.get(f"seen-version-{event.pk}", "")
    # An event made outside the desk gets its first revision now, so the history shows this
    # change as a change rather than as the event's creation.
    history.ensure_baseline(event, request.user)
    with transaction.atomic(), reversion.create_revision():
        # Locked until this save commits, so a save on the form cannot slip in between.
        current = Event.objects.select_for_update().get(pk=event.pk)
        if not seen.isdigit() or int(seen) != current.version or event.version != current.version:
            who = current.updated_by or "someone"
            raise Refused(
                f"“{current.title}” was changed by {who} after you loaded the list, so your "
                "change to it was not saved. The list now shows theirs: make yours again if it "
                "is still needed."
            )
        if review.needs_review(request.user, current):
            raise Refused(f"“{current.title}” was not changed. {READ_ONLY}")
        event.updated_by = request.user
        event.save()
        # Named as on the form: "Changed Importance."; reversion takes it as the comment.
        model_admin.log_change(
            request, event, model_admin.construct_change_message(request, form, None)
        )
        reversion.set_user(request.user)
    # They have just seen this version of it.
    EventSeen.mark(request.user, event)
    return event
