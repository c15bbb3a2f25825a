"""The desk's idle sign-out counts what an officer does, not what the page does by itself."""

from datetime import timedelta

import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_DAFTARI_POLL": "1"}


def test_todays_book_and_the_cells_board_mark_their_refresh_as_polling(desk_client: Client) -> None:
    for page in ("/", "/custody"):
        body = desk_client.get(page).content.decode()
        assert 'hx-trigger="every 30s"' in body, page
        assert "X-Daftari-Poll" in body, page


def test_polling_every_minute_for_31_minutes_does_not_keep_the_officer_signed_in(
    client: Client, desk_officer: User
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(desk_officer)
        assert client.get("/").status_code == 200
        for _minute in range(30):
            clock.shift(timedelta(minutes=1))
            assert client.get("/", **POLL).status_code == 200
        clock.shift(timedelta(minutes=1))
        signed_out = client.get("/", **POLL)
        # htmx follows HX-Redirect with a full page load, instead of swapping the sign-in page into the book.
        assert signed_out.headers["HX-Redirect"] == "/signin"
        assert client.get("/").status_code == 302


def test_an_officer_who_keeps_working_stays_signed_in(client: Client, desk_officer: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(desk_officer)
        for _minute in range(0, 60, 10):
            assert client.get("/").status_code == 200
            clock.shift(timedelta(minutes=10))
        assert client.get("/").status_code == 200


def test_a_request_that_only_claims_to_be_htmx_still_counts_as_activity(client: Client, desk_officer: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(desk_officer)
        for _minute in range(0, 60, 10):
            assert client.get("/", HTTP_HX_REQUEST="true").status_code == 200
            clock.shift(timedelta(minutes=10))
        assert client.get("/").status_code == 200
