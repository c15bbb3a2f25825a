import time

from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent
from daftari.stations.services import log_access
from tests.conftest import PASSWORD


def sign_in(client: Client, username: str, password: str) -> object:
    return client.post("/signin", {"username": username, "password": password})


def test_the_sign_in_page_has_labelled_fields(client: Client) -> None:
    body = client.get("/signin").content.decode()
    assert '<label for="id_username">' in body and '<label for="id_password">' in body


def test_signing_in_with_the_right_password_opens_todays_book(client: Client, desk_officer: User) -> None:
    response = client.post("/signin", {"username": "desk", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Today's book" in response.content.decode()


def test_a_wrong_password_shows_an_error_and_keeps_the_officer_out(client: Client, desk_officer: User) -> None:
    response = client.post("/signin", {"username": "desk", "password": "wrong"})
    assert response.status_code == 200
    assert "Wrong username or password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_lock_the_username_for_ten_minutes(client: Client, desk_officer: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/signin", {"username": "desk", "password": "wrong"})
    locked = client.post("/signin", {"username": "desk", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()
    assert client.get("/").status_code == 302


def test_the_lockout_is_per_username(client: Client, desk_officer: User, ocs: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/signin", {"username": "desk", "password": "wrong"})
    response = client.post("/signin", {"username": "ocs", "password": PASSWORD})
    assert response.status_code == 302


def test_an_idle_session_is_signed_out_after_thirty_minutes(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - settings.DAFTARI_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_signing_out_ends_the_session(desk_client: Client) -> None:
    assert desk_client.get("/signout").status_code == 405
    assert desk_client.post("/signout").status_code == 302
    assert desk_client.get("/").status_code == 302


def test_csrf_is_enforced_on_sign_in(desk_officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/signin", {"username": "desk", "password": PASSWORD}).status_code == 403


def test_the_language_switch_sets_a_lasting_cookie_and_the_page_turns_kiswahili(desk_client: Client) -> None:
    response = desk_client.post("/i18n/setlang/", {"language": "sw", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "sw" and int(cookie["max-age"]) >= 30 * 24 * 3600
    body = desk_client.get("/").content.decode()
    assert "Kitabu cha Matukio" in body
    assert "Toka" in body


def test_every_page_has_the_language_switch(client: Client, desk_officer: User) -> None:
    assert 'action="/i18n/setlang/"' in client.get("/signin").content.decode()
    client.force_login(desk_officer)
    for url in ("/", "/search", "/entries/new"):
        body = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in body, url


# --- Access log --------------------------------------------------------------------------


def test_the_ocs_sees_the_access_log_of_their_own_station_only(
    client: Client, ocs: User, desk_officer: User, recorded_complaint: Occurrence, other_station: object
) -> None:
    log_access(
        actor=desk_officer,
        record_type="occurrence",
        record_id=str(recorded_complaint.pk),
        record_station=recorded_complaint.station,
        purpose=AccessEvent.Purpose.DESK_VIEW,
        outcome="shown",
    )
    log_access(
        actor=desk_officer,
        record_type="occurrence",
        record_id="elsewhere-record",
        record_station=other_station,
        purpose=AccessEvent.Purpose.DESK_VIEW,
        outcome="shown",  # type: ignore[arg-type]
    )
    client.force_login(ocs)
    response = client.get("/access-log")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"/entries/{recorded_complaint.pk}" in body
    assert "elsewhere-record" not in body


def test_oversight_sees_access_events_of_every_station_newest_first(
    client: Client, oversight: User, desk_officer: User, other_station: object, station: object
) -> None:
    for record_id, where in (("first-read", station), ("second-read", other_station)):
        log_access(
            actor=desk_officer,
            record_type="custody",
            record_id=record_id,
            record_station=where,
            purpose=AccessEvent.Purpose.DESK_VIEW,
            outcome="shown",  # type: ignore[arg-type]
        )
    client.force_login(oversight)
    body = client.get("/access-log").content.decode()
    assert body.index("second-read") < body.index("first-read")


def test_a_desk_officer_cannot_see_the_access_log(desk_client: Client) -> None:
    assert desk_client.get("/access-log").status_code == 403


def test_the_access_log_is_paginated(client: Client, oversight: User, desk_officer: User) -> None:
    AccessEvent.objects.bulk_create(
        AccessEvent(
            at=AccessEvent._meta.get_field("at").to_python("2026-01-01T10:00:00+03:00"),
            username="desk",
            roles="desk",
            record_type="occurrence",
            record_id=f"r{i}",
            purpose=AccessEvent.Purpose.DESK_VIEW,
            outcome="shown",
        )
        for i in range(60)
    )
    client.force_login(oversight)
    first = client.get("/access-log").content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
