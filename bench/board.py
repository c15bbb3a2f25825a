"""The MSS readiness board at contingent size (issue 15): "a contingent of 400 candidates is evaluated on
one page in under a second", through the real views, against a raw SELECT measured in the same run.

A fresh PostgreSQL database holds one mission and a contingent of 400 candidates (officers of several
stations) with a result for every criterion (some retaken, a few failed), every module of the course
(a few missed), every kind of document (a few lapsing in the mission), a certificate for those who
passed the course and a vetting decision for most (cleared; a few excluded). Around them a background
book of tens of thousands of OB entries is generated in SQL (INSERT ... SELECT generate_series), with
deaths in custody and offences involving police officers naming officers who are not candidates, so
the vetting cross-check reads a realistic book; a few candidates are then found there through the real
services: deaths and serious injuries in the cells, DEATH_IN_CUSTODY entries naming them on duty and
complaints naming them the police officer suspected.

Timed through the Django test client, signed in as the deployment officer: each of the board's pages
of 50, and the board on the API with ``per_page=100`` (the whole contingent in four pages); signed in
as the vetting officer: the vetting page of a candidate with findings. The database is dropped at the
end unless ``--keep`` is given.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench import postgres
from bench.figures import console, percentile, verdict

DATABASE = os.getenv("DAFTARI_BENCH_BOARD_DB", "daftari_bench_board")
STATIONS = 12
DAYS = 365
TARGET_MS = 1000.0
REQUESTS = 20
WARM_UP = 2
FIRST_NAMES = ("Wanjiru", "Otieno", "Kiprono", "Achieng", "Mwangi", "Njeri", "Wafula", "Chebet", "Mutua", "Akinyi")
LAST_NAMES = ("Kamau", "Ouma", "Kiptoo", "Odhiambo", "Mwangi", "Wanjiku", "Barasa", "Korir", "Musyoka", "Atieno")
RANKS = ("PC", "PC", "PC", "CPL", "CPL", "SGT", "SSGT", "IP")
TABLES = ("occurrences_occurrence", "occurrences_party")


def book_sql(entries: int, first_day: date, recorder: int, others: list[str]) -> str:
    """The background book as one INSERT ... SELECT: ``entries`` over DAYS days at the bench stations,
    OB numbers 1, 2, 3 ... at each station each day. One in 1,000 is a death in custody naming two
    officers on duty and one in 400 a complaint naming a police officer suspected, all officers who are
    not candidates (``others``); the rest complaints, arrests, lost documents and traffic accidents."""
    per_day = max(1, entries // DAYS)
    names = "ARRAY[" + ", ".join(f"'{n}'" for n in others) + "]"
    count = len(others)
    return f"""
INSERT INTO occurrences_occurrence (id, station_id, ob_date, ob_seq, entry_type, occurred_at, recorded_at,
    recorded_by_id, place, narrative, details, is_late, late_reason, content_hash, search_text)
SELECT gen_random_uuid(), first_station + k % {STATIONS}, day, k / {STATIONS} + 1, entry_type,
       recorded - (10 + h % 590) * interval '1 minute', recorded, {recorder}, 'Moi Avenue', narrative,
       CASE entry_type
         WHEN 'DEATH_IN_CUSTODY' THEN jsonb_build_object(
           'circumstances', 'Collapsed in the cell.',
           'officers_on_duty', 'PC ' || ({names})[1 + h % {count}] || ', CPL ' || ({names})[1 + (h >> 8) % {count}])
         WHEN 'COMPLAINT' THEN CASE WHEN g % 400 = 7
           THEN jsonb_build_object('suspected_officer', ({names})[1 + (h >> 4) % {count}]) ELSE '{{}}'::jsonb END
         WHEN 'LOST_DOC' THEN '{{"document_kind": "national_id"}}'::jsonb
         ELSE '{{}}'::jsonb END,
       false, '', md5(g::text) || md5(narrative), narrative
