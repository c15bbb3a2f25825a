"""The API keeps its published contract: schemathesis run as an integrator would.

Every check but positive-data acceptance, every phase (examples, coverage, fuzzing, stateful along
the schema's links), with a bearer token of an officer of the demo's Central station who holds the
desk, OCS, investigator, traffic and deployment-officer roles (the last so that the deployments board is
reached past its role check). Only token revocation is left out, so the run keeps its
credentials; the run also fails if the reads it makes never got past authentication.

``tests/test_api_contract.py`` runs it briefly on every ``make test``; ``python -m bench --only contract``
runs it for minutes against ``daftari serve`` on PostgreSQL with the demo data.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.figures import console

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

SETUP = f"""
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer

create_officer(username={USERNAME!r}, password={PASSWORD!r}, service_number="CONTRACT-1",
               rank=Officer.Rank.CONSTABLE, station=Station.objects.get(code={STATION!r}),
               roles=[Role(r) for r in {ROLES!r}])
"""


EVERY_PHASE = ("examples", "coverage", "fuzzing", "stateful")


def command(
    base_url: str,
    token: str,
    report: Path,
    *,
    phases: tuple[str, ...] = EVERY_PHASE,
    max_examples: int | None = None,
    max_time: int | None = None,
    seed: int | None = None,
) -> list[str]:
    options = [
        str(SCHEMATHESIS),
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


def judge(exit_code: int, report: dict[str, Any]) -> list[str]:
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
    refused = [op for op in report.get("warnings", {}).get("missing_auth", []) if op != SIGN_IN]
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
) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        started = time.perf_counter()
        done = subprocess.run(
            command(
                base_url, token, report_path, phases=phases, max_examples=max_examples, max_time=max_time, seed=seed
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
    outcome.problems = judge(done.returncode, report)
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
            outcome = run_schemathesis(base_url, issue_token(base_url), max_time=max_time)
        finally:
            stop_server(server)
    report = outcome.report
    cases = report.get("test_cases", {})
    console.print(
        f"{cases.get('generated', 0)} test cases in {outcome.seconds:.0f} s over "
        f"{report.get('operations', {}).get('tested', 0)} operations; "
        f"2xx from the authenticated reads: {', '.join(str(accepted(report, op)) for op in AUTHENTICATED_READS)}"
    )
    if outcome.passed:
        console.print("0 failures: [green]the contract is kept[/]")
    else:
        console.print(outcome.output[-6000:])
        console.print(f"[red]contract broken[/]: {'; '.join(outcome.problems)}")
    return outcome.passed


def issue_token(base_url: str) -> str:
    import httpx

    response = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"username": USERNAME, "password": PASSWORD}, trust_env=False
    )
    if response.status_code != 201:
        raise SystemExit(f"POST /api/v1/auth/token answered {response.status_code}: {response.text[:500]}")
    return str(response.json()["token"])
