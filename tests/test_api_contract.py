"""The API keeps its published contract, checked as an integrator checks it.

schemathesis' own command line, against a live server holding the demo data, with every check but
positive-data acceptance, the stateful phase along the schema's links, and token revocation left out
so the run keeps its credentials (bench/contract.py has the settings). Here the examples, fuzzing
and stateful phases run briefly with a fixed seed, so ``make test`` stays reproducible and within
a minute or so; ``make bench`` adds the coverage phase (about 1,700 boundary cases, 1.5 min on its
own) and runs for minutes against ``daftari serve`` with a new seed each time.
"""

from typing import Any

import httpx
import pytest
from bench import contract
from django.core.management import call_command

from daftari.stations.models import Officer, Station
from daftari.stations.rules import Role
from daftari.stations.services import create_officer

MAX_EXAMPLES = 12
SEED = 20261205
PHASES = ("examples", "fuzzing", "stateful")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; this run is about the API, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def integrator_token(live_server: Any) -> str:
    call_command("demo", verbosity=0)
    create_officer(
        username=contract.USERNAME,
        password=contract.PASSWORD,
        service_number="CONTRACT-1",
        rank=Officer.Rank.CONSTABLE,
        station=Station.objects.get(code=contract.STATION),
        roles=[Role(r) for r in contract.ROLES],
    )
    return contract.issue_token(live_server.url)


# The live server needs a committed database; serialized_rollback puts back the counties the
# migrations load, which a transactional test that ran before this one has flushed. (The tests of the
# run's options and judgement below read no database, and are spared its flush, 2-3 s each.)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_check_and_the_stateful_phase_find_no_broken_promise(live_server: Any, integrator_token: str) -> None:
    outcome = contract.run_schemathesis(
        live_server.url, integrator_token, phases=PHASES, max_examples=MAX_EXAMPLES, seed=SEED, timeout=600
    )
    assert outcome.passed, "\n".join([*outcome.problems, outcome.output[-8000:]])
    # The stateful phase ran, and the run still holds a working token at the end.
    assert outcome.report["phases"]["stateful"]["status"] == "success"
    still = httpx.get(
        live_server.url + "/api/v1/occurrences",
        headers={"Authorization": f"Bearer {integrator_token}"},
        trust_env=False,
    )
    assert still.status_code == 200


def test_the_run_excludes_token_revocation_and_nothing_else() -> None:
    for phases in (PHASES, contract.EVERY_PHASE):
        options = contract.command("http://x", "t", contract.SCHEMATHESIS, phases=phases)
        excluded = [o for o in options if o.startswith("--exclude")]
        assert excluded == ["--exclude-checks=positive_data_acceptance", f"--exclude-path={contract.REVOKE_PATH}"]
        assert "--checks=all" in options and f"--phases={','.join(phases)}" in options
        assert "stateful" in phases


def test_a_run_that_saw_only_401s_is_judged_a_failure() -> None:
    report = {
        "failures": [],
        "errors": [],
        "phases": {"stateful": {"status": "success"}},
        "warnings": {"missing_auth": []},
        "valid_rates": {"GET /api/v1/occurrences": {"fuzzing": {"accepted": 0, "rejected": 0}}},
    }
    problems = contract.judge(0, report)
    assert any("no 2xx answer" in p and "GET /api/v1/occurrences" in p for p in problems)


def test_only_401s_from_an_operation_are_judged_a_failure_except_from_signing_in() -> None:
    report: dict[str, Any] = {
        "phases": {"stateful": {"status": "success"}},
        "valid_rates": {op: {"fuzzing": {"accepted": 1}} for op in contract.AUTHENTICATED_READS},
        "warnings": {"missing_auth": [contract.SIGN_IN]},
    }
    assert contract.judge(0, report) == []
    report["warnings"]["missing_auth"].append("POST /api/v1/custody")
    assert any("POST /api/v1/custody" in p for p in contract.judge(0, report))
