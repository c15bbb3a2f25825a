"""The API keeps its published contract: schemathesis run as an integrator would.

Every check but positive-data acceptance, every phase (examples, coverage, fuzzing, stateful along
the schema's links), with a bearer token of an officer of the demo's Central station who holds the
desk, OCS, investigator, traffic and deployment-officer roles (the last so that the deployments board is
reached past its role check). Only token revocation is left out, so the run keeps its
credentials; the run also fails if the reads it makes never got past authentication.

``tests/test_api_contract.py`` runs it briefly on every ``make test``; ``python -m bench --only contract``
runs it for minutes against ``daftari serve`` on PostgreSQL with the demo data.

A station node keeps the same contract (issue 13): ``hub_and_node`` runs a hub and a node of the
integrator's station as real processes, the integrator made at the hub and pulled by the node at
join; ``tests/nodes/test_node_contract.py`` runs schemathesis briefly against both, and
``python -m bench --only contract-node`` for minutes against the node.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.figures import console
from bench.hub_and_node import Server

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SCHEMA_PATH = "/api/v1/openapi.json"
REVOKE_PATH = "/api/v1/auth/token/revoke"
SIGN_IN = "POST /api/v1/auth/token"
USERNAME = "contract-integrator"
PASSWORD = "contract integrator password"
STATION = "CENTRAL-NBI"
ROLES = ("desk", "ocs", "investigator", "traffic", "deployment")

# Reads that only answer 2xx to a good token: if none of them did, the run tested nothing but 401s.
AUTHENTICATED_READS = (
    "GET /api/v1/occurrences",
    "GET /api/v1/occurrences/{entry_id}",
    "GET /api/v1/custody",
    "GET /api/v1/fines/notices",
)

# At a hub whose node keeps STATION's book, the hub run's integrator is of a station the hub keeps.
HUB_USERNAME = "contract-integrator-hub"
HUB_STATION = "KISUMU-CTL"


def setup_script(username: str, station: str, service_number: str) -> str:
    """``daftari shell -c`` source that makes the integrator, an officer of ``station``."""
    return f"""
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer

create_officer(username={username!r}, password={PASSWORD!r}, service_number={service_number!r},
               rank=Officer.Rank.CONSTABLE, station=Station.objects.get(code={station!r}),
               roles=[Role(r) for r in {ROLES!r}])
"""


SETUP = setup_script(USERNAME, STATION, "CONTRACT-1")


EVERY_PHASE = ("examples", "coverage", "fuzzing", "stateful")

# schemathesis' own list of the answers that reject a request breaking the schema, and 414: a query
# far past its parameters' maxLength makes a request line longer than ``daftari serve`` reads (4094
# bytes, bounded in gunicorn before Django, as a request body is by its size limit, 413), and
# gunicorn turns it away with 414 URI Too Long. That is the request rejected, as the check asks.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]
"""


def command(
    base_url: str,
    token: str,
    report: Path,
    *,
    phases: tuple[str, ...] = EVERY_PHASE,
    max_examples: int | None = None,
    max_time: int | None = None,
    seed: int | None = None,
    config: Path | None = None,
) -> list[str]:
    options = [
        str(SCHEMATHESIS),
        *([f"--config-file={config}"] if config is not None else []),
        "run",
        base_url.rstrip("/") + SCHEMA_PATH,
        "--checks=all",
        "--exclude-checks=positive_data_acceptance",
        f"--phases={','.join(phases)}",
        f"--exclude-path={REVOKE_PATH}",
        "--header",
        f"Authorization: Bearer {token}",
        "--report=json",
        f"--report-json-path={report}",
        "--generation-database=none",
        "--no-color",
    ]
    if max_examples is not None:
        options.append(f"--max-examples={max_examples}")
    if max_time is not None:
        options.append(f"--max-time={max_time}")
    if seed is not None:
        options.append(f"--seed={seed}")
    return options


@dataclass
class Outcome:
    exit_code: int
    output: str
    report: dict[str, Any]
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


def accepted(report: dict[str, Any], operation: str) -> int:
    """How many of the operation's requests schemathesis saw accepted (2xx), over every phase."""
    phases = report.get("valid_rates", {}).get(operation, {})
    return sum(int(counts.get("accepted", 0)) for counts in phases.values())


# What a station node refuses whoever asks, so a run against it sees only 403 there: it issues no fine,
# M-Pesa reaches only the hub (NODES.md rule 1; 403 ``fines_kept_at_hub``, which the node test checks).
REFUSED_AT_A_NODE = ("POST /api/v1/fines/notices",)


