"""Fines of a node's station (NODES.md rule 1): M-Pesa reaches only the hub, so the hub writes the
station's notices, their events and payments into a log of their own, ``<origin>/<code>/fines``,
never into the book the node keeps; a station node issues none."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core.errors import NotPermitted
from daftari.fines.models import FineNotice, NoticeEvent, NoticeState
from daftari.fines.services import cancel_notice, issue_notice, notice_proof
from daftari.ledger import services as ledger
from daftari.ledger.models import Leaf, Log
from daftari.ledger.redaction import redact
from daftari.ledger.verification import verify_book
from daftari.stations.models import Station
from tests.erasure_support import ORDER
from tests.fines.conftest import draft, signing_key  # noqa: F401 (fixture)
from tests.fines.test_api import notice_body
from tests.ledger.test_commands import audit
from tests.nodes.test_one_writer import join_node, kinds_in_the_book
from tests.occurrences.test_api import Api
from tests.payments.conftest import Paybill, daraja_settings, paybill, simulator  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FINES_ORIGIN = "daftari.local/ob/CENTRAL-NBI/fines"


def fines_log() -> Log:
    return Log.objects.get(origin=FINES_ORIGIN)


def leaves_of(origin: str) -> list[tuple[int, str, str]]:
    return list(Leaf.objects.filter(log__origin=origin).order_by("index").values_list("index", "kind", "record_id"))


def test_a_traffic_officer_of_a_node_station_issues_a_notice_at_the_hub_into_the_stations_fines_log(
    traffic_officer: User, station: Station
) -> None:
    join_node(station)
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    assert leaves_of(FINES_ORIGIN) == [(0, "notice", str(notice.pk))]
    assert fines_log().station is None
    assert kinds_in_the_book(station) == ["handover"]
    assert ledger.kept_at_node(station)


def test_the_fines_log_is_signed_and_proves_the_notice_on_its_public_check(
    traffic_officer: User, station: Station
) -> None:
    join_node(station)
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    assert notice_proof(notice).ok is False  # awaiting the first checkpoint
    assert ledger.sign_grown_logs()
    proof = notice_proof(notice)
    assert (proof.ok, proof.leaf_index) == (True, 0)


def test_the_public_pays_a_node_stations_notice_by_paybill_and_the_payment_follows_the_notice_in_the_fines_log(
    traffic_officer: User,
    station: Station,
    paybill: Paybill,  # noqa: F811
) -> None:
    join_node(station)
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    payment = paybill(notice.number, 2500, trans_id="TKN0000001")
    assert payment.state == "confirmed"
    state = NoticeState.objects.get(notice=notice)
    assert (state.state, state.paid_kes) == ("paid", 2500)
    event = NoticeEvent.objects.get(notice=notice)
    assert leaves_of(FINES_ORIGIN) == [(0, "notice", str(notice.pk)), (1, "payment", str(event.pk))]
    assert ledger.leaf_for(str(event.pk)) is not None
    assert b'"prev":0' in bytes(Leaf.objects.get(record_id=str(event.pk)).data)
    assert kinds_in_the_book(station) == ["handover"]


def test_the_fines_log_verifies_and_its_export_passes_daftari_verify_audit(
    traffic_officer: User,
    ocs: User,
    station: Station,
    paybill: Paybill,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    join_node(station)
    paid = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    paybill(paid.number, 1000, trans_id="TKN0000002")
    cancelled = issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KBZ 777Q")).notice
    cancel_notice(actor=ocs, number=cancelled.number, reason="Issued in error")
    call_command("ledger", "checkpoint")
    report = verify_book("CENTRAL-NBI/fines")
    assert (report.ok, report.leaves) == (True, 4)
    call_command("ledger", "verify", "--station", "CENTRAL-NBI/fines")
    assert "Verified 4 leaves" in capsys.readouterr().out
    out = tmp_path / "fines"
    call_command("ledger", "export", "--station", "CENTRAL-NBI/fines", str(out))
    assert f"Wrote 4 leaves of {FINES_ORIGIN}" in capsys.readouterr().out
    result = audit(out)
    assert result.returncode == 0, result.stderr


def test_daftari_verify_audit_catches_a_paid_amount_changed_in_the_fines_log(
    traffic_officer: User,
    station: Station,
    paybill: Paybill,  # noqa: F811
    tmp_path: Path,
) -> None:
    join_node(station)
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    paybill(notice.number, 2500, trans_id="TKN0000003")
    call_command("ledger", "checkpoint")
    call_command("ledger", "export", "--station", "CENTRAL-NBI/fines", str(tmp_path))
    records = tmp_path / "records.jsonl"
    assert '"amount_kes": 2500' in records.read_text()
    records.write_text(records.read_text().replace('"amount_kes": 2500', '"amount_kes": 250'))
    result = audit(tmp_path)
    assert result.returncode != 0
    assert "leaf 1" in result.stdout + result.stderr


def test_a_payment_on_a_notice_issued_before_the_node_joined_goes_to_the_fines_log_not_the_book(
    traffic_officer: User,
    station: Station,
    paybill: Paybill,  # noqa: F811
) -> None:
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    assert leaves_of("daftari.local/ob/CENTRAL-NBI") == [(0, "notice", str(notice.pk))]
    join_node(station)
    paybill(notice.number, 2500, trans_id="TKN0000004")
    event = NoticeEvent.objects.get(notice=notice)
    assert kinds_in_the_book(station) == ["notice", "handover"]
    assert leaves_of(FINES_ORIGIN) == [(0, "payment", str(event.pk))]
    # Its notice is in another log: the payment names no earlier leaf of its own log.
    assert b'"prev":null' in bytes(Leaf.objects.get(record_id=str(event.pk)).data)


def test_the_api_at_the_hub_issues_a_notice_for_a_node_station(
    client: Client, traffic_officer: User, station: Station
) -> None:
    join_node(station)
    response = Api(client, traffic_officer).post("/fines/notices", notice_body())
    assert response.status_code == 201, response.content
    notice = FineNotice.objects.get(number=response.json()["number"])
    assert leaves_of(FINES_ORIGIN) == [(0, "notice", str(notice.pk))]


def test_a_station_node_issues_no_fine_and_says_they_are_recorded_at_the_hub(
    client: Client, traffic_officer: User, station: Station, settings: SettingsWrapper
) -> None:
    api = Api(client, traffic_officer)
    settings.DAFTARI_ROLE = "node"
    with pytest.raises(ledger.FinesKeptAtHub):
        issue_notice(actor=traffic_officer, station=station, draft=draft())
    response = api.post("/fines/notices", notice_body())
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "fines_kept_at_hub"
    assert body["message"] == "Fines and their payments are recorded at the hub, where M-Pesa reaches."
    assert not FineNotice.objects.exists() and not Leaf.objects.exists()


def test_the_refusal_at_a_station_node_reads_in_kiswahili(
    client: Client, traffic_officer: User, settings: SettingsWrapper
) -> None:
    api = Api(client, traffic_officer)
    settings.DAFTARI_ROLE = "node"
    response = client.post(
        "/api/v1/fines/notices",
        data=notice_body(),
        content_type="application/json",
        headers={**api.headers, "Accept-Language": "sw"},
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Faini na malipo yake hurekodiwa kwenye kituo kikuu, ambako M-Pesa hufika."


def test_a_traffic_officer_of_another_station_still_issues_no_notice_for_a_node_station(
    make_officer: "object", station: Station, other_station: Station
) -> None:
    from daftari.stations.rules import Role

    elsewhere = make_officer("traffic-elsewhere", [Role.TRAFFIC], other_station)  # type: ignore[operator]
    join_node(station)
    with pytest.raises(NotPermitted):
        issue_notice(actor=elsewhere, station=station, draft=draft())
    assert not Log.objects.filter(origin=FINES_ORIGIN).exists()


def test_erasing_a_node_stations_notice_puts_the_redaction_leaf_in_its_fines_log(
    admin_officer: User, traffic_officer: User, station: Station
) -> None:
    join_node(station)
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    redaction = redact(actor=admin_officer, record_id=str(notice.pk), authority=ORDER)
    assert leaves_of(FINES_ORIGIN) == [(0, "notice", str(notice.pk)), (1, "redaction", str(redaction.pk))]
    assert not Log.objects.filter(origin="daftari.local/ob/hub").exists()
    call_command("ledger", "checkpoint")
    report = verify_book("CENTRAL-NBI/fines")
    assert report.ok and report.redacted == [("CENTRAL-NBI/fines", 0)]


def test_fines_go_back_to_the_stations_book_for_a_station_no_node_keeps(
    traffic_officer: User, station: Station
) -> None:
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    assert leaves_of("daftari.local/ob/CENTRAL-NBI") == [(0, "notice", str(notice.pk))]
    assert not Log.objects.filter(origin=FINES_ORIGIN).exists()
