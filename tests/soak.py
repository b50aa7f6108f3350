"""`make soak`: the production-like server under load, and through a database outage.

Not a pytest test. Starts gunicorn as `make serve` does (DEBUG off, whitenoise, WORKERS
workers) on PostgreSQL when DATABASE_URL is a postgres URL, else on a throwaway SQLite file,
with the seed chronology plus SOAK_EVENTS synthetic events. wrk then keeps SOAK_CONNECTIONS
connections busy for SOAK_SECONDS over a mix of pages, HTMX fragments, embeds, the API,
exports and feeds; one request in 20 is a search never asked before, which the cache cannot
answer. It reports requests, errors and the server's memory before and after.

With PostgreSQL and SOAK_SECONDS of 30 or more, the database is stopped a third of the way in
and started again: /healthz must answer 503 during the outage and 200 after, with the same
gunicorn processes, and the load after the outage must be error-free again. The database is
started again whatever happens.

    make soak                                # 60 s at 64 connections, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/timeline_soak make soak
    SOAK_SECONDS=5 make soak                 # the smoke run CI does
"""

import asyncio
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "64"))
WORKERS = int(os.environ.get("WORKERS", "3"))
EVENTS = int(os.environ.get("SOAK_EVENTS", "300"))
OUTAGE_SECONDS = 8
# Open pages left polling for news (timeline.reader.live), each every POLL_SECONDS as the page
# does; a short run polls faster, so each page still asks a few times.
PAGES = int(os.environ.get("SOAK_PAGES", "1000"))
POLL_SECONDS = min(15.0, max(1.0, SECONDS / 4))
# "Stable memory": the workers may settle a little after warm-up, but not keep growing.
MEMORY_GROWTH_LIMIT = 0.10

