"""What the tests that run a hub and a node as real processes share (bench/hub_and_node.py has the rest)."""

import psycopg
from django.db import connection


def hub_database_url(suffix: str) -> str:
    """A fresh, empty PostgreSQL database for a hub, a sibling of the test database (``<name>_<suffix>``),
    on the same server and with the same credentials."""
    params = connection.get_connection_params()
    name = f"{connection.settings_dict['NAME'].removeprefix('test_')}_{suffix}"
    admin = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"')
    user = params.get("user") or ""
    password = f":{params['password']}" if params.get("password") else ""
    return f"postgres://{user}{password}@{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{name}"
