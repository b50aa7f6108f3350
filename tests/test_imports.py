import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from timeline.models import Category, Event, Timeline

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
SHEET_HEADER = (
    "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,"
    "Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background\n"
)


def _import(path, *args) -> str:
    out = io.StringIO()
    call_command("import_timelinejs", str(path), *args, stdout=out)
    return out.getvalue()


def _sheet(tmp_path, *rows: str) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_text(SHEET_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_timelinejs_json_file_becomes_drafts_on_a_new_unpublished_timeline():
    output = _import(SAMPLES / "timelinejs.json", "--timeline", "harbour-bridge")
    timeline = Timeline.objects.get(slug="harbour-bridge")
    assert not timeline.is_published
    assert timeline.title == "Harbour bridge: from plan to opening"
    assert timeline.events.count() == 6
    assert set(Event.objects.values_list("status", flat=True)) == {"draft"}
    assert "6 new" in output


def test_json_dates_keep_their_precision_in_the_time_zone_given():
    _import(SAMPLES / "timelinejs.json", "--timeline", "t", "--timezone", "Europe/London")
    london = ZoneInfo("Europe/London")
    found = {e.title: e for e in Event.objects.all()}
    assert found["Bridge first proposed"].precision == "year"
    assert found["Bridge first proposed"].slug == "bridge-first-proposed"
    consultation = found["Public consultation"]
    assert (consultation.precision, consultation.end_precision) == ("month", "month")
    assert consultation.local_end.month == 9
    opening = found["Bridge opens to traffic"]
    assert opening.precision == "minute"
    assert opening.local_start == dt.datetime(2008, 6, 30, 11, 15, tzinfo=london)
    assert opening.timezone == "Europe/London"
    assert found["Opening-night fireworks"].precision == "hour"


def test_json_groups_become_categories_and_slides_without_one_get_the_fallback():
    Category.objects.create(name="Planning", slug="planning")
    _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    found = {e.title: e.category.name for e in Event.objects.select_related("category")}
    assert found["Public consultation"] == "Planning"
    assert found["Construction begins"] == "Construction"
    assert found["Opening-night fireworks"] == "Imported"
    assert Category.objects.filter(name="Planning").count() == 1


def test_images_become_the_event_image_and_other_media_stays_in_the_body():
    _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    pile = Event.objects.get(title="Construction begins")
    assert pile.image_url == "https://example.org/images/first-pile.jpg"
    assert pile.image_credit == "Sample Photo Desk"
    assert pile.image_alt.startswith("A crane")
    opening = Event.objects.get(title="Bridge opens to traffic")
    assert opening.image_url == ""
    # A video becomes the event's link card, named by its caption.
    assert opening.media_url == "https://video.example.org/watch?v=opening"
    assert opening.media_title == "The ribbon"
    assert "video.example.org" not in opening.body


def test_the_first_paragraph_is_the_summary_and_the_rest_the_body():
    _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    consultation = Event.objects.get(title="Public consultation")
    assert consultation.summary == "Residents comment on three designs."
    assert consultation.body == "Most favour the cable-stayed one."
    assert Event.objects.get(slug="bridge-first-proposed").summary.startswith("The council’s")


def test_eras_become_span_events():
    _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    era = Event.objects.get(title="Construction years")
    assert era.local_start.date() == dt.date(2005, 3, 14)
    assert era.local_end.date() == dt.date(2008, 6, 30)


def test_a_sheets_csv_becomes_drafts_with_its_title_row_times_and_eras():
    _import(SAMPLES / "timelinejs-sheet.csv", "--timeline", "ferries", "--timezone", "Europe/Oslo")
    timeline = Timeline.objects.get(slug="ferries")
    assert timeline.title == "River ferry timetable changes"
    found = {e.title: e for e in timeline.events.all()}
    assert len(found) == 6
    oslo = ZoneInfo("Europe/Oslo")
    early = found["New timetable starts"]
    assert early.local_start == dt.datetime(2020, 1, 6, 7, 45, tzinfo=oslo)
    assert early.image_url == "https://example.org/img/early-ferry.png"
    assert early.image_caption == "The first early boat"
    evening = found["Evening crossings doubled"]
    assert evening.local_end == dt.datetime(2020, 1, 6, 19, 0, tzinfo=oslo)
    assert found["Ferry review announced"].precision == "year"
    assert found["Passenger numbers published"].precision == "month"
    assert found["Passenger numbers published"].category.name == "Imported"
    assert found["First quarter of the new timetable"].end_precision == "month"
    assert set(e.status for e in found.values()) == {"draft"}


@pytest.mark.parametrize(
    "row, where",
    [
        ("2020,13,1,,,,,,,Bad month,,,,,,,,", "row 3, Month: 13 is not between 1 and 12"),
        ("2020,2,30,,,,,,,No such day,,,,,,,,", "row 3, Day: 30 is not between 1 and 29"),
        ("2020,1,2,25:00,,,,,,Bad hour,,,,,,,,", "row 3, Time: 25 is not between 0 and 23"),
        ("2020,1,2,noon,,,,,,Bad time,,,,,,,,", "row 3, Time: “noon” is not a time"),
        ("twenty,,,,,,,,,Bad year,,,,,,,,", "row 3, Year: “twenty” is not a whole number"),
        (",,,,,,,,,No year,,,,,,,,", "row 3, Year: a year is needed"),
        ("2020,,5,,,,,,,Day without month,,,,,,,,", "row 3, Month: needed when a day"),
        ("2020,1,1,,,,,,,,Text only,,,,,,,", "row 3, Headline: a headline is needed"),
        ("2020,1,9,,2020,1,2,,,Ends first,,,,,,,,", "row 3, End Year: the end is before"),
        ("2020,1,1,,,,,,,Bad media,,not a url.jpg,,,,,,", "row 3, Media: Enter a valid URL"),
    ],
)
def test_a_bad_row_names_the_row_and_column_and_imports_nothing(tmp_path, row, where):
    path = _sheet(tmp_path, "2020,1,1,,,,,,,A good row,,,,,,,,", row)
    with pytest.raises(CommandError) as error:
        _import(path, "--timeline", "new-one")
    assert where in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert not Event.objects.exists()
    assert not Timeline.objects.filter(slug="new-one").exists()
    assert not Category.objects.exists()


def test_a_bad_json_slide_names_the_slide_and_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "events": [
                    {"start_date": {"year": 2020}, "text": {"headline": "Fine"}},
                    {"start_date": {"year": 2020, "month": "May"}, "text": {"headline": "Bad"}},
                ]
            }
        )
    )
    with pytest.raises(CommandError, match=r"events\[1\], start_date.month: “May” is not a whole"):
        _import(path, "--timeline", "t")
    assert not Event.objects.exists()


