"""Issuing and withdrawing alerts: who may, what is written, and the leaf in the hub's own log."""

import uuid

import pytest
from daftari_verify.leaf import Leaf as LeafV1
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction

from daftari.alerts.models import Alert, AlertWithdrawal
from daftari.alerts.records import alert_record, withdrawal_record
from daftari.alerts.services import AlreadyWithdrawn, issue_alert, withdraw_alert
from daftari.core.errors import DuplicateWithDifferentContent, InvalidInput, NotPermitted
from daftari.ledger import services as ledger
from daftari.ledger.models import Commitment, Leaf
from daftari.ledger.verification import verify_book
from daftari.stations.rules import Role
from tests.alerts.conftest import stolen, wanted
from tests.conftest import OfficerFactory


def test_an_ocs_issues_an_alert_as_a_leaf_of_the_hubs_own_log(ocs: User) -> None:
    alert = issue_alert(actor=ocs, draft=wanted()).alert

    leaf = Leaf.objects.select_related("log").get(record_id=str(alert.pk))
    assert leaf.log.station is None and leaf.log.origin == ledger.hub_origin() == "daftari.local/ob/hub"
    assert (leaf.kind, leaf.index, alert.hub_index) == ("alert", 0, 0)
    parsed = LeafV1.from_bytes(bytes(leaf.data))
    parsed.check_record(alert_record(alert), bytes(Commitment.objects.get(leaf=leaf).salt))
    assert parsed.by == ocs.officer.service_number
    assert (alert.id_number, alert.phone, alert.name_key) == ("29876543", "+254722000111", "baraka juma otieno")
    assert alert.station_code == "CENTRAL-NBI"
    assert alert.issued_by_name.startswith(ocs.officer.service_number)


def test_the_desk_may_not_issue_an_alert_and_nothing_is_written(desk_officer: User) -> None:
    with pytest.raises(NotPermitted):
        issue_alert(actor=desk_officer, draft=wanted())
    assert not Alert.objects.exists()
    assert not Leaf.objects.exists()


def test_an_alert_with_problems_is_refused_with_every_field_named(ocs: User) -> None:
    with pytest.raises(InvalidInput) as refused:
        issue_alert(actor=ocs, draft=wanted(name="", id_number="", phone="07", description=""))
    assert set(refused.value.fields) == {"name", "phone", "description"}
    assert not Leaf.objects.exists()


def test_a_retry_with_the_same_client_id_returns_the_stored_alert_and_other_content_is_refused(ocs: User) -> None:
    client_id = uuid.uuid4()
    first = issue_alert(actor=ocs, draft=wanted(), client_id=client_id)
    again = issue_alert(actor=ocs, draft=wanted(), client_id=client_id)
    assert (first.created, again.created, again.alert.pk) == (True, False, first.alert.pk)
    with pytest.raises(DuplicateWithDifferentContent):
        issue_alert(actor=ocs, draft=wanted(name="Someone Else"), client_id=client_id)
    assert Leaf.objects.count() == 1


def test_a_withdrawal_is_a_new_record_and_leaf_pointing_at_the_alert(ocs: User, wanted_alert: Alert) -> None:
    withdrawal = withdraw_alert(actor=ocs, alert=wanted_alert, reason="Arrested at Kisumu on 4 Dec.")

    leaf = Leaf.objects.get(record_id=str(withdrawal.pk))
    parsed = LeafV1.from_bytes(bytes(leaf.data))
    assert (leaf.kind, leaf.index, parsed.prev) == ("alert_withdrawal", 1, wanted_alert.hub_index)
    parsed.check_record(withdrawal_record(withdrawal), bytes(Commitment.objects.get(leaf=leaf).salt))
    assert Alert.objects.filter(pk=wanted_alert.pk, withdrawal__isnull=True).count() == 0


def test_an_alert_is_withdrawn_once(ocs: User, wanted_alert: Alert) -> None:
    withdraw_alert(actor=ocs, alert=wanted_alert, reason="Arrested.")
    with pytest.raises(AlreadyWithdrawn):
        withdraw_alert(actor=ocs, alert=wanted_alert, reason="Arrested again.")
    assert AlertWithdrawal.objects.count() == 1
    assert Leaf.objects.count() == 2


