"""Station nodes and the hub (issue 13), each figure against a raw baseline measured in the same run.

- Hub ingest: batches of 256 leaves of a node's book verified (signature, consistency, root, every
  record against its leaf's commit) and mirrored by ``hub.accept_push``, against bare INSERTs of the
  same rows, 256 to a transaction, through psycopg. Target: at least 30% of the bare rate. National
  search's index of those entries, built by the hub's worker after the commit (``mirror.index_new``),
  is timed on its own.
- Catch-up: a node (``daftari`` on SQLite) 10,000 entries behind pushes them with ``daftari node sync``
  to a hub (``daftari serve`` on PostgreSQL) through a link held to 256 kbit/s each way by a proxy
  here. Target: under 10 minutes; the bytes an entry costs on the wire are printed.
- Recording at a node: 4 desks posting complaints to the node's API (``daftari serve`` on SQLite),
  against bare durable commits of one row into SQLite (WAL, as Daftari opens it) from 4 threads.

Runs in its own process (``python -m bench.nodes``): Django is set up here on the hub's database.
"""

import argparse
import asyncio
import hashlib
import json
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.table import Table

from bench import corpus, postgres, recording
from bench.figures import console, percentile, verdict

INGEST_DB = "daftari_bench_hub"
LINK_DB = "daftari_bench_hub_link"
STATION = "BENCH-NODE"
DESK, PASSWORD = "bench-node-desk", "bench node desk password"
BATCH = 256
INGEST_TARGET = 0.30
CATCH_UP_MINUTES = 10.0
LINK_BITS_PER_SECOND = 256_000
ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = postgres.database_url(database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "daftari.settings"
    import django

    django.setup()


# --- Hub ingest ------------------------------------------------------------------------------


def synthetic_record(rng: random.Random, i: int, at: datetime) -> dict[str, Any]:
    """An occurrence record the size and shape the desk's are (what a node sends with each leaf)."""
    entry = corpus.complaint(rng)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "station": STATION,
        "ob": f"OB {i + 1}/{at.day}/{at.month}/{at.year}",
        "entry_type": "COMPLAINT",
        "occurred_at": (at - timedelta(hours=2)).isoformat(),
        "recorded_at": at.isoformat(),
        "recorded_by": "BENCH-1",
        "place": entry.place,
        "narrative": entry.narrative,
        "details": {},
        "parties": [
            {
                "role": "complainant",
                "name": entry.name,
                "id_number": entry.id_number,
                "phone": entry.phone,
                "sex": "",
                "age": None,
                "date_of_birth": None,
            }
        ],
        "offences": [],
        "property_items": [],
        "vehicles": [],
        "refers_to": None,
        "is_late": False,
        "late_reason": "",
        "content_hash": hashlib.sha256(entry.narrative.encode()).hexdigest(),
    }


