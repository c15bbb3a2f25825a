"""Throwaway PostgreSQL databases for the benchmarks, on the local server (trust auth)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

SERVER_URL = os.getenv("DAFTARI_BENCH_PG", "postgres://root@127.0.0.1:5432")
DAFTARI = Path(sys.executable).with_name("daftari")


def database_url(name: str) -> str:
    return f"{SERVER_URL.rstrip('/')}/{name}"


def exists(name: str) -> bool:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def recreate(name: str) -> None:
    drop(name)
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def daftari_env(name: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url(name), DJANGO_SETTINGS_MODULE="daftari.settings", **extra)
    return env


def migrate(name: str) -> None:
    subprocess.run([str(DAFTARI), "migrate", "-v0"], env=daftari_env(name), check=True)


def secondary_indexes(conn: psycopg.Connection[Any], tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, definition) of the tables' indexes that back no constraint: dropped for a load, then rebuilt."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [list(tables)],
    ).fetchall()
    return [(str(name), str(definition)) for name, definition in rows]


def setup_django_as_a_server(name: str) -> None:
    """Django in this process on the database ``name``, for timing pages through the test client."""
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "daftari.settings"
    # As a server runs it: debug off (no per-query bookkeeping), a secret of its own, no secure-cookie redirect.
    os.environ.update(DAFTARI_DEBUG="0", DAFTARI_SECURE_COOKIES="0", DAFTARI_LOG_LEVEL="ERROR")
    os.environ.setdefault("DAFTARI_SECRET_KEY", secrets.token_urlsafe(50))
    # Officers sign in without the authenticator step: their pages, not the sign-in, are measured.
    os.environ["DAFTARI_SECOND_FACTOR_ROLES"] = "admin"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host; no test database is made


STATIONS_SQL = """
INSERT INTO stations_station (code, name, county_id, sub_county, phone)
SELECT %(code)s || g, %(name)s || g, (SELECT array_agg(code ORDER BY code) FROM stations_county)[1 + g %% 47],
       '', ''
FROM generate_series(0, %(n)s - 1) AS g
"""


def add_stations(name: str, n: int, *, code: str, station_name: str) -> None:
    """``n`` stations coded ``code`` 0, 1, ... over the 47 counties in turn (the n-th in county n % 47 + 1)."""
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute(STATIONS_SQL, {"n": n, "code": code, "name": station_name})


def count_and_analyse(conn: psycopg.Connection[Any], tables: tuple[str, ...]) -> None:
    """After a book loaded in SQL: each station-day's OB counter at its last number, so the services
    number on from there, and the planner's statistics of ``tables``. ``conn`` is in autocommit (VACUUM)."""
    conn.execute(
        "INSERT INTO occurrences_obcounter (station_id, ob_date, last_seq) "
        "SELECT station_id, ob_date, max(ob_seq) FROM occurrences_occurrence GROUP BY station_id, ob_date"
    )
    for table in tables:
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
