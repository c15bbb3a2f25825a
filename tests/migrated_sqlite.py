"""A migrated SQLite data directory for the tests that run daftari in real processes.

Running every migration takes 10-20 s on the 2-core machine (Django renders the model state for
each data migration), so one template is migrated per run of pytest, by whichever pytest-xdist
worker asks first (``made_once``), and the tests that need a fresh database of their own get a copy
of its file. Migrating a fresh database is itself proven by the creation of each test database
(SQLite and PostgreSQL) from the same migrations, and by the node joined on an empty data directory
in tests/nodes/test_hub_and_node.py.
"""

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

DAFTARI = str(Path(sys.executable).with_name("daftari"))
DATABASE_FILE = "daftari.sqlite3"


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """A directory ``name`` filled by ``make`` once per run of pytest: the first worker to ask makes
    it, under a lock the others wait on, and every worker gets the same directory."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's own directory, shared by its workers (each has a basetemp in it)
    directory = root / name
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / ".made").exists():
            shutil.rmtree(directory, ignore_errors=True)  # what a worker that failed making it left
            directory.mkdir()
            make(directory)
            (directory / ".made").touch()
    return directory


def migrate_template(directory: Path) -> Path:
    """``daftari migrate`` on a new SQLite file in ``directory``; its write-ahead log folded in."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DAFTARI_")}
    env.update(DAFTARI_DATA_DIR=str(directory), DJANGO_SETTINGS_MODULE="daftari.settings")
    subprocess.run([DAFTARI, "migrate", "-v0"], env=env, check=True, timeout=300)
    database = directory / DATABASE_FILE
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return database


def copy_into(template: Path, data_dir: Path) -> Path:
    """A data directory holding a freshly migrated database of its own (a copy of ``template``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / DATABASE_FILE)
    return data_dir
