"""With DATABASE_REPLICA_URLS set, readers' requests read a replica; editors and writes, the
primary. Run in a process of its own: the database aliases are read from the environment once.

The "replica" here is a copy of the primary whose one event title was then changed, so every
answer shows which database it was read from.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "fixtures/us-iran-2019-2020.json"
SLUG = "kerman-funeral-stampede"
ON_REPLICA = "Title as the replica has it"
LATER = "flight-ps752-shot-down"
DUE = "2020-01-09 00:00:00"
COUNTS = (
    "timeline_daycount",
    "timeline_actordaycount",
    "timeline_monthcount",
    "timeline_actormonthcount",
)

SCRIPT = r"""
import json
from django.core.cache import cache
from django.contrib.auth.models import User
from django.test import Client
from timeline.config import routers
from timeline.models import DataVersion

slug = %r
reader = Client(HTTP_HOST="localhost")
editor = Client(HTTP_HOST="localhost")
editor.force_login(User.objects.create_superuser("desk", "desk@example.org", "pw-desk-12345!"))
out = {
    "reader_page": reader.get(f"/events/{slug}/").content.decode(),
    "reader_api": reader.get(f"/api/events/{slug}").json()["title"],
}
cache.clear()  # or the editor is served the body the reader's request left in the cache
out |= {
    "editor_page": editor.get(f"/events/{slug}/").content.decode(),
    "editor_desk": editor.get("/desk/timeline/event/?q=Kerman").content.decode(),
}
# A write made while a reader's request is on the replica still goes to the primary.
token = routers._replica.set("replica1")
DataVersion.bump()
routers._replica.reset(token)
print("RESULT" + json.dumps(out))
"""


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_readers_read_a_replica_and_editors_and_writes_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "True",
        "DATABASE_URL": f"sqlite:///{primary}",
        "REDIS_URL": "",
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "loaddata", SEED, "-v0")
    with sqlite3.connect(primary) as source:
        # A scheduled event whose time has come, not yet noticed by anyone: the first reader's
        # request brings it live, on the primary, though that request reads the replica.
        source.execute("UPDATE timeline_event SET publish_at = ? WHERE slug = ?", (DUE, LATER))
        source.execute("UPDATE timeline_dataversion SET next_scheduled_at = ?", (DUE,))
        for table in COUNTS:
            source.execute(f"DELETE FROM {table}")
    with sqlite3.connect(primary) as source, sqlite3.connect(replica) as copy:
        source.backup(copy)
        copy.execute("UPDATE timeline_event SET title = ? WHERE slug = ?", (ON_REPLICA, SLUG))
    [version_before] = sqlite3.connect(primary).execute("SELECT number FROM timeline_dataversion")

    env["DATABASE_REPLICA_URLS"] = f"sqlite:///{replica}"
    output = _manage(env, "shell", "-c", SCRIPT % SLUG)
    result = json.loads(output.split("RESULT", 1)[1])

    assert ON_REPLICA in result["reader_page"]
    assert result["reader_api"] == ON_REPLICA
    # Signed in: the primary, in the desk and on the public page alike.
    assert ON_REPLICA not in result["editor_page"]
    assert "Kerman" in result["editor_page"]
    assert "Kerman" in result["editor_desk"] and ON_REPLICA not in result["editor_desk"]
    [version_after] = sqlite3.connect(primary).execute("SELECT number FROM timeline_dataversion")
    [on_replica] = sqlite3.connect(replica).execute("SELECT number FROM timeline_dataversion")
    # Two changes on the primary (the go-live, then the bump below); none on the replica.
    assert version_after[0] == version_before[0] + 2
    assert on_replica == version_before
    db = sqlite3.connect(primary)
    [(day,)] = db.execute("SELECT local_start_date FROM timeline_event WHERE slug = ?", (LATER,))
    [that_day] = db.execute(
        "SELECT COUNT(*) FROM timeline_event WHERE local_start_date = ? AND status = 'published'",
        (day,),
    )
    # Its day recounted on the primary (the other days' rows were cleared above).
    assert db.execute("SELECT SUM(events) FROM timeline_daycount").fetchone() == that_day
    for table in COUNTS:
        assert sqlite3.connect(replica).execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (
            0,
        ), f"nothing written to the replica's {table}"
