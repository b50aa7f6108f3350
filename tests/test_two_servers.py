"""Two app servers, as `make serve` runs them, on one database and one cache: nothing a
reader or an editor does depends on which one answers.

On PostgreSQL (and Redis, when REDIS_URL is set) when DATABASE_URL points there, as in CI's
second run; otherwise on one SQLite file, which two processes share as well.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
SEED = "fixtures/us-iran-2019-2020.json"
SLUG = "kerman-funeral-stampede"
PASSWORD = "pw-two-servers-12345!"
SETUP = r"""
from django.contrib.auth.models import User
from timeline.models import Event
User.objects.create_superuser("desk", "desk@example.org", %r)
event = Event.objects.get(slug=%r)
event.status = Event.Status.DRAFT
event.save()
print("EVENT", event.pk, event.version)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(tmp_path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        name = "timeline_two_servers"
        for command in ("dropdb", "createdb"):
            args = [command, "-h", "127.0.0.1", "-U", "postgres", name]
            subprocess.run(
                args[:1] + ["--if-exists"] * (command == "dropdb") + args[1:], check=True
            )
        return f"{url.rsplit('/', 1)[0]}/{name}"
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"


def _run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def two_servers(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _database(tmp_path),
        "DEBUG": "False",
        "SECRET_KEY": "two-servers-share-this-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "SECURE_COOKIES": "False",
        "MEDIA_ROOT": str(tmp_path / "media"),
        # Collected apart from the checkout's: other tests' servers read that one.
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    _run(env, "migrate", "--noinput", "-v0")
    _run(env, "loaddata", SEED, "-v0")
    pk, version = _run(env, "shell", "-c", SETUP % (PASSWORD, SLUG)).split("EVENT")[1].split()
    _run(env, "collectstatic", "--noinput", "-v0")
    servers, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            servers.append(
                subprocess.Popen(
                    [str(ROOT / ".venv" / "bin" / "gunicorn"), "timeline.config.wsgi"]
                    + ["--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                    cwd=ROOT,
                    env=env,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(150):
                try:
                    if requests.get(base + "/healthz", timeout=5).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            else:
                raise AssertionError(f"{base} did not start")
        yield bases, int(pk), int(version)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def _sign_in(session: requests.Session, base: str) -> None:
    session.get(f"{base}/admin/login/")
    answer = session.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "username": "desk",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "next": "/admin/",
        },
    )
    assert answer.ok and "Log out" in answer.text, "signed in"


# Both behind one public name, as a load balancer passes it on.
PUBLIC = {"Host": "localhost", "Accept-Encoding": "gzip"}


def _page(base: str, path: str = "/") -> requests.Response:
    answer = requests.get(base + path, headers=PUBLIC, timeout=30)
    assert answer.status_code == 200, (base, path, answer.status_code)
    return answer


def _listed(answer: requests.Response) -> set[str]:
    return set(re.findall(r'id="event-([a-z0-9-]+)"', answer.text))


def test_two_servers_serve_one_chronology(two_servers):
    (one, other), pk, version = two_servers

    # Readers: the same answer and the same validator from either, so a CDN or a browser
    # revalidating against the other server gets a 304.
    first, second = _page(one), _page(other)
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Surrogate-Key"] == second.headers["Surrogate-Key"]
    assert SLUG not in _listed(first) and _listed(first) == _listed(second)
    revalidated = requests.get(
        other + "/", headers={**PUBLIC, "If-None-Match": first.headers["ETag"]}
    )
    assert revalidated.status_code == 304

    # An editor signed in on one is signed in on the other: the session is in the database.
    desk = requests.Session()
    _sign_in(desk, one)
    assert "Log out" in desk.get(f"{other}/admin/").text

    # A publish through the other server...
    published = desk.post(
        f"{other}/admin/timeline/event/",
        data={
            "action": "publish",
            "_selected_action": [pk],
            f"seen-version-{pk}": version,
            "csrfmiddlewaretoken": desk.cookies["csrftoken"],
        },
    )
    assert published.ok
    # ...is what the first serves on the very next request, under a new validator.
    after = _page(one)
    assert SLUG in _listed(after)
    assert after.headers["ETag"] != first.headers["ETag"]
    assert after.headers["ETag"] == _page(other).headers["ETag"]
    event = json.loads(_page(one, f"/api/events/{SLUG}").text)
    assert event["slug"] == SLUG
