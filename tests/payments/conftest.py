"""The Daraja simulator as a real process, Daftari's Daraja settings pointed at it, and a fake upper app."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.payments import accounts, daraja, services
from daftari.payments.models import Payment

DAFTARI = str(Path(sys.executable).parent / "daftari")
CALLBACK_TOKEN = "test-callback-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Simulator:
    url: str
    process: subprocess.Popen[bytes]


def start_simulator(*args: str) -> Simulator:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_DARAJA_")}
    process = subprocess.Popen(
        [DAFTARI, "daraja-sim", "--port", str(port), "--delay", "0.3", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return Simulator(url, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the Daraja simulator did not start")


def stop_simulator(sim: Simulator) -> None:
    sim.process.terminate()
    try:
        sim.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.process.kill()


@pytest.fixture(scope="session")
def simulator() -> Iterator[Simulator]:
    sim = start_simulator()
    yield sim
    stop_simulator(sim)


@pytest.fixture
def daraja_settings(settings: SettingsWrapper, simulator: Simulator) -> Iterator[SettingsWrapper]:
    """Daftari's Daraja settings as in development (the simulator's defaults), pointed at the simulator."""
    settings.DAFTARI_DARAJA_BASE_URL = simulator.url
    settings.DAFTARI_DARAJA_CALLBACK_TOKEN = CALLBACK_TOKEN
    # Nobody listens there: without a live server, the simulator's callbacks go nowhere (a test that
    # wants them uses live_server and sets this to its address).
    settings.DAFTARI_PUBLIC_BASE_URL = "http://127.0.0.1:9"
    daraja.clear_token_cache()
    yield settings
    daraja.clear_token_cache()


@dataclass
class Paybill:
    """A customer paying the paybill at the simulated M-Pesa, and Daftari receiving Daraja's word of it."""

    url: str
    shortcode: str
    on_commit: Callable[..., AbstractContextManager[Any]]

    def pay(
        self,
        reference: str,
        amount_kes: int,
        *,
        trans_id: str | None = None,
        msisdn: str = "254712345678",
        first_name: str = "John",
        last_name: str = "",
    ) -> bytes:
        """The money moves at M-Pesa; the answer is the C2B confirmation body Daraja would post."""
        answer = httpx.post(
            f"{self.url}/simulate/c2b",
            json={
                "ShortCode": self.shortcode,
                "BillRefNumber": reference,
                "Amount": amount_kes,
                "MSISDN": msisdn,
                "FirstName": first_name,
                "LastName": last_name,
                **({"TransID": trans_id} if trans_id else {}),
                "Deliver": False,
            },
            timeout=15,
        )
        assert answer.status_code == 200, answer.text
        return json.dumps(answer.json()["payment"]).encode()

    def confirm(self, raw: bytes) -> Payment:
        """Daftari receives the confirmation, asks Transaction Status, and receives Daraja's result."""
        with self.on_commit(execute=True):
            payment = services.record_c2b_confirmation(raw=raw)
        payment.refresh_from_db()
        if payment.state == Payment.State.PENDING and payment.conversation_id:
            result = httpx.get(f"{self.url}/simulate/results/{payment.conversation_id}", timeout=15)
            assert result.status_code == 200, result.text
            services.record_transaction_status_result(raw=result.content)
            payment.refresh_from_db()
        return payment

    def __call__(self, reference: str, amount_kes: int, **paid: Any) -> Payment:
        return self.confirm(self.pay(reference, amount_kes, **paid))


@pytest.fixture
def paybill(daraja_settings: SettingsWrapper, simulator: Simulator, django_capture_on_commit_callbacks: Any) -> Paybill:
    return Paybill(simulator.url, daraja_settings.DAFTARI_DARAJA_SHORTCODE, django_capture_on_commit_callbacks)


@dataclass
class FakeFines:
    """A tiny upper app: references "TST…" are its own; "TSTCLOSED" is already paid; it wants 500 KES."""

    confirmed: list[tuple[str, int | None, str]] = field(default_factory=list)
    in_transaction: list[bool] = field(default_factory=list)
    fail_next: bool = False

    def prefix_matches(self, reference: str) -> bool:
        return reference.startswith("TST")

    def validate(self, reference: str, amount_kes: int) -> str | None:
        if reference == "TSTCLOSED":
            return "Notice already paid"
        if amount_kes > 100_000:
            return accounts.REJECT_INVALID_AMOUNT
        return None

    def on_confirmed(self, payment: Payment) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the upper app failed")
        self.in_transaction.append(transaction.get_connection().in_atomic_block)
        self.confirmed.append((payment.account_reference, payment.paid_kes, payment.state))


@pytest.fixture
def fines() -> Iterator[FakeFines]:
    handler = FakeFines()
    accounts.register(handler)
    yield handler
    accounts.unregister(handler)


def wait_for(predicate: "object", timeout: float = 60.0) -> None:
    # Generous: the simulator calls back from another process, and a loaded 2-core CI machine
    # can take many seconds. Only a failing test ever waits this long.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")
