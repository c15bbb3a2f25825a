"""Per-client limits on the public pages, counted in the database so every worker process agrees."""

import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from daftari.core.models import ClientRate


def client_address(request: HttpRequest) -> str:
    # The address the reverse proxy saw is in REMOTE_ADDR (it is the one hop we trust).
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:45]


def over_limit(*, scope: str, client: str, limit: int, window_seconds: int = 60) -> bool:
    """Counts this request; True once ``client`` has made more than ``limit`` in the current window.

    One statement (an upsert that returns the count) whatever the traffic: a row per client and
    scope, restarted when a new window begins.
    """
    window_no = int(time.time()) // window_seconds
    table = connection.ops.quote_name(ClientRate._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, client, window_no, hits) VALUES (%s, %s, %s, 1) "  # noqa: S608 - our table name
            "ON CONFLICT (scope, client) DO UPDATE SET "
            f"hits = CASE WHEN {table}.window_no = EXCLUDED.window_no THEN {table}.hits + 1 ELSE 1 END, "
            "window_no = EXCLUDED.window_no RETURNING hits",
            [scope[:40], client[:45], window_no],
        )
        hits = cursor.fetchone()[0]
    return int(hits) > limit


def too_many(request: HttpRequest) -> HttpResponse:
    """The public pages' answer to a client over its limit."""
    message = _("Too many requests from your connection. Wait a minute and try again.")
    response = render(request, "portal/too_many.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response
