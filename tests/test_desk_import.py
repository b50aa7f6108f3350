import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reversion.models import Version

from timeline.desk.sheet_import import MAX_BYTES, SESSION_KEY
from timeline.models import Category, Event

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:timeline_event_import")
SAMPLES = Path(__file__).parent / "samples"
SHEET_HEADER = (
    "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,"
    "Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background\n"
)


def _sheet(*rows: str) -> bytes:
    return (SHEET_HEADER + "\n".join(rows) + "\n").encode()


def _upload(client, content: bytes, name: str = "sheet.csv", **fields):
    data = {
        "file": SimpleUploadedFile(name, content),
        "timezone": "Europe/Oslo",
        "timeline": "",
        "category": "Imported",
        **fields,
    }
    return client.post(IMPORT, data)


def _confirm(client, token: str, follow: bool = True):
    return client.post(IMPORT, {"token": token}, follow=follow)


def _token(client) -> str:
    return client.session[SESSION_KEY]["token"]


GOOD_AND_BAD = _sheet(
    "2020,1,6,7:45 AM,,,,,,New timetable starts,<p>The first boat.</p>,,,,,,Service,",
    "2020,13,1,,,,,,,Bad month,,,,,,,,",
    "2020,2,,,,,,,,Passenger numbers published,<p>More riders.</p>,,,,,,,",
)


def test_the_change_list_links_to_the_import(client, editor):
    client.force_login(editor)
    listing = client.get(reverse("admin:timeline_event_changelist")).content.decode()
    assert f'href="{IMPORT}"' in listing
    assert "Import a TimelineJS sheet" in listing


