"""Django's PostgreSQL backend, whose per-request health check asks the server only when it has spoken.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of every request on a
kept connection: one round trip in each request (on the recording path, one of ten). A server that
ended the connection (a restart, ``pg_terminate_backend``) has said so on the socket already (its
FATAL message, then end of file), so the socket is looked at first, without waiting: only when
the server has sent something is it asked, as Django asks, and a dead connection is replaced before
the request uses it.

Statements are prepared on the server only where ``core.prepared`` asks (the recording path's few
statements, each run on every request); Django's own queries bind on the client and never are.
"""

import select
from typing import Any

from django.db.backends.postgresql import base


def _server_has_spoken(fileno: int) -> bool:
    readable, _, _ = select.select([fileno], [], [], 0)
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        # Django turns psycopg's statement cache off (None); ``prepare=True`` needs it on. Only
        # server-side binding cursors use it: Django's client-side ones never prepare.
        params["prepare_threshold"] = 0
        return params

    def close_if_health_check_failed(self) -> None:
        connection = self.connection
        # (Both flags are Django's own, set where it resets the check at a request's start and end.)
        due = connection is not None and self.health_check_enabled and not self.health_check_done  # type: ignore[attr-defined,has-type]
        if due and not connection.closed and not _server_has_spoken(connection.fileno()):
            self.health_check_done = True  # nothing from the server: open, and not asked
            return
        super().close_if_health_check_failed()
