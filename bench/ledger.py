"""The signed book's costs on PostgreSQL, each against a baseline measured in the same run.

- Recording through ``record_occurrence`` with the ledger against the same service with
  ``ledger.services.append`` made a no-op: the ratio is what the ledger costs the desk.
- Inclusion and consistency proofs served from the stored subtree hashes (TreeNode) at 1,000,
  100,000 and 1,000,000 leaves, beside pymerkle 7.0's SqliteTree (its persistent tree) over the
  same leaf bytes.

The big logs are bulk-loaded with COPY (leaves and the subtrees TreeState.append completes, as
``append`` and ``integrate`` store them) and kept between runs: ``--rebuild`` loads them again. Runs in its own
process (``python -m bench.ledger``) because Django is set up here on its own database.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from bench import corpus, postgres
from bench.figures import console, verdict

DATABASE = "daftari_bench_ledger"
SIZES = (1_000, 100_000, 1_000_000)
DESK_STATION = "BENCH-LEDGER-DESK"
CHUNK = 50_000
OVERHEAD_TARGET = 0.20
PYMERKLE_TARGET = 10.0
# A proof measurement stops at this many proofs or after this many seconds, whichever is first.
PROOFS, SECONDS = 2_000, 3.0


def setup_django() -> None:
    os.environ["DATABASE_URL"] = postgres.database_url(DATABASE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "daftari.settings"
    import django

    django.setup()


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def size_code(size: int) -> str:
    return f"BENCH-LEDGER-{size}"


def loaded_sizes() -> tuple[int, ...] | None:
    if not postgres.exists(DATABASE):
        return None
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        if conn.execute("SELECT to_regclass('bench_ledger_corpus')").fetchone() == (None,):
            return None
        return tuple(int(r[0]) for r in conn.execute("SELECT size FROM bench_ledger_corpus ORDER BY size"))


def synthetic_leaves(origin: str, start: int, count: int, at: datetime) -> list[bytes]:
    """Leaf v1 bytes as ``append`` writes them, for made-up records (the record itself is not stored)."""
    from daftari_verify.leaf import Leaf as LeafV1

    salt = bytes(32)
    return [
        LeafV1.for_record(
            at=at,
            by="BENCH-1",
            kind="occurrence",
            log=origin,
            ob=f"OB {i % 500 + 1}/1/1/2026",
            prev=None,
            record_id=str(uuid.UUID(int=i + 1)),
            record={"n": i},
            salt=salt,
        ).to_bytes()
        for i in range(start, start + count)
    ]


def load_log(conn: psycopg.Connection[Any], size: int, progress: Progress) -> None:
    """A station whose log holds ``size`` leaves and its built tree, written with COPY as ``append``
    and ``integrate`` would write them."""
    from daftari_verify import merkle

    from daftari.ledger.models import Log
    from daftari.ledger.services import origin_for
    from daftari.stations.models import County, Station

    station = Station.objects.create(code=size_code(size), name=f"Ledger {size:,}", county=County.objects.get(code=47))
    log = Log.objects.create(station=station, origin=origin_for(station))
    state = merkle.TreeState()
    at = datetime.now(UTC).replace(microsecond=0)
    task = progress.add_task(f"loading a log of {size:,} leaves with COPY", total=size)
    with conn.cursor() as cur:
        for start in range(0, size, CHUNK):
            leaves = synthetic_leaves(log.origin, start, min(CHUNK, size - start), at)
            with cur.copy("COPY ledger_leaf (log_id, index, kind, record_id, data, appended_at) FROM STDIN") as copy:
                for i, data in enumerate(leaves, start=start):
                    copy.write_row((log.pk, i, "occurrence", str(uuid.UUID(int=i + 1)), data, at))
            with cur.copy("COPY ledger_treenode (log_id, level, index, hash) FROM STDIN") as copy:
                for data in leaves:
                    for level, index, h in state.append(merkle.leaf_hash(data)):
                        copy.write_row((log.pk, level, index, h))
            progress.advance(task, len(leaves))
    conn.execute(
        "UPDATE ledger_log SET size = %s, integrated = %s, edge = %s WHERE id = %s",
        [state.size, state.size, state.to_bytes(), log.pk],
    )
    conn.execute("INSERT INTO bench_ledger_corpus VALUES (%s)", [size])
    conn.commit()


def load(sizes: tuple[int, ...]) -> None:
    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    started = time.perf_counter()
    with psycopg.connect(postgres.database_url(DATABASE)) as conn, progress_bar() as progress:
        conn.execute("CREATE TABLE bench_ledger_corpus (size bigint PRIMARY KEY)")
        conn.commit()
        for size in sizes:
            load_log(conn, size, progress)
        conn.autocommit = True
        for table in ("ledger_leaf", "ledger_treenode"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    console.print(
        f"loaded logs of {', '.join(f'{s:,}' for s in sizes)} leaves in {time.perf_counter() - started:.0f} s"
    )


# --- (a) recording with and without the ledger -------------------------------------------


def desk() -> tuple[Any, Any]:
    from django.contrib.auth.models import User

    from daftari.stations.models import County, Officer, Station
    from daftari.stations.rules import Role
    from daftari.stations.services import create_officer

    station = Station.objects.filter(code=DESK_STATION).first()
    if station is None:
        station = Station.objects.create(code=DESK_STATION, name="Ledger desk", county=County.objects.get(code=47))
        create_officer(
            username="bench-ledger-desk",
            password="bench desk officer password",
            service_number="BENCH-LEDGER-1",
            rank=Officer.Rank.CONSTABLE,
            station=station,
            roles=[Role.DESK],
        )
    return User.objects.select_related("officer").get(username="bench-ledger-desk"), station


@contextmanager
def ledger_off() -> Iterator[None]:
    from daftari.ledger import services

    real = services.append
    services.append = lambda **_: None  # type: ignore[assignment]
    try:
        yield
    finally:
        services.append = real


def drafts(n: int, rng: random.Random) -> list[Any]:
    from datetime import timedelta

    from django.utils import timezone

    from daftari.occurrences.rules import EntryDraft, PartyInput

    made = []
    for _ in range(n):
        entry = corpus.complaint(rng)
        made.append(
            EntryDraft(
                entry_type="COMPLAINT",
                occurred_at=timezone.now() - timedelta(minutes=rng.randint(20, 300)),
                place=entry.place,
                narrative=entry.narrative,
                parties=(
                    PartyInput(role="complainant", name=entry.name, id_number=entry.id_number, phone=entry.phone_local),
                ),
            )
        )
    return made


def recording(n: int) -> bool:
    from django.db import transaction

    from daftari.ledger.models import Log
    from daftari.ledger.services import integrate, lock_log
    from daftari.occurrences.services import record_occurrence

    console.rule("[bold]Recording with and without the ledger (record_occurrence, PostgreSQL)")
    actor, station = desk()
    rng = random.Random(3)
    warmup, sides = drafts(50, rng), {"with the ledger": drafts(n, rng), "without (append a no-op)": drafts(n, rng)}
    for draft in warmup:
        record_occurrence(actor=actor, station=station, draft=draft)
    size_before = Log.objects.get(station=station).size
    seconds = dict.fromkeys(sides, 0.0)
    block = 100
    with progress_bar() as progress:
        task = progress.add_task("recording, alternating blocks of 100", total=2 * n)
        for b, start in enumerate(range(0, n, block)):
            # Alternate which side goes first, so neither always meets the warmer cache.
            order = list(sides) if b % 2 == 0 else list(reversed(sides))
            for side in order:
                batch = sides[side][start : start + block]
                with ledger_off() if side.startswith("without") else _nothing():
                    began = time.perf_counter()
                    for draft in batch:
                        record_occurrence(actor=actor, station=station, draft=draft)
                    seconds[side] += time.perf_counter() - began
                progress.advance(task, len(batch))
    grown = Log.objects.get(station=station).size - size_before
    # The tree over the new leaves is built afterwards, as the worker does before signing: timed
    # too, so the figure below can also be read with that work counted against the desk.
    began = time.perf_counter()
    with transaction.atomic():
        integrate(lock_log(station))
    building = time.perf_counter() - began
    with_rate, without_rate = (n / s for s in seconds.values())
    overhead = 1 - with_rate / without_rate
    all_in = 1 - (n / (seconds["with the ledger"] + building)) / without_rate
    table = Table(title=f"{n} complaints per side, one desk, in alternating blocks of {block}")
    for column in ("", "entries/s", "ms per entry"):
        table.add_column(column, justify="right" if column else "left")
    for side, s in seconds.items():
        table.add_row(side, f"{n / s:,.0f}", f"{s / n * 1000:.2f}")
    table.add_row("then building their tree (worker)", f"{n / building:,.0f}", f"{building / n * 1000:.2f}")
    console.print(table)
    if grown != n:
        console.print(f"[red]the log grew by {grown}, not {n}[/]")
    ok = overhead < OVERHEAD_TARGET and grown == n
    console.print(
        f"ledger overhead = 1 - with/without = [bold]{overhead:.1%}[/] of the recording rate "
        f"(target < {OVERHEAD_TARGET:.0%}): {verdict(ok)}; "
        f"{all_in:.1%} if building the tree were counted against the desk too"
    )
    return ok


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# --- (b) proofs from stored hashes, beside pymerkle -------------------------------------


def rate(work: Callable[[int], object], samples: list[int], label: str, progress: Progress) -> float:
    """Proofs per second of ``work`` over ``samples`` (stops early after SECONDS)."""
    for i in samples[:20]:
        work(i)  # warm the connection and caches alike for both sides
    task = progress.add_task(label, total=len(samples))
    done = 0
    began = time.perf_counter()
    for i in samples:
        work(i)
        done += 1
        progress.advance(task)
        if time.perf_counter() - began > SECONDS:
            break
    elapsed = time.perf_counter() - began
    progress.remove_task(task)
    return done / elapsed


def pymerkle_tree(conn: psycopg.Connection[Any], log_id: int, path: Path, progress: Progress, size: int) -> Any:
    from pymerkle import SqliteTree

    tree = SqliteTree(str(path))
    task = progress.add_task(f"pymerkle SqliteTree: appending {size:,} leaves", total=size)
    with conn.cursor(name="leaves") as cur:
        cur.itersize = CHUNK
        cur.execute("SELECT data FROM ledger_leaf WHERE log_id = %s ORDER BY index", [log_id])
        while rows := cur.fetchmany(CHUNK):
            tree.append_entries([bytes(r[0]) for r in rows])
            progress.advance(task, len(rows))
    progress.remove_task(task)
    return tree


def measure(log: Any, tree: Any, size: int, rng: random.Random, progress: Progress) -> dict[str, float]:
    """Proofs/s for both sides at one size, on the same random leaves and old sizes."""
    from daftari.ledger.services import consistency_proof, inclusion_proof

    indexes = [rng.randrange(size) for _ in range(PROOFS)]
    olds = [rng.randrange(1, size) for _ in range(PROOFS)]
    return {
        "ours inclusion": rate(
            lambda i: inclusion_proof(log, i, size), indexes, f"{size:,}: inclusion, stored hashes", progress
        ),
        "pymerkle inclusion": rate(
            lambda i: tree.prove_inclusion(i + 1, size), indexes, f"{size:,}: inclusion, pymerkle", progress
        ),
        "ours consistency": rate(
            lambda m: consistency_proof(log, m, size), olds, f"{size:,}: consistency, stored hashes", progress
        ),
        "pymerkle consistency": rate(
            lambda m: tree.prove_consistency(m, size), olds, f"{size:,}: consistency, pymerkle", progress
        ),
    }


def proofs(sizes: tuple[int, ...]) -> bool:
    from daftari_verify import merkle

    from daftari.ledger.models import Log
    from daftari.ledger.services import inclusion_proof, root_at

    console.rule("[bold]Proofs from the stored subtree hashes, beside pymerkle 7.0 (same leaves, same run)")
    rng = random.Random(4)
    results: dict[int, dict[str, float]] = {}
    with (
        psycopg.connect(postgres.database_url(DATABASE)) as conn,
        tempfile.TemporaryDirectory() as tmp,
        progress_bar() as progress,
    ):
        for size in sizes:
            log = Log.objects.get(station__code=size_code(size))
            tree = pymerkle_tree(conn, log.pk, Path(tmp) / f"pymerkle-{size}.db", progress, size)
            if tree.get_root() != root_at(log, size):
                raise SystemExit(f"pymerkle and the ledger disagree on the root of {size:,} leaves")
            # Sanity: a proof served from the stored hashes verifies against that root.
            probe = rng.randrange(size)
            leaf_bytes = bytes(log.leaves.get(index=probe).data)
            merkle.verify_inclusion(
                merkle.leaf_hash(leaf_bytes), probe, size, inclusion_proof(log, probe, size), root_at(log, size)
            )
            results[size] = measure(log, tree, size, rng, progress)
            tree.close()
    table = Table(title="proofs per second, random leaves and old sizes, one process, PostgreSQL on localhost")
    for column in ("leaves", "inclusion", "pymerkle", "×", "consistency", "pymerkle", "×"):
        table.add_column(column, justify="right")
    for size, f in results.items():
        table.add_row(
            f"{size:,}",
            f"{f['ours inclusion']:,.0f}",
            f"{f['pymerkle inclusion']:,.0f}",
            f"{f['ours inclusion'] / f['pymerkle inclusion']:.1f}",
            f"{f['ours consistency']:,.0f}",
            f"{f['pymerkle consistency']:,.0f}",
            f"{f['ours consistency'] / f['pymerkle consistency']:.1f}",
        )
    console.print(table)
    big, small = results[max(results)], results[min(results)]
    ratios = [big["ours inclusion"] / big["pymerkle inclusion"], big["ours consistency"] / big["pymerkle consistency"]]
    faster = min(ratios) >= PYMERKLE_TARGET
    # Flat: the biggest log serves at least half the proofs/s of the smallest (the depth grows 3.3×).
    flatness = min(big["ours inclusion"] / small["ours inclusion"], big["ours consistency"] / small["ours consistency"])
    flat = flatness >= 0.5
    console.print(
        f"at {max(results):,} leaves: [bold]{min(ratios):.1f}×[/] pymerkle's proofs/s at the least "
        f"(target ≥ {PYMERKLE_TARGET:.0f}×): {verdict(faster)}"
    )
    console.print(
        f"proofs/s at {max(results):,} leaves / at {min(results):,} leaves = [bold]{flatness:.0%}[/] at the least "
        f"(flat: target ≥ 50%): {verdict(flat)}"
    )
    return faster and flat


def run(*, n: int, rebuild: bool, sizes: tuple[int, ...] = SIZES) -> bool:
    console.rule("[bold]The signed book (PostgreSQL)")
    setup_django()
    from django.db import connections

    if rebuild or loaded_sizes() != tuple(sorted(sizes)):
        load(tuple(sorted(sizes)))
    else:
        postgres.migrate(DATABASE)
        console.print(f"reusing the logs in {DATABASE} (--rebuild loads them again)")
    ok = recording(n)
    ok = proofs(tuple(sorted(sizes))) and ok
    connections.close_all()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="entries recorded per side (default 2000)")
    parser.add_argument("--rebuild", action="store_true", help="load the logs again even if they are there")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="log sizes in leaves (default 1000 100000 1000000)"
    )
    args = parser.parse_args()
    # Exit 3 marks a missed target for ``python -m bench``, which prints the verdict itself.
    return 0 if run(n=args.n, rebuild=args.rebuild, sizes=tuple(args.sizes)) else 3


if __name__ == "__main__":
    sys.exit(main())
