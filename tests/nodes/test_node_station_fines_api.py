"""The fines log of a node's station on the public ledger API (``/api/v1/ledger/CODE/fines/...``) and
``daftari ledger checkpoint --station CODE/fines``: anyone checks it, and ``daftari-verify watch``
follows it, as it does a station's book."""

from pathlib import Path
from typing import Any

import pytest
from daftari_verify import merkle
from daftari_verify.checkpoint import ConsistencyProof, InclusionProof, open_checkpoint
from daftari_verify.cli import main as daftari_verify
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from daftari.fines.services import issue_notice
from daftari.ledger import keys
from daftari.ledger import services as ledger
from daftari.ledger.models import Checkpoint, Log
from daftari.stations.models import Station
from tests.fines.conftest import draft, signing_key  # noqa: F401 (fixture)
from tests.nodes.test_one_writer import join_node

FINES_ORIGIN = "daftari.local/ob/CENTRAL-NBI/fines"
BASE = "/api/v1/ledger/CENTRAL-NBI/fines"


def issue(officer: User, station: Station, count: int) -> None:
    for n in range(count):
        issue_notice(actor=officer, station=station, draft=draft(plate=f"KCA {100 + n}A"))


def assert_404(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_the_fines_logs_checkpoint_and_a_notices_inclusion_proof_fetched_over_the_api_verify(
    client: Client, traffic_officer: User, station: Station
) -> None:
    join_node(station)
    issue(traffic_officer, station, 3)
    ledger.sign_grown_logs()
    response = client.get(f"{BASE}/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    checkpoint = open_checkpoint(response.content.decode(), keys.verifier(), origin=FINES_ORIGIN)
    assert checkpoint.size == 3
    for index in range(3):
        leaf = client.get(f"{BASE}/leaves/{index}")
        assert leaf.status_code == 200
        assert leaf.content == bytes(Log.objects.get(origin=FINES_ORIGIN).leaves.get(index=index).data)
        proof = client.get(f"{BASE}/proof/inclusion", {"index": index, "size": 3})
        assert proof.status_code == 200
        InclusionProof.from_json(proof.json()).verify(merkle.leaf_hash(leaf.content), checkpoint)
    # The station's own book (only the handover leaf) is not the fines log.
    assert client.get("/api/v1/ledger/CENTRAL-NBI/leaves/1").status_code == 404


@pytest.mark.django_db
def test_a_consistency_proof_of_the_fines_log_shows_the_later_checkpoint_extends_the_earlier(
    client: Client, traffic_officer: User, station: Station
) -> None:
    join_node(station)
    issue(traffic_officer, station, 2)
    ledger.sign_grown_logs()
    old = open_checkpoint(client.get(f"{BASE}/checkpoint").content.decode(), keys.verifier())
    issue(traffic_officer, station, 3)
    ledger.sign_grown_logs()
    new = open_checkpoint(client.get(f"{BASE}/checkpoint").content.decode(), keys.verifier())
    assert (old.size, new.size) == (2, 5)
    response = client.get(f"{BASE}/proof/consistency", {"old": 2, "new": 5})
    assert response.status_code == 200
    ConsistencyProof.from_json(response.json()).verify(old, new)
    too_big = client.get(f"{BASE}/proof/consistency", {"old": 2, "new": 6})
    assert too_big.status_code == 422 and list(too_big.json()["fields"]) == ["new"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "log", ["NOWHERE/fines", "CENTRAL-NBI/fines", "KISUMU-CTL/fines", "hub/fines", "%00/fines", "CENTRAL%00NBI"]
)
@pytest.mark.parametrize(
    "path",
    ["/checkpoint", "/leaves/0", "/proof/inclusion?index=0&size=1", "/proof/consistency?old=0&new=0"],
)
def test_a_fines_log_that_does_not_exist_answers_404(
    log: str, path: str, client: Client, traffic_officer: User, station: Station, other_station: Station
) -> None:
    # Central's fines go into its own book (no node keeps it): it has no fines log, nor has Kisumu; a NUL
    # in the path (which PostgreSQL would refuse) names no log either.
    issue(traffic_officer, station, 1)
    ledger.sign_grown_logs()
    assert_404(client.get(f"/api/v1/ledger/{log}{path}"))


@pytest.mark.django_db
def test_ledger_checkpoint_signs_a_node_stations_fines_log_by_its_name(
    traffic_officer: User, station: Station, capsys: pytest.CaptureFixture[str]
) -> None:
    join_node(station)
    issue(traffic_officer, station, 2)
    call_command("ledger", "checkpoint", "--station", "CENTRAL-NBI/fines")
    signed = Checkpoint.objects.get(log__origin=FINES_ORIGIN)
    assert open_checkpoint(signed.signed_note, keys.verifier(), origin=FINES_ORIGIN).size == 2
    assert f"Signed {FINES_ORIGIN} at size 2" in capsys.readouterr().out
    # Only that log: the station's book (its handover leaf) waits for its own checkpoint.
    assert not Checkpoint.objects.filter(log__station=station).exists()
    call_command("ledger", "checkpoint", "--station", "CENTRAL-NBI/fines")
    assert "Nothing to sign" in capsys.readouterr().out
    assert Checkpoint.objects.filter(log__origin=FINES_ORIGIN).count() == 1


@pytest.mark.django_db
def test_ledger_checkpoint_refuses_a_fines_log_that_does_not_exist(station: Station) -> None:
    with pytest.raises(CommandError, match="No station CENTRAL-NBI/fines"):
        call_command("ledger", "checkpoint", "--station", "CENTRAL-NBI/fines")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_daftari_verify_watch_follows_a_node_stations_fines_log_at_the_hub(
    live_server: Any,
    traffic_officer: User,
    station: Station,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    join_node(station)
    issue(traffic_officer, station, 2)
    call_command("ledger", "checkpoint", "--station", "CENTRAL-NBI/fines")
    key = tmp_path / "key.txt"
    key.write_text(keys.verifier_key() + "\n")
    watch = ["watch", f"{live_server.url}{BASE}", "--key", str(key), "--state", str(tmp_path / "state"), "--once"]
    capsys.readouterr()

    assert daftari_verify(watch) == 0
    assert capsys.readouterr().out == f"OK: remembering {FINES_ORIGIN} at size 2\n"
    issue(traffic_officer, station, 3)
    call_command("ledger", "checkpoint", "--station", "CENTRAL-NBI/fines")
    capsys.readouterr()
    assert daftari_verify(watch) == 0
    assert capsys.readouterr().out == f"OK: {FINES_ORIGIN} grew 2 -> 5, consistent\n"
    assert daftari_verify(watch) == 0
    assert capsys.readouterr().out == f"OK: {FINES_ORIGIN} unchanged at size 5\n"
