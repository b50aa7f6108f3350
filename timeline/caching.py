"""Public responses: cheap to serve, safe to cache, never stale after a publish.

Every public view of published data goes through `public_cache`. It answers conditional
requests from the data version alone (no rendering), keeps rendered bodies in Django's cache
(Redis when REDIS_URL is set) under the normalised request and the data version, and sends
Cache-Control for browsers and CDNs. A change to any chronology data bumps the version, which
changes every ETag and orphans every cached body at once; a change the public cannot see
(a draft, a scheduled event before its time) leaves it alone.
"""

import gzip
import hashlib
import logging
import os
import time
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from timeline import models
from timeline.filters import OLD_ZOOM, EventFilter

CACHED_HEADERS = ("Content-Type", "Content-Disposition", "Link", "Surrogate-Key", "Cache-Tag")
log = logging.getLogger("timeline.cache")

# What a public response shows, named for a CDN that purges by key: Fastly reads Surrogate-Key
# (space-separated), Cloudflare and others Cache-Tag (comma-separated); both carry the same.
SITE_KEY = "site"  # every public response: a purge of everything
LISTS_KEY = "events"  # any list of events not tied to one timeline (API, feeds, actor pages)


def timeline_key(slug: str) -> str:
    return f"timeline-{slug}"


def event_key(slug: str) -> str:
    """On every response that shows the event: its page, a page linking to it, its slide…"""
    return f"event-{slug}"


def event_page_key(slug: str) -> str:
    """On the event's own page only: it changes when the events beside it do."""
    return f"event-page-{slug}"


def shows(request: HttpRequest, *keys: str) -> None:
    """Name what the response to `request` shows (a view that names nothing shows a list)."""
    request.__dict__.setdefault("surrogate_keys", []).extend(keys)


def purge_keys(event) -> set[str]:
    """The keys of every public response a change to `event` changes, as it stands: whatever
    shows it, its timelines' views, the lists, and the pages of the events beside it (whose
    "next" or "previous" it is). A change is purged by the union of these before and after."""
    keys = {event_key(event.slug), LISTS_KEY}
    keys |= {timeline_key(slug) for slug in event.timelines.values_list("slug", flat=True)}
    if event.pk is not None:
        keys |= {event_page_key(e.slug) for e in event.neighbours() if e is not None}
    return keys


def _tagged(request: HttpRequest, response: HttpResponse) -> None:
    keys = [SITE_KEY, *dict.fromkeys(getattr(request, "surrogate_keys", None) or [LISTS_KEY])]
    response["Surrogate-Key"] = " ".join(keys)
    response["Cache-Tag"] = ",".join(keys)


# The version moves only when what the public can see changes: a draft saved at 3 a.m. must
# not change an ETag, or anyone polling could watch the desk at work (and every cache would
# be thrown away for nothing).


def _visible(model, pk) -> bool:
    return pk is not None and model.objects.published().filter(pk=pk).exists()


def _bump_or_reschedule(public: bool) -> None:
    if public:
        models.DataVersion.bump()
    else:
        # A scheduled event saved: nothing changes now, but its go-live time may have.
        models.DataVersion.reschedule()


def _remember_event(sender, instance, raw: bool = False, **kwargs) -> None:
    instance._was_public = not raw and _visible(models.Event, instance.pk)
    if instance._was_public:
        # Where it stood before the change: its old neighbours name it until they are purged.
        instance._purge = purge_keys(models.Event.objects.get(pk=instance.pk))


def _event_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    public = raw or instance.is_published or getattr(instance, "_was_public", False)
    _bump_or_reschedule(public)
    if public and not raw:
        announce_purge({*getattr(instance, "_purge", ()), *purge_keys(instance)})


def _remember_deleted_event(sender, instance, **kwargs) -> None:
    if instance.is_published:
        instance._purge = purge_keys(instance)


