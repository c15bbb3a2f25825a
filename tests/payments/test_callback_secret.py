"""The callback secret never reaches a log line, and production refuses the development secret."""

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core.logmask import MASK, MaskUrlSecrets
from tests.migrated_sqlite import copy_into
from tests.payments.conftest import free_port

DAFTARI = str(Path(sys.executable).with_name("daftari"))
SECRET = "a-production-like-callback-secret-4f9c2e"


@pytest.fixture
def server_log(tmp_path: Path, migrated_sqlite: Path) -> Iterator[tuple[str, Path]]:
    """``daftari serve`` (gunicorn) on a fresh data directory, its output in a file."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DAFTARI_")}
    env.update(
        DAFTARI_DATA_DIR=str(tmp_path),
        DAFTARI_TESTING="0",
        DAFTARI_DARAJA_CALLBACK_TOKEN=SECRET,
        DAFTARI_LOG_LEVEL="INFO",
    )
    copy_into(migrated_sqlite, tmp_path)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [DAFTARI, "serve", "--port", str(port), "--workers", "1"], env=env, stdout=out, stderr=out
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/static/daftari/htmx.min.js", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log_path.read_text()
                time.sleep(0.2)
        yield base, log_path
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_gunicorn_s_access_log_and_django_s_log_never_write_the_callback_secret(server_log: tuple[str, Path]) -> None:
    base, log_path = server_log
    path = f"/payments/daraja/{SECRET}/c2b/confirmation"
    # A malformed body is stored and answered 400: Django logs "Bad Request: <path>" too.
    answer = httpx.post(base + path + f"?again={SECRET}", content=b"{not json", timeout=10)
    assert answer.status_code == 400
    time.sleep(0.5)
    written = log_path.read_text()
    lines = [line for line in written.splitlines() if "/payments/daraja/" in line]
    assert any(f'"POST /payments/daraja/{MASK}/c2b/confirmation?again={MASK} HTTP/1.1" 400' in line for line in lines)
    assert any(line.startswith("Bad Request:") for line in lines), written
    assert SECRET not in written, written


def test_a_log_record_naming_the_secret_is_masked_whatever_its_arguments(settings: SettingsWrapper) -> None:
    settings.DAFTARI_DARAJA_CALLBACK_TOKEN = SECRET
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Bad Request: %s", (f"/x/{SECRET}/stk",), None
    )
    assert MaskUrlSecrets().filter(record) is True
    assert record.getMessage() == f"Bad Request: /x/{MASK}/stk"


def settings_in(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DAFTARI_", "DATABASE_URL"))}
    environ.update({"DAFTARI_DATA_DIR": str(tmp_path), "DAFTARI_DEBUG": "0", "DAFTARI_SECRET_KEY": "s" * 50, **env})
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'daftari.settings'; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("token", ["daftari-dev-daraja-callback", "short"])
def test_production_refuses_to_start_with_the_development_or_a_short_callback_token(tmp_path: Path, token: str) -> None:
    result = settings_in(tmp_path, DAFTARI_DARAJA_CALLBACK_TOKEN=token)
    assert result.returncode != 0
    assert "DAFTARI_DARAJA_CALLBACK_TOKEN must be a secret" in result.stderr


def test_production_starts_with_a_real_callback_token_and_only_safaricom_s_addresses(tmp_path: Path) -> None:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'daftari.settings'; django.setup(); "
        "from django.conf import settings; print(','.join(settings.DAFTARI_DARAJA_CALLBACK_ALLOWED_IPS))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DAFTARI_", "DATABASE_URL"))}
    environ.update(
        DAFTARI_DATA_DIR=str(tmp_path),
        DAFTARI_DEBUG="0",
        DAFTARI_SECRET_KEY="s" * 50,
        DAFTARI_DARAJA_CALLBACK_TOKEN=SECRET,
    )
    result = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    allowed = result.stdout.strip().split(",")
    assert "196.201.214.200" in allowed and len(allowed) == 12
    assert "127.0.0.1" not in allowed
