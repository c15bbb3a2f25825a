"""The one settings module, read fresh from the environment in a subprocess each time."""

import json
import os
import subprocess
import sys
from pathlib import Path

PRINT_DATABASE = (
    "import django, json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'daftari.settings'; django.setup(); "
    "from django.conf import settings; db = settings.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'options': db.get('OPTIONS', {})}))"
)


def settings_in(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DAFTARI_", "DATABASE_URL"))}
    environ.update({"DAFTARI_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = settings_in(tmp_path, DAFTARI_DEBUG="0")
    assert result.returncode != 0
    assert "DAFTARI_SECRET_KEY must be set" in result.stderr


def test_production_starts_when_the_secret_key_is_given(tmp_path: Path) -> None:
    result = settings_in(tmp_path, DAFTARI_DEBUG="0", DAFTARI_SECRET_KEY="s" * 50)
    assert result.returncode == 0, result.stderr


def test_sqlite_in_the_data_dir_with_immediate_transactions_is_the_default(tmp_path: Path) -> None:
    result = settings_in(tmp_path)
    assert result.returncode == 0, result.stderr
    db = json.loads(result.stdout)
    assert db["engine"] == "django.db.backends.sqlite3"
    assert db["name"] == str(tmp_path / "daftari.sqlite3")
    assert db["options"]["transaction_mode"] == "IMMEDIATE"
    assert db["options"]["timeout"] >= 5


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    result = settings_in(tmp_path, DATABASE_URL="postgres://root@127.0.0.1:5432/daftari")
    assert result.returncode == 0, result.stderr
    db = json.loads(result.stdout)
    assert (db["engine"], db["name"]) == ("daftari.core.postgresql", "daftari")
