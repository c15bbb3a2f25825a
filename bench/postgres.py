"""Throwaway PostgreSQL databases for the benchmarks, on the local server (trust auth)."""

import os
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


def recreate(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
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
