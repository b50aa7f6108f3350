"""On PostgreSQL each timestamp's text is parsed once per worker (timeline.config.postgres):
what is read must still be what is stored, after every change."""

import datetime as dt

import pytest
from django.db import connection

from timeline.config import postgres
from timeline.models import Category, Event

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="only PostgreSQL's times are parsed by a loader of ours (CI runs this on it)",
    ),
]

UTC = dt.UTC


def _event(start: dt.datetime) -> Event:
    category = Category.objects.create(name="Strike", slug="strike")
    return Event.objects.create(
        title="Strike", slug="strike", start=start, timezone="Asia/Baghdad", category=category
    )


def _start(pk: int) -> dt.datetime:
    return Event.objects.filter(pk=pk).values_list("start", flat=True).get()


def test_a_time_read_twice_and_then_changed_reads_as_stored():
    first = dt.datetime(2020, 1, 8, 1, 30, tzinfo=UTC)
    event = _event(first)
    postgres._kept.clear()
    assert _start(event.pk) == first
    assert first in postgres._kept.values()  # parsed by the loader that keeps them
    assert _start(event.pk) == first
    later = dt.datetime(2020, 1, 8, 1, 45, 30, 250000, tzinfo=UTC)
    Event.objects.filter(pk=event.pk).update(start=later)
    read = _start(event.pk)
    assert read == later
    assert read.utcoffset() == dt.timedelta(0)
    assert read.tzinfo == Event.objects.get(pk=event.pk).created_at.tzinfo


def test_a_full_store_of_parsed_times_is_emptied_not_wrong(monkeypatch):
    monkeypatch.setattr(postgres, "KEPT_MAX", 2)
    postgres._kept.clear()
    event = _event(dt.datetime(2020, 1, 3, 0, 52, tzinfo=UTC))
    for minute in range(6):
        moment = dt.datetime(2020, 1, 3, 1, minute, tzinfo=UTC)
        Event.objects.filter(pk=event.pk).update(start=moment)
        assert _start(event.pk) == moment
        assert 1 <= len(postgres._kept) <= 2


def test_a_connection_made_again_keeps_one_loader():
    # A pooled connection is announced as created at every checkout: the loader is not wrapped
    # in itself again (each layer would parse through the one below).
    connection.ensure_connection()
    postgres._on_connection(None, connection)
    postgres._on_connection(None, connection)
    adapters = connection.connection.adapters
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, 0)
    assert loader.__mro__[1].__name__ != "KeptTzLoader"
    postgres._kept.clear()
    assert _start(_event(dt.datetime(2020, 1, 8, tzinfo=UTC)).pk).year == 2020
