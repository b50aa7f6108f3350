"""What several test modules share: the desk's forms and actions as a browser posts them,
signed-in browser pages, and a second origin on loopback for host pages.

Test modules import from here (or get fixtures from conftest.py), never from each other.
"""

import contextlib
import datetime as dt
import functools
import importlib
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from django.urls import reverse

from timeline.models import Event

PASSWORD = "correct horse battery"
CHANGELIST = "admin:timeline_event_changelist"
INLINES = {
    "event_actors": ["actor", "role", "note"],
    "citations": ["source", "quote", "note"],
    "claims": [
        "kind",
        "qualifier",
        "value",
        "value_max",
        "text",
        "source",
        "attributed_to",
        "reported_timezone",
        "sequence",
    ],
    "more_places": ["name", "country", "latitude", "longitude", "approximate"],
    "links_out": ["to_event", "kind"],
}


def form_data(event: Event | None, category, **overrides) -> dict:
    """What the change form posts: the event's fields plus every inline's management form."""
    local = event.local_start if event else dt.datetime(2020, 1, 3, 0, 30)
    data = {
        "title": event.title if event else "Airport strike",
        "slug": event.slug if event else "airport-strike",
        "summary": "A drone strike.",
        "body": "",
        "category": category.pk,
        "importance": 5,
        "start": local.strftime("%Y-%m-%d %H:%M"),
        "precision": "",
        "end": "",
        "end_precision": "",
        "timezone": "Asia/Baghdad",
        "place_name": "Baghdad",
        "country": "IQ",
        "latitude": "",
        "longitude": "",
        "image_url": "",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "image_width": "",
        "image_height": "",
        "media_url": "",
        "media_title": "",
        "status": event.status if event else "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "seen_version": event.version if event else "",
        "duplicate_ok": "",
        # The checkboxes as the form shows them: the event's timelines, a new one on the main.
        "timelines": [t.pk for t in event.timelines.all()] if event else [],
    }
    for prefix, fields in INLINES.items():
        rows = list(getattr(event, prefix).all()) if event else []
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            for field in fields:
                value = (
                    getattr(row, f"{field}_id", None)
                    if hasattr(row, f"{field}_id")
                    else (getattr(row, field))
                )
                data[f"{prefix}-{i}-{field}"] = "" if value is None else value
    data.update(overrides)
    return data


def change_url(event: Event) -> str:
    return reverse("admin:timeline_event_change", args=[event.pk])


def admin_action(client, name: str, *events: Event, versions: dict | None = None):
    """A bulk action on the event list, each row with the version the list showed."""
    data = {"action": name, "_selected_action": [e.pk for e in events]}
    for event in events:
        seen = (versions or {}).get(event.pk, event.version)
        data[f"seen-version-{event.pk}"] = seen
    return client.post(reverse(CHANGELIST), data, follow=True)


def ensure_groups() -> None:
    """The Editor and Publisher groups, which a transactional test's flush may have removed."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if Group.objects.filter(name__in=["Editor", "Publisher"]).count() != 2:
        groups = importlib.import_module("timeline.migrations.0002_editor_and_publisher_groups")
        groups.create_groups(apps, None)


def staff_user(username: str, group: str):
    from django.contrib.auth.models import Group, User

    ensure_groups()
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def sign_in(page, username: str):
    """The admin's login form filled in as a person does; returns the page, on the index."""
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


class _QuietHandler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/favicon.ico":  # which a browser asks every page's origin for
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve_directory(directory):
    """Another origin: `directory` served on 127.0.0.1 (the live server answers on
    localhost). Yields the origin, e.g. http://127.0.0.1:40123."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
