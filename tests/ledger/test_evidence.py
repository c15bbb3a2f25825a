"""The evidence bundle of one entry: a court checks it offline; only those who see personal data get it."""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from daftari_verify import merkle
from daftari_verify.errors import VerificationError
from daftari_verify.evidence import read_evidence_zip, verify_evidence
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.ledger import keys
from daftari.ledger.evidence import Erased, build_bundle, position_of
from daftari.ledger.models import Checkpoint, Commitment
from daftari.ledger.services import leaf_for, sign_checkpoint
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import AccessEvent, Station
from tests.conftest import complaint
from tests.occurrences.test_api import Api

# The court's command, as installed beside this interpreter.
VERIFY = str(Path(sys.executable).parent / "daftari-verify")


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def record(user: User, station: Station, n: int = 1) -> list[Occurrence]:
    return [record_occurrence(actor=user, station=station, draft=complaint()).entry for _ in range(n)]


def evidence_url(entry: Occurrence) -> str:
    return f"/occurrences/{entry.pk}/evidence"


def rezip(bundle: bytes, **replace: bytes) -> bytes:
    """The bundle with some of its files swapped for other bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, replace.get(name.replace(".", "_").replace("-", "_"), src.read(name)))
    return out.getvalue()


def test_the_bundle_verifies_with_the_court_library(client: Client, desk_officer: User, station: Station) -> None:
    entries = record(desk_officer, station, 5)
    response = Api(client, desk_officer).get(evidence_url(entries[2]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-OB-3-')
    evidence = read_evidence_zip(response.content)
    report = verify_evidence(evidence, keys.verifier())
    assert report.index == 2
    assert report.leaf.record == str(entries[2].pk)
    assert evidence.record["parties"][0]["name"] == "Wanjiku Kamau"
    assert evidence.verifier_keys == (keys.verifier_key(),)


def test_the_bundle_holds_the_exact_stored_leaf_and_salt(client: Client, desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station)[0]
    evidence = read_evidence_zip(Api(client, desk_officer).get(evidence_url(entry)).content)
    leaf = leaf_for(str(entry.pk))
    assert leaf is not None
    assert evidence.leaf_bytes == bytes(leaf.data)
    assert evidence.salt == bytes(leaf.commitment.salt)


def test_the_bundle_is_proved_against_the_latest_checkpoint(
    client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    sign_checkpoint(station=station)
    record(desk_officer, station, 3)
    latest = sign_checkpoint(station=station)
    assert latest is not None
    evidence = read_evidence_zip(Api(client, desk_officer).get(evidence_url(entry)).content)
    assert evidence.checkpoint == latest.signed_note
    assert (evidence.proof.index, evidence.proof.size) == (0, 4)
    verify_evidence(evidence, keys.verifier())


def test_a_leaf_newer_than_the_latest_checkpoint_gets_one_signed_for_its_bundle(
    client: Client, desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 2)
    sign_checkpoint(station=station)
    newest = record(desk_officer, station)[0]
    evidence = read_evidence_zip(Api(client, desk_officer).get(evidence_url(newest)).content)
    assert evidence.proof.size == 3
    assert Checkpoint.objects.filter(log__station=station).count() == 2
    verify_evidence(evidence, keys.verifier())


def test_a_correction_has_its_own_bundle(client: Client, desk_officer: User, station: Station) -> None:
    original = record(desk_officer, station)[0]
    correction = amend_occurrence(actor=desk_officer, occurrence=original, reason="typo", changes={"place": "Kencom"})
    evidence = read_evidence_zip(Api(client, desk_officer).get(evidence_url(correction.entry)).content)
    report = verify_evidence(evidence, keys.verifier())
    assert (report.leaf.kind, report.leaf.prev) == ("amendment", 0)


def test_the_court_tool_verifies_the_downloaded_bundle(
    tmp_path: Path, client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station, 3)[1]
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(Api(client, desk_officer).get(evidence_url(entry)).content)
    result = subprocess.run(
        [VERIFY, "entry", str(bundle), "--key", keys.verifier_key()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    tampered = tmp_path / "tampered.zip"
    record_json = json.loads(zipfile.ZipFile(bundle).read("record.json"))
    record_json["narrative"] = "Nothing was reported."
    tampered.write_bytes(rezip(bundle.read_bytes(), record_json=json.dumps(record_json).encode()))
    result = subprocess.run(
        [VERIFY, "entry", str(tampered), "--key", keys.verifier_key()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "leaf 1" in result.stderr and "commit" in result.stderr


@pytest.mark.parametrize(
    "change",
    [
        {"record_json": b'{"id": "someone else"}'},
        {"salt_txt": b"00" * 32 + b"\n"},
        {"leaf_json": b"{}"},
    ],
)
def test_a_tampered_bundle_fails(change: dict[str, bytes], desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station, 2)[0]
    _, bundle = build_bundle(str(entry.pk))
    verify_evidence(read_evidence_zip(bundle), keys.verifier())
    with pytest.raises(VerificationError):
        verify_evidence(read_evidence_zip(rezip(bundle, **change)), keys.verifier())


def test_the_bundle_read_is_logged(client: Client, desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station)[0]
    Api(client, desk_officer).get(evidence_url(entry))
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.EVIDENCE)
    assert (event.record_id, event.outcome, event.channel, event.username) == (
        str(entry.pk),
        "shown",
        "api",
        desk_officer.username,
    )


def test_an_officer_from_another_station_gets_404(
    client: Client, desk_officer: User, officer_elsewhere: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    response = Api(client, officer_elsewhere).get(evidence_url(entry))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.EVIDENCE)
    assert (event.outcome, event.username) == ("denied", officer_elsewhere.username)


def test_an_analyst_gets_403_and_the_refusal_is_logged(
    client: Client, desk_officer: User, analyst: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    response = Api(client, analyst).get(evidence_url(entry))
    assert response.status_code == 403
    assert response.json()["error"] == "not_permitted"
    assert (AccessEvent.objects.get(purpose=AccessEvent.Purpose.EVIDENCE).outcome) == "denied"


@pytest.mark.parametrize("persona", ["ocs", "investigator", "commander", "oversight"])
def test_roles_that_see_personal_data_get_the_bundle(
    persona: str, request: pytest.FixtureRequest, client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    user: User = request.getfixturevalue(persona)
    response = Api(client, user).get(evidence_url(entry))
    assert response.status_code == 200
    verify_evidence(read_evidence_zip(response.content), keys.verifier())


def test_without_a_token_the_bundle_answers_401(client: Client, desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station)[0]
    assert client.get("/api/v1" + evidence_url(entry)).status_code == 401


def test_an_erased_record_has_no_bundle(client: Client, desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station)[0]
    Commitment.objects.filter(leaf__record_id=str(entry.pk)).delete()  # as a lawful erasure does
    with pytest.raises(Erased):
        build_bundle(str(entry.pk))
    response: Any = Api(client, desk_officer).get(evidence_url(entry))
    assert response.status_code == 410
    assert response.json()["error"] == "erased"


def test_the_position_says_whether_a_checkpoint_signed_the_leaf(desk_officer: User, station: Station) -> None:
    first, second = record(desk_officer, station, 2)
    assert position_of(str(first.pk)).signed_at is None  # type: ignore[union-attr]
    signed = sign_checkpoint(station=station, now=timezone.now())
    third = record(desk_officer, station)[0]
    sign_checkpoint(station=station)
    position = position_of(str(second.pk))
    assert position is not None
    assert (position.index, position.signed_at) == (1, signed.signed_at)  # type: ignore[union-attr]
    assert position.short_hash == position.leaf_hash.hex()[:8]
    assert position_of(str(third.pk)).index == 2  # type: ignore[union-attr]
    assert position_of("not a recorded id") is None


# --- The desk ----------------------------------------------------------------------------


def test_the_entry_page_says_the_entry_awaits_the_next_checkpoint(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station, 2)[1]
    page = desk_client.get(f"/entries/{entry.pk}").content.decode()
    assert "In the signed book: leaf #1, awaiting the next checkpoint" in page
    assert f"/entries/{entry.pk}/evidence" in page


def test_the_entry_page_names_the_leaf_and_the_checkpoint_that_signed_it(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station, 3)[2]
    signed_at = timezone.make_aware(timezone.datetime(2026, 11, 29, 10, 15))
    sign_checkpoint(station=station, now=signed_at)
    page = desk_client.get(f"/entries/{entry.pk}").content.decode()
    assert "In the signed book: leaf #2, checkpoint of 29 Nov 2026, 10:15" in page
    assert position_of(str(entry.pk)).short_hash in page  # type: ignore[union-attr]


def test_the_entry_page_offers_no_bundle_to_an_analyst(
    client: Client, desk_officer: User, analyst: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    client.force_login(analyst)
    page = client.get(f"/entries/{entry.pk}").content.decode()
    assert "In the signed book: leaf #0" in page
    assert f"/entries/{entry.pk}/evidence" not in page
    assert client.get(f"/entries/{entry.pk}/evidence").status_code == 403


def test_the_desk_downloads_the_same_verifiable_bundle(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    response = desk_client.get(f"/entries/{entry.pk}/evidence")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-OB-1-')
    verify_evidence(read_evidence_zip(response.content), keys.verifier())
    event = AccessEvent.objects.get(purpose=AccessEvent.Purpose.EVIDENCE)
    assert (event.outcome, event.channel) == ("shown", "desk")


def test_the_desk_bundle_of_another_stations_entry_is_404(
    client: Client, desk_officer: User, officer_elsewhere: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    client.force_login(officer_elsewhere)
    assert client.get(f"/entries/{entry.pk}/evidence").status_code == 404
    assert AccessEvent.objects.get(purpose=AccessEvent.Purpose.EVIDENCE).outcome == "denied"


def test_the_desk_bundle_needs_a_sign_in(client: Client, desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station)[0]
    response = client.get(f"/entries/{entry.pk}/evidence")
    assert response.status_code == 302
    assert not AccessEvent.objects.filter(purpose=AccessEvent.Purpose.EVIDENCE).exists()


def test_the_printed_slip_carries_the_leaf_index_and_short_hash(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station, 4)[3]
    leaf = leaf_for(str(entry.pk))
    assert leaf is not None
    short = merkle.leaf_hash(bytes(leaf.data)).hex()[:8]
    page = desk_client.get(f"/entries/{entry.pk}/slip").content.decode()
    assert "leaf #3" in page
    assert short in page


def test_the_entry_page_speaks_kiswahili_about_the_signed_book(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    page = desk_client.get(f"/entries/{entry.pk}", headers={"Accept-Language": "sw"}).content.decode()
    assert "Katika kitabu kilichotiwa sahihi: jani #0, kinasubiri kituo cha ukaguzi kijacho" in page


def test_the_desk_is_told_when_an_erased_entry_has_no_bundle(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    entry = record(desk_officer, station)[0]
    Commitment.objects.filter(leaf__record_id=str(entry.pk)).delete()
    response = desk_client.get(f"/entries/{entry.pk}/evidence")
    assert response.status_code == 410
    assert "lawfully erased" in response.content.decode()
    assert not AccessEvent.objects.filter(purpose=AccessEvent.Purpose.EVIDENCE, outcome="shown").exists()