# What every wrk script shares: statuses counted per thread, one JSON summary line at the end.
REPORT_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[tostring(status)] = (total[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do table.insert(parts, '"' .. status .. '":' .. count) end
  local e = summary.errors
  io.write(string.format(
    'SOAK{"requests":%d,"seconds":%.2f,"statuses":{%s},"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p50_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f}\\n',
    summary.requests, summary.duration / 1e6, table.concat(parts, ","), e.connect, e.read,
    e.write, e.timeout, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3))
end
"""

# The mix of readers: TARGETS is replaced by the addresses.
MIX_LUA = (
    """
function init(args)
  statuses = {}
  targets = TARGETS
  n = math.random(#targets)
end
local words = {"strike", "embassy", "Soleimani", "missile", "protest", "Baghdad", "Iran"}
function request()
  n = n % #targets + 1
  if n % 20 == 0 then
    -- A search no one has asked before: the cache cannot answer it, the database must.
    local q = words[math.random(#words)] .. "&fresh=" .. math.random(1000000000)
    return wrk.format("GET", "/?q=" .. q, {["HX-Request"] = "true", ["Accept-Encoding"] = "gzip"})
  end
  local target = targets[n]
  if target[2] then
    return wrk.format("GET", target[1], {["HX-Request"] = "true", ["Accept-Encoding"] = "gzip"})
  end
  return wrk.format("GET", target[1], {["Accept-Encoding"] = "gzip"})
end
"""
    + REPORT_LUA
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urlopen(url, timeout=5) as response:
            return response.status
    except HTTPError as error:
        return error.code
    except OSError:
        return 0


def _rss_kib(pid: int) -> int:
    """Resident memory of gunicorn's master and every worker, in KiB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(child) for child in children]
    return total


def _workers(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


class Database:
    """Where the soak keeps its data, and (for PostgreSQL) how to stop and start it."""

    def __init__(self):
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.folder = None
        if self.postgres:
            self.url = url
            self._create()
        else:
            self.folder = tempfile.mkdtemp(prefix="timeline-soak-")
            self.url = f"sqlite:///{self.folder}/soak.sqlite3"

    def _create(self) -> None:
        import psycopg

        parts = urlsplit(self.url)
        name = parts.path.lstrip("/")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')

    def cluster(self) -> list[str]:
        versions = sorted(os.listdir("/etc/postgresql"), key=float)
        return [versions[-1], "main"]

    def stop(self) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster(), "stop"], check=True
        )

    def start(self) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster(), "start"], check=False
        )

    def running(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", 5432), timeout=1):
                return True
        except OSError:
            return False

    def cleanup(self) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _environment(database: Database) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="False",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        SECURE_COOKIES="False",
        DATABASE_URL=database.url,
        LOG_LEVEL="ERROR",
    )
    return env


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


LISTING = """
import json
from timeline.models import Actor, Event, Source, Timeline
print(json.dumps({
    "seeded": Timeline.objects.filter(slug="soak-demo").exists(),
    "events": list(Event.objects.published().values_list("slug", flat=True)[:8]),
    "actors": list(Actor.objects.published().values_list("slug", flat=True)[:4]),
    "sources": list(Source.objects.published().values_list("slug", flat=True)[:2]),
}))
"""


def _prepare(env: dict) -> dict:
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "loaddata", "fixtures/us-iran-2019-2020.json", "-v0")
    listing = json.loads(_manage(env, "shell", "-c", LISTING).strip().splitlines()[-1])
    # A database kept from an earlier soak already has its synthetic events.
    if EVENTS and not listing["seeded"]:
        _manage(env, "seed_demo", "--events", str(EVENTS), "--timeline", "soak-demo")
    return listing


def _lua_targets(targets: list[tuple[str, bool]]) -> str:
    rows = ", ".join(
        f"{{{json.dumps(path)}, {'true' if htmx else 'false'}}}" for path, htmx in targets
    )
    return "{" + rows + "}"


def _targets(base: str, slugs: dict) -> list[tuple[str, bool]]:
    """(path, as HTMX) for each request in the rotation: what readers and embedders ask for."""
    oembed = "/oembed?format=json&url=" + quote(f"{base}/", safe="")
    targets = [
        ("/", False),
        ("/", True),
        ("/?q=Soleimani", False),
        ("/?q=strike&lanes=actor", True),
        ("/?start=2020-01-01&end=2020-01-08", True),
        ("/timelines/soak-demo/", False),
        ("/timelines/soak-demo/?page=2", True),
        ("/embed/", False),
        ("/embed/?theme=dark&lanes=actor", False),
        (oembed, False),
        ("/api/events", False),
        ("/api/events?timeline=soak-demo&page_size=100", False),
        ("/api/events.csv", False),
        ("/api/events.ics", False),
        ("/api/events.atom", False),
        ("/api/timelinejs.json", False),
        ("/api/actors", False),
        ("/healthz", False),
    ]
    targets += [(f"/events/{slug}/", n % 2 == 1) for n, slug in enumerate(slugs["events"])]
    targets += [(f"/actors/{slug}/", False) for slug in slugs["actors"]]
    targets += [(f"/sources/{slug}/", False) for slug in slugs["sources"]]
    return targets


def _serve(env: dict, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "timeline.config.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(150):
        if _status(f"http://127.0.0.1:{port}/healthz") == 200:
            return server
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log.name}")


def _wrk(base: str, script: Path, seconds: float, connections: int = CONNECTIONS):
    return subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _result(run: subprocess.Popen) -> dict:
    output, _ = run.communicate()
    for line in output.splitlines():
        if line.startswith("SOAK"):
            return json.loads(line[4:])
    raise SystemExit(f"wrk gave no summary:\n{output}")


def _errors(result: dict) -> int:
    bad = sum(n for status, n in result["statuses"].items() if not status.startswith(("2", "3")))
    return bad + sum(result[k] for k in ("connect", "read", "write", "timeout"))


def _describe(name: str, result: dict) -> str:
    statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(result["statuses"].items()))
    sockets = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    return (
        f"{name}: {result['requests']:,} requests in {result['seconds']:.0f} s "
        f"({result['requests'] / result['seconds']:,.0f}/s; {statuses}); "
        f"socket errors {sockets}; latency p50 {result['p50_ms']:.0f} ms, "
        f"p99 {result['p99_ms']:.0f} ms, max {result['max_ms']:.0f} ms"
    )


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn's master and workers."""
    ticks, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(child) for child in children]
    return ticks / os.sysconf("SC_CLK_TCK")


