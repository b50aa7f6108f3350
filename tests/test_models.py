import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from timeline.models import Claim, Event, EventLink

pytestmark = pytest.mark.django_db


def _draft(category, **fields) -> Event:
    values = dict(
        title="Rocket attack",
        slug="rocket-attack",
        summary="Rockets hit a base.",
        start=dt.datetime(2019, 12, 27, 16, 20, tzinfo=dt.UTC),
        precision="minute",
        timezone="Asia/Baghdad",
        category=category,
        status="draft",
    )
    values.update(fields)
    return Event(**values)


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_a_valid_draft_passes_validation(category):
    _draft(category).full_clean()


def test_end_before_start_is_rejected(category):
    event = _draft(category, end=dt.datetime(2019, 12, 26, tzinfo=dt.UTC))
    assert "end" in _errors(event)


def test_end_before_start_is_refused_by_the_database_too(category):
    event = _draft(category)
    event.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(end=dt.datetime(2019, 1, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("field", "value"),
    [("latitude", 90.5), ("latitude", -91), ("longitude", 180.1), ("longitude", -200)],
)
def test_coordinates_out_of_range_are_rejected(category, field, value):
    assert field in _errors(_draft(category, **{field: value}))


def test_coordinates_out_of_range_are_refused_by_the_database(category):
    with pytest.raises(IntegrityError), transaction.atomic():
        _draft(category, latitude=123.0).save()


def test_unknown_timezone_is_rejected(category):
    assert "timezone" in _errors(_draft(category, timezone="Mars/Olympus_Mons"))


def test_importance_must_be_between_one_and_five(category):
    assert "importance" in _errors(_draft(category, importance=6))
    assert "importance" in _errors(_draft(category, importance=0))


def test_country_must_be_an_iso_code(category):
    assert "country" in _errors(_draft(category, country="Iraq"))


def test_a_published_event_needs_a_citation(category):
    event = _draft(category, status="published")
    assert "needs at least one citation" in event.citation_problem()
    event.status = "draft"
    event.save()
    assert event.citation_problem() is None
    event.status = "published"
    assert "needs at least one citation" in event.citation_problem()
    # A writer that saves the citations after the event says it has some.
    assert event.citation_problem(cited=True) is None


def test_a_published_event_with_a_citation_passes_validation_and_the_rule(make_event):
    event = make_event(status="draft")
    event.status = "published"
    event.full_clean()
    assert event.citation_problem() is None


def test_claim_range_must_be_ordered(make_event, source):
    claim = Claim(
        event=make_event(),
        kind="munitions",
        value=16,
        value_max=11,
        text="11 to 16 rockets",
        source=source,
    )
    assert "value_max" in _errors(claim)
    with pytest.raises(IntegrityError), transaction.atomic():
        claim.save()


def test_a_figure_claim_needs_a_value(make_event, source):
    claim = Claim(event=make_event(), kind="deaths", text="many dead", source=source)
    assert "value" in _errors(claim)


def test_claim_attribution_names_who_said_it_and_where_we_read_it(make_event, source, make_actor):
    irinn = make_actor("IRINN", kind="media")
    claim = Claim(
        event=make_event(),
        kind="deaths",
        value=56,
        text="56 dead",
        source=source,
        attributed_to=irinn,
    )
    assert claim.attribution == "IRINN, via CNN, 7 Jan 2020"
    assert claim.figure == "56"


def test_an_event_cannot_link_to_itself(make_event):
    event = make_event()
    link = EventLink(from_event=event, to_event=event, kind="led_to")
    with pytest.raises(ValidationError):
        link.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_an_actor_cannot_be_its_own_ancestor(make_actor):
    irgc = make_actor("IRGC", kind="armed_group")
    quds = make_actor("Quds Force", kind="armed_group", parent=irgc)
    irgc.parent = quds
    with pytest.raises(ValidationError):
        irgc.full_clean()


def test_local_dates_follow_the_events_time_zone(category):
    # 00:30 on 3 January in Baghdad is still 2 January in UTC.
    event = _draft(category, start=dt.datetime(2020, 1, 2, 21, 30, tzinfo=dt.UTC))
    event.save()
    assert event.local_start_date == dt.date(2020, 1, 3)
    assert event.local_end_date == dt.date(2020, 1, 3)


def test_a_month_event_covers_the_whole_month(category):
    event = _draft(
        category, precision="month", timezone="UTC", start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    event.save()
    assert (event.local_start_date, event.local_end_date) == (
        dt.date(2020, 1, 1),
        dt.date(2020, 1, 31),
    )
    assert event.is_span


def test_a_partial_save_of_the_start_moves_the_local_dates_the_filters_read(category):
    event = _draft(category, start=dt.datetime(2020, 1, 2, 21, 30, tzinfo=dt.UTC))
    event.save()
    event.start = dt.datetime(2020, 1, 7, 12, 0, tzinfo=dt.UTC)
    event.save(update_fields=["start"])
    stored = Event.objects.get(pk=event.pk)
    assert (stored.local_start_date, stored.local_end_date) == (
        dt.date(2020, 1, 7),
        dt.date(2020, 1, 7),
    )
    assert list(Event.objects.in_range(start=dt.date(2020, 1, 7))) == [stored]


def test_a_partial_save_that_publishes_records_when_it_went_public(category):
    event = _draft(category)
    event.save()
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status"])
    assert Event.objects.get(pk=event.pk).published_at is not None
