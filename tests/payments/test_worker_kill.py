"""Kill the worker mid-query: the payment is still confirmed exactly once, and the notice settled once.

Everything is a real process on a file SQLite database of its own: the Daraja simulator (scenario
"lost": the callback never comes, the STK query answers success), ``daftari worker`` twice. Between
the worker and the simulator sits a small proxy in this test, which holds the first STK query: once
the worker has sent it, the worker is SIGKILLed (no answer read, nothing committed); the second
worker's query goes through.
"""

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.migrated_sqlite import copy_into
from tests.payments.conftest import DAFTARI, Simulator, start_simulator, stop_simulator

QUERY_PATH = "/mpesa/stkpushquery/v1/query"

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from daftari.fines import rules, services
from daftari.payments.models import Payment
from daftari.stations.models import County, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer
station = Station.objects.create(code="CENTRAL-NBI", name="Central Police Station", county=County.objects.get(code=47))
officer = create_officer(username="traffic", password="correct horse battery staple", service_number="SN1001",
    rank="constable", station=station, roles=[Role.TRAFFIC], first_name="Traffic", last_name="Officer")
draft = rules.NoticeDraft(plate="KCA 123A", driver_name="Kamau Njoroge", driver_id_number="", driver_licence="",
    driver_phone="0712345678", place="Thika Road", issued_at=timezone.now() - timedelta(minutes=10),
    offences=(rules.OffenceInput("MO28"),))
notice = services.issue_notice(actor=officer.user, station=station, draft=draft).notice
payment = services.pay_notice(number=notice.number, phone="0712340003").payment
# Three minutes old: the worker's query takes pending payments older than two.
Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=3))
payment.refresh_from_db()
print(json.dumps({"notice": notice.number, "payment": payment.pk.hex, "checkout": payment.checkout_request_id,
    "state": payment.state}))
"""


class HoldingProxy(ThreadingHTTPServer):
    """Forwards to the simulator; while ``hold`` is set, an STK query is received and never answered."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        self.target = target
        self.hold = threading.Event()
        self.held = threading.Event()
        self.release = threading.Event()
        self.queries = 0
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _Forward(BaseHTTPRequestHandler):
    server: HoldingProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(QUERY_PATH):
            self.server.queries += 1
            if self.server.hold.is_set():
                self.server.held.set()
                self.server.release.wait(30)  # the worker dies meanwhile; its socket goes with it
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
        answer = httpx.request(method, self.server.target + self.path, content=body, headers=headers, timeout=10)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def do_GET(self) -> None:
        self._forward("GET")

    def do_POST(self) -> None:
        self._forward("POST")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def environment(data_dir: Path, daraja_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAFTARI_", "DATABASE_URL"))}
    env.update(
        DAFTARI_DATA_DIR=str(data_dir),
        DAFTARI_DARAJA_BASE_URL=daraja_url,
        DAFTARI_PUBLIC_BASE_URL="http://127.0.0.1:9",  # no callback comes in this scenario anyway
        DAFTARI_SMS_BACKEND="file",
        DAFTARI_LOG_LEVEL="ERROR",
    )
    return env


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    sim = start_simulator("--scenario", "lost")
    yield sim
    stop_simulator(sim)


@pytest.fixture
def proxy(simulator: Simulator) -> Iterator[HoldingProxy]:
    server = HoldingProxy(simulator.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([DAFTARI, *args], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def rows(data_dir: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "daftari.sqlite3", timeout=20) as db:
        return db.execute(sql, params).fetchall()


def payment_state(data_dir: Path, payment: str) -> str:
    return str(rows(data_dir, "SELECT state FROM payments_payment WHERE replace(id, '-', '') = ?", payment)[0][0])


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([DAFTARI, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until(predicate: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_a_worker_killed_mid_query_leaves_exactly_one_confirmed_payment_and_one_settlement(
    data_dir: Path, simulator: Simulator, proxy: HoldingProxy, migrated_sqlite: Path
) -> None:
    copy_into(migrated_sqlite, data_dir)
    made = json.loads(run(["shell", "-c", SETUP], environment(data_dir, simulator.url)).strip().splitlines()[-1])
    assert made["state"] == "pending" and made["checkout"]
    # The simulator has "answered" (no callback comes): the query would now say success.
    time.sleep(0.5)

    worker_env = environment(data_dir, proxy.url)
    proxy.hold.set()
    first = start_worker(worker_env)
    try:
        assert proxy.held.wait(60), "the worker never queried"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert payment_state(data_dir, made["payment"]) == "pending"

    proxy.hold.clear()
    proxy.release.set()
    second = start_worker(worker_env)
    try:
        wait_until(lambda: payment_state(data_dir, made["payment"]) != "pending")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            second.kill()

    assert proxy.queries == 2
    assert rows(data_dir, "SELECT state, paid_kes FROM payments_payment") == [("confirmed", 500)]
    settlements = rows(
        data_dir,
        "SELECT e.kind, e.amount_kes FROM fines_noticeevent e JOIN fines_finenotice n ON n.id = e.notice_id "
        "WHERE n.number = ? AND e.payment_id IS NOT NULL",
        made["notice"],
    )
    assert settlements == [("paid", 500)]
    state = rows(
        data_dir,
        "SELECT s.state, s.paid_kes FROM fines_noticestate s JOIN fines_finenotice n ON n.id = s.notice_id "
        "WHERE n.number = ?",
        made["notice"],
    )
    assert state == [("paid", 500)]
