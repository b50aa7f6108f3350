"""Live pages: an open timeline, actor page or embed learns that events were published,
updated or corrected, and offers them ("2 new events — show") without moving anything.

Polling, not server-sent events: each open page asks its own address with `?live=<when it
was drawn>` every TIMELINE_LIVE_POLL_SECONDS, sending the ETag of its last answer.
`public_cache` answers that
from the published-data version alone — a 304 while nothing public changed, whatever drafts
were saved — so an idle poll costs about what /healthz costs (`make soak` measures both), it
passes through any CDN, and gunicorn's sync workers hold no connection open between polls. A
stream would pin a worker per reader.
"""

import datetime as dt
import math

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse

from timeline.filters import EventQuery
from timeline.models import Event, EventTransition

PARAM = "live"


def check(request: HttpRequest, query: EventQuery) -> dict | None:
    """Where and how often this page polls: its own view, as of the data it was drawn from.
    None for an "as of" view, which is the record at a time past and does not change."""
    if query.as_of is not None or not query.is_valid:
        return None
    _, changed_at = getattr(request, "data_version", (None, None))
    if changed_at is None:
        return None
    # Relative: an embed asks the origin that served it, whatever the site's public address.
    url = f"{request.path}?{query.query(**{PARAM: f'{changed_at:.6f}', 'page': None})}"
    # 15 s by default; with up to a fifth more for jitter and a CDN's 5 s
    # (caching.LIVE_CACHE_CONTROL), a change is offered within 30 s.
    return {"url": url, "every": settings.TIMELINE_LIVE_POLL_SECONDS}


def answer(request: HttpRequest, query: EventQuery) -> HttpResponse | None:
    """The live check's answer when the request is one (`?live=`), else None."""
    if PARAM not in request.GET:
        return None
    since = _since(request.GET[PARAM])
    if since is None or not query.is_valid:
        return JsonResponse(
            {"detail": "live must be the time the page was drawn, in seconds since 1970."},
            status=400,
        )
    events = query.events.order_by()
    # New to the page: first published since, or published again since (an event unpublished
    # and republished keeps its first published_at; the workflow log has the second time).
    new = Q(published_at__gt=since) | Q(
        pk__in=EventTransition.objects.filter(
            to_status=Event.Status.PUBLISHED, at__gt=since
        ).values("event")
    )
    added = events.filter(new)
    return JsonResponse(
        {
            "new": added.count(),
            # An update, a correction or any other save of an event the page already showed.
            "updated": events.filter(updated_at__gt=since)
            .exclude(pk__in=added.values("pk"))
            .count(),
        }
    )


def _since(text: str) -> dt.datetime | None:
    try:
        seconds = float(text)
    except ValueError:
        return None
    if not math.isfinite(seconds) or not 0 <= seconds < 32503680000:  # before the year 3000
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
