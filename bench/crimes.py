"""Crime figures over a national PostgreSQL book (issue 12, scale): the county and national figures pages
through the real views, the rollup's answer against a naive GROUP BY over the entries in the same run,
and recording with and without the rollup worker catching up beside it.

The book (default 1,000,000 entries; ``--crime-entries 10000000`` for the national size) is generated
inside PostgreSQL by INSERT ... SELECT generate_series into the real tables, over 1,500 stations in the
47 counties, with the real indexes rebuilt after the load; a few hundred entries more are recorded and
corrected through the services. The rollup is counted by ``rollup.rebuild`` (set-based; the test suite
holds it equal to the worker's ``catch_up`` and to a naive recount) and kept by ``catch_up`` after.
The database is dropped at the end unless ``--keep`` is given.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from rich.table import Table

from bench import postgres
from bench.figures import console, percentile, verdict

DATABASE = os.getenv("DAFTARI_BENCH_CRIMES_DB", "daftari_bench_crimes")
STATIONS = 1500
DAYS = 400  # more than a year, so "the same period last year" has a book behind it
PAGE_TARGET_MS = 200.0
RECORDING_RATIO_LIMIT = 1.10  # slower than this with the worker beside it counts as measurably slower
PAGE_REQUESTS = 40
TABLES = (
    "occurrences_occurrence",
    "occurrences_offence",
    "occurrences_party",
    "occurrences_caseupdate",
    "occurrences_casestatus",
)
# What desks write in the offence field, the way they write it (some no rule places: counted by type or not).
SECTIONS = (
    "Penal Code s.268",
    "Penal Code s.275",
    "Penal Code s.296",
    "Penal Code s.251",
    "Penal Code s.203",
    "Penal Code s.304",
    "Penal Code s.339",
    "Penal Code s.322",
    "Sexual Offences Act s.3",
    "Sexual Offences Act s.8",
    "Narcotic Drugs and Psychotropic Substances Act s.3",
    "Traffic Act s.46",
    "Anti-Corruption and Economic Crimes Act s.46",
    "stealing",
    "",
)
PLACES = ("Moi Avenue", "Kondele market", "the bus stage", "Likoni ferry", "Nakuru town", "Kisumu road", "a shamba")
# entry type by share out of 100: mostly complaints, some arrests and GBV, a few that record no crime.
TYPES = (("COMPLAINT", 60), ("ARREST", 12), ("GBV", 5), ("SERIOUS_CRIME", 3), ("LOST_DOC", 15), ("TRAFFIC_ACCIDENT", 5))


def _type_case() -> str:
    """An entry type from a number 0-99, by the shares of TYPES."""
    whens, upto = [], 0
    for entry_type, share in TYPES:
        upto += share
        whens.append(f"WHEN h100 < {upto} THEN '{entry_type}'")
    return "CASE " + " ".join(whens) + " END"


def entries_sql(entries: int, first_day: date, officer: int) -> str:
    """Every entry of the book as one INSERT ... SELECT: ``per_day`` entries a day, station ``k % STATIONS``
    at the k-th of the day (so OB numbers run 1, 2, 3 ... at each station each day), recorded through the
    day and occurred ten minutes to ten hours before."""
    per_day = max(1, entries // DAYS)
    places = ", ".join(f"'{p}'" for p in PLACES)
    return f"""
INSERT INTO occurrences_occurrence (id, station_id, ob_date, ob_seq, entry_type, occurred_at, recorded_at,
    recorded_by_id, place, narrative, details, is_late, late_reason, content_hash, search_text)
SELECT gen_random_uuid(), first_station + k % {STATIONS}, day, k / {STATIONS} + 1, entry_type,
       recorded - (10 + (h >> 8) % 590) * interval '1 minute', recorded, officer,
       place, narrative, CASE WHEN entry_type = 'LOST_DOC' THEN '{{"document_kind": "national_id"}}'::jsonb
                              ELSE '{{}}'::jsonb END,
       false, '', md5(g::text) || md5(narrative), narrative || ' ' || place
