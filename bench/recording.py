"""Recording through the real HTTP API, against bare single-row inserts in the same run.

The server is the one a station runs (``daftari serve``: gunicorn, one worker per core) on a
throwaway PostgreSQL database. Each client is a desk posting complaints as fast as it can.
"""

import itertools
import random
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bench import corpus, postgres
from bench.figures import console, percentile, verdict

DATABASE = "daftari_bench"
USERNAME = "bench-desk"
PASSWORD = "bench desk officer password"
STATION = "BENCH-CENTRAL"
NAIROBI = timezone(timedelta(hours=3))

SETUP = f"""
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer

station = Station.objects.create(code={STATION!r}, name="Bench Central", county=County.objects.get(code=47))
create_officer(username={USERNAME!r}, password={PASSWORD!r}, service_number="BENCH-1",
               rank=Officer.Rank.CONSTABLE, station=station, roles=[Role.DESK])
"""

BARE_TABLE = """
CREATE TABLE bench_bare (
    id uuid PRIMARY KEY,
    station_id integer NOT NULL,
    ob_date date NOT NULL,
    ob_seq integer NOT NULL,
    entry_type varchar(20) NOT NULL,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    place varchar(200) NOT NULL,
    narrative text NOT NULL,
    details jsonb NOT NULL,
    content_hash varchar(64) NOT NULL,
    search_text text NOT NULL
)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = postgres.daftari_env(DATABASE, DAFTARI_DEBUG="1", DAFTARI_LOG_LEVEL="ERROR")
    if find_spec("daftari.core.management.commands.serve") is not None:
        command = [str(postgres.DAFTARI), "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [
            str(postgres.DAFTARI.with_name("gunicorn")),
            "daftari.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
        ]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(f"{base_url}/api/v1/openapi.json", timeout=2, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within 60 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def token(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"username": USERNAME, "password": PASSWORD}, trust_env=False
    )
    if response.status_code not in (200, 201) or "token" not in response.json():
        raise SystemExit(f"POST /api/v1/auth/token answered {response.status_code}: {response.text[:500]}")
    return str(response.json()["token"])


def complaint_body(rng: random.Random) -> dict[str, Any]:
    """A complaint at the counter, as a desk client sends it (the body of issue 2)."""
    entry = corpus.complaint(rng)
    occurred = datetime.now(NAIROBI) - timedelta(minutes=rng.randint(20, 300))
    return {
        "id": str(uuid.uuid4()),
        "entry_type": "COMPLAINT",
        "occurred_at": occurred.isoformat(timespec="seconds"),
        "place": entry.place,
        "narrative": entry.narrative,
        "parties": [
            {"role": "complainant", "name": entry.name, "id_number": entry.id_number, "phone": entry.phone_local}
        ],
        "details": {},
    }


def run_concurrently(
    n: int, clients: int, description: str, work: Callable[[Any, int], None], setup: Callable[[], Any]
) -> float:
    """Runs ``work(state, i)`` for i in 0..n-1 from ``clients`` threads; returns the wall time in seconds."""
    counter = itertools.count()
    lock = threading.Lock()
    failures: list[BaseException] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=n)

        def client() -> None:
            try:
                state = setup()
                with state:
                    while not failures:
                        with lock:
                            i = next(counter)
                        if i >= n:
                            return
                        work(state, i)
                        progress.advance(task)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    if failures:
        raise failures[0]
    return elapsed


def record_through_api(
    base_url: str, bearer: str, bodies: list[dict[str, Any]], clients: int
) -> tuple[float, list[float]]:
    latencies = [0.0] * len(bodies)

    def setup() -> httpx.Client:
        return httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {bearer}"}, trust_env=False, timeout=30
        )

    def post(client: httpx.Client, i: int) -> None:
        started = time.perf_counter()
        response = client.post("/api/v1/occurrences", json=bodies[i])
        latencies[i] = time.perf_counter() - started
        if response.status_code != 201 or "ob_number" not in response.json():
            raise SystemExit(f"POST /api/v1/occurrences answered {response.status_code}: {response.text[:500]}")

    elapsed = run_concurrently(len(bodies), clients, "recording through the API", post, setup)
    return elapsed, latencies


def bare_inserts(bodies: list[dict[str, Any]], clients: int) -> tuple[float, list[float]]:
    latencies = [0.0] * len(bodies)
    insert = (
        "INSERT INTO bench_bare (id, station_id, ob_date, ob_seq, entry_type, occurred_at, recorded_at, place, "
        "narrative, details, content_hash, search_text) "
        "VALUES (%s, 1, current_date, %s, 'COMPLAINT', %s, now(), %s, %s, '{}', %s, %s)"
    )

    def setup() -> psycopg.Connection[Any]:
        return psycopg.connect(postgres.database_url(DATABASE), autocommit=True)

    def write(conn: psycopg.Connection[Any], i: int) -> None:
        body = bodies[i]
        started = time.perf_counter()
        conn.execute(
            insert,
            [
                uuid.uuid4(),
                i + 1,
                body["occurred_at"],
                body["place"],
                body["narrative"],
                "0" * 64,
                f"{body['place']} {body['narrative']}",
            ],
        )
        latencies[i] = time.perf_counter() - started

    elapsed = run_concurrently(len(bodies), clients, "bare single-row inserts", write, setup)
    return elapsed, latencies


def check_book(n: int) -> str:
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        rows = conn.execute(
            "SELECT o.ob_date, count(*), min(o.ob_seq), max(o.ob_seq), count(DISTINCT o.ob_seq) "
            "FROM occurrences_occurrence o JOIN stations_station s ON s.id = o.station_id "
            "WHERE s.code = %s GROUP BY o.ob_date",
            [STATION],
        ).fetchall()
    total = sum(r[1] for r in rows)
    gapless = all(r[2] == 1 and r[3] == r[1] == r[4] for r in rows)
    return f"{total} entries in the book, OB numbers {'gapless and unique' if gapless else 'NOT GAPLESS'}"


def run(*, n: int, clients: int) -> bool:
    console.rule("[bold]Recording through the HTTP API (PostgreSQL)")
    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    subprocess.run([str(postgres.DAFTARI), "shell", "-v0", "-c", SETUP], env=postgres.daftari_env(DATABASE), check=True)
    with psycopg.connect(postgres.database_url(DATABASE), autocommit=True) as conn:
        conn.execute(BARE_TABLE)
    rng = random.Random(2)
    warmup = [complaint_body(rng) for _ in range(clients * 5)]
    bodies = [complaint_body(rng) for _ in range(n)]
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        server = start_server(port, log)
        try:
            wait_until_up(base_url, server, log)
            bearer = token(base_url)
            record_through_api(base_url, bearer, warmup, clients)
            api_seconds, api_latencies = record_through_api(base_url, bearer, bodies, clients)
        finally:
            stop_server(server)
    bare_seconds, bare_latencies = bare_inserts(bodies, clients)

    api_rate = n / api_seconds
    bare_rate = n / bare_seconds
    ratio = api_rate / bare_rate
    p50, p99 = percentile(api_latencies, 50) * 1000, percentile(api_latencies, 99) * 1000
    table = Table(title=f"{n} entries, {clients} concurrent clients, server: daftari serve (gunicorn)")
    for column in ("", "per second", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row("POST /api/v1/occurrences", f"{api_rate:,.0f}", f"{p50:.1f}", f"{p99:.1f}")
    table.add_row(
        "bare INSERT (psycopg, autocommit)",
        f"{bare_rate:,.0f}",
        f"{percentile(bare_latencies, 50) * 1000:.1f}",
        f"{percentile(bare_latencies, 99) * 1000:.1f}",
    )
    console.print(table)
    console.print(check_book(n + len(warmup)))
    ratio_ok, p99_ok = ratio >= 0.25, p99 < 50
    console.print(f"API rate / bare-insert rate = [bold]{ratio:.0%}[/] (target ≥ 25%): {verdict(ratio_ok)}")
    console.print(f"API p99 = [bold]{p99:.1f} ms[/] (target < 50 ms): {verdict(p99_ok)}")
    return ratio_ok and p99_ok
