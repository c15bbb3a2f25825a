"""What the tests that run a hub and a node as real processes share (bench/hub_and_node.py has the rest)."""

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from django.db import connection

from tests.migrated_sqlite import DAFTARI


def _admin() -> dict[str, Any]:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}


def _url(name: str) -> str:
    params = connection.get_connection_params()
    user = params.get("user") or ""
    password = f":{params['password']}" if params.get("password") else ""
    return f"postgres://{user}{password}@{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{name}"


def _create(name: str, *, template: str | None = None) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **_admin()) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _base_name() -> str:
    """The settings' database name, whether or not this worker has made its test database yet
    (``test_<name>_gw0`` once it has)."""
    return re.sub(r"_gw\d+$", "", connection.settings_dict["NAME"].removeprefix("test_"))


def hub_database_url(suffix: str, *, template: str | None = None) -> str:
    """A fresh PostgreSQL database for a hub, a sibling of the test database (``<name>_<worker>_<suffix>``),
    on the same server and with the same credentials: empty, or a copy of ``template``."""
    name = f"{_base_name()}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{suffix}"
    _create(name, template=template)
    return _url(name)


def migrated_template_name() -> str:
    """The run's migrated hub database (``<name>_migrated``), the same whichever pytest-xdist worker asks."""
    return f"{_base_name()}_migrated"


def migrate_template(directory: Path) -> None:
    """``daftari migrate`` of a hub on a new database, ``migrated_template_name()``, which each hub's
    database is then created from (``CREATE DATABASE ... TEMPLATE``, under a second instead of 10-20 s).
    ``directory`` is the hub's data directory for the run (tests/migrated_sqlite.py, ``made_once``)."""
    name = migrated_template_name()
    _create(name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_")}
    env.update(DATABASE_URL=_url(name), DAFTARI_DATA_DIR=str(directory), DAFTARI_ROLE="hub")
    subprocess.run([DAFTARI, "migrate", "-v0"], env=env, check=True, timeout=300)
