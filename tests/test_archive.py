import io
import json

import pytest
from django.core.management import CommandError, call_command

from timeline.data import archive
from timeline.models import (
    Actor,
    Category,
    Citation,
    Claim,
    Event,
    EventActor,
    EventLink,
    EventUpdate,
    Source,
    Timeline,
)

pytestmark = pytest.mark.django_db

SEED = "fixtures/us-iran-2019-2020.json"


def _export(tmp_path, name: str = "archive.json") -> bytes:
    path = tmp_path / name
    call_command("export_archive", str(path), stderr=io.StringIO())
    return path.read_bytes()


def _import(path, *args) -> str:
    out = io.StringIO()
    call_command("import_archive", str(path), *args, stdout=out)
    return out.getvalue()


def _empty_the_database() -> None:
    for model in (EventLink, Claim, Citation, EventActor, EventUpdate, Timeline, Event):
        model.objects.all().delete()
    for model in (Actor, Source, Category):
        model.objects.all().delete()


def test_export_import_export_round_trip_is_byte_identical(tmp_path):
    call_command("loaddata", SEED, verbosity=0)
    first = _export(tmp_path, "first.json")
    old_ids = set(Event.objects.values_list("pk", flat=True))

    _empty_the_database()
    _import(tmp_path / "first.json")
    second = _export(tmp_path, "second.json")

    assert second == first
    # Different database ids, same archive: slugs carry every reference.
    assert old_ids.isdisjoint(Event.objects.values_list("pk", flat=True))


def test_the_archive_holds_every_kind_of_record_but_not_bookkeeping(tmp_path):
    call_command("loaddata", SEED, verbosity=0)
    document = json.loads(_export(tmp_path))
    assert (document["format"], document["version"]) == ("timeline-archive", 2)
    counts = {name: len(document[name]) for name in archive.SECTIONS}
    assert counts == {
        "categories": 6,
        "actors": 41,
        "sources": 24,
        "events": 14,
        "links": 11,
        "timelines": 1,
    }
    events = document["events"]
    assert sum(len(e["actors"]) for e in events) == EventActor.objects.count()
    assert sum(len(e["citations"]) for e in events) == Citation.objects.count()
    assert sum(len(e["claims"]) for e in events) == Claim.objects.count()
    text = json.dumps(document)
    assert "data_version" not in text and '"id"' not in text and '"pk"' not in text


def test_the_round_trip_keeps_drafts_timestamps_parents_and_claim_order(
    tmp_path, make_event, make_actor, source
):
    irgc = make_actor("IRGC")
    quds = make_actor("Quds Force", parent=irgc)
    draft = make_event("Draft", status="draft", actors=(quds,))
    Claim.objects.create(
        event=draft, kind="deaths", value=3, value_max=5, text="3–5", source=source
    )
    before = Event.objects.get(pk=draft.pk)
    claims_before = [c.text for c in before.claims.order_by("pk")]
    first = _export(tmp_path, "first.json")

    _empty_the_database()
    _import(tmp_path / "first.json")
    after = Event.objects.get(slug=draft.slug)
    assert after.status == "draft"
    assert (after.created_at, after.updated_at) == (before.created_at, before.updated_at)
    assert Actor.objects.get(slug="quds-force").parent.slug == "irgc"
    assert [c.text for c in after.claims.order_by("pk")] == claims_before
    assert _export(tmp_path, "second.json") == first


def test_importing_keeps_what_is_already_there_unless_told_to_update(tmp_path, make_event):
    event = make_event("Original headline")
    _export(tmp_path)
    event.title = "Edited since"
    event.save()

    output = _import(tmp_path / "archive.json")
    event.refresh_from_db()
    assert event.title == "Edited since"
    assert "--update" in output

    _import(tmp_path / "archive.json", "--update")
    event.refresh_from_db()
    assert event.title == "Original headline"
    assert event.citations.count() == 1 and event.claims.count() == 1


def test_a_bad_record_names_where_it_is_and_imports_nothing(tmp_path, make_event):
    make_event("First")
    make_event("Second")
    document = json.loads(_export(tmp_path))
    document["events"][1]["start"] = "last Tuesday"
    _empty_the_database()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))

    with pytest.raises(CommandError, match=r"events\[1\], start: .*Nothing was imported"):
        _import(path)
    assert not Category.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["events"][0].update(category="no-such-category"), "events[0], category: no"),
        (lambda d: d["events"][0].pop("title"), "events[0], title: missing"),
        (
            lambda d: d["events"][0].update(citations=[]),
            "events[0], citations: A published event needs at least one citation. Nothing",
        ),
        # Scheduled is published, later: it would go live with nothing cited.
        (
            lambda d: d["events"][0].update(citations=[], publish_at="2999-01-01T00:00:00Z"),
            "events[0], citations: A published event needs at least one citation. Nothing",
        ),
        (lambda d: d["events"][0]["claims"][0].update(kind="rumour"), "events[0], kind:"),
        (lambda d: d.update(version=99), "version: this site reads versions 1 and 2"),
        (lambda d: d.update(format="something-else"), "format: not a timeline-archive"),
        (lambda d: d.update(actors={}), "actors: expected a list"),
    ],
)
def test_malformed_archives_are_refused_with_a_message(tmp_path, make_event, change, message):
    make_event("Live")
    document = json.loads(_export(tmp_path))
    change(document)
    _empty_the_database()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as error:
        _import(path)
    assert message in str(error.value)
    assert not Event.objects.exists()


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "not.json"
    path.write_text("timeline,archive\n")
    with pytest.raises(CommandError, match="line 1"):
        _import(path)


def test_a_version_1_archive_loads_as_the_migrations_would_have_left_it(tmp_path):
    call_command("loaddata", SEED, verbosity=0)
    document = json.loads(_export(tmp_path))
    told = {"official_source", "spokesperson", "reporting_outlet"}
    expected_roles = sorted(
        (e["slug"], r["actor"], r["role"]) for e in document["events"] for r in e["actors"]
    )
    # As version 1 wrote it: no figure's words or time, no clock, tellers all "reporter".
    document["version"] = 1
    for timeline in document["timelines"]:
        del timeline["time_zone"]
    for event in document["events"]:
        del event["updates"]
        for claim in event["claims"]:
            for name in archive.ADDED_IN_2["claims"]:
                del claim[name]
        for role in event["actors"]:
            if role["role"] in told:
                role["role"] = "reporter"
    _empty_the_database()
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(document))
    _import(path)
    roles = sorted(EventActor.objects.values_list("event__slug", "actor__slug", "role"))
    assert roles == expected_roles
    assert set(Claim.objects.values_list("qualifier", flat=True)) == {"exact"}
    assert not Claim.objects.filter(reported_at__isnull=False).exists()
    assert Timeline.objects.get().time_zone == "UTC"


def test_updates_and_corrections_travel_and_are_never_removed_by_a_load(tmp_path, make_event):
    event = make_event("Toll")
    EventUpdate.objects.create(event=event, kind="correction", note="It was 56, not 50.")
    first = _export(tmp_path, "first.json")
    assert json.loads(first)["events"][0]["updates"][0]["note"] == "It was 56, not 50."
    _empty_the_database()
    _import(tmp_path / "first.json")
    assert _export(tmp_path, "second.json") == first
    # A later note, then an --update from the older archive: the later note stays.
    event = Event.objects.get()
    EventUpdate.objects.create(event=event, kind="update", note="Burial held on 8 January.")
    _import(tmp_path / "first.json", "--update")
    notes = list(Event.objects.get().updates.values_list("note", flat=True))
    assert notes == ["It was 56, not 50.", "Burial held on 8 January."]
