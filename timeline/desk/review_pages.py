"""The desk's side of changes waiting for review: the save that only proposes, the review page
and the decision. The rules (who may, what is kept, how it is applied) are in timeline.desk.review.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from timeline.desk import review
from timeline.desk.public_notes import TellReadersForm
from timeline.desk.workflow import Refused, can_publish
from timeline.models import Event, PendingChange


class _Undo(Exception):
    """Rolls back a save made only to see its result (the change then waits for review)."""

    def __init__(self, response: HttpResponse):
        self.response = response


def event_or_404(model_admin, request, object_id) -> Event:
    event = model_admin.get_object(request, unquote(object_id))
    if event is None:  # also for an id that is not a number
        raise Http404("No such event.")
    return event


def reopenable(request, event: Event) -> PendingChange | None:
    """A change sent back or withdrawn, which its review page offered to reopen."""
    pk = request.GET.get("reopen", "")
    if not pk.isdigit():
        return None
    return event.pending_changes.exclude(state=PendingChange.State.APPROVED).filter(pk=pk).first()


def propose(model_admin, request, event: Event, object_id, form_url, context) -> HttpResponse:
    """Run the desk's whole save, write down its result, undo it, and keep it for review."""
    request.for_review = True  # EventAdmin.save_related captures; message_user stays quiet
    try:
        with transaction.atomic(), model_admin.create_revision(request):
            response = admin.ModelAdmin.change_view(
                model_admin, request, object_id, form_url, context
            )
            raise _Undo(response)
    except _Undo as undone:
        response = undone.response
    captured = getattr(request, "captured_change", None)
    if captured is None:
        return response  # the form had errors: it is shown again, nothing was kept
    try:
        change = review.propose(event.pk, captured, request.POST, event.version, request.user)
    except Refused as exc:
        messages.error(request, str(exc))
        return response
    if change is None:
        messages.info(request, f"Nothing changed in “{event.title}”.")
        return response
    messages.success(
        request,
        format_html(
            "Your change to “{}” is waiting for a Publisher's review; readers keep seeing the "
            "published version until it is approved. <a href='{}'>See the change</a>.",
            event.title,
            reverse("admin:timeline_event_review", args=[event.pk]),
        ),
    )
    return response


def review_page(model_admin, request, object_id) -> HttpResponse:
    """A change sent for review, as a diff against the live event, with its decision."""
    event = event_or_404(model_admin, request, object_id)
    if not model_admin.has_view_or_change_permission(request, event):
        raise PermissionDenied
    changes = list(event.pending_changes.select_related("proposed_by", "decided_by"))
    wanted = request.GET.get("change", "")
    shown = next((c for c in changes if str(c.pk) == wanted), None) or next(
        (c for c in changes if c.state == PendingChange.State.WAITING), None
    )
    if shown is None and changes:
        shown = changes[0]
    waiting = shown is not None and shown.state == PendingChange.State.WAITING
    approved = shown is not None and shown.state == PendingChange.State.APPROVED
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Change for review: {event}",
        "subtitle": None,
        "object": event,
        "opts": model_admin.model._meta,
        "shown": shown,
        # An approved change is in the history; against today's event it would mislead.
        "diff": review.diff(shown) if shown is not None and not approved else [],
        "waiting": waiting,
        "approved": approved,
        "stale": waiting and shown.base_version != event.version,
        "others": [c for c in changes if c != shown],
        "can_decide": can_publish(request.user),
        "tell_readers": TellReadersForm(),
        "can_withdraw": waiting
        and (shown.proposed_by_id == request.user.pk or can_publish(request.user)),
    }
    return TemplateResponse(request, "admin/timeline/event/review.html", context)


@require_POST
def decide(request, model_admin, object_id, change_id) -> HttpResponse:
    event = event_or_404(model_admin, request, object_id)
    change = get_object_or_404(event.pending_changes, pk=change_id)
    if not model_admin.has_change_permission(request, event):
        raise PermissionDenied
    back = HttpResponseRedirect(
        reverse("admin:timeline_event_review", args=[event.pk]) + f"?change={change.pk}"
    )
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            tell = TellReadersForm(request.POST)
            if not tell.is_valid():
                for message in [m for messages_ in tell.errors.values() for m in messages_]:
                    messages.error(request, message)
                return back
            review.approve(change.pk, request.user, tell.cleaned_data)
            messages.success(request, f"Approved: “{event.title}” is live as changed.")
            return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[event.pk]))
        if decision == "send-back":
            review.send_back(change.pk, request.user, request.POST.get("note", ""))
            messages.success(request, "Sent back to its editor; the published version stays.")
        elif decision == "withdraw":
            review.withdraw(change.pk, request.user)
            messages.success(request, "Withdrawn; the published version stays.")
        else:
            messages.error(request, "Choose Approve, Send back or Withdraw.")
    except Refused as exc:
        messages.error(request, str(exc))
    return back
