"""The database connection's settings that the application relies on."""

import sqlite3

import pytest
from django.conf import settings
from django.db import connection

if connection.vendor == "sqlite":

    @pytest.mark.django_db
    def test_the_apps_sqlite_connection_overwrites_deleted_content() -> None:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1

    def test_the_sqlite_init_command_turns_secure_delete_on_even_where_the_build_leaves_it_off() -> None:
        # Debian's SQLite is built with secure_delete on by default, not every build is. Run the
        # configured commands, as Django does, on a connection that starts with it off.
        raw = sqlite3.connect(":memory:")
        raw.execute("PRAGMA secure_delete=OFF")
        for statement in settings.DATABASES["default"]["OPTIONS"]["init_command"].split(";"):
            if statement.strip():
                raw.execute(statement)
        assert raw.execute("PRAGMA secure_delete").fetchone()[0] == 1
        raw.close()
