"""`make bench`: how the reader's timeline holds up at 1,000, 10,000 and 100,000 events, and
1,000,000 on PostgreSQL.

A benchmark, not a test: it prints one table and never fails. Each size gets a throw-away
database (SQLite, or PostgreSQL when DATABASE_URL points there; Redis when REDIS_URL is set),
seeded with `manage.py seed_demo`. Server times are ratios to /healthz measured in the same run,
so the figures compare across machines. TimelineJS draws the same events in the same Chromium.
"""

import functools
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
# A million events only on PostgreSQL: the embedded SQLite is for one machine's newsroom.
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
DEFAULT_SIZES = "1000,10000,100000" + (",1000000" if ON_POSTGRES else "")
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", DEFAULT_SIZES).split(",")]
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
TIMELINEJS_LIMIT_SECONDS = 120
# Each uncached sample follows a new data version; 7 left the median at the mercy of a slow
# second (53 against 108 ms for the same view, run to run).
UNCACHED_RUNS = 21
# Time to chart is the median of this many page loads, each in a new browser context: one
# load gave 0.66 s at 100,000 events in one run and 1.11 s in the next, and TimelineJS 2.18
# and 1.83 s at 1,000.
CHART_RUNS = 5
# Past this TimelineJS is not tried: at 100,000 events it gives up after the limit already.
TIMELINEJS_MAX_EVENTS = 100_000
sys.path.insert(0, str(ROOT))
from tests.browser import CHROMIUM, FLAGS  # noqa: E402 - the same Chromium as the tests