async def _page(port: int, path: str, headers: dict, until: float, seen: list) -> None:
    """One open page: a first ask at a random moment of its interval, then one every
    POLL_SECONDS, a fifth either way, each on a connection of its own, as a browser's idle
    keep-alive would be closed by then."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    # The host as the ETag was fetched with: it is part of what the answer is keyed by.
    host = f"Host: 127.0.0.1:{port}\r\n"
    request = f"GET {path} HTTP/1.1\r\n{host}{lines}Connection: close\r\n\r\n"
    while loop.time() < until:
        started = loop.time()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), timeout=10
            )
            writer.write(request.encode())
            status = (await asyncio.wait_for(reader.readline(), timeout=10)).split()[1].decode()
            await reader.read()
            writer.close()
        except (TimeoutError, OSError, IndexError):
            status = "error"
        seen.append((status, (loop.time() - started) * 1000))
        await asyncio.sleep(POLL_SECONDS * random.uniform(0.8, 1.2))


def _paced(port: int, pid: int, path: str, headers: dict, seconds: float) -> dict:
    """PAGES open pages asking `path` every POLL_SECONDS; with the server's CPU spent."""
    seen: list[tuple[str, float]] = []

    async def pages() -> None:
        until = asyncio.get_running_loop().time() + seconds
        await asyncio.gather(*(_page(port, path, headers, until, seen) for _ in range(PAGES)))

    before, started = _cpu_seconds(pid), time.monotonic()
    asyncio.run(pages())
    cpu = _cpu_seconds(pid) - before
    latencies = sorted(ms for _, ms in seen) or [0.0]
    statuses: dict[str, int] = {}
    for status, _ in seen:
        statuses[status] = statuses.get(status, 0) + 1
    errors = statuses.pop("error", 0)
    return {
        "requests": len(seen),
        "seconds": time.monotonic() - started,
        "statuses": statuses,
        "connect": errors,
        "read": 0,
        "write": 0,
        "timeout": 0,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max_ms": latencies[-1],
        "cpu_ms": cpu * 1000 / max(len(seen), 1),
    }


