"""``python -m bench``: every benchmark, with the raw limit measured in the same run."""

import argparse
import os
import subprocess
import sys
import time

from bench import contract, fines, node_kills, recording, search
from bench.figures import console


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="entries to record through the API (default 2000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent API clients (default 4)")
    parser.add_argument("--entries", type=int, default=1_000_000, help="size of the searched book (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=300, help="searches per kind (default 300)")
    parser.add_argument("--rebuild", action="store_true", help="load the searched book again even if it is there")
    parser.add_argument("--ledger-n", type=int, default=2000, help="entries per side in the ledger overhead run")
    parser.add_argument("--node-n", type=int, default=10_000, help="entries a node is behind in the nodes run")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs of a node's sync or its hub mid-push")
    parser.add_argument("--kills-seed", type=int, default=13, help="seed of where and when the kills strike")
    parser.add_argument("--fines-n", type=int, default=500, help="notices (and payments) in the fines run")
    parser.add_argument(
        "--crime-entries", type=int, default=1_000_000, help="entries in the crime figures book (10000000: national)"
    )
    parser.add_argument("--board-candidates", type=int, default=400, help="candidates in the readiness board run")
    parser.add_argument(
        "--refugee-people", type=int, default=800_000, help="people on the refugee register (default 800,000)"
    )
    parser.add_argument(
        "--national-ids", type=int, default=1_000_000, help="holders on the national ID list (default 1,000,000)"
    )
    parser.add_argument(
        "--contract-seconds",
        type=int,
        default=300,
        help="seconds of each schemathesis contract run, hub and node (default 300)",
    )
    parser.add_argument(
        "--only",
        choices=(
            "recording",
            "search",
            "ledger",
            "fines",
            "nodes",
            "node-kills",
            "crimes",
            "contract",
            "contract-node",
            "board",
            "refugees",
        ),
        help="run one benchmark",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    # The raw baselines absorb most noise, but a busy machine still shows in the latencies.
    load = os.getloadavg()[0]
    console.print(f"load average {load:.1f} on {os.cpu_count()} cores at the start")
    results = []
    if args.only in (None, "recording"):
        results.append(recording.run(n=args.n, clients=args.clients))
    if args.only in (None, "search"):
        results.append(search.run(entries=args.entries, queries=args.queries, rebuild=args.rebuild))
    if args.only in (None, "ledger"):
        # Its own process: Django is set up on the ledger's database there (search set it up here).
        command = [sys.executable, "-m", "bench.ledger", "--n", str(args.ledger_n)]
        results.append(subprocess.run([*command, *(["--rebuild"] if args.rebuild else [])]).returncode == 0)
    if args.only in (None, "nodes"):
        # Its own process too: Django is set up there on the hub's database.
        command = [sys.executable, "-m", "bench.nodes", "--n", str(args.node_n), "--clients", str(args.clients)]
        results.append(subprocess.run(command).returncode == 0)
    if args.only in (None, "node-kills"):
        results.append(node_kills.run(kills=args.kills, seed=args.kills_seed))
    if args.only in (None, "fines"):
        results.append(fines.run(n=args.fines_n, clients=args.clients))
    if args.only in (None, "crimes"):
        # Its own process: Django is set up there on the crime figures' database.
        command = [sys.executable, "-m", "bench.crimes", "--entries", str(args.crime_entries)]
        results.append(subprocess.run(command).returncode == 0)
    if args.only in (None, "board"):
        # Its own process: Django is set up there on the readiness board's database.
        command = [sys.executable, "-m", "bench.board", "--candidates", str(args.board_candidates)]
        results.append(subprocess.run(command).returncode == 0)
    if args.only in (None, "refugees"):
        # Its own process: Django is set up there on the register's database.
        command = [sys.executable, "-m", "bench.refugees", "--people", str(args.refugee_people)]
        results.append(subprocess.run([*command, "--national-ids", str(args.national_ids)]).returncode == 0)
    if args.only in (None, "contract"):
        results.append(contract.run(max_time=args.contract_seconds))
    if args.only in (None, "contract-node"):
        results.append(contract.run_node(max_time=args.contract_seconds))
    console.rule()
    met = all(results)
    console.print(f"{'all targets met' if met else 'some targets MISSED'} ({time.perf_counter() - started:.0f} s)")
    # A missed target is a finding, not a crash: the figures above say which.
    return 0


if __name__ == "__main__":
    sys.exit(main())