def database_url(n: int) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        root = base.rsplit("/", 1)[0]
        name = f"timeline_bench_{n}"
        subprocess.run(
            ["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name],
            check=False,
            capture_output=True,
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        return f"{root}/{name}"
    path = Path(tempfile.gettempdir()) / f"timeline-bench-{n}.sqlite3"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def env_for(url: str, debug: str = "True") -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DEBUG=debug,
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="False",
        SECURE_SSL_REDIRECT="False",
    )
    return env


def manage(url: str, *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env_for(url),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


IN_PROCESS = r"""
import json, re, statistics, time
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from timeline.models import Event

client = Client(HTTP_HOST="localhost")
slug = Event.objects.published().filter(timelines__slug="demo").values_list("slug", flat=True)[0]
pages = {
    "page": ("/timelines/demo/", {}),
    "fragment": ("/timelines/demo/", {"HX-Request": "true"}),
    "embed": ("/embed/demo/", {}),
    "event": (f"/events/{slug}/", {}),
}
out = {"queries": {}}
for name, (path, headers) in pages.items():
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    out["queries"][name] = len(captured)

def timed(path, headers, runs, clear):
    samples = []
    for _ in range(runs):
        if clear:
            cache.clear()
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append(time.perf_counter() - began)
        assert response.status_code == 200
    return statistics.median(samples)

hx = {"HX-Request": "true"}
fragment = client.get("/timelines/demo/", headers=hx).content
out["fragment_bytes"] = len(fragment)
figure = json.loads(re.search(rb'id="timeline-figure" type="application/json">(.*?)</script>',
                               fragment, re.S).group(1))
# Marks drawn for events (bars and points) and counted bins: what the browser must draw.
out["markers"] = sum(len(t.get("customdata") or t.get("hovertext") or [])
                     for t in figure["data"] if t["type"] == "bar" or t.get("mode") == "markers")
print("BENCH" + json.dumps(out))
"""


def in_process(url: str) -> dict:
    done = subprocess.run(
        [PY, "manage.py", "shell", "-c", IN_PROCESS],
        cwd=ROOT,
        env=env_for(url, "False"),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.split("BENCH", 1)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, log: Path | None = None):
    port = free_port()
    env = env_for(url, "False")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "timeline.config.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log.open("w") if log else None,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urlopen(base + "/healthz", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def load(url: str) -> tuple[float, int]:
    """Requests per second and errors for LOAD_SECONDS at 32 connections."""
    if shutil.which("wrk"):
        done = subprocess.run(
            ["wrk", "-t2", "-c32", f"-d{LOAD_SECONDS}s", "-H", "Accept-Encoding: gzip", url],
            capture_output=True,
            text=True,
        )
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
        errors = sum(
            int(n)
            for n in re.findall(
                r"(?:Non-2xx or 3xx responses|"
                r"connect|read|write|timeout) (\d+)",
                done.stdout,
            )
        )
        return rps, errors
    from concurrent.futures import ThreadPoolExecutor

    deadline = time.monotonic() + LOAD_SECONDS

    def worker(_):
        ok = bad = 0
        while time.monotonic() < deadline:
            try:
                ok += urlopen(url, timeout=10).status == 200
            except OSError:
                bad += 1
        return ok, bad

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(worker, range(32)))
    return sum(r[0] for r in results) / LOAD_SECONDS, sum(r[1] for r in results)


def new_version(url: str) -> None:
    """What a publish does to every cached answer: the data version moves on, so the next
    request for any view renders it (unknown parameters are no way round the cache, which
    leaves them out of its key)."""
    sql = "UPDATE timeline_dataversion SET number = number + 1 WHERE id = 1"
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
            db.execute(sql)
    else:
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(sql)


def server_times(base: str, url: str) -> dict:
    """Median seconds per request over loopback: /healthz, and the fragment cold and warm.

    /healthz is timed between the other samples, not before them: this machine's speed drifts
    by a third from one minute to the next, and a floor taken in another minute moved the
    ratios by as much (README, bench notes)."""
    from urllib.request import Request

    floor: list[float] = []

    def timed(path: str) -> float:
        request = Request(base + path, headers={"HX-Request": "true", "Accept-Encoding": "gzip"})
        began = time.perf_counter()
        urlopen(request).read()
        return time.perf_counter() - began

    def median(path: str, runs: int, fresh: bool, floor_each: int) -> float:
        samples = []
        for _ in range(runs):
            # Before, not after: /healthz just after a render measured about 10 % slower.
            floor.extend(timed("/healthz?") for _ in range(floor_each))
            if fresh:
                new_version(url)
            samples.append(timed(path))
        return statistics.median(samples)

    fragment = "/timelines/demo/?lanes=category"
    median(fragment, 3, False, 0)
    median("/healthz?", 20, False, 0)  # warm
    found = {
        "uncached": median(fragment, UNCACHED_RUNS, True, 10),
        "cached": median(fragment, 200, False, 1),
        # What the kept counts cannot answer: counted from the events, and reported apart.
        "search": median("/timelines/demo/?q=ceasefire", UNCACHED_RUNS, True, 3),
        "actor": median(f"/timelines/demo/?actor={DEMO_ACTOR}", UNCACHED_RUNS, True, 3),
    }
    return {"healthz": statistics.median(floor), **found}


DEMO_ACTOR = "demo-actor-1-0"  # seed_demo's first actor (its default --seed is 1)


def single_flight(base: str, log: Path, readers: int = 64) -> int:
    """Renders caused by `readers` simultaneous first requests for one new view, as the
    server's log counts them (timeline.caching logs each render)."""
    import threading
    from urllib.request import Request

    marker = f"flight-{time.time_ns()}"
    url = f"{base}/timelines/demo/?lanes=category&q=&{marker}=1&start=2016-01-01"
    start = threading.Barrier(readers)

    def read() -> None:
        start.wait()
        urlopen(Request(url, headers={"HX-Request": "true"}), timeout=60).read()

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(0.5)  # the log is written by other processes
    return sum(1 for line in log.read_text().splitlines() if "rendered" in line and marker in line)


def first_visit_bytes(base: str) -> tuple[int, int]:
    """Bytes of / and everything it loads, as sent: (to a browser that takes brotli, as
    Chromium does, to a client that takes only gzip). Whitenoise serves static files
    precompressed; the page itself is compressed by the app."""
    from urllib.request import Request

    def sent(path: str, accept: str) -> int:
        return len(urlopen(Request(base + path, headers={"Accept-Encoding": accept})).read())

    html = urlopen(base + "/").read()
    # data-plotly: the chart's plotly.js, which chart.js asks for once the page has painted.
    paths = ["/"] + [
        a.decode() for a in re.findall(rb'(?:src|href|data-plotly)="(/static/[^"]+)"', html)
    ]
    browser = sum(sent(path, "gzip, deflate, br, zstd") for path in paths)
    gzip_only = sum(sent(path, "gzip") for path in paths)
    return browser, gzip_only


def time_to_chart(browser, url: str, selector: str, timeout: float, before=None) -> tuple:
    """(first contentful paint, chart drawn) in seconds from the request, medians of
    CHART_RUNS loads, each after `before()`; None if the first load did not draw."""
    loads = []
    for _ in range(CHART_RUNS):
        if before is not None:
            before()
        paint, chart = _load_once(browser, url, selector, timeout)
        if chart is None:
            return (None, None) if not loads else _medians(loads)
        loads.append((paint, chart))
    return _medians(loads)


def _medians(loads: list[tuple]) -> tuple:
    paints = [paint for paint, _ in loads if paint is not None]
    return (statistics.median(paints) if paints else None), statistics.median(c for _, c in loads)


def _load_once(browser, url: str, selector: str, timeout: float) -> tuple:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    began = time.perf_counter()
    try:
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        # "attached", not "visible": TimelineJS keeps most markers outside its viewport.
        page.wait_for_selector(selector, state="attached", timeout=timeout * 1000)
        chart = time.perf_counter() - began
        # The browser's own paint timing, from the start of navigation.
        paint = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
        )
        return (paint / 1000 if paint else None), chart
    except Exception:
        return None, None
    finally:
        page.close()


