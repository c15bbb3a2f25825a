"""Search over a PostgreSQL book of a million entries, against hand-written SQL in the same run.

The book is bulk-loaded with COPY (inserts are all the append-only guards allow, and all a
load needs) and kept between runs: ``--rebuild`` loads it again.
"""

import hashlib
import os
import random
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import psycopg
from psycopg import sql
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from bench import corpus, postgres
from bench.figures import console, percentile, verdict

DATABASE = "daftari_bench_search"
NAIROBI = timezone(timedelta(hours=3))
DAYS = 365
# code, name, county, share of the entries: one busy station and three smaller ones.
STATIONS = (
    ("BENCH-CENTRAL", "Central", 47, 0.4),
    ("BENCH-KONDELE", "Kondele", 42, 0.3),
    ("BENCH-NAKURU", "Nakuru Central", 32, 0.2),
    ("BENCH-LIKONI", "Likoni", 1, 0.1),
)
TABLES = ("occurrences_occurrence", "occurrences_party", "occurrences_vehicle")
TARGET_MS = {"OB number": 50.0, "ID number": 50.0, "full text": 100.0}
# What fixes a miss, by the table the plan had to scan whole.
ADVICE = {
    "occurrences_party": "an index on occurrences_party (id_number) (Party.id_number db_index=True); "
    "and the same for phone",
    "occurrences_occurrence": "an index matching the filter: see the plan above",
}
# The same lookups written by hand: the raw limit the desk's search is measured against.
RAW_OB_NUMBER = "SELECT o.* FROM occurrences_occurrence o WHERE o.station_id = %s AND o.ob_date = %s AND o.ob_seq = %s"
RAW_ID_NUMBER = (
    "SELECT o.* FROM occurrences_occurrence o WHERE o.station_id = %s "
    "AND o.id IN (SELECT p.occurrence_id FROM occurrences_party p WHERE p.id_number = %s) "
    "ORDER BY o.recorded_at DESC, o.ob_seq DESC LIMIT 26"
)
RAW_FULL_TEXT = (
    "SELECT o.* FROM occurrences_occurrence o WHERE o.station_id = %s "
    "AND to_tsvector('simple', o.search_text) @@ to_tsquery('simple', %s) "
    "ORDER BY o.recorded_at DESC, o.ob_seq DESC LIMIT 26"
)
ENTRY_COLUMNS = (
    "id",
    "station_id",
    "ob_date",
    "ob_seq",
    "entry_type",
    "occurred_at",
    "recorded_at",
    "recorded_by_id",
    "place",
    "narrative",
    "details",
    "is_late",
    "content_hash",
    "search_text",
)
PARTY_COLUMNS = ("occurrence_id", "position", "role", "name", "id_number", "id_number_unusual", "phone", "sex", "age")
VEHICLE_COLUMNS = ("occurrence_id", "position", "plate", "plate_unusual", "make_model", "colour")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = postgres.database_url(DATABASE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "daftari.settings"
    import django

    django.setup()


def loaded_entries() -> int | None:
    """How many entries the kept book holds, or None when there is no complete book."""
    if not postgres.exists(DATABASE):
        return None
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        if conn.execute("SELECT to_regclass('bench_corpus')").fetchone() == (None,):
            return None
        row = conn.execute("SELECT entries FROM bench_corpus").fetchone()
        return int(row[0]) if row else None


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


def entries_per_station_day(entries: int, rng: random.Random) -> list[list[int]]:
    """Counts per station per day that add up to ``entries``; busier on some days than others."""
    weights = [[share * rng.uniform(0.7, 1.3) for _ in range(DAYS)] for *_, share in STATIONS]
    total = sum(map(sum, weights))
    exact = [[w * entries / total for w in row] for row in weights]
    counts = [[int(x) for x in row] for row in exact]
    # Largest remainders first, so the sum is exact.
    remainders = sorted(((x - int(x), s, d) for s, row in enumerate(exact) for d, x in enumerate(row)), reverse=True)
    for _, s, d in remainders[: entries - sum(map(sum, counts))]:
        counts[s][d] += 1
    return counts


def create_stations() -> list[tuple[int, int]]:
    """(station id, desk officer id) for each bench station, through the real services."""
    from daftari.stations.models import County, Officer, Station
    from daftari.stations.rules import Role
    from daftari.stations.services import create_officer

    made = []
    for i, (code, name, county, _) in enumerate(STATIONS):
        station = Station.objects.create(code=code, name=f"{name} (bench)", county=County.objects.get(code=county))
        officer = create_officer(
            username=f"bench{i}",
            password="bench desk officer password",
            service_number=f"BENCH-{i}",
            rank=Officer.Rank.CONSTABLE,
            station=station,
            roles=[Role.DESK],
        )
        made.append((station.pk, officer.pk))
    return made


def load(entries: int) -> None:
    from daftari.occurrences.rules import EntryDraft, PartyInput, VehicleInput, id_number_is_usual, search_document

    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    stations = create_stations()
    rng = random.Random(1)
    counts = entries_per_station_day(entries, rng)
    first_day = datetime.now(NAIROBI).date() - timedelta(days=DAYS)
    started = time.perf_counter()
    with psycopg.connect(postgres.database_url(DATABASE)) as conn, progress_bar() as progress:
        # Foreign keys are right by construction; checking a million of them would double the load.
        conn.execute("SET session_replication_role = replica")
        indexes = postgres.secondary_indexes(conn, TABLES)
        for name, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        task = progress.add_task("loading the book with COPY", total=entries)
        with conn.cursor() as cur:
            for d in range(DAYS):
                ob_date = first_day + timedelta(days=d)
                day_start = datetime(ob_date.year, ob_date.month, ob_date.day, tzinfo=NAIROBI)
                entry_rows: list[tuple[Any, ...]] = []
                party_rows: list[tuple[Any, ...]] = []
                vehicle_rows: list[tuple[Any, ...]] = []
                for s, (station_id, officer_id) in enumerate(stations):
                    seconds = sorted(rng.randrange(86_400) for _ in range(counts[s][d]))
                    for seq, second in enumerate(seconds, start=1):
                        entry = corpus.book_entry(rng)
                        recorded_at = day_start + timedelta(seconds=second)
                        occurred_at = recorded_at - timedelta(minutes=rng.randint(10, 600))
                        draft = EntryDraft(
                            entry_type=entry.entry_type,
                            occurred_at=occurred_at,
                            place=entry.place,
                            narrative=entry.narrative,
                            parties=tuple(
                                PartyInput(role=p.role, name=p.name, id_number=p.id_number) for p in entry.parties
                            ),
                            vehicles=tuple(VehicleInput(plate=p) for p in entry.plates),
                        )
                        pk = uuid.UUID(int=rng.getrandbits(128), version=4)
                        entry_rows.append(
                            (
                                pk,
                                station_id,
                                ob_date,
                                seq,
                                entry.entry_type,
                                occurred_at,
                                recorded_at,
                                officer_id,
                                entry.place,
                                entry.narrative,
                                "{}",
                                False,
                                hashlib.sha256(entry.narrative.encode()).hexdigest(),
                                search_document(draft),
                            )
                        )
                        for position, p in enumerate(entry.parties):
                            party_rows.append(
                                (
                                    pk,
                                    position,
                                    p.role,
                                    p.name,
                                    p.id_number,
                                    bool(p.id_number) and not id_number_is_usual(p.id_number),
                                    p.phone,
                                    p.sex,
                                    p.age,
                                )
                            )
                        for position, plate in enumerate(entry.plates):
                            vehicle_rows.append((pk, position, plate, False, "", ""))
                for table, columns, rows in (
                    ("occurrences_occurrence", ENTRY_COLUMNS, entry_rows),
                    ("occurrences_party", PARTY_COLUMNS, party_rows),
                    ("occurrences_vehicle", VEHICLE_COLUMNS, vehicle_rows),
                ):
                    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                    )
                    with cur.copy(statement) as copy:
                        for row in rows:
                            copy.write_row(row)
                progress.advance(task, len(entry_rows))
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.commit()
        conn.autocommit = True
        task = progress.add_task("building the indexes", total=len(indexes))
        for _, definition in indexes:
            conn.execute(definition)
            progress.advance(task)
        conn.execute(
            "INSERT INTO occurrences_obcounter (station_id, ob_date, last_seq) "
            "SELECT station_id, ob_date, max(ob_seq) FROM occurrences_occurrence GROUP BY station_id, ob_date"
        )
        for table in TABLES:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
        conn.execute("CREATE TABLE bench_corpus (entries integer NOT NULL, loaded_at timestamptz NOT NULL)")
        conn.execute("INSERT INTO bench_corpus VALUES (%s, now())", [entries])
    console.print(f"loaded {entries:,} entries in {time.perf_counter() - started:.0f} s")