def test_another_stations_ocs_may_not_withdraw_but_a_commander_may(
    make_officer: OfficerFactory, other_station: object, wanted_alert: Alert, commander: User
) -> None:
    ocs_elsewhere = make_officer("ocs_elsewhere", [Role.OCS], other_station)
    with pytest.raises(NotPermitted):
        withdraw_alert(actor=ocs_elsewhere, alert=wanted_alert, reason="Not ours to withdraw.")
    assert not AlertWithdrawal.objects.exists()
    withdraw_alert(actor=commander, alert=wanted_alert, reason="Found alive in Nakuru.")
    assert AlertWithdrawal.objects.count() == 1


def test_oversight_may_not_withdraw_an_alert(oversight: User, wanted_alert: Alert) -> None:
    with pytest.raises(NotPermitted):
        withdraw_alert(actor=oversight, alert=wanted_alert, reason="Reviewing.")


def test_a_withdrawal_without_a_reason_is_refused(ocs: User, wanted_alert: Alert) -> None:
    with pytest.raises(InvalidInput) as refused:
        withdraw_alert(actor=ocs, alert=wanted_alert, reason="  ")
    assert set(refused.value.fields) == {"reason"}


def test_alerts_and_withdrawals_are_never_changed_or_deleted_at_the_database(
    ocs: User, wanted_alert: Alert, stolen_car: Alert
) -> None:
    withdrawal = withdraw_alert(actor=ocs, alert=wanted_alert, reason="Arrested.")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Alert.objects.filter(pk=wanted_alert.pk).update(name="Someone Else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Alert.objects.filter(pk=stolen_car.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AlertWithdrawal.objects.filter(pk=withdrawal.pk).update(reason="")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AlertWithdrawal.objects.filter(pk=withdrawal.pk).delete()
    assert Alert.objects.get(pk=wanted_alert.pk).name == "Otieno Juma Baraka"


def test_the_hubs_log_is_signed_and_verified_like_a_stations_book(ocs: User) -> None:
    issue_alert(actor=ocs, draft=wanted())
    issue_alert(actor=ocs, draft=stolen())
    checkpoint = ledger.sign_hub_checkpoint()
    assert checkpoint is not None and checkpoint.size == 2
    assert checkpoint.signed_note.startswith("daftari.local/ob/hub\n2\n")
    assert ledger.checkpoint_tick() == 0  # nothing new since: the worker's tick handles the hub's log too

    report = verify_book("hub")
    assert report.ok, report.problems
    assert (report.leaves, report.checkpoints) == (2, 1)


def test_an_alert_is_erased_by_lawful_order_and_the_hubs_log_still_verifies(
    ocs: User, admin_officer: User, wanted_alert: Alert
) -> None:
    from daftari.ledger.redaction import redact

    ledger.sign_hub_checkpoint()
    redaction = redact(actor=admin_officer, record_id=str(wanted_alert.pk), authority="High Court order 12/2026")

    erased = Alert.objects.get(pk=wanted_alert.pk)
    assert (erased.name, erased.id_number, erased.phone, erased.name_key) == ("[redacted]", "[redacted]", "", "")
    leaf = Leaf.objects.get(record_id=str(redaction.pk))
    assert (leaf.log.station, leaf.kind, leaf.index) == (None, "redaction", 1)
    ledger.sign_hub_checkpoint()
    report = verify_book("hub")
    assert report.ok, report.problems
    assert report.redacted == [("hub", 0)]


def test_a_station_node_holds_a_copy_of_the_register_and_issues_nothing(
    ocs: User, wanted_alert: Alert, settings: object
) -> None:
    from daftari.alerts.services import IssuedAtTheHub

    settings.DAFTARI_ROLE = "node"  # type: ignore[attr-defined]
    with pytest.raises(IssuedAtTheHub):
        issue_alert(actor=ocs, draft=stolen())
    with pytest.raises(IssuedAtTheHub):
        withdraw_alert(actor=ocs, alert=wanted_alert, reason="Arrested.")
    assert Alert.objects.count() == 1 and not AlertWithdrawal.objects.exists()


@pytest.mark.django_db
def test_the_demo_issues_a_wanted_person_and_a_stolen_car_once() -> None:
    from django.core.management import call_command

    call_command("demo", verbosity=0)
    call_command("demo", verbosity=0)
    assert sorted(Alert.objects.values_list("kind", "station_code")) == [
        ("stolen_vehicle", "CENTRAL-NBI"),
        ("wanted", "CENTRAL-NBI"),
    ]
    assert Leaf.objects.filter(log__station__isnull=True, kind="alert").count() == 2