def timelinejs_html(folder: Path, data: dict, name: str, height: str = "100vh") -> Path:
    """A page in `folder` drawing `data` with TimelineJS 3, installed from npm beside it."""
    if not (folder / "node_modules" / "@knight-lab" / "timelinejs").exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "@knight-lab/timelinejs",
            ],
            check=True,
        )
    dist = "node_modules/@knight-lab/timelinejs/dist"
    page = folder / name
    page.write_text(f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{dist}/css/timeline.css"></head><body style="margin:0">
<div id="timeline-embed" style="width:100%;height:{height}"></div>
<script src="{dist}/js/timeline.js"></script>
<script>window.timeline = new TL.Timeline('timeline-embed', {json.dumps(data)});</script>
</body></html>""")
    return page


def timelinejs_page(folder: Path, url: str, n: int) -> Path:
    """The same events in TimelineJS's JSON, on a page that loads TimelineJS from npm."""
    rows = json.loads(
        manage(
            url,
            "shell",
            "-c",
            (
                "import json; from timeline.models import Event; print(json.dumps(["
                "[e.local_start.year, e.local_start.month, e.local_start.day, e.title, e.summary] "
                "for e in Event.objects.published().filter(timelines__slug='demo').only("
                "'title','summary','start','timezone')]))"
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    data = {
        "title": {"text": {"headline": f"{n} events"}},
        "events": [
            {"start_date": {"year": y, "month": m, "day": d}, "text": {"headline": t, "text": s}}
            for y, m, d, t, s in rows
        ],
    }
    return timelinejs_html(folder, data, f"tl-{n}.html", height="600px")


def main() -> None:
    from playwright.sync_api import sync_playwright

    if not shutil.which("wrk") and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True)
    rows = []
    tjs_folder = Path(tempfile.mkdtemp(prefix="timelinejs-bench-"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for n in SIZES:
            url = database_url(n)
            manage(url, "migrate", "--noinput", "-v0")
            began = time.perf_counter()
            manage(url, "seed_demo", "--events", str(n), "--timeline", "demo")
            seeded = time.perf_counter() - began
            subprocess.run(
                [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env_for(url, "False"),
                check=True,
            )
            figures = in_process(url)
            server_log = Path(tempfile.gettempdir()) / f"timeline-bench-{n}.log"
            server, base = serve(url, server_log)
            try:
                figures.update(server_times(base, url))
                new_version(url)
                figures["flight"] = single_flight(base, server_log)
                urlopen(base + "/embed/demo/").read()  # warm the shared cache
                health_rps, health_errors = load(base + "/healthz")
                embed_rps, embed_errors = load(base + "/embed/demo/")
                ours = time_to_chart(
                    browser,
                    base + "/timelines/demo/",
                    "#timeline-chart .cartesianlayer .points path, #timeline-chart .points .point",
                    60,
                    # Each load renders the page anew, as the first reader after a publish.
                    before=functools.partial(new_version, url),
                )
                first_visit = first_visit_bytes(base)
            finally:
                server.terminate()
                server.wait()
            theirs = (None, None)
            if n <= TIMELINEJS_MAX_EVENTS:
                page = timelinejs_page(tjs_folder, url, n)
                theirs = time_to_chart(
                    browser, page.as_uri(), ".tl-timemarker", TIMELINEJS_LIMIT_SECONDS
                )
            rows.append(
                (
                    n,
                    seeded,
                    figures,
                    health_rps,
                    embed_rps,
                    health_errors + embed_errors,
                    ours,
                    theirs,
                    first_visit,
                )
            )
        browser.close()
    shutil.rmtree(tjs_folder, ignore_errors=True)
    report(rows)


def _seconds(value: float | None, missing: str = "—") -> str:
    return missing if value is None else f"{value:.2f}"


def report(rows) -> None:
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory"
    print(
        f"\nmake bench — {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {db}, "
        f"cache: {cache}, load {LOAD_SECONDS}s × 32 connections\n"
    )
    head = (
        "| events | seed s | queries page/fragment/embed/event | fragment KB | markers | "
        "uncached ÷ healthz | search / actor filter ÷ healthz | 64 at once: renders | "
        "cached ÷ healthz | embed rps ÷ healthz rps | errors | "
        "first paint s | time to chart s | TimelineJS first paint / chart s | "
        "first visit KB (br / gzip only) |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for n, seeded, f, health_rps, embed_rps, errors, ours, theirs, first in rows:
        q = f["queries"]
        print(
            f"| {n:,} | {seeded:.0f} | {q['page']}/{q['fragment']}/{q['embed']}/{q['event']} | "
            f"{f['fragment_bytes'] / 1024:.0f} | {f['markers']:,} | "
            f"{f['uncached'] / f['healthz']:.1f}× ({f['uncached'] * 1000:.0f} ms) | "
            f"{f['search'] / f['healthz']:.0f}× / {f['actor'] / f['healthz']:.0f}× "
            f"({f['search'] * 1000:.0f} / {f['actor'] * 1000:.0f} ms) | {f['flight']} | "
            f"{f['cached'] / f['healthz']:.1f}× | "
            f"{embed_rps / health_rps:.0%} ({embed_rps:.0f}/{health_rps:.0f}) | {errors} | "
            f"{_seconds(ours[0])} | {_seconds(ours[1], 'failed')} | "
            f"{_seconds(theirs[0])} / "
            f"{_seconds(theirs[1], 'gave up' if n <= TIMELINEJS_MAX_EVENTS else 'not tried')} | "
            f"{first[0] / 1000:.0f} / {first[1] / 1000:.0f} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