class Kind:
    """One kind of lookup: the desk's search and the hand-written SQL for the same rows."""

    def __init__(self, name: str, queries: list[Any], raw_sql: str, raw_params: Callable[[Any], list[Any]]) -> None:
        self.name = name
        self.queries = queries
        self.raw_sql = raw_sql
        self.raw_params = raw_params
        self.django_ms: list[float] = []
        self.raw_ms: list[float] = []
        self.found = 0

    def describe(self, query: Any) -> str:
        return repr(query.ob_number or query.id_number or query.text)


def _tsquery(text: str) -> str:
    import re

    return " & ".join(f"{w}:*" for w in re.findall(r"\w+", text.lower()))


def sample_kinds(conn: psycopg.Connection[Any], station_id: int, n: int) -> list[Kind]:
    from daftari.occurrences.search import SearchQuery

    obs = conn.execute(
        "SELECT ob_seq, ob_date FROM occurrences_occurrence TABLESAMPLE BERNOULLI (1) "
        "WHERE station_id = %s ORDER BY random() LIMIT %s",
        [station_id, n],
    ).fetchall()
    ids = conn.execute(
        "SELECT p.id_number FROM occurrences_party p TABLESAMPLE BERNOULLI (1) "
        "JOIN occurrences_occurrence o ON o.id = p.occurrence_id "
        "WHERE o.station_id = %s AND p.id_number <> '' ORDER BY random() LIMIT %s",
        [station_id, n],
    ).fetchall()
    named = conn.execute(
        "SELECT p.name, o.narrative, o.place FROM occurrences_party p TABLESAMPLE BERNOULLI (1) "
        "JOIN occurrences_occurrence o ON o.id = p.occurrence_id "
        "WHERE o.station_id = %s AND p.name <> '' ORDER BY random() LIMIT %s",
        [station_id, n],
    ).fetchall()
    words = []
    items = [item for item in corpus.ITEMS if " " not in item]
    for name, narrative, place in named:
        # What a desk officer types: a surname and the thing that was taken, or where.
        item = next((i for i in items if f" {i} " in narrative), place.split()[0].strip(","))
        words.append(f"{name.split()[-1]} {item}")

    def ob_number(row: tuple[int, date]) -> str:
        seq, day = row
        return f"OB {seq}/{day.day}/{day.month}/{day.year}"

    return [
        Kind(
            "OB number",
            [SearchQuery(ob_number=ob_number(r)) for r in obs],
            RAW_OB_NUMBER,
            lambda q: [station_id, *reversed(_parsed(q.ob_number))],
        ),
        Kind(
            "ID number",
            [SearchQuery(id_number=r[0]) for r in ids],
            RAW_ID_NUMBER,
            lambda q: [station_id, q.id_number],
        ),
        Kind(
            "full text",
            [SearchQuery(text=w) for w in words],
            RAW_FULL_TEXT,
            lambda q: [station_id, _tsquery(q.text)],
        ),
    ]