def ingest(n: int) -> bool:
    postgres.recreate(INGEST_DB)
    postgres.migrate(INGEST_DB)
    setup_django(INGEST_DB)
    from daftari_verify import merkle, note
    from daftari_verify.checkpoint import Checkpoint
    from daftari_verify.leaf import Leaf, new_salt

    from daftari.nodes import hub, mirror, wire
    from daftari.nodes.models import MirroredEntry, MirroredLeaf
    from daftari.stations.models import County, Station

    station = Station.objects.create(code=STATION, name="Bench node", county=County.objects.get(code=47))
    _enrolled, code = hub.enrol(station=station)
    signer = note.Signer.generate(f"daftari.local/ob/{STATION}")
    node = hub.join(code=code, public_key=str(signer.verifier()))
    rng = random.Random(13)
    at = datetime.now(UTC)
    leaves, records, salts = [], [], []
    with console.status(f"building a node's book of {n:,} leaves"):
        for i in range(n):
            record, salt = synthetic_record(rng, i, at), new_salt()
            leaf = Leaf.for_record(
                at=at,
                by="BENCH-1",
                kind="occurrence",
                log=node.origin,
                ob=record["ob"],
                prev=None,
                record_id=record["id"],
                record=record,
                salt=salt,
            )
            leaves.append(leaf.to_bytes())
            records.append(record)
            salts.append(salt)
        tree = merkle.MerkleTree(merkle.leaf_hash(leaf) for leaf in leaves)
        pushes = []
        for start in range(0, n, BATCH):
            end = min(start + BATCH, n)
            checkpoint = Checkpoint(node.origin, end, tree.root(end)).sign(signer)
            proof = tuple(tree.consistency_proof(start, end)) if start else ()
            batch = tuple(wire.PushedLeaf(leaves[i], records[i], salts[i]) for i in range(start, end))
            push = wire.Push(node.origin, start, batch, checkpoint, proof)
            body = json.dumps(push.to_json(), separators=(",", ":")).encode()
            signature = wire.sign_request(signer, origin=node.origin, method="POST", path="/api/v1/hub/push", body=body)
            pushes.append((wire.parse_push(body), body, signature))

    with console.status("the hub verifies and mirrors the batches"):
        started = time.perf_counter()
        for push, body, signature in pushes:
            hub.accept_push(node=node, push=push, body=body, signature=signature)
        hub_seconds = time.perf_counter() - started
    assert MirroredLeaf.objects.filter(node=node).count() == n

    with console.status("the hub's worker indexes the book for national search"):
        started = time.perf_counter()
        indexed = mirror.index_new(node.pk)
        index_seconds = time.perf_counter() - started
    assert indexed == n and MirroredEntry.objects.filter(leaf__node=node).count() == n

    with psycopg.connect(postgres.database_url(INGEST_DB)) as conn, console.status("bare INSERTs of the same rows"):
        conn.execute(
            "CREATE TABLE bench_bare_mirror (node_id bigint, index bigint, kind varchar(20), record_id varchar(64),"
            " data bytea, record jsonb, salt bytea, received_at timestamptz, PRIMARY KEY (node_id, index))"
        )
        conn.commit()
        started = time.perf_counter()
        for start in range(0, n, BATCH):
            rows = [
                (node.pk, i, "occurrence", records[i]["id"], leaves[i], json.dumps(records[i]), salts[i], at)
                for i in range(start, min(start + BATCH, n))
            ]
            with conn.cursor() as cursor:
                cursor.executemany("INSERT INTO bench_bare_mirror VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
            conn.commit()
        bare_seconds = time.perf_counter() - started

    hub_rate, bare_rate = n / hub_seconds, n / bare_seconds
    share = hub_rate / bare_rate
    table = Table(title=f"Hub ingest of a node's book: {n:,} leaves in batches of {BATCH}, PostgreSQL")
    for column in ("", "leaves/s", "seconds", "/ bare INSERT", "target"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "hub.accept_push (verify + mirror)",
        f"{hub_rate:,.0f}",
        f"{hub_seconds:.1f}",
        f"{share:.0%}",
        f">= {INGEST_TARGET:.0%} {verdict(share >= INGEST_TARGET)}",
    )
    table.add_row("bare INSERT, 256 a transaction", f"{bare_rate:,.0f}", f"{bare_seconds:.1f}", "100%", "")
    index_rate = n / index_seconds
    table.add_row(
        "after the commit: mirror.index_new (the worker's search index)",
        f"{index_rate:,.0f}",
        f"{index_seconds:.1f}",
        f"{index_rate / bare_rate:.0%}",
        "",
    )
    both = n / (hub_seconds + index_seconds)
    table.add_row("accept and index, one after the other", f"{both:,.0f}", "", f"{both / bare_rate:.0%}", "")
    console.print(table)
    return share >= INGEST_TARGET


# --- A link of 256 kbit/s --------------------------------------------------------------------


@dataclass
class Pace:
    """One direction of the link: bytes leave no faster than ``rate`` a second."""

    rate: float
    carried: int = 0
    free_at: float = 0.0

    async def take(self, n: int) -> None:
        now = time.monotonic()
        self.free_at = max(self.free_at, now) + n / self.rate
        self.carried += n
        await asyncio.sleep(self.free_at - now)


@dataclass
class SlowLink:
    """A TCP proxy to ``target`` whose two directions each carry ``bits_per_second``."""

    target: int
    bits_per_second: int
    up: Pace = field(init=False)
    down: Pace = field(init=False)
    port: int = 0

    def __post_init__(self) -> None:
        self.up, self.down = Pace(self.bits_per_second / 8), Pace(self.bits_per_second / 8)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(10)

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            hub_reader, hub_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pump(reader, hub_writer, self.up), self._pump(hub_reader, writer, self.down))

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pace: Pace) -> None:
        try:
            while chunk := await reader.read(1460):
                await pace.take(len(chunk))
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)


# --- Catch-up and recording at a node --------------------------------------------------------

