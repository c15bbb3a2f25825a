"""The OCS, commanders, oversight and administrators sign in with a password and a TOTP code."""

import re
from base64 import b32decode

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from daftari.stations.rules import Role
from tests.browser_support import TEST_TOTP_KEY, code_for
from tests.conftest import PASSWORD, OfficerFactory, enrol_second_factor

pytestmark = pytest.mark.second_factor
TOKEN_URL = "/api/v1/auth/token"


def sign_in(client: Client, username: str) -> str:
    response = client.post("/signin", {"username": username, "password": PASSWORD}, follow=True)
    return str(response.redirect_chain[-1][0])


def token(client: Client, username: str, **extra: str):  # type: ignore[no-untyped-def]
    body = {"username": username, "password": PASSWORD, **extra}
    return client.post(TOKEN_URL, body, content_type="application/json")


@pytest.mark.parametrize("role", [Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN])
def test_these_roles_reach_no_desk_page_before_their_code(
    client: Client, make_officer: OfficerFactory, station: object, role: Role
) -> None:
    user = make_officer(f"officer-{role.value}", [role], station if role != Role.OVERSIGHT else None)
    enrol_second_factor(user)
    assert sign_in(client, user.username).startswith("/second-factor?next=")
    for page in ("/", "/search", "/access-log", "/admin/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/second-factor"), page
    assert client.get("/api/v1/entry-types").status_code == 401, "the API does not take the half-signed session"


@pytest.mark.parametrize("role", [Role.DESK, Role.INVESTIGATOR, Role.TRAFFIC, Role.ANALYST])
def test_other_roles_sign_in_with_the_password_alone(
    client: Client, make_officer: OfficerFactory, station: object, role: Role
) -> None:
    user = make_officer(f"officer-{role.value}", [role], station if role != Role.ANALYST else None)
    assert sign_in(client, user.username) == "/"
    assert client.get("/").status_code == 200


def test_the_right_code_opens_the_desk_and_a_wrong_one_does_not(client: Client, ocs: User) -> None:
    enrol_second_factor(ocs)
    sign_in(client, "ocs")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = client.post("/second-factor", {"otp": "000000", "next": "/search"})
        assert wrong.status_code == 400 and 'href="#id_otp"' in wrong.content.decode()
        assert client.get("/").status_code == 302
        refused = client.post("/second-factor", {"otp": code_for(TEST_TOTP_KEY), "next": "/search"})
        assert refused.status_code == 400, "right after a wrong code even the right one waits (throttling)"
        clock.shift(5)
        right = client.post("/second-factor", {"otp": code_for(TEST_TOTP_KEY), "next": "/search"})
    assert right.status_code == 302 and right["Location"] == "/search"
    assert client.get("/").status_code == 200


def test_the_next_page_after_the_code_stays_on_this_site(client: Client, ocs: User) -> None:
    enrol_second_factor(ocs)
    sign_in(client, "ocs")
    response = client.post("/second-factor", {"otp": code_for(TEST_TOTP_KEY), "next": "https://evil.example/"})
    assert response["Location"] == "/start"


def test_a_first_sign_in_shows_the_qr_code_and_the_first_code_confirms_the_app(client: Client, ocs: User) -> None:
    assert sign_in(client, "ocs").startswith("/second-factor/enrol")
    page = client.get("/second-factor/enrol").content.decode()
    assert "<svg" in page and "Set up your authenticator app" in page
    key = b32decode(re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", ""))  # type: ignore[union-attr]
    assert client.get("/second-factor/enrol").content.decode().count(page.split("<code>")[1][:20]) == 1, (
        "reloading shows the same key"
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert client.post("/second-factor/enrol", {"otp": "123456"}).status_code == 400
        assert not TOTPDevice.objects.filter(user=ocs, confirmed=True).exists()
        clock.shift(5)
        assert client.post("/second-factor/enrol", {"otp": code_for(key)}).status_code == 302
    assert TOTPDevice.objects.filter(user=ocs, confirmed=True).count() == 1
    assert client.get("/").status_code == 200


def test_an_enrolled_officer_cannot_be_enrolled_again_by_whoever_holds_the_password(client: Client, ocs: User) -> None:
    enrol_second_factor(ocs)
    sign_in(client, "ocs")
    response = client.get("/second-factor/enrol")
    assert response.status_code == 302 and response["Location"].startswith("/second-factor?")
    assert TOTPDevice.objects.filter(user=ocs).count() == 1


def test_an_htmx_request_before_the_code_is_sent_to_the_code_page(client: Client, ocs: User) -> None:
    enrol_second_factor(ocs)
    sign_in(client, "ocs")
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"].startswith("/second-factor")


def test_a_device_token_for_these_roles_needs_the_code(client: Client, ocs: User) -> None:
    enrol_second_factor(ocs)
    missing = token(client, "ocs")
    assert missing.status_code == 422 and "otp" in missing.json()["fields"]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wrong = token(client, "ocs", otp="000000")
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_otp"
        clock.shift(5)
        code = code_for(TEST_TOTP_KEY)
        issued = token(client, "ocs", otp=code)
        assert issued.status_code == 201
        assert token(client, "ocs", otp=code).status_code == 401, "a code is used once"


def test_a_device_token_before_the_app_is_set_up_is_refused(client: Client, ocs: User) -> None:
    refused = token(client, "ocs", otp="123456")
    assert refused.status_code == 403 and refused.json()["error"] == "second_factor_not_enrolled"


def test_a_desk_officers_token_needs_no_code(client: Client, desk_officer: User) -> None:
    assert token(client, "desk").status_code == 201


def test_the_pages_are_in_kiswahili_too(client: Client, ocs: User, settings) -> None:  # type: ignore[no-untyped-def]
    enrol_second_factor(ocs)
    sign_in(client, "ocs")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    assert "Weka msimbo wako" in client.get("/second-factor").content.decode()
