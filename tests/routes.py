"""The site's public URL patterns, read from the URLconf, and the addresses they make."""

import re

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def public_routes(resolvers=None, prefix: str = ""):
    """Every route outside the editors' admin, e.g. 'events/<slug:slug>/'."""
    for entry in get_resolver().url_patterns if resolvers is None else resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(settings.ADMIN_PATH):
                continue  # editors only, behind a login
            yield from public_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def fill(route: str, values: dict[str, list[str]]) -> list[str]:
    """Every address the route makes with the given values: {"int": [...], "slug": [...]}."""
    found = PARAMETER.search(route)
    if not found:
        return ["/" + route]
    pool = values["int" if found.group("converter") == "int" else "slug"]
    addresses = []
    for value in pool:
        addresses += fill(route[: found.start()] + value + route[found.end() :], values)
    return addresses
