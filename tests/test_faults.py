"""When the database goes away: 503 with Retry-After everywhere, /healthz says so, no 500."""

from unittest import mock

import pytest
from django.db import OperationalError, ProgrammingError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down():
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed')
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=refused):
        yield


@pytest.mark.parametrize(
    "path",
    ["/", "/events/event-1/", "/embed/", "/api/events", "/api/events.csv", "/api/events.atom"],
)
def test_pages_answer_503_with_retry_after_while_the_database_is_down(
    client, make_event, database_down, path
):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"try again" in response.content


def test_healthz_answers_503_while_the_database_is_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


def test_the_site_answers_again_once_the_database_is_back(client, make_event):
    with mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("server closed")
    ):
        assert client.get("/").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 200


def test_a_bad_query_is_still_a_server_error_not_an_outage(client, make_event):
    with (
        mock.patch("timeline.reader.views.Timeline.default", side_effect=ProgrammingError("bug")),
        pytest.raises(ProgrammingError),
    ):
        client.get("/")
