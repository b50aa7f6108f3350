"""Public responses: cheap to serve, safe to cache, never stale after a publish.

Every public view of published data goes through `public_cache`. It answers conditional
requests from the data version alone (no rendering), keeps rendered bodies in Django's cache
(Redis when REDIS_URL is set) under the normalised request and the data version, and sends
Cache-Control for browsers and CDNs. A change to any chronology data bumps the version, which
changes every ETag and orphans every cached body at once.
"""

import gzip
import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from timeline import models

TRACKED = (
    models.Event,
    models.EventActor,
    models.Citation,
    models.Claim,
    models.EventLink,
    models.Actor,
    models.Source,
    models.Category,
    models.Timeline,
)
CACHED_HEADERS = ("Content-Type", "Content-Disposition", "Link")
# Pym.js parents add these to a frame's address; they change nothing in the response.
IGNORED_PARAMS = frozenset({"initialWidth", "childId", "parentTitle", "parentUrl"})


def _bump(sender, raw: bool = False, **kwargs) -> None:
    models.DataVersion.bump()


for _model in TRACKED:
    post_save.connect(_bump, sender=_model, dispatch_uid=f"bump-{_model.__name__}-save")
    post_delete.connect(_bump, sender=_model, dispatch_uid=f"bump-{_model.__name__}-delete")
m2m_changed.connect(_bump, sender=models.Timeline.events.through, dispatch_uid="bump-timeline-m2m")


def request_key(request: HttpRequest) -> str:
    """The request as the cache sees it: path, sorted non-empty parameters, HTMX target."""
    params = sorted(
        (key, value)
        for key, values in request.GET.lists()
        for value in values
        if value != "" and key not in IGNORED_PARAMS
    )
    variant = "page"
    if request.headers.get("HX-Request") == "true":
        # The same address answers with a different fragment for each target it is swapped into.
        variant = f"htmx:{request.headers.get('HX-Target', '')}"
    if request.headers.get("HX-History-Restore-Request") == "true":
        variant = "page"
    raw = f"{request.get_host()}|{request.path}|{params}|{variant}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def public_cache(view):
    """Conditional GET, a shared body cache and Cache-Control for a public, read-only view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        version = models.DataVersion.current()
        key = request_key(request)
        gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
        # Each encoding is its own representation, so each gets its own validator.
        etag = f'"{version.number}-{key[:16]}{"-gz" if gzipped else ""}"'
        last_modified = version.changed_at.timestamp()

        not_modified = get_conditional_response(
            request, etag=etag, last_modified=int(last_modified)
        )
        if not_modified is not None:
            if not_modified.status_code == 412:
                # Django's 412 is empty; a client that sent If-Unmodified-Since deserves a reason.
                not_modified.content = b"The data has changed since the version you hold.\n"
                not_modified["Content-Type"] = "text/plain; charset=utf-8"
            return _finish(not_modified, etag, last_modified)

        # The timestamp too: a database rebuilt from scratch restarts the counter at 1.
        cache_key = f"timeline:response:{version.number}:{version.changed_at.timestamp()}:{key}"
        stored = cache.get(cache_key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return _finish(response, etag, last_modified)
            headers = {h: response[h] for h in CACHED_HEADERS if response.has_header(h)}
            # Compressed once per data version, not once per reader.
            stored = (headers, gzip.compress(response.content, compresslevel=6))
            cache.set(cache_key, stored, settings.TIMELINE_RESPONSE_CACHE_SECONDS)
            extra = {h: v for h, v in response.items() if h not in headers}
        else:
            extra = {}
        headers, body = stored
        response = HttpResponse(body if gzipped else gzip.decompress(body))
        for name, value in {**extra, **headers}.items():
            response[name] = value
        if gzipped:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        return _finish(response, etag, last_modified)

    return wrapper


def _finish(response: HttpResponse, etag: str, last_modified: float) -> HttpResponse:
    if response.status_code in (200, 304):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = settings.TIMELINE_CACHE_CONTROL
    else:
        # Errors are answered fresh each time: nobody should keep a 400 for a minute.
        response["Cache-Control"] = "no-cache"
    patch_vary_headers(
        response, ["HX-Request", "HX-Target", "HX-History-Restore-Request", "Accept-Encoding"]
    )
    return response
