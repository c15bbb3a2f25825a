"""Instant fines through the real HTTP server (``daftari serve`` on PostgreSQL), against bare inserts.

- Notices issued per second: traffic officers' devices posting ``POST /api/v1/fines/notices``.
- STK callbacks settled per second: Daraja's success callbacks for pending payments, each delivered
  three times at once (a flood of duplicates), to the callback URL; every payment must be confirmed
  once and its notice settled once.
- The bare-insert rate of the same run (single-row INSERTs, autocommit) as the yardstick.
"""

import random
import subprocess
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.table import Table

from bench import postgres
from bench.figures import console, percentile
from bench.recording import NAIROBI, free_port, run_concurrently, stop_server, wait_until_up

DATABASE = "daftari_bench_fines"
USERNAME = "bench-traffic"
PASSWORD = "bench traffic officer password"
STATION = "BENCH-FINES"
CALLBACK_TOKEN = "bench-callback-token-0123456789"
DUPLICATES = 3

SETUP = f"""
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer

station = Station.objects.create(code={STATION!r}, name="Bench Fines", county=County.objects.get(code=47))
create_officer(username={USERNAME!r}, password={PASSWORD!r}, service_number="BENCH-T1",
               rank=Officer.Rank.CONSTABLE, station=station, roles=[Role.TRAFFIC])
"""

# A pending STK payment for each notice, as ``pay_notice`` leaves it once Daraja accepted the push.
PENDING = """
from daftari.fines.models import FineNotice
from daftari.payments.models import Payment
Payment.objects.bulk_create([
    Payment(account_reference=n.number, amount_kes=n.total_kes, phone="+254712345678", method="stk",
            merchant_request_id=f"bench-{i}", checkout_request_id=f"ws_CO_bench_{n.number}")
    for i, n in enumerate(FineNotice.objects.filter(station__code=%r).order_by("number"))
])
"""

BARE_TABLE = """
CREATE TABLE bench_fines_bare (
    id uuid PRIMARY KEY,
    number varchar(12) NOT NULL,
    plate varchar(12) NOT NULL,
    driver_name varchar(120) NOT NULL,
    place varchar(200) NOT NULL,
    issued_at timestamptz NOT NULL,
    total_kes integer NOT NULL
)
"""

OFFENCES = (["MO28"], ["MO34"], ["MO28", "MO34"], ["MO07"])
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = postgres.daftari_env(
        DATABASE, DAFTARI_DEBUG="1", DAFTARI_LOG_LEVEL="ERROR", DAFTARI_DARAJA_CALLBACK_TOKEN=CALLBACK_TOKEN
    )
    command = [str(postgres.DAFTARI), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def notice_body(rng: random.Random) -> dict[str, Any]:
    codes = rng.choice(OFFENCES)
    offences: list[dict[str, Any]] = [{"code": c} for c in codes]
    for o in offences:
        if o["code"] == "MO07":
            o.update(measured_speed=80 + rng.randint(6, 20), speed_limit=80)
    plate = f"K{rng.choice('ABCD')}{rng.choice(LETTERS)} {rng.randint(100, 999)}{rng.choice(LETTERS)}"
    issued = datetime.now(NAIROBI) - timedelta(minutes=rng.randint(1, 30))
    return {
        "id": str(uuid.uuid4()),
        "offences": offences,
        "plate": plate,
        "driver": {"name": "Bench Driver", "id_number": "12345678", "licence": "DL1234567", "phone": "0712345678"},
        "place": rng.choice(["Thika Road", "Mombasa Road", "Waiyaki Way", "Ngong Road", "Jogoo Road"]),
        "issued_at": issued.isoformat(timespec="seconds"),
    }


def token(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"username": USERNAME, "password": PASSWORD}, trust_env=False
    )
    if response.status_code not in (200, 201):
        raise SystemExit(f"POST /api/v1/auth/token answered {response.status_code}: {response.text[:500]}")
    return str(response.json()["token"])


def issue(base_url: str, bearer: str, bodies: list[dict[str, Any]], clients: int) -> tuple[float, list[float]]:
    latencies = [0.0] * len(bodies)

    def setup() -> httpx.Client:
        return httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {bearer}"}, trust_env=False, timeout=30
        )

    def post(client: httpx.Client, i: int) -> None:
        started = time.perf_counter()
        response = client.post("/api/v1/fines/notices", json=bodies[i])
        latencies[i] = time.perf_counter() - started
        if response.status_code != 201:
            raise SystemExit(f"POST /api/v1/fines/notices answered {response.status_code}: {response.text[:500]}")

    return run_concurrently(len(bodies), clients, "issuing notices through the API", post, setup), latencies


def callback(number: str, amount: int, receipt: str) -> dict[str, Any]:
    return {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": f"bench-{number}",
                "CheckoutRequestID": f"ws_CO_bench_{number}",
                "ResultCode": 0,
                "ResultDesc": "The service request is processed successfully.",
                "CallbackMetadata": {
                    "Item": [
                        {"Name": "Amount", "Value": float(amount)},
                        {"Name": "MpesaReceiptNumber", "Value": receipt},
                        {"Name": "TransactionDate", "Value": 20261129101500},
                        {"Name": "PhoneNumber", "Value": 254712345678},
                    ]
                },
            }
        }
    }


