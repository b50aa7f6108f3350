"""Where this site is: absolute addresses from SITE_URL, not from what a client says.

A request's Host and X-Forwarded-Proto are the client's word, and an address written into a
feed, an oEmbed answer, an embed snippet or a calendar UID is kept by whoever reads it (and by
our cache, for every reader after). With SITE_URL set every absolute address names that
origin; without it (development, tests) the request's own host is the best there is.
"""

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# What feeds name as their author and oEmbed as its provider; base.html's brand says the same.
NAME = "Timeline"


def _configured_origin() -> str:
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(
            f"SITE_URL must be an origin like https://news.example, got {settings.SITE_URL!r}"
        )
    # Only the origin: paths from reverse() already carry any script prefix.
    return f"{parts.scheme}://{parts.netloc}"


def absolute_url(request: HttpRequest, path: str | None = None) -> str:
    """`path` (an absolute path, with any query; the request's own by default) on this site."""
    if path is None:
        path = request.get_full_path()
    if not settings.SITE_URL:
        return request.build_absolute_uri(path)
    # Joined as text, not with urljoin: a path of "//elsewhere.example/" stays a path here.
    return _configured_origin() + path


def address(request: HttpRequest, path: str, query: str = "") -> str:
    """`path` with `query` (already encoded; nothing when empty) as an absolute address."""
    return absolute_url(request, f"{path}?{query}" if query else path)


def host(request: HttpRequest) -> str:
    """This site's host name (and port), for identifiers such as calendar UIDs."""
    if not settings.SITE_URL:
        return request.get_host()
    return urlsplit(_configured_origin()).netloc


# A slug as the <slug:…> converter accepts it, and one to stand for it in a cached address.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_STAND_IN = "slug-stand-in-0"


def _prefix() -> str:
    """The script prefix as reverse() writes it: percent-encoded ("/my%20app/")."""
    return _quoted_prefix(get_script_prefix())


@cache
def _quoted_prefix(prefix: str) -> str:
    return quote(prefix, safe=RFC3986_SUBDELIMS + "/~:@")


@cache
def _slug_path(name: str, urlconf: str | None) -> tuple[str, str] | None:
    """The route's path around its slug, without the script prefix: ("events/", "/"); None
    when reverse() writes the prefix some other way, and then it is asked every time."""
    path, prefix = reverse(name, urlconf=urlconf, args=[_STAND_IN]), _prefix()
    if not path.startswith(prefix):
        return None
    before, after = path.removeprefix(prefix).split(_STAND_IN)
    return before, after


def slug_url(name: str, slug: str) -> str:
    """reverse(name, args=[slug]) for a route whose one argument is a slug, as a string join.

    The chart and the list name a few hundred addresses per render, and reverse() walks the
    resolver for each: 14 of a 60 ms render at 1,000 events (README, bench notes).
    """
    return slug_urls(name)(slug)


def slug_urls(name: str) -> Callable[[str], str]:
    """slug_url(name, …) for the slugs of one request: the route and the script prefix, which
    only change from request to request, are looked up once."""
    around = _slug_path(name, get_urlconf() or settings.ROOT_URLCONF)
    if around is None:
        return lambda slug: reverse(name, args=[slug])
    before, after = f"{_prefix()}{around[0]}", around[1]

    def url(slug: str) -> str:
        if not _SLUG.fullmatch(slug):
            return reverse(name, args=[slug])  # its NoReverseMatch, as before
        return f"{before}{slug}{after}"

    return url


def _forget_paths(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _slug_path.cache_clear()


setting_changed.connect(_forget_paths)