def test_malformed_json_is_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"events": [\n  {"start_date": }\n]}')
    with pytest.raises(CommandError, match="line 2"):
        _import(path, "--timeline", "t")


def test_a_csv_without_the_template_columns_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("date,title\n2020-01-01,Something\n")
    with pytest.raises(CommandError, match="row 1, Year: the column is missing"):
        _import(path, "--timeline", "t")


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(CommandError, match="--timezone"):
        _import(SAMPLES / "timelinejs.json", "--timeline", "t", "--timezone", "Mars/Olympus")
    assert not Event.objects.exists()


def test_reimporting_never_overwrites_an_event_an_editor_changed(editor):
    _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    edited = Event.objects.get(slug="bridge-first-proposed")
    edited.title = "Bridge first proposed, in the 1998 plan"
    edited.updated_by = editor
    edited.save()
    untouched = Event.objects.get(title="Construction begins")
    untouched.summary = "Changed outside the admin"
    untouched.save()

    output = _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    edited.refresh_from_db()
    untouched.refresh_from_db()
    assert edited.title == "Bridge first proposed, in the 1998 plan"
    assert untouched.summary == "The first pile is driven on the north shore."
    assert "bridge-first-proposed" in output and "--update" in output
    assert Event.objects.count() == 6


def test_update_overwrites_edited_events_and_makes_them_drafts_again(editor, publisher):
    _import(SAMPLES / "timelinejs.json", "--timeline", "t")
    Event.objects.filter(slug="bridge-first-proposed").update(
        title="Edited", updated_by=editor, status="review"
    )
    _import(SAMPLES / "timelinejs.json", "--timeline", "t", "--update")
    event = Event.objects.get(slug="bridge-first-proposed")
    assert event.title == "Bridge first proposed"
    assert event.status == "draft"


def test_imported_drafts_appear_in_no_public_output(client, make_event, timeline):
    make_event("Live")
    _import(SAMPLES / "timelinejs.json", "--timeline", timeline.slug)
    for url in ["/api/events", "/api/events.csv", "/api/timelinejs.json", "/api/events.atom", "/"]:
        body = client.get(url).content.decode()
        assert "Live" in body, url
        assert "Harbour" not in body and "Construction begins" not in body, url


def test_our_own_timelinejs_export_imports_back_without_doubling_spans(
    client, make_event, tmp_path
):
    make_event("Point", start=dt.datetime(2020, 1, 5, 9, 30, tzinfo=dt.UTC), precision="minute")
    make_event("Month", start=dt.datetime(2019, 12, 31, 21, tzinfo=dt.UTC), precision="month")
    path = tmp_path / "export.json"
    path.write_bytes(client.get("/api/timelinejs.json").content)
    Event.objects.all().delete()

    _import(path, "--timeline", "back", "--timezone", "Asia/Baghdad")
    found = {e.title: e for e in Event.objects.all()}
    assert sorted(found) == ["Month", "Point"]
    assert found["Point"].local_start.hour == 12 and found["Point"].precision == "minute"
    assert found["Month"].precision == "month"
    assert found["Point"].summary == "What happened in Point."
    assert "Sources: CNN" in found["Point"].body
