"""The three-way merge behind a save made from an older version, in plain values."""

from timeline.desk.conflicts import State, merge

BASE = State({"title": "Airport strike", "summary": "A drone strike.", "place_name": "Baghdad"})


def test_a_field_only_they_changed_is_taken_from_them():
    theirs = State({**BASE.fields, "title": "Airport strike kills Soleimani"})
    result = merge(BASE, theirs, dict(BASE.fields))
    assert (result.taken, result.clashes) == (["title"], [])


def test_a_field_only_you_changed_keeps_yours_and_is_not_news():
    yours = {**BASE.fields, "summary": "A US drone strike."}
    result = merge(BASE, State(dict(BASE.fields)), yours)
    assert (result.taken, result.clashes) == ([], [])


def test_a_field_both_changed_differently_is_a_clash_and_the_same_change_is_not():
    theirs = State({**BASE.fields, "summary": "Theirs.", "place_name": "Baghdad airport"})
    yours = {**BASE.fields, "summary": "Yours.", "place_name": "Baghdad airport"}
    result = merge(BASE, theirs, yours)
    assert (result.taken, result.clashes) == ([], ["summary"])


def test_without_the_opened_version_every_difference_is_a_clash_and_the_parts_are_unknown():
    theirs = State({**BASE.fields, "title": "Theirs"})
    result = merge(None, theirs, dict(BASE.fields))
    assert (result.taken, result.clashes, result.parts_changed) == ([], ["title"], None)
    assert not result.whole


def test_the_parts_they_changed_are_named_from_the_rows_themselves():
    claim = {"id": 7, "kind": "deaths", "value": 56, "text": "56 dead"}
    actor = {"id": 3, "actor_id": 1, "role": "perpetrator"}
    base = State(BASE.fields, {("Claim", "7"): claim, ("Actor", "3"): actor})
    edited = State(BASE.fields, {("Claim", "7"): {**claim, "value": 50}, ("Actor", "3"): actor})
    assert merge(base, edited, {}).parts_changed == ["Claim"]
    added = State(BASE.fields, {**base.parts, ("Link", "9"): {"id": 9, "kind": "caused"}})
    assert merge(base, added, {}).parts_changed == ["Link"]
    removed = State(BASE.fields, {("Claim", "7"): claim})
    assert merge(base, removed, {}).parts_changed == ["Actor"]


def test_a_merge_is_whole_only_when_their_parts_are_as_you_opened_them():
    theirs = State({**BASE.fields, "title": "Theirs"}, {})
    assert merge(BASE, theirs, dict(BASE.fields)).whole
    with_claim = State(theirs.fields, {("Claim", "1"): {"id": 1}})
    assert not merge(BASE, with_claim, dict(BASE.fields)).whole
