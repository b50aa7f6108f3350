"""Read replicas: a reader's request reads one replica; the desk and every write, the primary.

Set DATABASE_REPLICA_URLS (comma-separated) and each becomes a database alias (replica1, …).
A request is a reader's when it is a GET or HEAD without a session cookie: the public pages,
embeds, feeds and API, which show only what was published and can stand a replica a moment
behind. Anyone signed in (an editor checking the page they just published) reads the primary,
so nobody misses their own write. One replica serves the whole request, the data version
included, so a body is never cached under a version newer than the data it was drawn from.
"""

import contextvars
import random

from django.conf import settings

_replica: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "timeline_replica", default=None
)


def replicas() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return _replica.get()  # None: the primary

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"  # replicas follow the primary's schema by replication


class ReplicaReads:
    """Middleware: picks the replica a reader's request reads, for that request only."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.replicas = replicas()

    def __call__(self, request):
        reader = (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
        token = _replica.set(random.choice(self.replicas) if reader and self.replicas else None)
        try:
            return self.get_response(request)
        finally:
            _replica.reset(token)