FROM (
    SELECT g, k, day, h, h % 100 AS h100,
           (day::timestamp + (k::float8 * 86400 / {per_day}) * interval '1 second') AT TIME ZONE 'Africa/Nairobi'
               AS recorded,
           (ARRAY[{places}])[1 + (h >> 4) % {len(PLACES)}] AS place,
           'Reported at the counter: entry ' || g || ' of the bench book.' AS narrative
    FROM (
        SELECT g, g % {per_day} AS k, DATE '{first_day.isoformat()}' + (g / {per_day})::int AS day,
               ((g::bigint * 2654435761) % 4294967296) AS h
        FROM generate_series(0, {entries} - 1) AS g
    ) AS numbered
) AS drawn
CROSS JOIN LATERAL (SELECT {_type_case()} AS entry_type) AS typed
CROSS JOIN (SELECT min(id) AS first_station FROM stations_station WHERE code LIKE 'BENCH-%') AS s
CROSS JOIN (SELECT {officer}::int AS officer) AS o
"""  # noqa: S608 - generated from constants


def offences_sql() -> str:
    """One offence on nine crime entries in ten, a second on one in five, drawn from SECTIONS."""
    sections = ", ".join("'" + s.replace("'", "''") + "'" for s in SECTIONS)
    n = len(SECTIONS)
    return f"""
INSERT INTO occurrences_offence (occurrence_id, position, section, description)
SELECT id, p, (ARRAY[{sections}])[1 + ((h >> (p * 7)) & 1023) % {n}], 'as reported'
FROM (SELECT id, abs(hashtext(id::text)) AS h FROM occurrences_occurrence
      WHERE entry_type IN ('COMPLAINT', 'ARREST', 'GBV', 'SERIOUS_CRIME')) AS crimes
CROSS JOIN generate_series(0, 1) AS p
WHERE (p = 0 AND h % 10 <> 0) OR (p = 1 AND h % 5 = 0)
"""  # noqa: S608 - generated from constants


SUSPECTS_SQL = """
INSERT INTO occurrences_party (occurrence_id, position, role, name, id_number, id_number_unusual, phone, sex)
SELECT id, 0, 'suspect', 'Suspect ' || ob_seq, (10000000 + abs(hashtext(id::text)) % 89999999)::text, false, '', 'M'
FROM occurrences_occurrence WHERE entry_type = 'ARREST'
"""


def cases_sql(officer: int) -> str:
    """The follow-up of the reports from the public: seven in ten assigned an hour after the report, three
    in ten of those in court a day after it, and half of the assigned closed 1 to 60 days (and some
    seconds) after it when that is past; the cases' projection from their last update."""
    from daftari.occurrences.queries import PUBLIC_FACING_TYPES

    types = ", ".join(f"'{t}'" for t in PUBLIC_FACING_TYPES)
    return f"""
INSERT INTO occurrences_caseupdate (id, occurrence_id, status, investigator_id, note, reason, recorded_by_id,
    recorded_at)
SELECT gen_random_uuid(), id, (ARRAY['assigned', 'in_court', 'closed'])[step + 1], {officer}, '',
       CASE step WHEN 2 THEN 'Judgment delivered.' ELSE '' END, {officer},
       CASE step WHEN 0 THEN recorded_at + interval '1 hour' WHEN 1 THEN recorded_at + interval '1 day'
                 ELSE closed_at END
FROM (
    SELECT id, recorded_at, h,
           recorded_at + (1 + (h >> 4) % 60) * interval '1 day' + ((h >> 10) % 86400) * interval '1 second'
               AS closed_at
    FROM (SELECT id, recorded_at, abs(hashtext(id::text || 'case')) AS h FROM occurrences_occurrence
          WHERE entry_type IN ({types}) AND refers_to_id IS NULL) AS reports
) AS fated
CROSS JOIN generate_series(0, 2) AS step
WHERE h % 10 < 7 AND recorded_at + interval '1 hour' < now()
  AND (step = 0 OR (step = 1 AND h % 10 < 3 AND recorded_at + interval '1 day' < now())
       OR (step = 2 AND (h >> 3) % 2 = 0 AND closed_at < now()));
INSERT INTO occurrences_casestatus (occurrence_id, status, investigator_id, updated_at)
SELECT DISTINCT ON (occurrence_id) occurrence_id, status, investigator_id, recorded_at
FROM occurrences_caseupdate ORDER BY occurrence_id, recorded_at DESC
"""  # noqa: S608 - generated from constants


