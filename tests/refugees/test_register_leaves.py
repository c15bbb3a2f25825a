"""Every change to the register is a leaf of its signed log: the merges and splits of households
(with the people they moved) and each step of a status-correction case, beside the registrations,
status steps and documents; ``ledger verify`` re-reads each against its leaf, and a lawful erasure
of a person who moved keeps the log verifying."""

from pathlib import Path

import pytest
from daftari_verify.leaf import Leaf as LeafV1
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from daftari.core import append_only
from daftari.ledger.models import Leaf, Redaction
from daftari.ledger.redaction import redact
from daftari.ledger.services import sign_grown_logs
from daftari.ledger.verification import verify_book
from daftari.refugees import records, register_log, services
from daftari.refugees.erasure import MARKER
from daftari.refugees.models import CorrectionCase, HouseholdChange, HouseholdChangeMove, Membership, Person
from daftari.refugees.queries import household_of
from daftari.refugees.rules import Relationship
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.erasure_support import ORDER, tables_holding
from tests.refugees.conftest import days_ago, draft
from tests.refugees.test_erasure import _audit_the_register_log

pytestmark = pytest.mark.django_db

LOG = "drs-register"


@pytest.fixture
def sister(drs_officer: User) -> Person:
    return services.register_person(
        actor=drs_officer, draft=draft(given_names="Halima"), office="KAK", registered_on=days_ago(20)
    )


@pytest.fixture
def second_supervisor(make_officer: OfficerFactory) -> User:
    return make_officer("drs_supervisor2", [Role.DRS_SUPERVISOR], None)


def _merge(actor: User, moving: Person, into: Person, reason: str = "Amina joins her sister") -> HouseholdChange:
    return services.merge_households(
        actor=actor,
        household=household_of(moving),  # type: ignore[arg-type]
        into=household_of(into),  # type: ignore[arg-type]
        on=days_ago(1),
        reason=reason,
    )


def _leaf_of(record_id: object) -> Leaf:
    return Leaf.objects.get(record_id=str(record_id))


def _verify(capsys: pytest.CaptureFixture[str]) -> str:
    call_command("ledger", "verify", "--station", LOG)
    return capsys.readouterr().out


def _tamper(table: str, update: object) -> None:
    """A DBA drops the guard, changes a recorded row, and puts the guard back."""
    append_only.uninstall(connection, [table])
    assert callable(update)
    update()
    append_only.install(connection, [table])


def test_a_merge_is_one_leaf_of_the_registers_log_naming_everyone_it_moved(
    drs_officer: User, asylum_seeker: Person, sister: Person
) -> None:
    size = register_log.register_log().size  # type: ignore[union-attr]

    change = _merge(drs_officer, asylum_seeker, sister)

    leaf = _leaf_of(change.pk)
    assert (leaf.kind, leaf.index, leaf.log.origin) == (records.KIND_HOUSEHOLD_CHANGE, size, register_log.origin())
    assert HouseholdChange.objects.get(pk=change.pk).ledger_index == leaf.index
    assert LeafV1.from_bytes(bytes(leaf.data)).by == "drs_officer"
    record = records.stored_household_change(str(change.pk))
    assert record is not None and record["kind"] == "merge" and record["reason"] == "Amina joins her sister"
    assert [m["person"] for m in record["moves"]] == [str(asylum_seeker.pk)]
    move = HouseholdChangeMove.objects.get(change=change)
    assert (record["moves"][0]["left"], record["moves"][0]["joined"]) == (str(move.left_id), str(move.joined_id))


def test_a_split_is_one_leaf_of_the_registers_log(drs_officer: User, asylum_seeker: Person, sister: Person) -> None:
    _merge(drs_officer, sister, asylum_seeker)
    size = register_log.register_log().size  # type: ignore[union-attr]

    change = services.split_household(
        actor=drs_officer,
        household=household_of(asylum_seeker),  # type: ignore[arg-type]
        on=days_ago(0),
        reason="Halima marries",
        moves={str(sister.pk): Relationship.PRINCIPAL},
    )

    assert register_log.register_log().size == size + 1  # type: ignore[union-attr]
    leaf = _leaf_of(change.pk)
    assert (leaf.kind, leaf.index, change.ledger_index) == (records.KIND_HOUSEHOLD_CHANGE, size, size)
    assert records.stored_household_change(str(change.pk))["kind"] == "split"  # type: ignore[index]
    assert verify_book(LOG).problems == []


def test_each_step_of_a_correction_case_is_a_leaf_opened_approved_and_rejected(
    drs_officer: User, drs_supervisor: User, second_supervisor: User, refugee: Person, sister: Person
) -> None:
    approved = services.open_correction_case(
        actor=drs_officer, person=refugee, national_id="23456789", evidence="IPRS 2019"
    )
    first = services.decide_correction_case(actor=drs_supervisor, case=approved, approve=True)
    second = services.decide_correction_case(actor=second_supervisor, case=approved, approve=True)
    rejected = services.open_correction_case(
        actor=drs_officer, person=sister, national_id="3456789", evidence="A namesake"
    )
    rejection = services.decide_correction_case(
        actor=drs_supervisor, case=rejected, approve=False, note="Different person"
    )

    kinds = {
        approved.pk: records.KIND_CORRECTION_CASE,
        rejected.pk: records.KIND_CORRECTION_CASE,
        first.pk: records.KIND_CORRECTION_DECISION,
        second.pk: records.KIND_CORRECTION_DECISION,
        rejection.pk: records.KIND_CORRECTION_DECISION,
    }
    for row in (approved, rejected, first, second, rejection):
        leaf = _leaf_of(row.pk)
        assert (leaf.kind, leaf.index) == (kinds[row.pk], row.ledger_index)
        assert leaf.log.origin == register_log.origin()
    # The second approval's leaf comes before the closing status step it caused.
    closing = refugee.status_steps.order_by("-sequence").first()
    assert closing is not None and closing.step == "closed" and closing.ledger_index > second.ledger_index  # type: ignore[operator]
    assert records.stored_correction_decision(str(rejection.pk))["note"] == "Different person"  # type: ignore[index]
    assert verify_book(LOG).problems == []


