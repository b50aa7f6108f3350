"""Dates an editor can type never break a page, a feed or an export; dates outside the range
every conversion survives are field errors, not 500s."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import change_url, form_data
from timeline.dates import EARLIEST_YEAR, LATEST_YEAR
from timeline.models import Event

pytestmark = pytest.mark.django_db

# The zones furthest from UTC either way, half-hour ones, and the newsroom's own.
ZONES = [
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Tehran",
    "Asia/Kathmandu",
    "America/New_York",
    "Asia/Baghdad",
    "UTC",
]
PRECISIONS = ["year", "month", "day", "hour", "minute"]
PARTS = ["", "early_hours", "night"]
EDGES = [
    dt.datetime(EARLIEST_YEAR, 1, 1, 0, 0),
    dt.datetime(EARLIEST_YEAR, 1, 1, 0, 30),
    dt.datetime(LATEST_YEAR, 12, 31, 23, 30),
    dt.datetime(LATEST_YEAR, 12, 31, 23, 59),
]
PUBLIC = [
    "/",
    "/api/events",
    "/api/events.csv",
    "/api/events.ics",
    "/api/timelinejs.json",
    "/api/events.rss",
    "/api/events.atom",
    "/embed/",
]


@settings(max_examples=30)  # deadline and health checks: the profile (tests/conftest.py)
@given(
    zone=st.sampled_from(ZONES),
    precision=st.sampled_from(PRECISIONS),
    part=st.sampled_from(PARTS),
    local=st.sampled_from(EDGES),
    lasts=st.booleans(),
)
def test_events_at_the_edges_of_the_range_break_no_page_feed_or_export(
    client, make_event, zone, precision, part, local, lasts
):
    start = local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
    end = None
    if lasts and local.year == EARLIEST_YEAR:
        end = start + dt.timedelta(days=2)
    event = make_event(
        start=start,
        end=end,
        timezone=zone,
        precision=precision,
        part_of_day=part if precision == "day" else "",
    )
    for path in [*PUBLIC, event.get_absolute_url()]:
        response = client.get(path)
        assert response.status_code == 200, (path, zone, precision, local)
    Event.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("31 Dec 9999 23:59", "Asia/Baghdad"),
        ("31 Dec 9999 23:30", "America/New_York"),
        ("1 Jan 0001 00:30", "Asia/Tehran"),
        ("1 Jan 3000", "UTC"),
        ("0999-12-31", "UTC"),
    ],
)
def test_a_year_outside_the_range_is_a_field_error_not_a_500(
    client, publisher, make_event, typed, zone
):
    event = make_event()
    client.force_login(publisher)
    data = form_data(event, event.category, start=typed, timezone=zone)
    response = client.post(change_url(event), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "year 1000 to 2999" in " ".join(errors["start"])
    data = form_data(event, event.category, end=typed, timezone=zone)
    response = client.post(change_url(event), data)
    assert response.status_code == 200
    assert "year 1000 to 2999" in " ".join(response.context["adminform"].form.errors["end"])
    assert client.get("/api/events.ics").status_code == 200


def test_the_model_refuses_a_year_outside_the_range_from_any_path(make_event):
    event = make_event()
    event.start = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as raised:
        event.full_clean()
    assert "start" in raised.value.message_dict