HUB_SETUP = f"""
from daftari.stations.models import County, Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer
station = Station.objects.create(code={STATION!r}, name="Bench node", county=County.objects.get(code=47))
create_officer(username={DESK!r}, password={PASSWORD!r}, service_number="BENCH-NODE-1",
               rank=Officer.Rank.CONSTABLE, station=station, roles=[Role.DESK])
"""

NODE_RECORD = """
import random, sys
from django.contrib.auth.models import User
from bench.ledger import drafts
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
user, station = User.objects.get(username={desk!r}), Station.objects.get(code={station!r})
for i, draft in enumerate(drafts({n}, random.Random(17))):
    record_occurrence(actor=user, station=station, draft=draft)
    if (i + 1) % 500 == 0:
        print(i + 1, flush=True)
"""


def _daftari(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(postgres.DAFTARI), *args], env=env, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"daftari {' '.join(args[:2])} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(postgres.DAFTARI), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    recording.wait_until_up(f"http://127.0.0.1:{port}", server, log)
    return server


def hub_and_node_env(database: str, work: Path, **node: str) -> tuple[dict[str, str], dict[str, str]]:
    """The environments of a hub on ``database`` (migrated, with the bench's station and desk
    officer, enrolled) and of a node in ``work``, each run as a station runs it."""
    postgres.recreate(database)
    postgres.migrate(database)
    served = {
        "DAFTARI_DEBUG": "0",
        "DAFTARI_SECRET_KEY": secrets.token_urlsafe(50),
        "DAFTARI_SECURE_COOKIES": "0",
        "DAFTARI_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    hub_env = postgres.daftari_env(database, DAFTARI_ROLE="hub", DAFTARI_DATA_DIR=str(work / "hub"), **served)
    node_env = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_") and k != "DATABASE_URL"}
    node_env.update(
        DAFTARI_ROLE="node",
        DAFTARI_DATA_DIR=str(work / "node"),
        DJANGO_SETTINGS_MODULE="daftari.settings",
        **served,
        **node,
    )
    _daftari(hub_env, "shell", "-c", HUB_SETUP)
    return hub_env, node_env


def enrolment_code(hub_env: dict[str, str]) -> str:
    return _daftari(hub_env, "hub", "enrol", "--station", STATION).stdout.strip().splitlines()[-1]


def catch_up_and_record(n: int, posts: int, clients: int) -> bool:
    work = Path(tempfile.mkdtemp(prefix="daftari-bench-nodes-"))
    hub_env, node_env = hub_and_node_env(LINK_DB, work, DAFTARI_NODE_TIMEOUT_SECONDS="120")
    code = enrolment_code(hub_env)
    hub_port = recording.free_port()
    hub = _serve(hub_env, hub_port, work / "hub.log")
    link = SlowLink(hub_port, LINK_BITS_PER_SECOND)
    node = None
    try:
        _daftari(node_env, "node", "join", "--hub", f"http://127.0.0.1:{link.port}", "--code", code)
        with console.status(f"the node records {n:,} entries, not syncing") as status:
            script = NODE_RECORD.format(desk=DESK, station=STATION, n=n)
            with subprocess.Popen(
                [str(postgres.DAFTARI), "shell", "-c", script], env=node_env, stdout=subprocess.PIPE, text=True
            ) as recorder:
                assert recorder.stdout is not None
                for line in recorder.stdout:
                    status.update(f"the node records {n:,} entries, not syncing: {line.strip()}")
            if recorder.returncode != 0:
                raise SystemExit("recording at the node failed")
        up0, down0 = link.up.carried, link.down.carried
        with console.status(f"daftari node sync over {LINK_BITS_PER_SECOND // 1000} kbit/s"):
            started = time.perf_counter()
            synced = subprocess.run(
                [str(postgres.DAFTARI), "node", "sync"], env=node_env, capture_output=True, text=True
            )
            seconds = time.perf_counter() - started
        if synced.returncode != 0:
            raise SystemExit(f"daftari node sync failed:\n{synced.stdout}{synced.stderr}")
        up, down = link.up.carried - up0, link.down.carried - down0
        with psycopg.connect(postgres.database_url(LINK_DB)) as conn:
            row = conn.execute("SELECT count(*) FROM nodes_mirroredleaf").fetchone()
            mirrored = int(row[0]) if row else 0
        node_port = recording.free_port()
        node = _serve(node_env, node_port, work / "node.log")
        rates = _record_at_node(f"http://127.0.0.1:{node_port}", posts, clients, work / "bare.sqlite3")
    finally:
        if node is not None:
            recording.stop_server(node)
        recording.stop_server(hub)
        link.stop()

    minutes = seconds / 60
    caught_up = mirrored >= n and minutes < CATCH_UP_MINUTES
    table = Table(title=f"A node {n:,} entries behind catches up over {LINK_BITS_PER_SECOND // 1000} kbit/s each way")
    for column in ("", "value", "target"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "time to send the whole book", f"{minutes:.1f} min", f"< {CATCH_UP_MINUTES:.0f} min {verdict(caught_up)}"
    )
    table.add_row("leaves the hub holds", f"{mirrored:,}", f"{n:,} and more")
    table.add_row("up, bytes an entry costs on the wire", f"{up / mirrored:,.0f}" if mirrored else "-", "gzip")
    table.add_row(
        "down, bytes an entry costs (cosignatures, the hub's data)", f"{down / mirrored:,.0f}" if mirrored else "-", ""
    )
    console.print(table)

    api_rate, p50, p99, bare_rate = rates
    table = Table(title=f"Recording at a node on SQLite: {posts:,} complaints from {clients} desks through its API")
    for column in ("", "entries/s", "p50 ms", "p99 ms", "/ bare commit"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row(
        "POST /api/v1/occurrences at the node",
        f"{api_rate:,.0f}",
        f"{p50:.1f}",
        f"{p99:.1f}",
        f"{api_rate / bare_rate:.1%}",
    )
    table.add_row("bare INSERT + COMMIT into SQLite (WAL)", f"{bare_rate:,.0f}", "", "", "100%")
    console.print(table)
    return caught_up


def _record_at_node(base_url: str, posts: int, clients: int, bare_path: Path) -> tuple[float, float, float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    rng = random.Random(23)
    bodies = [recording.complaint_body(rng) for _ in range(posts)]
    token = desk_token(base_url)

    def desk(share: list[dict[str, Any]]) -> None:
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, trust_env=False, timeout=60
        ) as client:
            for body in share:
                started = time.perf_counter()
                answer = client.post("/api/v1/occurrences", json=body)
                elapsed = time.perf_counter() - started
                if answer.status_code != 201:
                    raise SystemExit(f"the node answered {answer.status_code}: {answer.text[:300]}")
                with lock:
                    latencies.append(elapsed * 1000)

    threads = [threading.Thread(target=desk, args=(bodies[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api_rate = len(latencies) / (time.perf_counter() - started)
    return api_rate, percentile(latencies, 50), percentile(latencies, 99), _bare_sqlite(bare_path, posts, clients)


def desk_token(base_url: str) -> str:
    answer = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"username": DESK, "password": PASSWORD}, trust_env=False, timeout=60
    )
    if answer.status_code not in (200, 201):
        raise SystemExit(f"the node's token answered {answer.status_code}: {answer.text[:300]}")
    return str(answer.json()["token"])


def _bare_sqlite(path: Path, n: int, clients: int) -> float:
    """Durable single-row commits into SQLite opened as Daftari opens it, from ``clients`` threads."""
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE bare (id TEXT PRIMARY KEY, station_id INTEGER, narrative TEXT, details TEXT)")
    setup.close()
    rng = random.Random(29)
    rows = [(str(uuid.uuid4()), 1, corpus.complaint(rng).narrative, "{}") for _ in range(n)]

    def writer(share: list[tuple[Any, ...]]) -> None:
        db = sqlite3.connect(path, timeout=20, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        for row in share:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO bare VALUES (?, ?, ?, ?)", row)
            db.execute("COMMIT")
        db.close()

    threads = [threading.Thread(target=writer, args=(rows[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return n / (time.perf_counter() - started)


def run(*, n: int, posts: int, clients: int) -> bool:
    ingested = ingest(n)
    caught_up = catch_up_and_record(n, posts, clients)
    return ingested and caught_up


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nodes", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="entries the node is behind (default 10,000)")
    parser.add_argument("--posts", type=int, default=1_000, help="complaints recorded at the node (default 1,000)")
    parser.add_argument("--clients", type=int, default=4, help="desks posting at once (default 4)")
    args = parser.parse_args()
    return 0 if run(n=args.n, posts=args.posts, clients=args.clients) else 1


if __name__ == "__main__":
    sys.exit(main())
