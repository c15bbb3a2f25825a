"""Lawful erasure in the refugee register: the person's data goes, the record of the erasure stays,
and the register's own signed log still verifies (with the court's verifier too)."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from daftari.ledger.export import KEY_FILE, export_book
from daftari.ledger.models import Leaf, Log, Redaction
from daftari.ledger.redaction import AlreadyRedacted, redact
from daftari.ledger.services import hub_log, sign_grown_logs
from daftari.ledger.verification import verify_book
from daftari.refugees import dedupe, queries, register_log, services
from daftari.refugees.erasure import MARKER
from daftari.refugees.models import DocumentEvent, MatchProposal, Membership, Person, RefugeeDocument, StatusStep
from daftari.refugees.rules import StatusKind
from daftari.stations.models import AccessEvent
from tests.erasure_support import ORDER, VERIFY, tables_holding
from tests.refugees.conftest import days_ago, draft, issue

pytestmark = pytest.mark.django_db

# What draft() registers that names or identifies Amina.
AMINA = ["Amina", "Abdi", "Xasan", "712345678", "Bajuni", "BIMS-000123", "KAK-CF-1"]


def _registration(person: Person) -> StatusStep:
    return person.status_steps.get(sequence=1)


def _audit_the_register_log(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The register's log exported as ``daftari ledger export`` writes a book, checked by ``daftari-verify audit``."""
    sign_grown_logs()
    log_ = register_log.register_log()
    assert log_ is not None
    out = tmp_path / "drs-register"
    export_book(log_, out)
    return subprocess.run(
        [str(VERIFY), "audit", str(out), "--key", str(out / KEY_FILE), "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_erasing_a_persons_registration_removes_their_personal_data_from_every_table(
    admin_officer: User, refugee: Person
) -> None:
    assert tables_holding("Amina")  # the person is there before the order

    redact(actor=admin_officer, record_id=str(_registration(refugee).pk), authority=ORDER)

    for needle in AMINA:
        assert tables_holding(needle) == [], needle
    person = Person.objects.get(pk=refugee.pk)
    assert (person.given_names, person.family_name, person.aliases) == (MARKER, MARKER, MARKER)
    assert (person.date_of_birth.month, person.date_of_birth.day, person.date_of_birth_estimated) == (1, 1, True)
    assert (person.sex, person.nationality, person.office) == ("F", "Somali", "KAK")
    assert _registration(refugee).reference == MARKER


def test_the_redaction_is_appended_to_the_registers_own_log_beside_the_leaf_it_redacts(
    admin_officer: User, refugee: Person
) -> None:
    step = _registration(refugee)
    size_before = register_log.register_log().size  # type: ignore[union-attr]

    redaction = redact(actor=admin_officer, record_id=str(step.pk), authority=ORDER)

    log_ = register_log.register_log()
    assert log_ is not None and log_.size == size_before + 1
    leaf = Leaf.objects.get(log=log_, index=size_before)
    assert (leaf.kind, leaf.record_id) == ("redaction", str(redaction.pk))
    assert redaction.leaf.log_id == log_.pk and redaction.leaf.index == step.ledger_index
    assert hub_log() is None  # nothing went to the hub's log
    assert Log.objects.filter(station__isnull=True).count() == 1


def test_the_record_of_the_erasure_remains_and_the_person_keeps_their_status_and_household(
    admin_officer: User, drs_supervisor: User, refugee: Person
) -> None:
    redact(actor=admin_officer, record_id=str(_registration(refugee).pk), authority=ORDER)

    erasure = Redaction.objects.get()
    assert (erasure.authority, erasure.by, erasure.leaf.record_id) == (
        ORDER,
        "administrator",
        str(_registration(refugee).pk),
    )
    assert list(StatusStep.objects.filter(person=refugee).values_list("step", flat=True)) == [
        "asylum_seeker",
        "refugee",
    ]
    assert set(Membership.objects.filter(person=refugee).values_list("reason", flat=True)) == {MARKER}
    view = queries.person_for(
        reader=drs_supervisor, person_id=refugee.pk, purpose=AccessEvent.Purpose.DESK_VIEW, channel="desk"
    )
    assert (view.name, view.status, view.ethnicity, view.phone) == (f"{MARKER} {MARKER}", "refugee", "", "")
    assert view.household_number.startswith("HH-KAK-")


def test_after_erasures_the_register_log_verifies_in_daftari_and_in_the_courts_verifier(
    admin_officer: User, drs_supervisor: User, drs_officer: User, refugee: Person, tmp_path: Path
) -> None:
    card = issue(drs_officer, refugee, "RID-KAK-26-000001")
    services.revoke_document(actor=drs_supervisor, document=card, on=days_ago(0), reason="Held by Amina's cousin")
    sign_grown_logs()  # a checkpoint signed before the erasure must still verify after it

    redact(actor=admin_officer, record_id=str(_registration(refugee).pk), authority=ORDER)
    redact(actor=admin_officer, record_id=str(card.pk), authority=ORDER)
    redact(actor=admin_officer, record_id=str(DocumentEvent.objects.get().pk), authority=ORDER)

    report = verify_book()
    assert report.problems == [], [str(p) for p in report.problems]
    assert sorted(index for code, index in report.redacted if code == "drs-register") == sorted(
        [_registration(refugee).ledger_index, card.ledger_index, DocumentEvent.objects.get().ledger_index]
    )
    result = _audit_the_register_log(tmp_path)
    assert result.returncode == 0, result.stderr


def test_erasing_a_revocation_blanks_its_reason_and_the_document_stays_revoked(
    admin_officer: User, drs_supervisor: User, drs_officer: User, refugee: Person
) -> None:
    card = issue(drs_officer, refugee, "RID-KAK-26-000001")
    event = services.revoke_document(
        actor=drs_supervisor, document=card, on=days_ago(0), reason="Held by Amina's cousin"
    )

    redact(actor=admin_officer, record_id=str(event.pk), authority=ORDER)

    assert DocumentEvent.objects.get(pk=event.pk).reason == MARKER
    assert tables_holding("cousin") == []
    assert services.state_of(RefugeeDocument.objects.get(pk=card.pk)).value == "revoked"


def test_a_register_record_is_erased_once(admin_officer: User, refugee: Person) -> None:
    step = _registration(refugee)
    redact(actor=admin_officer, record_id=str(step.pk), authority=ORDER)
    with pytest.raises(AlreadyRedacted):
        redact(actor=admin_officer, record_id=str(step.pk), authority=ORDER)
    assert Redaction.objects.count() == 1


def test_erasing_a_later_status_step_blanks_only_its_reference(
    admin_officer: User, drs_supervisor: User, asylum_seeker: Person
) -> None:
    decision = services.record_status_step(
        actor=drs_supervisor, person=asylum_seeker, step=StatusKind.REFUGEE, on=days_ago(2), reference="DEC-KAK-77"
    )
    redact(actor=admin_officer, record_id=str(decision.pk), authority=ORDER)

    assert StatusStep.objects.get(pk=decision.pk).reference == MARKER
    assert Person.objects.get(pk=asylum_seeker.pk).given_names == "Amina Hassan"
    assert verify_book().problems == []


def test_erasing_a_person_blanks_the_reason_of_a_merge_that_moved_them_and_the_case_that_names_their_id(
    admin_officer: User, drs_officer: User, refugee: Person
) -> None:
    other = services.register_person(
        actor=drs_officer, draft=draft(given_names="Halima"), office="KAK", registered_on=days_ago(20)
    )
    services.merge_households(
        actor=drs_officer,
        household=queries.household_of(refugee),  # type: ignore[arg-type]
        into=queries.household_of(other),  # type: ignore[arg-type]
        on=days_ago(1),
        reason="Amina joins her sister",
    )
    services.open_correction_case(actor=drs_officer, person=refugee, national_id="23456789", evidence="IPRS 2019")

    redact(actor=admin_officer, record_id=str(_registration(refugee).pk), authority=ORDER)

    assert tables_holding("Amina joins") == []
    assert tables_holding("23456789") == [] and tables_holding("IPRS 2019") == []
    assert verify_book().problems == []


def test_erasing_a_person_blanks_the_national_id_holder_a_de_duplication_pass_matched_to_them(
    admin_officer: User, refugee: Person
) -> None:
    dedupe.run_pass(rows=[["23456789", "Amina Hassan Abdi", "F", "1990-05-05"]], source="nrb.csv", run_by="test")
    assert tables_holding("23456789")

    redact(actor=admin_officer, record_id=str(_registration(refugee).pk), authority=ORDER)

    assert tables_holding("23456789") == []
    assert MatchProposal.objects.get().holder_names == MARKER
