"""Editors' accounts: repeated wrong passwords lock a sign-in, per client even behind a proxy."""

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "kettle-orchard-saffron-42"
BALANCER = "10.0.0.2"


@pytest.fixture
def amira(db):
    return User.objects.create_user("amira", password=PASSWORD, is_staff=True)


def _sign_in(client, password, address="203.0.113.5", forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("admin:login"),
        {"username": "amira", "password": password, "next": "/"},
        **extra,
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_mistyped_password_then_the_right_one_signs_in(client, amira):
    assert _sign_in(client, "wrong").status_code == 200
    assert _sign_in(client, PASSWORD).status_code == 302
    assert _signed_in(client)


def test_five_wrong_passwords_lock_the_sign_in_even_for_the_right_one(client, amira):
    for _ in range(5):
        _sign_in(client, "guess")
    response = _sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert b"locked" in response.content.lower()
    assert not _signed_in(client)


def test_a_forged_forwarded_for_does_not_escape_the_lock_without_a_trusted_proxy(client, amira):
    for n in range(5):
        _sign_in(client, "guess", forwarded=f"198.51.100.{n}")
    assert _sign_in(client, PASSWORD, forwarded="192.0.2.77").status_code == 429


def test_behind_a_balancer_one_clients_guesses_do_not_lock_out_another(client, amira, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _sign_in(client, "guess", address=BALANCER, forwarded="198.51.100.9")
    assert _sign_in(client, PASSWORD, address=BALANCER, forwarded="198.51.100.9").status_code == 429
    # The editor, at another address, reaches the same balancer and still gets in.
    assert _sign_in(client, PASSWORD, address=BALANCER, forwarded="192.0.2.10").status_code == 302
    assert _signed_in(client)


def test_behind_a_balancer_addresses_typed_by_the_client_are_ignored(client, amira, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Each guess claims a new origin; the balancer appends the address it really saw.
    for n in range(5):
        _sign_in(client, "guess", address=BALANCER, forwarded=f"192.0.2.{n}, 198.51.100.9")
    locked = _sign_in(client, PASSWORD, address=BALANCER, forwarded="192.0.2.99, 198.51.100.9")
    assert locked.status_code == 429


def test_a_signed_in_editor_is_asked_again_after_ten_hours(client, amira):
    _sign_in(client, PASSWORD)
    assert client.cookies["sessionid"]["max-age"] == 10 * 60 * 60


@pytest.mark.parametrize("weak", ["password", "12345678", "amira", "short1"])
def test_weak_passwords_are_refused(amira, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=amira)