FROM (
    SELECT g, k, day, h,
           (day::timestamp + (k::float8 * 86400 / {per_day}) * interval '1 second') AT TIME ZONE 'Africa/Nairobi'
               AS recorded,
           CASE WHEN g % 1000 = 3 THEN 'DEATH_IN_CUSTODY' WHEN g % 400 = 7 THEN 'COMPLAINT'
                WHEN h % 100 < 60 THEN 'COMPLAINT' WHEN h % 100 < 75 THEN 'ARREST'
                WHEN h % 100 < 90 THEN 'LOST_DOC' ELSE 'TRAFFIC_ACCIDENT' END AS entry_type,
           'Reported at the counter: entry ' || g || ' of the board bench book.' AS narrative
    FROM (
        SELECT g, g % {per_day} AS k, DATE '{first_day.isoformat()}' + (g / {per_day})::int AS day,
               ((g::bigint * 2654435761) % 4294967296) AS h
        FROM generate_series(0, {entries} - 1) AS g
    ) AS numbered
) AS drawn
CROSS JOIN (SELECT min(id) AS first_station FROM stations_station WHERE code LIKE 'BOARD-%') AS s
"""  # noqa: S608 - generated from constants and the bench's own service numbers


PARTIES_SQL = """
INSERT INTO occurrences_party (occurrence_id, position, role, name, id_number, id_number_unusual, phone, sex)
SELECT id, 0, CASE entry_type WHEN 'ARREST' THEN 'suspect' ELSE 'complainant' END, 'Person ' || ob_seq,
       (10000000 + abs(hashtext(id::text)) % 89999999)::text, false, '', 'M'