def judge(exit_code: int, report: dict[str, Any], *, refused_by_design: tuple[str, ...] = ()) -> list[str]:
    problems = []
    if exit_code != 0:
        problems.append(f"schemathesis exited {exit_code}")
    if report.get("failures"):
        problems.append(f"{len(report['failures'])} failures")
    if report.get("errors"):
        problems.append(f"{len(report['errors'])} errors")
    phases = report.get("phases", {})
    broken = [name for name, phase in phases.items() if phase.get("status") not in ("success", "skip")]
    if broken:
        problems.append(f"phases not passed: {', '.join(broken)}")
    if phases.get("stateful", {}).get("status") != "success":
        problems.append("the stateful phase did not run")
    # Signing in with generated usernames and passwords is refused, as it should be.
    refused = [
        op for op in report.get("warnings", {}).get("missing_auth", []) if op != SIGN_IN and op not in refused_by_design
    ]
    if refused:
        problems.append(f"only 401/403 from: {', '.join(refused)}")
    unauthenticated = [op for op in AUTHENTICATED_READS if accepted(report, op) == 0]
    if unauthenticated:
        problems.append(f"no 2xx answer from: {', '.join(unauthenticated)}")
    return problems


def run_schemathesis(
    base_url: str,
    token: str,
    *,
    phases: tuple[str, ...] = EVERY_PHASE,
    max_examples: int | None = None,
    max_time: int | None = None,
    seed: int | None = None,
    timeout: float | None = None,
    refused_by_design: tuple[str, ...] = (),
) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        config = Path(tmp) / "schemathesis.toml"
        config.write_text(CONFIG)
        started = time.perf_counter()
        done = subprocess.run(
            command(
                base_url,
                token,
                report_path,
                phases=phases,
                max_examples=max_examples,
                max_time=max_time,
                seed=seed,
                config=config,
            ),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp,  # schemathesis leaves its working files in the current directory
            env={**os.environ, "NO_COLOR": "1"},
        )
        seconds = time.perf_counter() - started
        report = json.loads(report_path.read_text()) if report_path.exists() else {}
    outcome = Outcome(done.returncode, done.stdout + done.stderr, report, seconds)
    outcome.problems = judge(done.returncode, report, refused_by_design=refused_by_design)
    return outcome


