"""A hub and a station node as real processes (issue 13), and what is checked of the node's book at
the hub: shared by the tests of tests/nodes/test_hub_and_node.py and the kill soak (bench.node_kills)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
from daftari_verify import merkle
from daftari_verify.checkpoint import open_checkpoint
from daftari_verify.cosignature import Cosigner
from daftari_verify.leaf import Leaf
from daftari_verify.note import Verifier

DAFTARI = str(Path(sys.executable).with_name("daftari"))


@dataclass
class Server:
    """``daftari serve`` on ``port`` with ``env``: started, stopped, or killed as a power cut would."""

    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # A session of its own: kill() reaches gunicorn's workers too, not only its master.
        self.proc = subprocess.Popen(
            [DAFTARI, "serve", "--port", str(self.port), "--workers", "1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/api/v1/ledger/keys", timeout=2, trust_env=False)
                return
            except httpx.TransportError:
                assert self.proc.poll() is None, "the server stopped while starting"
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once, mid-request if one is running."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([DAFTARI, *args], env=self.env, capture_output=True, text=True, timeout=120)
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def start_sync(self) -> subprocess.Popen[bytes]:
        """``daftari node sync`` at this node, running beside the caller."""
        return subprocess.Popen(
            [DAFTARI, "node", "sync"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )


def hub_sql(hub: Server, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(hub.env["DATABASE_URL"], autocommit=True) as pg:
        cursor = pg.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def node_sql(node: Server, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(Path(node.env["DAFTARI_DATA_DIR"]) / "daftari.sqlite3", timeout=20)
    try:
        rows = db.execute(sql, params).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def node_size(node: Server) -> int:
    rows = node_sql(node, "SELECT size FROM ledger_log")
    return int(rows[0][0]) if rows else 0


def mirrored(hub: Server, station: str) -> int:
    """Leaves of ``station``'s node book the hub holds."""
    rows = hub_sql(
        hub,
        "SELECT count(*) FROM nodes_mirroredleaf l JOIN nodes_enrollednode n ON n.id = l.node_id "
        "WHERE n.origin LIKE %s",
        (f"%/{station}",),
    )
    return int(rows[0][0])


def wait_for_a_batch(hub: Server, station: str, *, beyond: int, push: subprocess.Popen[bytes]) -> int:
    """Waits until the hub holds more than ``beyond`` leaves of the book (it has taken a batch of
    the running ``push``), or the push has ended; returns what it holds."""
    deadline = time.monotonic() + 30
    held = mirrored(hub, station)
    while held <= beyond and push.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        held = mirrored(hub, station)
    return held


def hub_holds_the_nodes_book(hub: Server, node: Server, station: str) -> None:
    """Every leaf of the node's book, once, byte for byte, and its records with them."""
    node_leaves = node_sql(node, 'SELECT "index", data FROM ledger_leaf ORDER BY "index"')
    hub_leaves = hub_sql(
        hub,
        'SELECT l."index", l.data, l.record IS NOT NULL FROM nodes_mirroredleaf l JOIN nodes_enrollednode n '
        'ON n.id = l.node_id JOIN stations_station s ON s.id = n.station_id WHERE s.code = %s ORDER BY l."index"',
        (station,),
    )
    assert [(i, bytes(d)) for i, d, _ in hub_leaves] == [(i, bytes(d)) for i, d in node_leaves]
    assert all(has_record for _, _, has_record in hub_leaves)


def witnessed(hub: Server, node: Server, station: str) -> int:
    """The node's receipt for its whole book: its own checkpoint, cosigned with the hub's key, whose
    root is the node's leaves' and the hub's last accepted checkpoint's. Returns the book's size."""
    size = node_size(node)
    witness_key = (Path(hub.env["DAFTARI_DATA_DIR"]) / "hub-witness.key").read_text()
    node_key = hub_sql(hub, "SELECT public_key FROM nodes_enrollednode WHERE origin LIKE %s", (f"%/{station}",))[0][0]
    [(cosigned,)] = node_sql(node, "SELECT cosigned_note FROM nodes_cosignature WHERE size = ?", (size,))
    Cosigner.parse(witness_key).verifier().verify(cosigned)
    checkpoint = open_checkpoint(cosigned, Verifier.parse(node_key))
    leaves = [bytes(d) for (d,) in node_sql(node, 'SELECT data FROM ledger_leaf ORDER BY "index"')]
    assert checkpoint.size == size and checkpoint.root == merkle.root_from_leaves(leaves)
    assert hub_sql(
        hub,
        "SELECT c.size, c.root FROM nodes_acceptedcheckpoint c JOIN nodes_enrollednode n ON n.id = c.node_id "
        "WHERE n.origin LIKE %s ORDER BY c.size DESC LIMIT 1",
        (f"%/{station}",),
    ) == [(size, checkpoint.root)]
    return size


def ob_number_problems(numbered: Iterable[tuple[int, date]]) -> list[str]:
    """What is wrong with a station's OB numbers, (number, day) each: a number given twice, or a day
    whose numbers do not run 1, 2, 3, ... without a gap. Empty when they are sound."""
    days: dict[date, list[int]] = defaultdict(list)
    for seq, day in numbered:
        days[day].append(seq)
    problems = []
    for day, seqs in sorted(days.items()):
        repeated = sorted({seq for seq in seqs if seqs.count(seq) > 1})
        if repeated:
            problems.append(f"{day}: numbered twice {repeated}")
        missing = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
        if missing:
            problems.append(f"{day}: missing {missing}")
    return problems


def _signed_ob_number(data: bytes) -> tuple[int, date]:
    """(number, day) of an occurrence leaf's ``ob``, as the node signed it: ``OB 136/7/6/2025``.
    (Read here, not with occurrences.rules, so that the bench needs no Django of its own.)"""
    seq, day, month, year = (int(part) for part in (Leaf.from_bytes(data).ob or "").removeprefix("OB ").split("/"))
    return seq, date(year, month, day)


def ob_numbers_at_the_hub(hub: Server, station: str) -> list[tuple[int, date]]:
    """Every OB number of ``station`` the hub holds: those of its node's book, read from the mirrored
    leaves as signed, and those the hub's desk gave before the node took the book."""
    leaves = hub_sql(
        hub,
        "SELECT l.data FROM nodes_mirroredleaf l JOIN nodes_enrollednode n ON n.id = l.node_id "
        "WHERE n.origin LIKE %s AND l.kind = 'occurrence'",
        (f"%/{station}",),
    )
    at_hub = hub_sql(
        hub,
        "SELECT o.ob_seq, o.ob_date FROM occurrences_occurrence o JOIN stations_station s ON s.id = o.station_id "
        "WHERE s.code = %s",
        (station,),
    )
    return [_signed_ob_number(bytes(data)) for (data,) in leaves] + [(seq, day) for seq, day in at_hub]
