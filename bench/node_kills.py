"""A station node and its hub killed with SIGKILL at random points of a push, again and again (issue 13).

A hub (``daftari serve`` on PostgreSQL) and a node (``daftari serve`` on SQLite) run as a station
runs them. Each round the node's desk records a few batches of complaints, ``daftari node sync``
starts pushing them, and once the hub has taken a batch, after a random delay, the sync or the hub
(gunicorn's master and worker at once), in turn, is killed with SIGKILL. Recovery: the hub is
started again on its database and port, and the node's next sync must end up to date. At the end
the hub must hold the node's whole book once, byte for byte with its records, the node's checkpoint
of it cosigned by the hub, the station's OB numbers gapless and unique, and the node 0 waiting.
Seeded: the same seed kills at the same places, as near as the machine's timing allows.
"""

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.table import Table

from bench import nodes, recording
from bench.figures import console, verdict
from bench.hub_and_node import (
    Server,
    hub_holds_the_nodes_book,
    mirrored,
    node_size,
    ob_number_problems,
    ob_numbers_at_the_hub,
    wait_for_a_batch,
    witnessed,
)

DATABASE = "daftari_bench_node_kills"
TARGETS = ("node sync", "hub serve")  # killed in turn
BATCH = 16  # leaves a push: rounds of 4-10 batches give a kill room to land mid-push


@dataclass
class Kill:
    target: str  # "node sync" or "hub serve"
    delay: float
    size: int  # leaves in the node's book
    before: int  # leaves the hub held when the push began
    at_kill: int  # ... when the kill struck (what survived it)
    after: int  # ... after recovery
    recovery: float  # seconds from the kill to the hub holding the whole book again

    @property
    def mid_push(self) -> bool:
        return self.at_kill < self.size


def _record(node: Server, token: str, n: int, rng: random.Random) -> None:
    with httpx.Client(
        base_url=node.url, headers={"Authorization": f"Bearer {token}"}, timeout=60, trust_env=False
    ) as client:
        for _ in range(n):
            answer = client.post("/api/v1/occurrences", json=recording.complaint_body(rng))
            if answer.status_code != 201:
                raise SystemExit(f"the node answered {answer.status_code}: {answer.text[:300]}")


@dataclass
class Pace:
    """Seconds the hub takes a leaf, as the kills so far saw it: a kill's delay is drawn within the
    push's expected length, so that most strike mid-push, at a point none can foresee."""

    per_leaf: float = 0.015

    def delay(self, rng: random.Random, leaves: int) -> float:
        return rng.uniform(0, 0.9 * leaves * self.per_leaf)

    def saw(self, delay: float, leaves: int, *, push_over: bool) -> None:
        """``leaves`` taken in ``delay`` seconds; if the push was over, faster than that."""
        if delay > 0.05 and leaves > 0:
            seen = delay / leaves
            self.per_leaf = min(self.per_leaf, seen) if push_over else (self.per_leaf + seen) / 2


def _round(hub: Server, node: Server, token: str, target: str, rng: random.Random, pace: Pace) -> Kill:
    _record(node, token, rng.randint(4 * BATCH, 10 * BATCH), rng)
    size, before = node_size(node), mirrored(hub, nodes.STATION)
    push = node.start_sync()
    first = wait_for_a_batch(hub, nodes.STATION, beyond=before, push=push)
    delay = pace.delay(rng, size - first)
    time.sleep(delay)
    if target == "node sync":
        push.kill()
    else:
        hub.kill()  # the sync finds the hub gone
    push.wait(timeout=60)
    killed = time.monotonic()
    at_kill = mirrored(hub, nodes.STATION)
    pace.saw(delay, at_kill - first, push_over=at_kill == size)
    if target == "hub serve":
        hub.start()  # the same database, the same port
    synced = node.run("node", "sync", check=False)
    if synced.returncode != 0:
        raise SystemExit(f"the sync after the kill ended {synced.returncode}:\n{synced.stdout}{synced.stderr}")
    recovery = time.monotonic() - killed
    return Kill(target, delay, size, before, at_kill, mirrored(hub, nodes.STATION), recovery)