def _parsed(ob_number: str) -> tuple[int, date]:
    from daftari.occurrences.rules import parse_ob_number

    parsed = parse_ob_number(ob_number)
    assert parsed is not None
    return parsed


def explain(kind: Kind, scope: Any) -> None:
    """Prints the plan of the desk's query for the slowest sample, and what would fix it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from daftari.occurrences.search import search_occurrences

    slowest = sorted(range(len(kind.queries)), key=lambda i: kind.django_ms[i], reverse=True)
    console.print(f"[bold]{kind.name}[/]: the slowest searches")
    for i in slowest[:5]:
        console.print(f"    {kind.django_ms[i]:6.1f} ms  {kind.describe(kind.queries[i])}", markup=False)
    query = kind.queries[slowest[0]]
    with CaptureQueriesContext(connection) as captured:
        search_occurrences(scope=scope, query=query)
    main = captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + main)
        plan = [row[0] for row in cursor.fetchall()]
    console.print(f"[bold]{kind.name}[/]: plan of the slowest search ({kind.describe(query)}), run again")
    for line in plan:
        console.print(f"    {line}", markup=False)
    scanned = [t for t in TABLES if any(f"Seq Scan on {t}" in line for line in plan)]
    for table in scanned:
        console.print(f"  → sequential scan of {table}: needs {ADVICE.get(table, 'an index')}")


def run(*, entries: int, queries: int, rebuild: bool) -> bool:
    console.rule(f"[bold]Search over {entries:,} entries (PostgreSQL)")
    setup_django()
    from django.db import connections

    from daftari.occurrences.search import search_occurrences
    from daftari.stations.rules import Role, Scope

    if rebuild or loaded_entries() != entries:
        load(entries)
    else:
        postgres.migrate(DATABASE)  # a kept book gets any index added since it was loaded
        console.print(f"reusing the book of {entries:,} entries in {DATABASE} (--rebuild loads it again)")
    code, _, county, share = STATIONS[0]
    scope = Scope(roles=frozenset({Role.DESK}), station_code=code, county_code=county)
    with psycopg.connect(postgres.database_url(DATABASE), autocommit=True) as raw:
        station_id = raw.execute("SELECT id FROM stations_station WHERE code = %s", [code]).fetchone()[0]  # type: ignore[index]
        kinds = sample_kinds(raw, station_id, queries)
        with progress_bar() as progress:
            for kind in kinds:
                task = progress.add_task(f"searching by {kind.name}", total=len(kind.queries))
                for i, query in enumerate(kind.queries):
                    # Alternate which goes first, so neither always meets a warmer cache.
                    for side in ("django", "raw") if i % 2 else ("raw", "django"):
                        started = time.perf_counter()
                        if side == "django":
                            page = search_occurrences(scope=scope, query=query)
                            kind.django_ms.append((time.perf_counter() - started) * 1000)
                            kind.found += bool(page.entries)
                        else:
                            raw.execute(kind.raw_sql, kind.raw_params(query)).fetchall()
                            kind.raw_ms.append((time.perf_counter() - started) * 1000)
                    progress.advance(task)
        table = Table(
            title=f"search as a desk officer at the busiest station ({share:.0%} of the book), "
            f"{queries} random real values per kind"
        )
        for column in (
            "kind",
            "found",
            "p50 ms",
            "p95 ms",
            "target p95",
            "raw SQL p50",
            "raw SQL p95",
            "p95 / raw",
            "",
        ):
            table.add_column(column, justify="left" if column == "kind" else "right")
        all_met = True
        missed = []
        for kind in kinds:
            p50, p95 = percentile(kind.django_ms, 50), percentile(kind.django_ms, 95)
            r50, r95 = percentile(kind.raw_ms, 50), percentile(kind.raw_ms, 95)
            ok = p95 < TARGET_MS[kind.name]
            all_met &= ok
            if not ok:
                missed.append(kind)
            table.add_row(
                kind.name,
                f"{kind.found / len(kind.queries):.0%}",
                f"{p50:.1f}",
                f"{p95:.1f}",
                f"< {TARGET_MS[kind.name]:.0f}",
                f"{r50:.1f}",
                f"{r95:.1f}",
                f"{p95 / r95:.1f}×",
                verdict(ok),
            )
        console.print(table)
        for kind in missed:
            explain(kind, scope)
    connections.close_all()
    return all_met
