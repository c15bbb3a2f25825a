"""A database restart costs no failed request: old connections are checked before they are used."""

import io
from collections.abc import Iterable

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client


def _get(path: str, cookie: str) -> int:
    """One request through Django's real WSGI handler, which runs the connection housekeeping
    that the test client skips (request_started / request_finished)."""
    status: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
    }
    body: Iterable[bytes] = get_wsgi_application()(environ, lambda s, h, *a: status.append(s))
    try:
        b"".join(body)
    finally:
        body.close()  # type: ignore[attr-defined]
    return int(status[0].split()[0])


if connection.vendor == "postgresql":

    @pytest.mark.postgres_only
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_the_first_request_after_the_database_dropped_every_connection_still_answers(
        client: Client, desk_officer: User
    ) -> None:
        client.force_login(desk_officer)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        assert _get("/", cookie) == 200
        assert connection.connection is not None, "the connection is kept for the next request"

        # What a PostgreSQL restart does to every connection the application holds: each backend
        # ends (a restart waits for that, as pg_terminate_backend does here with its timeout).
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as other:
            ended = other.execute(
                "SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert ended == (True,)

        assert _get("/", cookie) == 200