FROM occurrences_occurrence WHERE entry_type IN ('ARREST', 'COMPLAINT')
"""


class Loader:
    """Builds the bench data, advancing one progress bar."""

    def __init__(self, progress: Progress, candidates: int, entries: int) -> None:
        self.progress = progress
        self.task = progress.add_task("building", total=9)
        self.candidates = candidates
        self.entries = entries

    def step(self, what: str) -> None:
        self.progress.update(self.task, advance=1, description=what)

    def people(self) -> dict[str, Any]:
        from daftari.stations.models import Officer, Station
        from daftari.stations.rules import Role
        from daftari.stations.services import create_officer

        postgres.add_stations(DATABASE, STATIONS, code="BOARD-", station_name="Board station ")
        first = Station.objects.get(code="BOARD-0")

        def officer(name: str, roles: list[Role], station: Station | None, rank: str = Officer.Rank.INSPECTOR) -> Any:
            return create_officer(
                username=f"bench-{name}", password=f"bench {name} password", service_number=f"BENCH-{name.upper()}",
                rank=rank, station=station, roles=roles,
            ).user  # fmt: skip

        people = {
            "desk": officer("desk", [Role.DESK, Role.OCS], first, Officer.Rank.SERGEANT),
            "deployment": officer("deployment", [Role.DEPLOYMENT], None),
            "vetting": officer("vetting", [Role.VETTING], None),
            "medical": officer("medical", [Role.MEDICAL], None),
            "trainer": officer("trainer", [Role.TRAINER], None),
        }
        self.step("people who prepare and vet the contingent")
        return people

    def officers(self, how_many: int, prefix: str) -> list[Any]:
        """``how_many`` officers spread over the bench stations, with names and ranks (bulk)."""
        from django.contrib.auth.models import User

        from daftari.stations.models import Officer, Station

        stations = list(Station.objects.filter(code__startswith="BOARD-").order_by("id"))
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{prefix.lower()}{i}",
                    password="!",
                    first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)],
                )
                for i in range(how_many)
            ]
        )
        return Officer.objects.bulk_create(
            [
                Officer(
                    user=u,
                    service_number=f"{prefix}{100000 + i}",
                    rank=RANKS[i % len(RANKS)],
                    station=stations[i % len(stations)],
                )
                for i, u in enumerate(users)
            ]
        )

    def contingent(self, people: dict[str, Any]) -> Any:
        from django.utils import timezone

        from daftari.deployments.services import open_contingent, open_mission

        mission = open_mission(
            actor=people["deployment"], code="MSS-HAITI", name="Gang Suppression Force, Haiti", mandate="UNSC 2793"
        )
        departs = timezone.localdate() + timedelta(days=120)
        contingent = open_contingent(
            actor=people["deployment"], mission=mission, number=7, departs_on=departs,
            returns_on=departs + timedelta(days=365), size=self.candidates, units="GSU, AP-RDU, ASTU, BPU",
        )  # fmt: skip
        self.step("mission and contingent")
        return contingent

    def candidates_of(self, contingent: Any, people: dict[str, Any]) -> list[Any]:
        from django.utils import timezone

        from daftari.deployments.models import Candidate

        officers = self.officers(self.candidates, "SN")
        now = timezone.now()
        by = people["deployment"].officer
        made = Candidate.objects.bulk_create(
            [
                Candidate(
                    contingent=contingent,
                    officer=o,
                    date_of_birth=date(1975, 1, 1) + timedelta(days=(i * 53) % 7300),
                    joined_service_on=date(2005, 1, 1) + timedelta(days=(i * 31) % 3650),
                    nominated_at=now,
                    nominated_by=by,
                )
                for i, o in enumerate(officers)
            ]
        )
        self.step(f"{len(made)} candidates nominated")
        return made

    def results(self, candidates: list[Any], people: dict[str, Any]) -> None:
        """Every criterion's result; one in ten retook a test (a fail then a pass), one in 23 failed driving."""
        from django.utils import timezone

        from daftari.deployments import criteria
        from daftari.deployments.models import CriterionResult
        from daftari.deployments.rules import Kind

        in_force = criteria.current()
        tested = in_force.of_kind(Kind.ASSESSMENT, Kind.FITNESS)
        now = timezone.now()
        rows = []
        for i, c in enumerate(candidates):
            for criterion in tested:
                by = people["medical" if criterion.kind == Kind.FITNESS else "trainer"].officer
                retook = i % 10 == 0 and criterion.code == "firearms"
                for attempt in range(2 if retook else 1):
                    passed = not (retook and attempt == 0) and not (i % 23 == 5 and criterion.code == "driving")
                    rows.append(
                        CriterionResult(
                            candidate=c,
                            criterion=criterion.code,
                            criteria_version=in_force.version,
                            passed=passed,
                            assessed_on=date(2026, 10, 1) + timedelta(days=attempt * 7),
                            assessed_by="IP Mwangi",
                            recorded_at=now + timedelta(seconds=attempt),
                            recorded_by=by,
                        )
                    )
        CriterionResult.objects.bulk_create(rows, batch_size=2000)
        self.step(f"{len(rows):,} criterion results")

    def training(self, candidates: list[Any], people: dict[str, Any]) -> None:
        """Every module of the course (one in 31 missed one), and the certificate of those who passed all."""
        from django.utils import timezone

        from daftari.deployments import criteria
        from daftari.deployments.models import TrainingCertificate, TrainingResult

        course = criteria.course()
        now = timezone.now()
        by = people["trainer"].officer
        rows, certificates = [], []
        for i, c in enumerate(candidates):
            missed = course.codes[i % len(course.codes)] if i % 31 == 4 else ""
            for module in course.codes:
                attended = module != missed
                rows.append(
                    TrainingResult(
                        candidate=c,
                        module=module,
                        course_version=course.version,
                        attended=attended,
                        passed=attended,
                        held_on=date(2026, 10, 20),
                        trainer_name="SSP Wanjiru",
                        recorded_at=now,
                        recorded_by=by,
                    )
                )
            if not missed:
                certificates.append(
                    TrainingCertificate(
                        candidate=c,
                        number=f"MSS-TRN-BENCH-{i:04d}",
                        course_version=course.version,
                        modules=[[m, "2026-10-20"] for m in course.codes],
                        issued_on=date(2026, 10, 25),
                        issued_at=now,
                        issued_by=by,
                    )
                )
        TrainingResult.objects.bulk_create(rows, batch_size=2000)
        TrainingCertificate.objects.bulk_create(certificates)
        self.step(f"{len(rows):,} training results, {len(certificates)} certificates")

    def documents(self, candidates: list[Any], people: dict[str, Any], returns_on: date) -> None:
        """Every kind of document (one in 37 holds a passport lapsing during the mission)."""
        from django.utils import timezone

        from daftari.deployments import criteria
        from daftari.deployments.models import CandidateDocument

        now = timezone.now()
        rows = []
        for i, c in enumerate(candidates):
            for rule in criteria.documents().documents:
                lapses = i % 37 == 2 and rule.code == "passport"
                expires = returns_on - timedelta(days=30) if lapses else date(2031, 1, 1)
                rows.append(
                    CandidateDocument(
                        candidate=c,
                        kind=rule.code,
                        number="" if rule.medical else f"AK{i:06d}",
                        issued_on=date(2025, 1, 15),
                        expires_on=expires if rule.expires else None,
                        recorded_at=now,
                        recorded_by=people["medical" if rule.medical else "deployment"].officer,
                    )
                )
        CandidateDocument.objects.bulk_create(rows, batch_size=2000)
        self.step(f"{len(rows):,} documents")

    def vetting(self, candidates: list[Any], people: dict[str, Any]) -> None:
        """Most cleared, one in 50 excluded, one in 13 not yet decided."""
        from django.utils import timezone

        from daftari.deployments.models import VettingDecision

        now = timezone.now()
        rows = [
            VettingDecision(
                candidate=c,
                decision="excluded" if i % 50 == 9 else "cleared",
                reason="Death in custody while on duty." if i % 50 == 9 else "Nothing found in the records.",
                findings_seen=[],
                decided_at=now,
                decided_by=people["vetting"].officer,
            )
            for i, c in enumerate(candidates)
            if i % 13 != 6
        ]
        VettingDecision.objects.bulk_create(rows)
        self.step(f"{len(rows)} vetting decisions")

    def book(self, people: dict[str, Any]) -> None:
        """The background book in SQL, naming 300 officers who are not candidates."""
        from django.utils import timezone

        others = [o.service_number for o in self.officers(300, "OT")]
        first_day = timezone.localdate() - timedelta(days=DAYS)
        with psycopg.connect(postgres.database_url(DATABASE)) as conn:
            conn.execute("SET session_replication_role = replica")  # foreign keys right by construction
            conn.execute(book_sql(self.entries, first_day, people["desk"].officer.pk, others))  # type: ignore[arg-type]
            conn.execute(PARTIES_SQL)
            conn.commit()
            conn.autocommit = True
            postgres.count_and_analyse(conn, TABLES)
        self.step(f"a background book of {self.entries:,} OB entries")

    def findings(self, candidates: list[Any], people: dict[str, Any]) -> list[Any]:
        """Through the services: four candidates the arresting officer of a death or serious injury in the
        cells, three named on duty in a DEATH_IN_CUSTODY entry, five the police officer suspected in a
        complaint. Returns the candidates found."""
        from django.utils import timezone

        from daftari.custody import rules
        from daftari.custody.services import book_in, record_death_or_serious_injury
        from daftari.occurrences.rules import EntryDraft, OffenceInput, PartyInput
        from daftari.occurrences.services import record_occurrence
        from daftari.stations.models import Station

        desk = people["desk"]
        station = Station.objects.get(code="BOARD-0")
        now = timezone.now()
        found = []
        for n, c in enumerate(candidates[3::97][:4]):
            number = c.officer.service_number
            moment = now - timedelta(hours=3, minutes=n)
            arrest = record_occurrence(
                actor=desk,
                station=station,
                draft=EntryDraft(
                    entry_type="ARREST", occurred_at=moment, place="Tom Mboya Street",
                    narrative="Arrested after a phone was snatched at the bus stage.",
                    details={"arrested_at": moment.isoformat(), "arresting_officer": number,
                             "reason_for_arrest": "Suspected of stealing a phone"},
                    parties=(PartyInput(role="suspect", name=f"Detainee {n}", id_number=f"2345678{n}", sex="M",
                                        age=27),),
                ),
            ).entry  # fmt: skip
            booking = rules.Booking(
                detainee=rules.DetaineeInput(name=f"Detainee {n}", sex="M", id_number=f"2345678{n}", age=27),
                arresting_officer=number, arrested_at=moment, cell="male",
                offences=(rules.OffenceInput(section="s.268 Penal Code", description="Stealing"),),
                physical_condition="No visible injuries",
                next_of_kin=rules.NextOfKin(informed=True, name="Akinyi (sister)", informed_at=now),
            )  # fmt: skip
            record = book_in(actor=desk, station=station, booking=booking, arrest=arrest).record
            record_death_or_serious_injury(
                actor=desk, custody=record, kind="death" if n % 2 == 0 else "serious_injury",
                note="Found unresponsive in the cell.",
            )  # fmt: skip
            found.append(c)
        for n, c in enumerate(candidates[11::131][:3]):
            record_occurrence(
                actor=desk,
                station=station,
                draft=EntryDraft(
                    entry_type="DEATH_IN_CUSTODY", occurred_at=now - timedelta(hours=2, minutes=n), place="Cell 2",
                    narrative="Detainee collapsed in the cell and was pronounced dead at hospital.",
                    details={"circumstances": "Collapsed in the cell.",
                             "officers_on_duty": f"Cpl Kiprono OT100001, PC {c.officer.service_number}"},
                    parties=(PartyInput(role="deceased", name="John Doe", sex="M", age=30),),
                ),
            )  # fmt: skip
            found.append(c)
        for n, c in enumerate(candidates[17::79][:5]):
            record_occurrence(
                actor=desk,
                station=station,
                draft=EntryDraft(
                    entry_type="COMPLAINT", occurred_at=now - timedelta(hours=1, minutes=n), place="Bus stage",
                    narrative="Complainant reports that a police officer slapped and kicked him at the bus stage.",
                    details={"suspected_officer": c.officer.service_number},
                    parties=(PartyInput(role="complainant", name="Otieno Hawker", phone="0712345678"),),
                    offences=(OffenceInput("Penal Code s.251", "Assault causing actual bodily harm"),),
                ),
            )  # fmt: skip
            found.append(c)
        self.step(f"findings for {len(found)} candidates recorded through the services")
        return found