def _final_check(hub: Server, node: Server, token: str) -> list[tuple[str, str, bool]]:
    """(what, found, sound) for each thing checked once the kills are over."""
    checks = []
    try:
        hub_holds_the_nodes_book(hub, node, nodes.STATION)
        size = witnessed(hub, node, nodes.STATION)
        checks.append(("every leaf once, byte for byte, with its record; checkpoint cosigned", f"{size:,}", True))
    except AssertionError as exc:
        checks.append(("every leaf once, byte for byte, with its record; checkpoint cosigned", str(exc)[:80], False))
    held, size = mirrored(hub, nodes.STATION), node_size(node)
    checks.append(("leaves the hub holds / the node's book", f"{held:,} / {size:,}", held == size))
    problems = ob_number_problems(ob_numbers_at_the_hub(hub, nodes.STATION))
    checks.append(("OB numbers at the hub: gaps or repeats", "; ".join(problems)[:80] or "none", not problems))
    answer = httpx.get(
        node.url + "/api/v1/node/status", headers={"Authorization": f"Bearer {token}"}, timeout=60, trust_env=False
    )
    waiting = answer.json().get("pending_leaves") if answer.status_code == 200 else answer.status_code
    checks.append(("the node shows waiting", str(waiting), waiting == 0))
    return checks


def run(*, kills: int = 20, seed: int = 13) -> bool:
    work = Path(tempfile.mkdtemp(prefix="daftari-bench-node-kills-"))
    hub_env, node_env = nodes.hub_and_node_env(
        DATABASE, work, DAFTARI_NODE_BATCH_LEAVES=str(BATCH), DAFTARI_NODE_TIMEOUT_SECONDS="10"
    )
    hub = Server(hub_env, recording.free_port())
    node = Server(node_env, recording.free_port())
    rng, pace = random.Random(seed), Pace()
    done: list[Kill] = []
    started = time.perf_counter()
    try:
        hub.start()
        node.run("node", "join", "--hub", hub.url, "--code", nodes.enrolment_code(hub_env))
        node.start()
        token = nodes.desk_token(node.url)
        console.print(f"[bold]{kills} kills at random points of a push[/] (seed {seed}, batches of {BATCH} leaves)")
        for i in range(kills):
            kill = _round(hub, node, token, TARGETS[i % 2], rng, pace)
            done.append(kill)
            console.print(
                f"kill {i + 1:2}/{kills} {kill.target} +{kill.delay:.2f} s: the hub held {kill.before} → "
                f"{kill.at_kill} of {kill.size} at the kill ({'mid-push' if kill.mid_push else 'push already over'}), "
                f"{kill.after} after recovery in {kill.recovery:.1f} s"
            )
        checks = _final_check(hub, node, token)
    finally:
        node.stop()
        hub.stop()
    seconds = time.perf_counter() - started

    table = Table(title=f"A node and its hub killed with SIGKILL mid-push, {kills} times, then recovered")
    for column in ("", "value", "target"):
        table.add_column(column, justify="right" if column else "left")
    by_target = {t: sum(k.target == t for k in done) for t in TARGETS}
    mid_push = sum(k.mid_push for k in done)
    table.add_row("kills: node sync / hub serve", f"{by_target['node sync']} / {by_target['hub serve']}", "")
    table.add_row("kills that struck mid-push", f"{mid_push} of {kills}", "")
    every_round = all(k.after == k.size for k in done)
    table.add_row(
        "rounds whose recovery ended with the whole book at the hub",
        f"{sum(k.after == k.size for k in done)}",
        f"{kills} {verdict(every_round)}",
    )
    recoveries = sorted(k.recovery for k in done)
    if recoveries:
        table.add_row(
            "recovery, median / slowest (s)", f"{recoveries[len(recoveries) // 2]:.1f} / {recoveries[-1]:.1f}", ""
        )
    for what, found, sound in checks:
        table.add_row(what, found, verdict(sound))
    table.add_row("total time", f"{seconds:.0f} s", "")
    console.print(table)
    return every_round and all(sound for _, _, sound in checks)
