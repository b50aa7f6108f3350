"""On SQLite, editors saving at the same moment wait their turn: none sees "database is locked".

The test database is in memory, which has neither WAL nor real locking, so this runs real
processes against a SQLite file configured exactly as production configures it.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 6
SAVES = 40

# Each save reads, then writes, then updates a row every writer shares: the pattern that
# fails under SQLite's default deferred transactions when two writers upgrade their locks.
WRITER = """
import sys
import django
django.setup()
from django.db import transaction
from timeline.models import Actor

writer = int(sys.argv[1])
for n in range(int(sys.argv[2])):
    with transaction.atomic():
        shared = Actor.objects.get(slug="shared")
        Actor.objects.create(name=f"Writer {writer} save {n}", slug=f"w{writer}-{n}", kind="person")
        shared.description += "."
        shared.save(update_fields=["description"])
"""


def _env(database: Path) -> dict:
    return {
        **os.environ,
        "DEBUG": "True",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "timeline.config.settings",
    }


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_concurrent_editors_on_sqlite_never_see_database_is_locked(tmp_path):
    env = _env(tmp_path / "desk.sqlite3")
    assert _run(env, "manage.py", "migrate", "--noinput", "-v0").returncode == 0
    made = _run(
        env,
        "manage.py",
        "shell",
        "-c",
        "from timeline.models import Actor; "
        "Actor.objects.create(name='Shared', slug='shared', kind='person')",
    )
    assert made.returncode == 0, made.stderr

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(w), str(SAVES)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0] * WRITERS, "\n".join(errors)
    assert not any("locked" in e for e in errors)

    counted = _run(
        env,
        "manage.py",
        "shell",
        "-c",
        "from timeline.models import Actor; s = Actor.objects.get(slug='shared'); "
        "print(Actor.objects.count(), len(s.description))",
    )
    # Every save landed, and no update to the shared row was lost.
    actors, shared_updates = counted.stdout.splitlines()[-1].split()
    assert (int(actors), int(shared_updates)) == (WRITERS * SAVES + 1, WRITERS * SAVES)