def deliver(base_url: str, bodies: list[dict[str, Any]], clients: int) -> tuple[float, list[float]]:
    """Each callback DUPLICATES times, the copies next to each other so that they arrive together."""
    latencies = [0.0] * (len(bodies) * DUPLICATES)
    url = f"/payments/daraja/{CALLBACK_TOKEN}/stk"

    def setup() -> httpx.Client:
        return httpx.Client(base_url=base_url, trust_env=False, timeout=30)

    def post(client: httpx.Client, i: int) -> None:
        started = time.perf_counter()
        response = client.post(url, json=bodies[i // DUPLICATES])
        latencies[i] = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"POST {url} answered {response.status_code}: {response.text[:500]}")

    return run_concurrently(len(latencies), clients, "STK callbacks (each 3x)", post, setup), latencies


def bare_inserts(bodies: list[dict[str, Any]], clients: int) -> float:
    insert = (
        "INSERT INTO bench_fines_bare (id, number, plate, driver_name, place, issued_at, total_kes) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )

    def setup() -> psycopg.Connection[Any]:
        return psycopg.connect(postgres.database_url(DATABASE), autocommit=True)

    def write(conn: psycopg.Connection[Any], i: int) -> None:
        b = bodies[i]
        conn.execute(
            insert, [uuid.uuid4(), f"B{i:011d}", b["plate"], b["driver"]["name"], b["place"], b["issued_at"], 500]
        )

    return run_concurrently(len(bodies), clients, "bare single-row inserts", write, setup)


def check(n: int) -> tuple[str, bool]:
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        confirmed, distinct_receipts = conn.execute(
            "SELECT count(*), count(DISTINCT mpesa_receipt) FROM payments_payment WHERE state = 'confirmed'"
        ).fetchone() or (0, 0)
        settlements = (
            conn.execute("SELECT count(*) FROM fines_noticeevent WHERE payment_id IS NOT NULL").fetchone() or (0,)
        )[0]
        paid = (conn.execute("SELECT count(*) FROM fines_noticestate WHERE state = 'paid'").fetchone() or (0,))[0]
        stored = (conn.execute("SELECT count(*) FROM payments_darajacallback WHERE kind = 'stk'").fetchone() or (0,))[0]
    ok = confirmed == distinct_receipts == settlements == paid == n and stored == n * DUPLICATES
    text = (
        f"{stored} callbacks stored raw, {confirmed} payments confirmed, {settlements} settlements, "
        f"{paid} notices paid (expected {n} each, {n * DUPLICATES} callbacks)"
    )
    return text, ok


def run(*, n: int, clients: int) -> bool:
    console.rule("[bold]Instant fines through the HTTP API (PostgreSQL)")
    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    env = postgres.daftari_env(DATABASE)
    subprocess.run([str(postgres.DAFTARI), "shell", "-v0", "-c", SETUP], env=env, check=True)
    with psycopg.connect(postgres.database_url(DATABASE), autocommit=True) as conn:
        conn.execute(BARE_TABLE)
    rng = random.Random(5)
    warmup = [notice_body(rng) for _ in range(clients * 5)]
    bodies = [notice_body(rng) for _ in range(n)]
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        server = start_server(port, log)
        try:
            wait_until_up(base_url, server, log)
            bearer = token(base_url)
            issue(base_url, bearer, warmup, clients)
            issue_seconds, issue_latencies = issue(base_url, bearer, bodies, clients)
            subprocess.run([str(postgres.DAFTARI), "shell", "-v0", "-c", PENDING % STATION], env=env, check=True)
            with psycopg.connect(postgres.database_url(DATABASE)) as conn:
                notices = conn.execute(
                    "SELECT n.number, n.total_kes FROM fines_finenotice n ORDER BY n.number"
                ).fetchall()
            callbacks = [callback(number, total, f"BNC{i:07d}") for i, (number, total) in enumerate(notices)]
            callback_seconds, callback_latencies = deliver(base_url, callbacks, clients)
        finally:
            stop_server(server)
    bare_seconds = bare_inserts(bodies, clients)

    issue_rate, settle_rate, bare_rate = n / issue_seconds, len(callbacks) / callback_seconds, n / bare_seconds
    table = Table(title=f"{n} notices, {len(callbacks)} payments, {clients} concurrent clients, daftari serve")
    for column in ("", "per second", "p50 ms", "p99 ms", "vs bare insert"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "POST /api/v1/fines/notices",
        f"{issue_rate:,.0f}",
        f"{percentile(issue_latencies, 50) * 1000:.1f}",
        f"{percentile(issue_latencies, 99) * 1000:.1f}",
        f"{issue_rate / bare_rate:.1%}",
    )
    table.add_row(
        f"STK callbacks settled (each sent {DUPLICATES}x)",
        f"{settle_rate:,.0f}",
        f"{percentile(callback_latencies, 50) * 1000:.1f}",
        f"{percentile(callback_latencies, 99) * 1000:.1f}",
        f"{settle_rate / bare_rate:.1%}",
    )
    table.add_row(
        "  callback requests (all copies)", f"{len(callbacks) * DUPLICATES / callback_seconds:,.0f}", "", "", ""
    )
    table.add_row("bare INSERT (psycopg, autocommit)", f"{bare_rate:,.0f}", "", "", "100%")
    console.print(table)
    text, ok = check(len(callbacks))
    console.print(text + (": [green]exactly once[/]" if ok else ": [red]NOT exactly once[/]"))
    return ok


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.fines", description=__doc__)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    raise SystemExit(0 if run(n=args.n, clients=args.clients) else 1)