def test_ledger_verify_passes_the_register_log_and_names_the_leaf_of_a_merge_altered_behind_the_apps_back(
    drs_officer: User, asylum_seeker: Person, sister: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    change = _merge(drs_officer, asylum_seeker, sister)
    sign_grown_logs()
    assert "all is well" in _verify(capsys)

    _tamper(
        "refugees_householdchange",
        lambda: HouseholdChange.objects.filter(pk=change.pk).update(reason="Moved for no reason"),
    )

    with pytest.raises(CommandError, match="1 problem"):
        _verify(capsys)
    assert f"{LOG} leaf {change.ledger_index}: commit does not match the record as stored" in capsys.readouterr().out


def test_ledger_verify_names_the_leaf_of_a_merge_whose_move_was_altered(
    drs_officer: User, asylum_seeker: Person, sister: Person
) -> None:
    change = _merge(drs_officer, asylum_seeker, sister)
    joined = HouseholdChangeMove.objects.get(change=change).joined_id

    _tamper("refugees_membership", lambda: Membership.objects.filter(pk=joined).update(relationship="child"))

    assert [(p.station, p.index) for p in verify_book(LOG).problems] == [(LOG, change.ledger_index)]


def test_ledger_verify_names_the_leaf_of_a_correction_case_altered_behind_the_apps_back(
    drs_officer: User, refugee: Person, capsys: pytest.CaptureFixture[str]
) -> None:
    case = services.open_correction_case(actor=drs_officer, person=refugee, national_id="23456789", evidence="IPRS")

    _tamper("refugees_correctioncase", lambda: CorrectionCase.objects.filter(pk=case.pk).update(national_id="1234567"))

    with pytest.raises(CommandError, match="1 problem"):
        _verify(capsys)
    assert f"{LOG} leaf {case.ledger_index}: commit does not match the record as stored" in capsys.readouterr().out


def test_a_merge_recorded_before_merges_were_leaves_has_none_and_the_log_still_verifies(
    drs_officer: User, asylum_seeker: Person, sister: Person
) -> None:
    """History is not rewritten: such a row keeps no leaf, and verify re-reads only leaves."""
    _merge(drs_officer, asylum_seeker, sister)
    before = HouseholdChange.objects.create(
        kind="merge",
        source=household_of(sister),  # type: ignore[misc]
        target=household_of(sister),  # type: ignore[misc]
        on=days_ago(5),
        reason="Recorded before",
        recorded_at=asylum_seeker.registered_at,
        recorded_by="drs_officer",
    )
    assert before.ledger_index is None and not Leaf.objects.filter(record_id=str(before.pk)).exists()
    assert verify_book(LOG).problems == []


def test_erasing_a_person_who_moved_and_had_a_case_redacts_those_leaves_too_and_the_log_verifies(
    admin_officer: User,
    drs_officer: User,
    drs_supervisor: User,
    refugee: Person,
    sister: Person,
    tmp_path: Path,
) -> None:
    change = _merge(drs_officer, refugee, sister)
    case = services.open_correction_case(
        actor=drs_officer, person=refugee, national_id="23456789", evidence="IPRS 2019"
    )
    rejection = services.decide_correction_case(
        actor=drs_supervisor, case=case, approve=False, note="Amina is not the IPRS holder"
    )
    sign_grown_logs()  # a checkpoint signed before the erasure must still verify after it
    registration = refugee.status_steps.get(sequence=1)

    redact(actor=admin_officer, record_id=str(registration.pk), authority=ORDER)

    for needle in ("Amina joins", "23456789", "IPRS 2019", "IPRS holder"):
        assert tables_holding(needle) == [], needle
    assert HouseholdChange.objects.get(pk=change.pk).reason == MARKER
    report = verify_book(LOG)
    assert report.problems == [], [str(p) for p in report.problems]
    assert sorted(index for _log, index in report.redacted) == sorted(
        [registration.ledger_index, change.ledger_index, case.ledger_index, rejection.ledger_index]
    )
    assert set(Redaction.objects.values_list("authority", flat=True)) == {ORDER}
    result = _audit_the_register_log(tmp_path)
    assert result.returncode == 0, result.stderr


def test_erasing_a_merge_blanks_its_reason_and_that_of_the_memberships_it_moved(
    admin_officer: User, drs_officer: User, asylum_seeker: Person, sister: Person
) -> None:
    change = _merge(drs_officer, asylum_seeker, sister)

    redact(actor=admin_officer, record_id=str(change.pk), authority=ORDER)

    assert tables_holding("Amina joins") == []
    assert HouseholdChange.objects.get(pk=change.pk).reason == MARKER
    assert household_of(asylum_seeker) == household_of(sister)  # who moved where stays
    report = verify_book(LOG)
    assert report.problems == [] and (LOG, change.ledger_index) in report.redacted


def test_erasing_a_correction_case_blanks_its_id_number_and_evidence_and_the_log_verifies(
    admin_officer: User, drs_officer: User, refugee: Person
) -> None:
    case = services.open_correction_case(
        actor=drs_officer, person=refugee, national_id="23456789", evidence="IPRS 2019"
    )

    redact(actor=admin_officer, record_id=str(case.pk), authority=ORDER)

    erased = CorrectionCase.objects.get(pk=case.pk)
    assert (erased.national_id, erased.evidence) == ("", MARKER)
    assert verify_book(LOG).problems == []