def _live_check(base: str) -> tuple[str, str]:
    """The home page's live check address, and the ETag its first answer carries (gzip)."""
    with urlopen(base + "/", timeout=10) as response:
        html = response.read().decode()
    path = html.split('id="live-source" data-src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    request = Request(base + path, headers={"Accept-Encoding": "gzip"})
    with urlopen(request, timeout=10) as response:
        return path, response.headers["ETag"]


def _polling(base: str, pid: int) -> tuple[dict, dict]:
    """PAGES open pages polling their live check, then /healthz asked at the same pace."""
    path, etag = _live_check(base)
    port = int(urlsplit(base).port)
    seconds = max(SECONDS / 2, POLL_SECONDS * 3)
    headers = {"If-None-Match": etag, "Accept-Encoding": "gzip"}
    polls = _paced(port, pid, path, headers, seconds)
    health = _paced(port, pid, "/healthz", {"Accept-Encoding": "gzip"}, seconds)
    return polls, health


def _outage(database: Database, base: str) -> dict:
    """Stop the database, watch /healthz, start it, watch /healthz come back."""
    during = []
    database.stop()
    stopped = time.monotonic()
    try:
        while time.monotonic() - stopped < OUTAGE_SECONDS:
            during.append(_status(base + "/healthz"))
            time.sleep(0.5)
    finally:
        database.start()
    started = time.monotonic()
    after = _status(base + "/healthz")
    while after != 200 and time.monotonic() - started < 30:
        time.sleep(0.25)
        after = _status(base + "/healthz")
    return {
        "during": during,
        "after": after,
        "recovered_in": time.monotonic() - started,
        "down_for": started - stopped,
    }


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    database = Database()
    restart = database.postgres and SECONDS >= 30
    if os.environ.get("SOAK_DB_RESTART") in ("0", "1"):
        restart = database.postgres and os.environ["SOAK_DB_RESTART"] == "1"
    env = _environment(database)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(tempfile.gettempdir()) / f"timeline-soak-{port}.log", "w")
    kind = "PostgreSQL" if database.postgres else "SQLite"
    print(f"soak: preparing {kind} with the seed chronology and {EVENTS} synthetic events")
    server = None
    try:
        slugs = _prepare(env)
        server = _serve(env, port, log)
        script = Path(tempfile.gettempdir()) / f"timeline-soak-{port}.lua"
        targets = _targets(base, slugs)
        script.write_text(MIX_LUA.replace("TARGETS", _lua_targets(targets)))
        # Every worker warmed up first (imports, caches), so "before" is a server in service.
        for path, _ in targets:
            _status(base + path)
        _result(_wrk(base, script, 3))
        workers = _workers(server.pid)
        rss_before = _rss_kib(server.pid)
        print(
            f"soak: gunicorn with {WORKERS} workers on {base}, {len(targets)} addresses, "
            f"{CONNECTIONS} connections, {SECONDS} s; RSS {rss_before / 1024:.0f} MiB"
        )
        phases, outage = [], None
        if restart:
            first = SECONDS * 0.4
            phases.append(("before the outage", _result(_wrk(base, script, first))))
            middle = _wrk(base, script, OUTAGE_SECONDS + 6)
            time.sleep(1)
            outage = _outage(database, base)
            phases.append(("during the outage", _result(middle)))
            rest = max(5, SECONDS - first - OUTAGE_SECONDS - 6)
            phases.append(("after the outage", _result(_wrk(base, script, rest))))
        else:
            phases.append(("load", _result(_wrk(base, script, SECONDS))))
        polls, health = _polling(base, server.pid) if PAGES else (None, None)
        rss_after = _rss_kib(server.pid)
        same_workers = _workers(server.pid) == workers and server.poll() is None
    finally:
        if database.postgres and not database.running():
            database.start()
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        log.close()
        database.cleanup()

    failed = []
    total = sum(result["requests"] for _, result in phases)
    print(f"soak: {total:,} requests in all")
    for name, result in phases:
        print("  " + _describe(name, result))
        if name != "during the outage" and _errors(result):
            failed.append(f"{_errors(result)} errors {name}")
    during = phases[1][1] if outage else None
    if during:
        unexpected = {s for s in during["statuses"] if s.startswith("5") and s != "503"}
        if unexpected:
            failed.append(f"statuses {sorted(unexpected)} during the outage (only 503 expected)")
    if polls:
        unchanged = polls["statuses"].get("304", 0)
        print(
            f"  {PAGES:,} open pages polling every {POLL_SECONDS:.0f} s: "
            + _describe("live checks", polls).split(": ", 1)[1]
            + f"; {unchanged / max(polls['requests'], 1):.0%} answered 304; "
            f"CPU {polls['cpu_ms']:.2f} ms per check"
        )
        print(
            "  /healthz at the same pace: "
            + _describe("healthz", health).split(": ", 1)[1]
            + f"; CPU {health['cpu_ms']:.2f} ms per request — a live check costs "
            f"{polls['cpu_ms'] / max(health['cpu_ms'], 0.001):.1f}× /healthz"
        )
        rate = PAGES / 15  # as the page polls, every 15 s (TIMELINE_LIVE_POLL_SECONDS)
        print(
            f"  at the page's 15 s, {PAGES:,} open pages ask {rate:.0f} times a second: "
            f"{rate * polls['cpu_ms']:.0f} ms of server CPU per second "
            f"({rate * polls['cpu_ms'] / 10 / max(WORKERS, 1):.1f} % of each of {WORKERS} workers)"
        )
        for name, result in (("live checks", polls), ("/healthz", health)):
            if _errors(result):
                failed.append(f"{_errors(result)} errors in the {name}")
        if not unchanged:
            failed.append("no live check was answered 304")
    print(
        f"  memory (RSS, master + {WORKERS} workers): {rss_before / 1024:.0f} MiB before, "
        f"{rss_after / 1024:.0f} MiB after ({(rss_after - rss_before) / 1024:+.0f} MiB)"
    )
    if rss_after > rss_before * (1 + MEMORY_GROWTH_LIMIT):
        failed.append(f"memory grew by more than {MEMORY_GROWTH_LIMIT:.0%}")
    print(f"  same gunicorn processes throughout: {'yes' if same_workers else 'NO'}")
    if not same_workers:
        failed.append("gunicorn workers were replaced")
    if outage:
        seen = ", ".join(f"{s}×{outage['during'].count(s)}" for s in sorted(set(outage["during"])))
        print(
            f"  database stopped for {outage['down_for']:.1f} s: /healthz answered {seen}; "
            f"after the start it answered {outage['after']} within "
            f"{outage['recovered_in']:.1f} s, without restarting the app"
        )
        if not outage["during"] or set(outage["during"]) != {503}:
            failed.append("/healthz did not answer 503 throughout the outage")
        if outage["after"] != 200:
            failed.append("/healthz did not come back to 200")
    print("soak: " + ("FAILED: " + "; ".join(failed) if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