def test_the_dry_run_shows_each_row_with_its_date_and_errors_and_creates_nothing(client, editor):
    client.force_login(editor)
    response = _upload(client, GOOD_AND_BAD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "New timetable starts" in page
    assert "6 January 2020, 07:45" in page
    assert "row 3" in page and "Month: 13 is not between 1 and 12" in page
    assert '<tr class="import-bad">' in page
    assert "2 rows will become drafts" in page
    assert "Create 2 drafts" in page
    assert not Event.objects.exists()
    assert not Category.objects.exists()
    assert not Version.objects.exists()


def test_confirm_creates_only_the_good_rows_as_drafts_by_the_editor(client, editor, timeline):
    client.force_login(editor)
    _upload(client, GOOD_AND_BAD, timeline=timeline.pk)
    response = _confirm(client, _token(client))
    events = list(Event.objects.order_by("title"))
    assert [e.title for e in events] == ["New timetable starts", "Passenger numbers published"]
    assert {e.status for e in events} == {"draft"}
    assert {(e.created_by, e.updated_by) for e in events} == {(editor, editor)}
    assert all(timeline in e.timelines.all() for e in events)
    for event in events:
        version = Version.objects.get_for_object(event).get()
        assert version.revision.user == editor
        assert version.revision.get_comment() == "Imported from sheet.csv"
    only_these = f"id__in={events[0].pk}%2C{events[1].pk}"
    assert response.redirect_chain[-1][0].endswith(only_these)
    page = response.content.decode()
    assert "Created 2 draft event(s) from “sheet.csv”" in page
    assert "Not imported: row 3 (Month: 13 is not between 1 and 12)" in page


def test_imported_drafts_are_not_on_the_public_pages_or_the_api(client, editor, make_event):
    make_event("Live")
    client.force_login(editor)
    _upload(client, GOOD_AND_BAD)
    _confirm(client, _token(client))
    assert Event.objects.filter(title="New timetable starts").exists()
    client.logout()
    for url in ["/", "/api/events", "/api/events.csv", "/api/timelinejs.json"]:
        body = client.get(url).content.decode()
        assert "Live" in body, url
        assert "New timetable starts" not in body and "Passenger numbers" not in body, url


def test_confirming_twice_creates_nothing_twice(client, editor):
    client.force_login(editor)
    _upload(client, GOOD_AND_BAD)
    token = _token(client)
    _confirm(client, token)
    again = _confirm(client, token)
    assert Event.objects.count() == 2
    assert "already done" in again.content.decode()


def test_uploading_the_same_file_again_finds_its_rows_already_in_the_desk(client, editor):
    client.force_login(editor)
    _upload(client, GOOD_AND_BAD)
    _confirm(client, _token(client))
    page = _upload(client, GOOD_AND_BAD).content.decode()
    assert "looks like “New timetable starts”, already in the desk" in page
    assert "No row can be imported" in page
    assert 'name="token"' not in page


def test_confirm_reads_the_file_kept_on_the_server_not_a_posted_table(client, editor):
    client.force_login(editor)
    _upload(client, GOOD_AND_BAD)
    client.post(
        IMPORT,
        {"token": _token(client), "rows": "2020,1,1,,,,,,,Smuggled in,,,,,,,,", "text": "x"},
    )
    assert not Event.objects.filter(title="Smuggled in").exists()
    assert Event.objects.count() == 2


def test_a_forged_token_creates_nothing(client, editor):
    client.force_login(editor)
    _upload(client, GOOD_AND_BAD)
    response = _confirm(client, "not-the-token")
    assert not Event.objects.exists()
    assert "nothing was created" in response.content.decode()


def test_a_timelinejs_json_file_is_checked_and_imported_too(client, editor):
    client.force_login(editor)
    page = _upload(client, (SAMPLES / "timelinejs.json").read_bytes(), "harbour.json")
    assert "Bridge opens to traffic" in page.content.decode()
    assert "6 rows will become drafts" in page.content.decode()
    _confirm(client, _token(client))
    assert Event.objects.filter(status="draft").count() == 6


def test_what_the_file_contains_is_shown_escaped(client, editor):
    client.force_login(editor)
    hostile = json.dumps(
        {
            "events": [
                {
                    "start_date": {"year": "<img src=x onerror=alert(1)>"},
                    "text": {"headline": "&lt;script&gt;alert(1)&lt;/script&gt;"},
                    "group": "&lt;b&gt;bold&lt;/b&gt;",
                }
            ]
        }
    ).encode()
    page = _upload(client, hostile, "<b>evil.json").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>evil" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;evil.json" in page


def test_a_json_slide_of_the_wrong_shape_is_a_row_error_and_the_rest_imports(client, editor):
    client.force_login(editor)
    content = json.dumps(
        {
            "events": [
                {"start_date": "2020", "text": {"headline": "Wrong shape"}},
                {"start_date": {"year": 2020, "month": 3}, "text": {"headline": "Fine"}},
            ]
        }
    ).encode()
    page = _upload(client, content, "mixed.json").content.decode()
    assert "events[0]" in page and "start_date: expected an object" in page
    assert "1 row will become a draft" in page
    assert "Create 1 draft" in page
    _confirm(client, _token(client))
    assert list(Event.objects.values_list("title", flat=True)) == ["Fine"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.txt", b"Year,Headline\n2020,Hello\n", "Upload a .csv file"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not UTF-8 text"),
        ("empty.csv", b"", "The submitted file is empty."),
        ("blank.csv", b"   \n\n", "The file is empty."),
        ("other.csv", b"date,title\n2020-01-01,Something\n", "row 1, Year: the column is missing"),
        ("broken.json", b'{"events": [\n  {"start_date": }\n]}', "line 2"),
        ("list.json", b"[1, 2, 3]", "a TimelineJS file has a list of events"),
        ("eras.json", b'{"events": [], "eras": 5}', "expected a list of eras"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "We cannot read this"),
        ("header.csv", SHEET_HEADER.encode(), "The file has no events in it."),
        ("nul.csv", SHEET_HEADER.encode() + b"2020,\x00,,", "not a text file"),
        ("big.csv", SHEET_HEADER.encode() + b"x" * MAX_BYTES, "the import takes at most"),
    ],
    ids=lambda value: (
        value if isinstance(value, str) and value.endswith(("csv", "json", "txt")) else ""
    ),
)
def test_a_malformed_upload_is_a_form_error_not_a_crash(client, editor, name, content, message):
    client.force_login(editor)
    response = _upload(client, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert not Event.objects.exists()


def test_broken_dates_are_row_errors_in_the_table(client, editor):
    client.force_login(editor)
    page = _upload(
        client,
        _sheet(
            "2020,2,30,,,,,,,No such day,,,,,,,,",
            "2020,1,2,noon,,,,,,Bad time,,,,,,,,",
            "2020,1,9,,2020,1,2,,,Ends first,,,,,,,,",
        ),
    ).content.decode()
    assert "Day: 30 is not between 1 and 29" in page
    assert "Time: “noon” is not a time" in page
    assert "End Year: the end is before the start" in page
    assert "2020-2-30" in page  # the date as the file wrote it, when it cannot be read
    assert "No row can be imported" in page


def test_a_publisher_can_import_too(client, publisher):
    client.force_login(publisher)
    _upload(client, GOOD_AND_BAD)
    _confirm(client, _token(client))
    assert Event.objects.filter(created_by=publisher, status="draft").count() == 2


def test_the_import_refuses_anonymous_visitors_and_staff_who_may_not_add_events(client):
    assert client.get(IMPORT).status_code == 302
    assert client.post(IMPORT, {"token": "x"}).status_code == 302
    viewer = User.objects.create_user("viewer", password="correct horse battery", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(viewer)
    assert client.get(IMPORT).status_code == 403
    assert _upload(client, GOOD_AND_BAD).status_code == 403
    assert not Event.objects.exists()
    listing = client.get(reverse("admin:timeline_event_changelist"))
    assert listing.status_code == 200
    assert IMPORT not in listing.content.decode()