def load(entries: int) -> None:
    """The book, generated in the server; the people who read the figures through the real services."""
    from daftari.stations.models import County, Officer, Station
    from daftari.stations.rules import Role
    from daftari.stations.services import create_officer

    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    started = time.perf_counter()
    postgres.add_stations(DATABASE, STATIONS, code="BENCH-", station_name="Bench station ")
    first = Station.objects.get(code="BENCH-0")
    desk = create_officer(
        username="bench-desk", password="bench desk password", service_number="BENCH-DESK",
        rank=Officer.Rank.CONSTABLE, station=first, roles=[Role.DESK],
    )  # fmt: skip
    create_officer(
        username="bench-analyst", password="bench analyst password", service_number="BENCH-ANALYST",
        rank=Officer.Rank.INSPECTOR, station=None, roles=[Role.ANALYST],
    )  # fmt: skip
    create_officer(
        username="bench-commander", password="bench commander password", service_number="BENCH-COMMANDER",
        rank=Officer.Rank.INSPECTOR, station=Station.objects.get(code="BENCH-46"), roles=[Role.COMMANDER],
    )  # fmt: skip
    assert County.objects.count() == 47 and Station.objects.get(code="BENCH-46").county_id == 47
    first_day = (datetime.now(postgres_nairobi()) - timedelta(days=DAYS)).date()
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        conn.execute("SET session_replication_role = replica")  # foreign keys right by construction
        conn.execute("SET maintenance_work_mem = '1GB'")
        indexes = postgres.secondary_indexes(conn, TABLES)
        for name, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        step = time.perf_counter()
        conn.execute(entries_sql(entries, first_day, desk.pk))  # type: ignore[arg-type]
        console.print(f"  {entries:,} entries over {STATIONS:,} stations in {time.perf_counter() - step:.0f} s")
        step = time.perf_counter()
        conn.execute(offences_sql())  # type: ignore[arg-type]
        conn.execute(SUSPECTS_SQL)
        console.print(f"  offences and suspects in {time.perf_counter() - step:.0f} s")
        step = time.perf_counter()
        conn.execute(cases_sql(desk.pk))  # type: ignore[arg-type]
        console.print(f"  case updates of the reports from the public in {time.perf_counter() - step:.0f} s")
        conn.commit()
        conn.autocommit = True
        step = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)  # type: ignore[arg-type]
        postgres.count_and_analyse(conn, TABLES)
        console.print(f"  {len(indexes)} indexes rebuilt and analysed in {time.perf_counter() - step:.0f} s")
    console.print(f"generated the book of {entries:,} entries in {time.perf_counter() - started:.0f} s")


def postgres_nairobi() -> Any:
    from daftari.occurrences.rules import NAIROBI

    return NAIROBI


def record_and_correct(n: int) -> list[Any]:
    """``n`` entries through the service at the first bench station, every fifth corrected to robbery."""
    from django.utils import timezone

    from daftari.occurrences.rules import OffenceInput, PartCorrection, PartsCorrection
    from daftari.occurrences.services import amend_occurrence, record_occurrence
    from daftari.stations.models import Officer

    desk = Officer.objects.select_related("user", "station").get(service_number="BENCH-DESK")
    recorded = []
    for i in range(n):
        draft = _draft(timezone.now() - timedelta(minutes=30 + i % 300), OffenceInput("Penal Code s.268", "theft"))
        entry = record_occurrence(actor=desk.user, station=desk.station, draft=draft).entry
        if i % 5 == 0:
            amend_occurrence(
                actor=desk.user,
                occurrence=entry,
                reason="Offence corrected after the statement",
                changes={},
                parts=PartsCorrection(offences=(PartCorrection(value=OffenceInput("Penal Code s.296", "robbery")),)),
            )
        recorded.append(entry)
    return recorded