def _event_deleted(sender, instance, **kwargs) -> None:
    _bump_or_reschedule(instance.is_published)
    if instance.is_published:
        announce_purge(getattr(instance, "_purge", {event_key(instance.slug), LISTS_KEY}))


def announce_purge(keys: set[str]) -> None:
    """Logged for whatever purges the CDN (README, "Scaling out"): our own cache needs no
    purge, the data version has already moved past every body it holds."""
    log.info("purge %s", " ".join(sorted(keys)))


def _part_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """An actor's role, a citation, a claim or a further place shows wherever its event does."""
    if raw or _visible(models.Event, instance.event_id):
        models.DataVersion.bump()
        if not raw:
            announce_purge(purge_keys(models.Event.objects.get(pk=instance.event_id)))


def _link_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    # Links are shown only between two published events (Event.published_links, the chart).
    ends = (instance.from_event_id, instance.to_event_id)
    if raw or all(_visible(models.Event, pk) for pk in ends):
        models.DataVersion.bump()
        if not raw:
            # Drawn on its events' pages and their timelines' charts.
            shown = models.Event.objects.filter(pk__in=ends)
            announce_purge(set().union(*(purge_keys(event) for event in shown)))


def _record_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """Actors, sources and categories are public while a published event shows them."""
    if raw or _visible(sender, instance.pk):
        models.DataVersion.bump()
        if not raw:
            announce_purge({SITE_KEY})  # a name on who knows how many pages: rare, so all


def _record_deleted(sender, instance, **kwargs) -> None:
    models.DataVersion.bump()  # rare (Publishers only), and what it touched is unknown now
    announce_purge({SITE_KEY})


def _remember_timeline(sender, instance, raw: bool = False, **kwargs) -> None:
    instance._was_published = not raw and _visible(models.Timeline, instance.pk)


def _timeline_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or instance.is_published or getattr(instance, "_was_published", False):
        models.DataVersion.bump()
        if not raw:
            announce_purge({SITE_KEY})  # its title and slug are on every page that names it


def _timeline_deleted(sender, instance, **kwargs) -> None:
    if instance.is_published:
        models.DataVersion.bump()
        announce_purge({SITE_KEY})


def _membership_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """An event joining or leaving a timeline shows only if both are public."""
    if not action.startswith("post_"):
        return
    if reverse:  # event.timelines.add(...)
        event_public = instance.is_published
        timelines_public = (
            pk_set is None or models.Timeline.objects.published().filter(pk__in=pk_set).exists()
        )
    else:  # timeline.events.add(...)
        timelines_public = instance.is_published
        event_public = (
            pk_set is None or models.Event.objects.published().filter(pk__in=pk_set).exists()
        )
    if event_public and timelines_public:
        models.DataVersion.bump()
        if reverse:
            timelines, events = models.Timeline.objects.filter(pk__in=pk_set or ()), [instance]
        else:
            timelines, events = [instance], models.Event.objects.filter(pk__in=pk_set or ())
        keys = {timeline_key(t.slug) for t in timelines} | {event_key(e.slug) for e in events}
        announce_purge(keys | {LISTS_KEY})


def _connect(signal, handler, sender) -> None:
    signal.connect(handler, sender=sender, dispatch_uid=f"{handler.__name__}-{sender.__name__}")


_connect(pre_save, _remember_event, models.Event)
_connect(post_save, _event_saved, models.Event)
_connect(pre_delete, _remember_deleted_event, models.Event)
_connect(post_delete, _event_deleted, models.Event)
for _part in (
    models.EventActor,
    models.Citation,
    models.Claim,
    models.EventPlace,
    models.EventUpdate,
):
    _connect(post_save, _part_changed, _part)
    _connect(post_delete, _part_changed, _part)
_connect(post_save, _link_changed, models.EventLink)
_connect(post_delete, _link_changed, models.EventLink)
for _record in (models.Actor, models.Source, models.Category):
    _connect(post_save, _record_changed, _record)
    _connect(post_delete, _record_deleted, _record)
