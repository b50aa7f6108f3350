"""Screenshots of what readers get, beside TimelineJS's rendering of the same export.

`make gallery` writes tests/artifacts/gallery/: the timeline, a filtered view, an event panel
and the embed, at 390 and 1440 pixels wide, light and dark; and TimelineJS 3 (from npm) drawing
our own /api/timelinejs.json at both widths. Not a test: pictures to look at side by side.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bench import timelinejs_html  # noqa: E402
from tests.browser import CHROMIUM, FLAGS  # noqa: E402

OUT = ROOT / "tests" / "artifacts" / "gallery"
PY = str(ROOT / ".venv" / "bin" / "python")
PORT = int(os.environ.get("GALLERY_PORT", "8791"))
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
VIEWS = {
    "timeline": "/",
    "filtered": "/?category=funeral&category=attack",
    "embed": "/embed/",
}


def serve(database: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "DEBUG": "True", "DATABASE_URL": f"sqlite:///{database}"}
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["loaddata", "fixtures/us-iran-2019-2020.json"],
    ):
        subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    for _ in range(100):
        try:
            urlopen(base + "/healthz")
            return server, base
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def timelinejs_page(folder: Path, base: str) -> Path:
    return timelinejs_html(
        folder, json.loads(urlopen(base + "/api/timelinejs.json").read()), "timelinejs.html"
    )


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="gallery-"))
    server, base = serve(scratch / "gallery.sqlite3")
    try:
        theirs = timelinejs_page(scratch, base)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for size_name, size in WIDTHS.items():
                phone = size_name == "phone"
                for scheme in ("light", "dark"):
                    context = browser.new_context(
                        viewport=size, color_scheme=scheme, has_touch=phone, is_mobile=phone
                    )
                    page = context.new_page()
                    for name, path in VIEWS.items():
                        page.goto(base + path)
                        page.wait_for_selector("#timeline-chart .points .point")
                        page.wait_for_timeout(300)
                        page.screenshot(path=OUT / f"{name}-{size['width']}-{scheme}.png")
                    page.goto(base + "/")
                    page.locator("#chronology .event-card h3 a").nth(10).click()
                    page.locator("#event-panel .panel-inner").wait_for()
                    page.wait_for_timeout(300)
                    page.screenshot(path=OUT / f"panel-{size['width']}-{scheme}.png")
                    context.close()
                page = browser.new_page(viewport=size)
                page.goto(theirs.as_uri())
                page.wait_for_selector(".tl-timemarker", state="attached")
                page.wait_for_timeout(1500)
                page.screenshot(path=OUT / f"timelinejs-{size['width']}.png")
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"screenshots in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