def run(*, max_time: int) -> bool:
    from bench import postgres
    from bench.recording import free_port, stop_server, wait_until_up

    database = "daftari_bench_contract"
    console.rule(f"[bold]The API's published contract: schemathesis for {max_time} s (PostgreSQL, daftari serve)")
    postgres.recreate(database)
    postgres.migrate(database)
    # The integrator holds the OCS role, whose token would need an authenticator code: the second
    # factor has its own tests (tests/stations/test_second_factor.py), this run is about the contract.
    env = postgres.daftari_env(database, DAFTARI_LOG_LEVEL="ERROR", DAFTARI_SECOND_FACTOR_ROLES="")
    subprocess.run([str(postgres.DAFTARI), "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(postgres.DAFTARI), "shell", "-v0", "-c", SETUP], env=env, check=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    seed = random.randrange(2**32)  # a new one each run, printed so that a failure can be replayed
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [str(postgres.DAFTARI), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(base_url, server, log)
            outcome = run_schemathesis(base_url, issue_token(base_url), max_time=max_time, seed=seed)
        finally:
            stop_server(server)
    return _print(outcome, seed)


def run_node(*, max_time: int) -> bool:
    """The same run against a station node (``daftari serve``, DAFTARI_ROLE=node, SQLite) joined to a
    hub on PostgreSQL; then the node's book, as the run left it, must reach the hub whole."""
    from bench import postgres

    database = "daftari_bench_contract_hub"
    console.rule(f"[bold]A station node's published contract: schemathesis for {max_time} s (node on SQLite)")
    postgres.recreate(database)
    seed = random.randrange(2**32)
    with tempfile.TemporaryDirectory() as tmp, hub_and_node(postgres.database_url(database), Path(tmp)) as (_, node):
        outcome = run_schemathesis(
            node.url, issue_token(node.url), max_time=max_time, seed=seed, refused_by_design=REFUSED_AT_A_NODE
        )
        synced = node.run("node", "sync", check=False)
    kept = _print(outcome, seed)
    if synced.returncode != 0:
        console.print(f"[red]the node's sync after the run ended {synced.returncode}[/]: {synced.stderr[-2000:]}")
    return kept and synced.returncode == 0


def _print(outcome: Outcome, seed: int) -> bool:
    report = outcome.report
    cases = report.get("test_cases", {})
    console.print(
        f"{cases.get('generated', 0)} test cases in {outcome.seconds:.0f} s over "
        f"{report.get('operations', {}).get('tested', 0)} operations (seed {seed}); "
        f"2xx from the authenticated reads: {', '.join(str(accepted(report, op)) for op in AUTHENTICATED_READS)}"
    )
    if outcome.passed:
        console.print("0 failures: [green]the contract is kept[/]")
    else:
        console.print(outcome.output[-6000:])
        console.print(f"[red]contract broken[/]: {'; '.join(outcome.problems)}")
    return outcome.passed


@contextmanager
def hub_and_node(
    hub_database_url: str, work: Path, *, migrated_sqlite: Path | None = None
) -> Iterator[tuple[Server, Server]]:
    """A hub (``daftari serve``, DAFTARI_ROLE=hub, on ``hub_database_url``, empty or migrated) with
    the demo data, and a node of STATION (``daftari serve`` on SQLite in ``work``; a copy of
    ``migrated_sqlite`` when given, which saves the join its migrations) joined to it. The node's
    integrator is made at the hub before the join, which brings the node its station's officers: that
    is how an officer comes to sign in at a node. The hub's integrator (HUB_USERNAME) is of
    HUB_STATION, whose book the hub still keeps. Both servers are stopped on the way out."""
    from bench.recording import free_port

    common = {k: v for k, v in os.environ.items() if not k.startswith("DAFTARI_") and k != "DATABASE_URL"}
    common.update(
        DAFTARI_TESTING="0",
        DAFTARI_LOG_LEVEL="ERROR",
        # The integrator holds the OCS role: the second factor has its own tests, as in run() above.
        DAFTARI_SECOND_FACTOR_ROLES="",
    )
    for side in ("hub", "node"):
        (work / side).mkdir(parents=True, exist_ok=True)
    if migrated_sqlite is not None:
        shutil.copyfile(migrated_sqlite, work / "node" / migrated_sqlite.name)
    hub_env = {
        **common,
        "DATABASE_URL": hub_database_url,
        "DAFTARI_DATA_DIR": str(work / "hub"),
        "DAFTARI_ROLE": "hub",
        "DAFTARI_DEMO_HISTORY_DAYS": "0",  # the demo's day; months of back-captured history cost minutes
    }
    hub = Server(hub_env, free_port())
    node = Server({**common, "DAFTARI_DATA_DIR": str(work / "node"), "DAFTARI_ROLE": "node"}, free_port())
    # Migrations (none left to run on a copy of a migrated database), the demo and both integrators in
    # one process: each ``daftari`` command starts Django anew.
    demo = (
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\ncall_command('demo', verbosity=0)\n"
    )
    hub.run("shell", "-v0", "-c", demo + SETUP + setup_script(HUB_USERNAME, HUB_STATION, "CONTRACT-2"))
    try:
        hub.start()
        code = hub.run("hub", "enrol", "--station", STATION).stdout.strip().splitlines()[-1]
        node.env["DAFTARI_HUB_URL"] = hub.url
        node.run("node", "join", "--hub", hub.url, "--code", code)
        node.start()
        _record_the_first_entries(node.url)
        yield hub, node
    finally:
        node.stop()
        hub.stop()


def _record_the_first_entries(base_url: str, n: int = 3) -> None:
    """A node starts a book of its own, empty: its desk records a few complaints, so that the run
    reads entries (as it reads the demo's at the hub) and links from them."""
    import httpx

    from bench.recording import complaint_body

    rng = random.Random(13)
    headers = {"Authorization": f"Bearer {issue_token(base_url)}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60, trust_env=False) as client:
        for _ in range(n):
            answer = client.post("/api/v1/occurrences", json=complaint_body(rng))
            if answer.status_code != 201:
                raise SystemExit(f"the node answered {answer.status_code}: {answer.text[:500]}")


def issue_token(base_url: str, username: str = USERNAME) -> str:
    import httpx

    response = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"username": username, "password": PASSWORD}, trust_env=False
    )
    if response.status_code != 201:
        raise SystemExit(f"POST /api/v1/auth/token answered {response.status_code}: {response.text[:500]}")
    return str(response.json()["token"])
