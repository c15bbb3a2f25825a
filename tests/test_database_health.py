"""A kept PostgreSQL connection that the server ended is replaced before a request uses it, though
the per-request health check no longer asks the server each time (daftari.core.postgresql)."""

import select

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from daftari.stations.models import County

if "postgresql" in settings.DATABASES["default"]["ENGINE"]:

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_a_connection_the_server_ended_is_replaced_before_the_next_request_queries() -> None:
        connection.ensure_connection()
        ended = connection.connection.info.backend_pid
        other = connection.get_new_connection(connection.get_connection_params())
        try:
            other.autocommit = True
            other.execute("SELECT pg_terminate_backend(%s)", [ended])
        finally:
            other.close()
        # The server says so on the connection's socket: its FATAL message, then the end of it.
        assert select.select([connection.connection.fileno()], [], [], 10)[0]
        close_old_connections()  # what Django does as a request starts: the health check is due again
        assert County.objects.filter(code=47).exists()
        assert connection.connection.info.backend_pid != ended