def _draft(occurred_at: datetime, offence: Any) -> Any:
    from daftari.occurrences.rules import EntryDraft, PartyInput

    return EntryDraft(
        entry_type="COMPLAINT",
        occurred_at=occurred_at,
        place="Moi Avenue, near the bus stage",
        narrative="Complainant reports that her phone was snatched by a man on a motorcycle.",
        parties=(PartyInput(role="complainant", name="Wanjiku Kamau", id_number="12345678", phone="0712345678"),),
        offences=(offence,),
    )


def naive_sql(county: int | None) -> str:
    """Crimes by category over the entries themselves: the principal offence by a GROUP BY over the book."""
    from daftari.occurrences.rules import categorise_offence, crime_rules

    rules = crime_rules()
    ranks = [
        (s, rules.order(c.code)) for s in SECTIONS if (c := categorise_offence(s, rules)) is not None
    ]  # fmt: skip
    section_rank = " ".join(f"WHEN '{s}' THEN {r}" for s, r in ranks)
    category = " ".join(f"WHEN {i} THEN '{code}'" for i, (code, _name) in enumerate(rules.categories))
    fallback = " ".join(
        f"WHEN '{r['entry_type']}' THEN '{r['category']}'" for r in rules.rules if "entry_type" in r
    )  # fmt: skip
    types = ", ".join(f"'{t}'" for t in sorted(rules.crime_entry_types))
    where_county = f"AND s.county_id = {int(county)}" if county is not None else ""
    return f"""
SELECT COALESCE(CASE rank {category} END, CASE entry_type {fallback} END) AS category, count(*)
FROM (
    SELECT o.entry_type,
           (SELECT min(CASE f.section {section_rank} END) FROM occurrences_offence f WHERE f.occurrence_id = o.id)
               AS rank
    FROM occurrences_occurrence o JOIN stations_station s ON s.id = o.station_id
    WHERE o.refers_to_id IS NULL AND o.entry_type IN ({types}) {where_county}
      AND o.occurred_at >= %(lo)s AND o.occurred_at < %(hi)s
      AND NOT EXISTS (SELECT 1 FROM occurrences_occurrence a WHERE a.refers_to_id = o.id AND a.entry_type = 'AMENDMENT')
) AS entries
GROUP BY 1 HAVING COALESCE(CASE rank {category} END, CASE entry_type {fallback} END) IS NOT NULL
"""  # noqa: S608 - from constants and the rules


def naive_counts(level: str, code: str, start: date, end: date) -> Counter[str]:
    """The naive GROUP BY, and the corrected entries (a few hundred) recounted one by one as corrected."""
    from django.db import connection

    from daftari.occurrences.models import Occurrence
    from daftari.reports import figures, rollup
    from daftari.reports.custody_figures import period_bounds

    lo, hi = period_bounds(start, end)
    with connection.cursor() as cursor:
        cursor.execute(naive_sql(int(code) if level == "county" else None), {"lo": lo, "hi": hi})
        found: Counter[str] = Counter({str(cat): int(n) for cat, n in cursor.fetchall()})
    codes = figures.station_codes(level, code)
    corrected = Occurrence.objects.filter(refers_to=None, follow_ups__entry_type="AMENDMENT").distinct()
    for cell, n in rollup.naive_counts(corrected.select_related("station")).items():
        if start <= cell.day <= end and (codes is None or cell.station_code in codes):
            found[cell.category] += n
    return found


