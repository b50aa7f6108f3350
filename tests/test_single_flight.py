"""Many readers asking at once for a view nobody has asked for yet cause one render."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from timeline import caching


@pytest.fixture(autouse=True)
def no_database(monkeypatch):
    # The data version is the only thing the cache reads from the database; a fixed one keeps
    # these threads off it (the render counting is the subject here, not the version).
    monkeypatch.setattr(caching, "_current_version", lambda: (1, 1_700_000_000.0))


def _counting_view(seconds: float, status: int = 200):
    renders = []
    guard = threading.Lock()

    def view(request):
        with guard:
            renders.append(request.path)
            number = len(renders)
        time.sleep(seconds)  # a slow render: the others arrive while it runs
        return HttpResponse(f"render {number}", status=status)

    return caching.public_cache(view), renders


def _key(path: str) -> str:
    """Where the cache keeps `path`'s body (the fixed version above)."""
    return f"timeline:response:1:1700000000.0:{caching.request_key(RequestFactory().get(path))}"


def _all_at_once(view, readers: int, path: str) -> list[HttpResponse]:
    start = threading.Barrier(readers)

    def read(_):
        request = RequestFactory().get(path)
        start.wait()
        return view(request)

    with ThreadPoolExecutor(readers) as pool:
        return list(pool.map(read, range(readers)))


def test_64_readers_asking_at_once_for_a_new_view_cause_one_render():
    view, renders = _counting_view(0.3)
    responses = _all_at_once(view, 64, "/?q=new+search")
    assert len(renders) == 1
    assert [r.status_code for r in responses] == [200] * 64
    assert {r.content for r in responses} == {b"render 1"}


def test_different_views_asked_at_once_render_side_by_side():
    view, renders = _counting_view(0.2)
    start = threading.Barrier(3)

    def read(path):
        request = RequestFactory().get(path)
        start.wait()
        return view(request).content

    with ThreadPoolExecutor(3) as pool:
        bodies = list(pool.map(read, ["/?q=a", "/?q=b", "/?q=c"]))
    assert len(renders) == 3
    assert sorted(bodies) == [b"render 1", b"render 2", b"render 3"]


def test_a_render_without_a_body_to_share_lets_the_waiters_answer_for_themselves():
    # A 404 is never cached: the readers who waited for it each get their own answer.
    view, renders = _counting_view(0.2, status=404)
    responses = _all_at_once(view, 8, "/timelines/gone/")
    assert [r.status_code for r in responses] == [404] * 8
    assert len(renders) == 8
    # Nothing is left stored, nor locked for the next reader to wait on.
    assert cache.get_many([_key("/timelines/gone/"), f"{_key('/timelines/gone/')}:rendering"]) == {}


def test_a_render_that_died_holding_the_lock_is_waited_for_only_so_long(monkeypatch):
    monkeypatch.setattr(caching, "RENDER_WAIT_SECONDS", 0.3)
    view, renders = _counting_view(0)
    # A worker took the render and was killed: its lock outlives it, with no body behind it.
    key = _key("/?q=stuck")
    cache.set(f"{key}:rendering", 12345, 60)
    response = view(RequestFactory().get("/?q=stuck"))
    assert response.status_code == 200 and response.content == b"render 1"
    assert len(renders) == 1
    assert cache.get(key) is not None  # and the next reader is served from the cache
