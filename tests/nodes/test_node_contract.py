"""A station node keeps the API's published contract, and so does the hub with that node behind it
(issue 13): schemathesis as in tests/test_api_contract.py, every check but positive-data acceptance,
and the stateful phase, but against real processes: a hub (``daftari serve``, DAFTARI_ROLE=hub, on
PostgreSQL) and a node of the integrator's station (``daftari serve``, DAFTARI_ROLE=node, on
SQLite) joined to it with ``daftari hub enrol`` and ``daftari node join``. The integrator is made at
the hub before the join, which brings the node its officers (bench/contract.py, ``hub_and_node``).
Brief and seeded here; ``python -m bench --only contract-node`` runs it for minutes, a new seed each time.

Runs in the PostgreSQL pass, like the other stories of a real hub and node.
"""

import random
from pathlib import Path

import httpx
from bench import contract
from bench.hub_and_node import Server, mirrored, node_size
from bench.recording import complaint_body
from django.db import connection

from tests.fines.test_api import notice_body
from tests.nodes.real_processes import hub_database_url

MAX_EXAMPLES = 6
# The hub's run covers what the in-process run of tests/test_api_contract.py does not: gunicorn, and a
# hub with a node behind it (its book kept there, mirrored here); fewer examples do for that.
HUB_MAX_EXAMPLES = 4
SEED = 20261206
PHASES = ("examples", "fuzzing", "stateful")


def _run(
    server: Server, username: str, *, max_examples: int = MAX_EXAMPLES, refused_by_design: tuple[str, ...] = ()
) -> None:
    outcome = contract.run_schemathesis(
        server.url,
        contract.issue_token(server.url, username),
        phases=PHASES,
        max_examples=max_examples,
        seed=SEED,
        timeout=600,
        refused_by_design=refused_by_design,
    )
    assert outcome.passed, "\n".join([f"{server.env['DAFTARI_ROLE']}:", *outcome.problems, outcome.output[-8000:]])


def _the_node_publishes_the_hubs_schema_and_refuses_what_only_the_hub_does_as_declared(
    hub: Server, node: Server
) -> None:
    published = httpx.get(node.url + contract.SCHEMA_PATH, timeout=30).json()
    assert published == httpx.get(hub.url + contract.SCHEMA_PATH, timeout=30).json()
    # The hub's own operations are in it, each declaring the 404 a node answers.
    hubs_own = [(path, method) for path, ops in published["paths"].items() if "/hub/" in path for method in ops]
    assert ("/api/v1/hub/nodes", "get") in hubs_own
    assert all("404" in published["paths"][path][method]["responses"] for path, method in hubs_own)
    auth = {"Authorization": f"Bearer {contract.issue_token(node.url)}"}
    at_node = httpx.get(node.url + "/api/v1/hub/nodes", headers=auth, timeout=30)
    assert (at_node.status_code, at_node.json()["error"]) == (404, "not_found")
    # A node issues no fine, whoever asks: the one operation the node's run may see answer only 403.
    assert contract.REFUSED_AT_A_NODE == ("POST /api/v1/fines/notices",)
    fine = httpx.post(node.url + "/api/v1/fines/notices", json=notice_body(), headers=auth, timeout=30)
    assert (fine.status_code, fine.json()["error"]) == (403, "fines_kept_at_hub")
    assert "403" in published["paths"]["/api/v1/fines/notices"]["post"]["responses"]
    # And the other way round: the hub has no hub of its own to tell the link to.
    auth = {"Authorization": f"Bearer {contract.issue_token(hub.url, contract.HUB_USERNAME)}"}
    at_hub = httpx.get(hub.url + "/api/v1/node/status", headers=auth, timeout=30)
    assert (at_hub.status_code, at_hub.json()["error"]) == (404, "not_found")


def test_a_station_node_and_its_hub_keep_the_apis_contract_and_the_hub_takes_the_book_the_run_left(
    tmp_path: Path, migrated_sqlite: Path, migrated_postgres: str
) -> None:
    # One test for the pair: its processes cost more to start than the runs, and pytest-xdist could
    # otherwise start a second pair for a test moved to the other worker.
    hub_database = hub_database_url("contract_hub", template=migrated_postgres)
    with contract.hub_and_node(hub_database, tmp_path, migrated_sqlite=migrated_sqlite) as (
        hub,
        node,
    ):
        _the_node_publishes_the_hubs_schema_and_refuses_what_only_the_hub_does_as_declared(hub, node)

        _run(node, contract.USERNAME, refused_by_design=contract.REFUSED_AT_A_NODE)
        # What the run recorded at the node is a book like any other: the hub verifies and mirrors all of it.
        size = node_size(node)
        assert size > 3  # the node's first entries, and what the run recorded
        synced = node.run("node", "sync", check=False)
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert mirrored(hub, contract.STATION) == size

        # The hub, with that node behind it and its book mirrored, keeps the contract too.
        _run(hub, contract.HUB_USERNAME, max_examples=HUB_MAX_EXAMPLES)
        # The run at the hub did not take the book from the node: the hub still refuses to write it.
        auth = {"Authorization": f"Bearer {contract.issue_token(hub.url, contract.USERNAME)}"}
        body = complaint_body(random.Random(SEED))
        refused = httpx.post(hub.url + "/api/v1/occurrences", json=body, headers=auth, timeout=30)
        assert (refused.status_code, refused.json()["error"]) == (403, "book_kept_at_node")


if connection.vendor != "postgresql":
    # The hub runs on PostgreSQL, as in production: these runs are made in the PostgreSQL pass.
    for _name in [name for name in globals() if name.startswith("test_")]:
        del globals()[_name]