def time_pages(period: tuple[date, date]) -> list[tuple[str, list[float], int]]:
    from django.contrib.auth.models import User
    from django.test import Client

    start, end = period
    pages = []
    for label, username, query in (
        ("national (analyst)", "bench-analyst", {"level": "national", "code": ""}),
        ("county 47 (commander)", "bench-commander", {"level": "county", "code": "47"}),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        params = {**query, "start": start.isoformat(), "end": end.isoformat()}
        samples, size = [], 0
        for i in range(PAGE_REQUESTS + 2):
            began = time.perf_counter()
            response = client.get("/figures/crimes", params)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.status_code
            size = len(response.content)
            if i >= 2:  # the first two warm the caches
                samples.append(elapsed)
        pages.append((label, samples, size))
    return pages


def time_parts(period: tuple[date, date]) -> list[tuple[str, str, float]]:
    """Median ms of each part of the page, called directly: what the rollup answers and what is counted per view."""
    from django.utils import timezone

    from daftari.reports import custody_figures, figures, follow_up_figures

    start, end = period
    now = timezone.now

    def crimes(level: str, code: str) -> None:
        figures.crime_table(level, code, start, end)
        for by in ("station", "day", "hour"):
            figures.counts_by(level, code, start, end, by)
        figures.county_rates(start, end)

    parts = (
        ("crime figures (rollup)", crimes),
        ("custody figures (rollup)", lambda lv, c: custody_figures.custody_figures(lv, c, start, end, now=now())),
        ("follow-up figures (rollup)", lambda lv, c: follow_up_figures.follow_up_figures(lv, c, start, end)),
        ("follow-up figures (per view)", lambda lv, c: follow_up_figures.naive_follow_up_figures(lv, c, start, end)),
    )
    found = []
    for level, code in (("national", ""), ("county", "47")):
        for name, part in parts:
            samples = []
            for _ in range(7):
                began = time.perf_counter()
                part(level, code)
                samples.append((time.perf_counter() - began) * 1000)
            found.append((f"{level} {code}".strip(), name, statistics.median(samples)))
    return found


def time_recording(n: int) -> tuple[float, float, int]:
    """Median ms per recording without and with the worker catching up every half second beside it."""
    from django.db import connection
    from django.utils import timezone

    from daftari.occurrences.rules import OffenceInput
    from daftari.occurrences.services import record_occurrence
    from daftari.reports import custody_rollup, follow_up_rollup, rollup
    from daftari.stations.models import Officer

    desk = Officer.objects.select_related("user", "station").get(service_number="BENCH-DESK")
    rollup.catch_up()
    alone: list[float] = []
    beside: list[float] = []
    moved = 0
    for block in range(6):  # alternate, so neither side always meets a warmer or busier machine
        with_worker = block % 2 == 1
        stop = threading.Event()

        def worker(stop: threading.Event = stop) -> None:
            nonlocal moved
            while not stop.wait(0.5):  # the worker's figures jobs
                moved += rollup.catch_up()
                custody_rollup.catch_up()
                follow_up_rollup.catch_up()
            connection.close()

        thread = threading.Thread(target=worker) if with_worker else None
        if thread:
            thread.start()
        for i in range(n // 6):
            draft = _draft(timezone.now() - timedelta(minutes=20 + i), OffenceInput("Penal Code s.251", "assault"))
            began = time.perf_counter()
            record_occurrence(actor=desk.user, station=desk.station, draft=draft)
            (beside if with_worker else alone).append((time.perf_counter() - began) * 1000)
        stop.set()
        if thread:
            thread.join()
    moved += rollup.catch_up()
    return statistics.median(alone), statistics.median(beside), moved


def run(*, entries: int, keep: bool, record_n: int) -> bool:
    console.rule(f"[bold]Crime figures over {entries:,} entries at {STATIONS:,} stations (PostgreSQL)")
    postgres.setup_django_as_a_server(DATABASE)
    from django.db import connections
    from django.utils import timezone

    import daftari.urls  # noqa: F401 - every view's module now, whatever changes on disk during a long run
    from daftari.reports import custody_rollup, figures, follow_up_rollup, rollup

    console.print(f"generating the book in {DATABASE} ...")
    load(entries)
    began = time.perf_counter()
    counted = rollup.rebuild()
    rebuild_s = time.perf_counter() - began
    console.print(f"rollup.rebuild counted {counted:,} entries in {rebuild_s:.0f} s (set-based)")
    began = time.perf_counter()
    days = custody_rollup.rebuild()
    console.print(f"custody_rollup.rebuild wrote {days:,} station-days in {time.perf_counter() - began:.0f} s")
    began = time.perf_counter()
    days = follow_up_rollup.rebuild()
    console.print(f"follow_up_rollup.rebuild wrote {days:,} station-days in {time.perf_counter() - began:.0f} s")
    record_and_correct(200)
    began = time.perf_counter()
    moved = rollup.catch_up()
    custody_rollup.catch_up()
    follow_up_rollup.catch_up()
    console.print(
        f"recorded 200 entries through the service (40 corrected to robbery); catch_up moved {moved} "
        f"in {(time.perf_counter() - began) * 1000:.0f} ms"
    )
    from daftari.reports.models import CrimeCount

    console.print(f"the rollup holds {CrimeCount.objects.count():,} count rows")

    today = timezone.localdate()
    period = (today - timedelta(days=29), today)
    all_met = True

    table = Table(title=f"figures pages, last 30 days, {PAGE_REQUESTS} requests each through the real view")
    for column in ("page", "p50 ms", "p95 ms", "target p95", "KB", ""):
        table.add_column(column, justify="left" if column == "page" else "right")
    for label, samples, size in time_pages(period):
        p95 = percentile(samples, 95)
        ok = p95 < PAGE_TARGET_MS
        all_met &= ok
        table.add_row(
            label, f"{percentile(samples, 50):.0f}", f"{p95:.0f}", f"< {PAGE_TARGET_MS:.0f}", f"{size / 1024:.0f}",
            verdict(ok),
        )  # fmt: skip
    console.print(table)
    table = Table(title="where a page's time goes: each part called directly, median of 7")
    for column in ("level", "part", "median ms"):
        table.add_column(column, justify="right" if column == "median ms" else "left")
    for level, name, ms in time_parts(period):
        table.add_row(level, name, f"{ms:.0f}")
    console.print(table)

    table = Table(title="the rollup's answer against a naive GROUP BY over the entries, same run")
    for column in ("question", "crimes", "rollup ms", "naive GROUP BY ms", "naive / rollup", "equal"):
        table.add_column(column, justify="left" if column == "question" else "right")
    questions = [
        ("national, last 30 days", "national", "", *period),
        ("county 47, last 30 days", "county", "47", *period),
        ("national, last 365 days", "national", "", today - timedelta(days=364), today),
    ]
    for label, level, code, start, end in questions:
        began = time.perf_counter()
        rolled = figures.counts_by_category(level, code, start, end)
        rollup_ms = (time.perf_counter() - began) * 1000
        began = time.perf_counter()
        naive = naive_counts(level, code, start, end)
        naive_ms = (time.perf_counter() - began) * 1000
        same = +rolled == +naive
        all_met &= same
        table.add_row(
            label, f"{sum(rolled.values()):,}", f"{rollup_ms:.0f}", f"{naive_ms:.0f}", f"{naive_ms / rollup_ms:.0f}×",
            verdict(same),
        )  # fmt: skip
        if not same:
            console.print(f"  {label}: rollup {dict(rolled)} naive {dict(naive)}", markup=False)
    console.print(table)

    alone, beside, moved = time_recording(record_n)
    ratio = beside / alone
    ok = ratio < RECORDING_RATIO_LIMIT
    all_met &= ok
    table = Table(title=f"recording through the service, {record_n} entries, worker catching up every 0.5 s or idle")
    for column in ("median ms, worker idle", "median ms, worker beside", "ratio", "limit", "entries counted", ""):
        table.add_column(column, justify="right")
    table.add_row(f"{alone:.1f}", f"{beside:.1f}", f"{ratio:.2f}", f"< {RECORDING_RATIO_LIMIT:.2f}", str(moved),
                  verdict(ok))  # fmt: skip
    console.print(table)
    connections.close_all()
    if not keep:
        postgres.drop(DATABASE)
    return all_met


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crimes", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in the book (default 1,000,000)")
    parser.add_argument("--record-n", type=int, default=300, help="entries recorded in the recording comparison")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    return 0 if run(entries=args.entries, keep=args.keep, record_n=args.record_n) else 1


if __name__ == "__main__":
    sys.exit(main())