def build(candidates: int, entries: int) -> tuple[Any, dict[str, Any], list[Any]]:
    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    columns = (TextColumn("{task.description:<55}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        loader = Loader(progress, candidates, entries)
        people = loader.people()
        contingent = loader.contingent(people)
        made = loader.candidates_of(contingent, people)
        loader.results(made, people)
        loader.training(made, people)
        loader.documents(made, people, contingent.returns_on)
        loader.vetting(made, people)
        loader.book(people)
        found = loader.findings(made, people)
    return contingent, people, found


def timed(call: Callable[[], Any]) -> list[float]:
    samples = []
    for i in range(REQUESTS + WARM_UP):
        began = time.perf_counter()
        call()
        if i >= WARM_UP:  # the first ones warm the caches
            samples.append((time.perf_counter() - began) * 1000)
    return samples


RAW_SQL = """
SELECT c.id, c.date_of_birth, c.joined_service_on, o.service_number, o.rank, u.first_name, u.last_name, s.name,
       r.criterion, r.passed
FROM deployments_candidate c
JOIN stations_officer o ON o.id = c.officer_id
JOIN auth_user u ON u.id = o.user_id
LEFT JOIN stations_station s ON s.id = o.station_id
LEFT JOIN (SELECT DISTINCT ON (candidate_id, criterion) candidate_id, criterion, passed
           FROM deployments_criterionresult ORDER BY candidate_id, criterion, recorded_at DESC, id DESC) r
       ON r.candidate_id = c.id
WHERE c.contingent_id = %s
ORDER BY o.service_number
"""


def raw_select(contingent_id: Any) -> int:
    """The raw limit: the contingent's candidates with their officers and latest results, one SELECT."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [contingent_id])
        return len(cursor.fetchall())


def get(client: Any, path: str, params: dict[str, Any] | None = None) -> Callable[[], Any]:
    sizes: list[int] = []

    def call() -> Any:
        response = client.get(path, params or {})
        assert response.status_code == 200, (path, response.status_code)
        sizes.append(len(response.content))
        return response

    call.sizes = sizes  # type: ignore[attr-defined]
    return call


def run(*, candidates: int, entries: int, keep: bool) -> bool:
    console.rule(f"[bold]Readiness board: a contingent of {candidates} candidates, a book of {entries:,} entries")
    postgres.setup_django_as_a_server(DATABASE)
    from django.db import connections
    from django.test import Client

    import daftari.urls  # noqa: F401 - every view's module now
    from daftari.deployments.queries import BOARD_PAGE

    began = time.perf_counter()
    contingent, people, found = build(candidates, entries)
    console.print(f"built the data in {time.perf_counter() - began:.0f} s ({DATABASE})")

    deployment = Client()
    deployment.force_login(people["deployment"])
    vetting = Client()
    vetting.force_login(people["vetting"])
    board_path = f"/deployments/contingents/{contingent.pk}"
    api_path = f"/api/v1/deployments/contingents/{contingent.pk}/board"
    pages = -(-candidates // BOARD_PAGE)
    api_pages = -(-candidates // 100)

    raw = timed(lambda: raw_select(contingent.pk))
    raw_p50 = percentile(raw, 50)
    rows: list[tuple[str, list[float], int]] = []
    for page in range(1, pages + 1):
        call = get(deployment, board_path, {"page": page})
        rows.append((f"board page {page} of {pages} (50)", timed(call), max(call.sizes)))  # type: ignore[attr-defined]
    for page in range(1, api_pages + 1):
        call = get(deployment, api_path, {"page": page, "per_page": 100})
        body = call().json()
        assert body["candidates"] == candidates and body["per_page"] == 100, body["candidates"]
        rows.append((f"API board page {page} of {api_pages} (100)", timed(call), max(call.sizes)))  # type: ignore[attr-defined]
    subject = found[0]
    call = get(vetting, f"/deployments/candidates/{subject.pk}/vetting")
    rows.append(("vetting page, one candidate with findings", timed(call), max(call.sizes)))  # type: ignore[attr-defined]

    from daftari.deployments.queries import findings_for, readiness_board

    board = readiness_board(reader=people["deployment"], contingent_id=contingent.pk)
    named = findings_for([c.officer.service_number for c in found])
    console.print(
        f"the board: {board.ready} ready, {board.not_yet} not yet, {board.excluded} excluded; "
        f"{sum(len(f) for f in named.values())} findings for {len(found)} candidates in the book"
    )

    met = True
    table = Table(title=f"{REQUESTS} requests each through the real views (after {WARM_UP} to warm up), same run")
    for column in ("page", "p50 ms", "p95 ms", "target p95", "p50 / raw", "KB", ""):
        table.add_column(column, justify="left" if column == "page" else "right")
    table.add_row(
        f"raw SELECT: {candidates} candidates, officers, latest results", f"{raw_p50:.1f}",
        f"{percentile(raw, 95):.1f}", "", "1×", "", "",
    )  # fmt: skip
    for label, samples, size in rows:
        p95 = percentile(samples, 95)
        ok = p95 < TARGET_MS
        met &= ok
        table.add_row(
            label, f"{percentile(samples, 50):.0f}", f"{p95:.0f}", f"< {TARGET_MS:.0f}",
            f"{percentile(samples, 50) / raw_p50:.0f}×", f"{size / 1024:.0f}", verdict(ok),
        )  # fmt: skip
    console.print(table)
    connections.close_all()
    if not keep:
        postgres.drop(DATABASE)
    return met


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.board", description=__doc__)
    parser.add_argument("--candidates", type=int, default=400, help="candidates in the contingent (default 400)")
    parser.add_argument("--entries", type=int, default=50_000, help="entries in the background book (default 50,000)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    return 0 if run(candidates=args.candidates, entries=args.entries, keep=args.keep) else 1


if __name__ == "__main__":
    sys.exit(main())
