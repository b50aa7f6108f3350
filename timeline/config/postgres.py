"""PostgreSQL connections that parse each timestamp they are sent once per worker.

Django loads `timestamptz` values with a loader written in Python (it subclasses psycopg's
own to set the time zone), and that parsing was a tenth of an uncached chart on PostgreSQL:
about 560 values a render at 8 µs each, nearly all of them the same events' times as the
render before. The text PostgreSQL sends for an instant, in the connection's time zone (UTC,
set by Django), always stands for the same aware datetime, so the parsed value is kept under
that text and only new text is parsed.
"""

import datetime as dt

from django.db.backends.signals import connection_created

# About 200 bytes each: at most a few MB per worker, emptied when full (simple, and a worker
# refills what it still reads within a render or two).
KEPT_MAX = 20_000
_kept: dict[tuple[object, bytes], dt.datetime] = {}


def _keeping(loader: type) -> type:
    """`loader` (Django's, for this connection's time zone) with the parsed values kept."""
    zone = loader.timezone

    class KeptTzLoader(loader):
        keeps_times = True

        def load(self, data) -> dt.datetime:
            key = (zone, bytes(data))
            value = _kept.get(key)
            if value is None:
                if len(_kept) >= KEPT_MAX:
                    _kept.clear()
                value = _kept[key] = super().load(data)
            return value

    return KeptTzLoader


def _on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    from psycopg.pq import Format

    adapters = connection.connection.adapters
    oid = adapters.types["timestamptz"].oid
    loader = adapters.get_loader(oid, Format.TEXT)
    # Not twice: a pooled connection is "created" again at each checkout.
    if hasattr(loader, "timezone") and not getattr(loader, "keeps_times", False):
        adapters.register_loader("timestamptz", _keeping(loader))


def connect() -> None:
    connection_created.connect(_on_connection, dispatch_uid="timeline-kept-timestamps")