_connect(pre_save, _remember_timeline, models.Timeline)
_connect(post_save, _timeline_saved, models.Timeline)
_connect(post_delete, _timeline_deleted, models.Timeline)
_connect(m2m_changed, _membership_changed, models.Timeline.events.through)


# What a public view reads from the address. Anything else (Pym.js's childId and parentUrl,
# a newsletter's utm_source) changes nothing in the answer, so it is left out of the key: one
# address has a bounded set of cached variants, and nobody can flood the cache or get past it
# by adding parameters. A view that starts reading a new parameter must be named here.
KNOWN_PARAMS = frozenset(
    {
        *EventFilter.base_filters,
        "page_size",
        "theme",
        "url",
        "format",
        "maxwidth",
        "maxheight",
        "bom",
        "live",
    }
)
# The regions pages swap with HTMX; any other HX-Target is answered as the default fragment.
KNOWN_TARGETS = frozenset({"results", "more-events", "event-panel"})


def _old_zoom(key: str, values: list[str]) -> bool:
    """A chart zoom from before it moved to zoom= (view=FROM~TO): the page is the one without it,
    and each such window must not be a cache entry of its own."""
    return key == "view" and all(OLD_ZOOM.match(value) for value in values)


def request_key(request: HttpRequest) -> str:
    """The request as the cache sees it: scheme, host, path, the known non-empty parameters
    (by name; a name's values in the order sent, as a single-valued parameter is read from
    its last), the HTMX target when it is one we render."""
    params = sorted(
        (key, [value for value in values if value != ""])
        for key, values in request.GET.lists()
        if key in KNOWN_PARAMS and any(values) and not _old_zoom(key, values)
    )
    variant = "page"
    if request.headers.get("HX-Request") == "true":
        # The same address answers with a different fragment for each target it is swapped into.
        target = request.headers.get("HX-Target", "")
        variant = f"htmx:{target if target in KNOWN_TARGETS else ''}"
    if request.headers.get("HX-History-Restore-Request") == "true":
        variant = "page"
    raw = f"{request.scheme}|{request.get_host()}|{request.path}|{params}|{variant}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def accepts_gzip(request: HttpRequest) -> bool:
    """Accept-Encoding read with its q-values: "gzip;q=0" refuses gzip, "*" accepts it."""
    weights = {}
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            weights[name.strip().lower()] = q
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def public_cache(view):
    """Conditional GET, a shared body cache and Cache-Control for a public, read-only view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        outage = None
        try:
            number, last_modified = _current_version()
        except (OperationalError, InterfaceError) as exc:
            # The database is down: answer from the last version this cache saw, if the body
            # is still kept; otherwise the outage middleware answers 503 with Retry-After.
            kept = cache.get(LAST_VERSION_KEY)
            if kept is None:
                raise
            number, last_modified, outage = *kept, exc
        # The page writes its version into its live check's address (timeline.reader.live).
        request.data_version = (number, last_modified)
        key = request_key(request)
        gzipped = accepts_gzip(request)
        # Each encoding is its own representation, so each gets its own validator.
        etag = f'"{number}-{key[:16]}{"-gz" if gzipped else ""}"'

        not_modified = get_conditional_response(
            request, etag=etag, last_modified=int(last_modified)
        )
        if not_modified is not None:
            if not_modified.status_code == 412:
                # Django's 412 is empty; a client that sent If-Unmodified-Since deserves a reason.
                not_modified.content = b"The data has changed since the version you hold.\n"
                not_modified["Content-Type"] = "text/plain; charset=utf-8"
            return _finish(not_modified, etag, last_modified, _cache_control(request))

        # The timestamp too: a database rebuilt from scratch restarts the counter at 1.
        cache_key = f"timeline:response:{number}:{last_modified}:{key}"
        stored, extra = cache.get(cache_key), {}
        if stored is None:
            if outage is not None:
                raise outage
            with one_render(cache_key) as stored:
                if stored is None:
                    began = time.perf_counter()
                    response = view(request, *args, **kwargs)
                    log.info(
                        "rendered %s in %.0f ms",
                        request.get_full_path(),
                        (time.perf_counter() - began) * 1000,
                    )
                    if response.status_code != 200 or response.streaming:
                        return _finish(response, etag, last_modified)
                    _tagged(request, response)
                    headers = {h: response[h] for h in CACHED_HEADERS if response.has_header(h)}
                    # Compressed once per data version, not once per reader; at level 3, as
                    # the reader waits for it: 1.7 ms at level 6 for a 128 KB fragment, 0.75 at
                    # 3, for 15 % more bytes (19 KB against 22; README, bench notes).
                    stored = (headers, gzip.compress(response.content, COMPRESS_LEVEL))
                    cache.set(cache_key, stored, settings.TIMELINE_RESPONSE_CACHE_SECONDS)
                    extra = {h: v for h, v in response.items() if h not in headers}
        headers, body = stored
        response = HttpResponse(body if gzipped else gzip.decompress(body))
        for name, value in {**extra, **headers}.items():
            response[name] = value
        if gzipped:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        return _finish(response, etag, last_modified, _cache_control(request))

    return wrapper


COMPRESS_LEVEL = 3
# A render that takes longer than this is taken for dead: its waiters render for themselves.
RENDER_WAIT_SECONDS = 10.0
RENDER_POLL_SECONDS = 0.02


@contextmanager
def one_render(cache_key: str):
    """Single flight: the first request for an uncached view renders it (yields None); the
    others, in any worker that shares the cache, wait and are given its body instead.

    A new view linked from a front page is asked for by hundreds of readers in the same second;
    without this each would render it, and the uncached render is what costs. A render that
    ends without a body to share (a 404, an error) releases the waiters to answer for
    themselves, as does one that outlives RENDER_WAIT_SECONDS.
    """
    lock = f"{cache_key}:rendering"
    held = cache.add(lock, os.getpid(), RENDER_WAIT_SECONDS)
    if not held:
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(RENDER_POLL_SECONDS)
            found = cache.get_many([cache_key, lock])
            if cache_key in found:
                yield found[cache_key]
                return
            if lock not in found:
                break
    try:
        yield None
    finally:
        if held:
            cache.delete(lock)


LAST_VERSION_KEY = "timeline:last-version"
_last_kept: tuple[int, float] | None = None  # this process's last write of LAST_VERSION_KEY


def _current_version() -> tuple[int, float]:
    """The data version and when it changed; kept in the cache too, for an outage."""
    global _last_kept
    version = models.DataVersion.current()
    seen = (version.number, version.changed_at.timestamp())
    if seen != _last_kept:
        cache.set(LAST_VERSION_KEY, seen, settings.TIMELINE_RESPONSE_CACHE_SECONDS)
        _last_kept = seen
    return seen


def _cache_control(request: HttpRequest) -> str:
    # A live check is asked again every few seconds: a cache may not keep it for a minute.
    return LIVE_CACHE_CONTROL if "live" in request.GET else settings.TIMELINE_CACHE_CONTROL


LIVE_CACHE_CONTROL = "public, max-age=5"


def _finish(
    response: HttpResponse, etag: str, last_modified: float, cache_control: str | None = None
) -> HttpResponse:
    if response.status_code in (200, 304):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = cache_control or settings.TIMELINE_CACHE_CONTROL
    else:
        # Errors are answered fresh each time: nobody should keep a 400 for a minute.
        response["Cache-Control"] = "no-cache"
    patch_vary_headers(
        response, ["HX-Request", "HX-Target", "HX-History-Restore-Request", "Accept-Encoding"]
    )
    return response
