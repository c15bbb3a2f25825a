"""Device tokens end: after their lifetime, after idling, on a password change and on deactivation."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import NotPermitted
from daftari.stations.models import ApiToken
from daftari.stations.services import deactivate_officer
from tests.conftest import PASSWORD

NEW_PASSWORD = "a new and longer passphrase 7"


def issue(client: Client, username: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return str(response.json()["token"])


def works(client: Client, token: str) -> bool:
    status = client.get("/api/v1/entry-types", headers={"Authorization": f"Bearer {token}"}).status_code
    assert status in (200, 401)
    return status == 200


def test_the_defaults_are_twelve_hours_and_two_idle_hours() -> None:
    assert settings.DAFTARI_TOKEN_LIFETIME_HOURS == 12
    assert settings.DAFTARI_TOKEN_IDLE_MINUTES == 120


def test_a_token_in_use_stops_working_twelve_hours_after_it_was_issued(client: Client, desk_officer: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = issue(client, "desk")
        for _hour in range(11):
            clock.shift(timedelta(hours=1))
            assert works(client, token)
        clock.shift(timedelta(minutes=59))
        assert works(client, token)
        clock.shift(timedelta(minutes=2))
        assert not works(client, token)


def test_a_token_left_unused_for_two_hours_stops_working(client: Client, desk_officer: User) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token = issue(client, "desk")
        clock.shift(timedelta(minutes=90))
        assert works(client, token)
        clock.shift(timedelta(minutes=119))
        assert works(client, token), "its use 119 minutes ago keeps it alive"
        clock.shift(timedelta(minutes=122))
        assert not works(client, token)


def test_changing_the_password_on_the_desk_page_ends_the_officers_tokens_and_other_sessions(
    client: Client, desk_officer: User
) -> None:
    token = issue(Client(), "desk")
    other_desk = Client()
    other_desk.force_login(desk_officer)
    client.force_login(desk_officer)
    assert client.get("/password").status_code == 200

    response = client.post(
        "/password",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert not works(Client(), token)
    assert ApiToken.objects.get(prefix=token[:8]).revoked_at is not None
    assert client.get("/").status_code == 200, "the desk that changed it stays signed in"
    assert other_desk.get("/").status_code == 302, "every other session is signed out"
    assert works(Client(), issue(Client(), "desk", NEW_PASSWORD))


def test_the_password_page_asks_for_the_current_password(client: Client, desk_officer: User) -> None:
    token = issue(Client(), "desk")
    client.force_login(desk_officer)
    response = client.post(
        "/password", {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert 'href="#id_old_password"' in response.content.decode()
    desk_officer.refresh_from_db()
    assert desk_officer.check_password(PASSWORD)
    assert works(Client(), token)


def test_the_password_page_applies_the_password_rules(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    for weak in ("short1", "password123", "deskofficer"):
        response = client.post("/password", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
        assert response.status_code == 400, weak
    desk_officer.refresh_from_db()
    assert desk_officer.check_password(PASSWORD)


def test_the_password_page_is_in_kiswahili_too(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    body = client.get("/password").content.decode()
    assert "Badilisha nenosiri lako" in body


def test_a_password_set_any_other_way_also_ends_the_tokens(client: Client, desk_officer: User) -> None:
    token = issue(client, "desk")
    desk_officer.set_password(NEW_PASSWORD)  # as the admin's password form and `changepassword` do
    desk_officer.save()
    assert not works(client, token)


def test_a_deactivated_officers_tokens_stay_dead_when_the_account_is_reactivated(
    client: Client, desk_officer: User, admin_officer: User
) -> None:
    token = issue(client, "desk")
    deactivate_officer(actor=admin_officer, user=desk_officer)
    assert not works(client, token)
    User.objects.filter(pk=desk_officer.pk).update(is_active=True)
    assert not works(client, token)


def test_deactivating_an_officer_in_the_admin_revokes_their_tokens(
    client: Client, desk_officer: User, admin_officer: User
) -> None:
    token = issue(Client(), "desk")
    client.force_login(admin_officer)
    page = client.get(f"/admin/auth/user/{desk_officer.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "is_active": "",
            "groups": [g.pk for g in desk_officer.groups.all()],
            "user_permissions": [],
            "date_joined_0": desk_officer.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": desk_officer.date_joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
            "officer-TOTAL_FORMS": "1",
            "officer-INITIAL_FORMS": "1",
            "officer-MIN_NUM_FORMS": "0",
            "officer-MAX_NUM_FORMS": "1",
            "officer-0-id": desk_officer.officer.pk,
            "officer-0-user": desk_officer.pk,
            "officer-0-service_number": desk_officer.officer.service_number,
            "officer-0-rank": desk_officer.officer.rank,
            "officer-0-station": desk_officer.officer.station_id,
            "officer-0-phone": "",
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    response = client.post(f"/admin/auth/user/{desk_officer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert ApiToken.objects.get(prefix=token[:8]).revoked_at is not None


def test_an_ocs_cannot_deactivate_an_officer(ocs: User, desk_officer: User) -> None:
    with pytest.raises(NotPermitted):
        deactivate_officer(actor=ocs, user=desk_officer)
    desk_officer.refresh_from_db()
    assert desk_officer.is_active
