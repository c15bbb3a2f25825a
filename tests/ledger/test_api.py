"""The public ledger endpoints: anyone fetches checkpoints, leaves, proofs and keys, and nothing 500s."""

import json
from typing import Any

import pytest
from daftari_verify import merkle
from daftari_verify.checkpoint import ConsistencyProof, InclusionProof, open_checkpoint
from daftari_verify.note import Verifier
from django.contrib.auth.models import User
from django.test import Client

from daftari.ledger import keys
from daftari.ledger.models import Leaf
from daftari.ledger.services import sign_checkpoint
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint

BASE = "/api/v1/ledger"


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def record(user: User, station: Station, n: int = 1) -> list[Occurrence]:
    return [record_occurrence(actor=user, station=station, draft=complaint()).entry for _ in range(n)]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "message", "fields"}
    assert body["error"] == code
    return body


def test_the_keys_endpoint_answers_the_verifier_key_as_plain_text_without_signing_in(client: Client) -> None:
    response = client.get(f"{BASE}/keys")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == keys.verifier_key() + "\n"
    Verifier.parse(response.content.decode().strip())


def test_the_checkpoint_endpoint_answers_the_latest_signed_note(
    client: Client, desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 2)
    sign_checkpoint(station=station)
    record(desk_officer, station, 1)
    latest = sign_checkpoint(station=station)
    assert latest is not None
    response = client.get(f"{BASE}/{station.code}/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == latest.signed_note
    assert open_checkpoint(response.content.decode(), keys.verifier()).size == 3


def test_a_book_without_a_checkpoint_answers_404(client: Client, desk_officer: User, station: Station) -> None:
    assert_error(client.get(f"{BASE}/{station.code}/checkpoint"), 404, "not_found")
    record(desk_officer, station)
    assert_error(client.get(f"{BASE}/{station.code}/checkpoint"), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/NOWHERE/checkpoint",
        "/NOWHERE/leaves/0",
        "/NOWHERE/proof/inclusion?index=0&size=1",
        "/NOWHERE/proof/consistency?old=0&new=1",
    ],
)
def test_an_unknown_station_answers_404(path: str, client: Client, station: Station) -> None:
    assert_error(client.get(BASE + path), 404, "not_found")


def test_a_leaf_is_served_byte_for_byte_as_hashed(client: Client, desk_officer: User, station: Station) -> None:
    entries = record(desk_officer, station, 2)
    stored = Leaf.objects.get(record_id=str(entries[1].pk))
    response = client.get(f"{BASE}/{station.code}/leaves/1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == bytes(stored.data)
    assert json.loads(response.content)["record"] == str(entries[1].pk)


def test_a_leaf_beyond_the_book_answers_404(client: Client, desk_officer: User, station: Station) -> None:
    record(desk_officer, station)
    assert_error(client.get(f"{BASE}/{station.code}/leaves/1"), 404, "not_found")


def test_a_station_that_recorded_nothing_has_no_leaves(client: Client, station: Station) -> None:
    assert_error(client.get(f"{BASE}/{station.code}/leaves/0"), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        "/leaves/-1",
        "/leaves/99999999999999999999999",
        "/leaves/abc",
        "/proof/inclusion?index=0&size=99999999999999999999999",
        "/proof/inclusion?index=-1&size=1",
        "/proof/inclusion?size=1",
        "/proof/consistency?old=x&new=1",
        "/proof/consistency?old=0&new=9223372036854775808",
    ],
)
def test_malformed_or_huge_numbers_answer_422(path: str, client: Client, desk_officer: User, station: Station) -> None:
    record(desk_officer, station)
    assert_error(client.get(f"{BASE}/{station.code}{path}"), 422, "invalid")


def test_an_inclusion_proof_verifies_against_the_signed_checkpoint(
    client: Client, desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 7)
    checkpoint = open_checkpoint(sign_checkpoint(station=station).signed_note, keys.verifier())  # type: ignore[union-attr]
    for index in range(7):
        response = client.get(f"{BASE}/{station.code}/proof/inclusion", {"index": index, "size": 7})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert list(body) == ["index", "size", "hashes"]
        assert (body["index"], body["size"]) == (index, 7)
        leaf = client.get(f"{BASE}/{station.code}/leaves/{index}").content
        InclusionProof.from_json(body).verify(merkle.leaf_hash(leaf), checkpoint)


@pytest.mark.parametrize(
    ("query", "field"),
    [({"index": 0, "size": 4}, "size"), ({"index": 3, "size": 3}, "index"), ({"index": 0, "size": 0}, "size")],
)
def test_an_inclusion_proof_outside_the_book_answers_422_naming_the_field(
    query: dict[str, int], field: str, client: Client, desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 3)
    body = assert_error(client.get(f"{BASE}/{station.code}/proof/inclusion", query), 422, "invalid")
    assert list(body["fields"]) == [field]


def test_a_consistency_proof_shows_the_newer_checkpoint_extends_the_older(
    client: Client, desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 3)
    old = open_checkpoint(sign_checkpoint(station=station).signed_note, keys.verifier())  # type: ignore[union-attr]
    record(desk_officer, station, 5)
    new = open_checkpoint(sign_checkpoint(station=station).signed_note, keys.verifier())  # type: ignore[union-attr]
    response = client.get(f"{BASE}/{station.code}/proof/consistency", {"old": 3, "new": 8})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["old", "new", "hashes"]
    ConsistencyProof.from_json(body).verify(old, new)


@pytest.mark.parametrize(("query", "field"), [({"old": 0, "new": 3}, "new"), ({"old": 2, "new": 1}, "old")])
def test_a_consistency_proof_outside_the_book_answers_422_naming_the_field(
    query: dict[str, int], field: str, client: Client, desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 2)
    body = assert_error(client.get(f"{BASE}/{station.code}/proof/consistency", query), 422, "invalid")
    assert list(body["fields"]) == [field]


def test_an_empty_book_is_consistent_with_itself(client: Client, station: Station) -> None:
    response = client.get(f"{BASE}/{station.code}/proof/consistency", {"old": 0, "new": 0})
    assert response.status_code == 200
    assert response.json() == {"old": 0, "new": 0, "hashes": []}


def test_the_ledger_endpoints_appear_in_the_api_schema_without_authentication(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    checkpoint = paths["/api/v1/ledger/{station}/checkpoint"]["get"]
    assert "text/plain" in checkpoint["responses"]["200"]["content"]
    assert "security" not in checkpoint
    assert "/api/v1/ledger/keys" in paths
    assert "application/zip" in paths["/api/v1/occurrences/{entry_id}/evidence"]["get"]["responses"]["200"]["content"]
