"""Registering, status steps, documents: each change is one service, append-only, with its ledger leaf."""

from datetime import timedelta

import pytest
from daftari_verify.leaf import Leaf as LeafV1
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.ledger.models import Leaf
from daftari.ledger.services import sign_grown_logs
from daftari.ledger.verification import verify_book
from daftari.refugees import records, register_log, services
from daftari.refugees.models import DocumentEvent, Household, Membership, Person, RefugeeDocument, StatusStep
from daftari.refugees.queries import members_of
from daftari.refugees.rules import DocumentKind, DocumentState, Relationship, StatusKind
from tests.refugees.conftest import days_ago, draft, issue

pytestmark = pytest.mark.django_db


def test_registering_a_person_opens_a_household_and_records_them_as_an_asylum_seeker(drs_officer: User) -> None:
    person = services.register_person(actor=drs_officer, draft=draft(), office="KAK", registered_on=days_ago(1))
    household = Household.objects.get()
    assert household.number == f"HH-KAK-{timezone.now().year % 100:02d}-000001"
    assert [m.person for m in members_of(household)] == [person]
    assert list(person.status_steps.values_list("sequence", "step")) == [(1, "asylum_seeker")]
    assert person.phone == "+254712345678"
    assert person.name_key == "abdi amina hassan xasan"


def test_a_second_household_of_the_office_gets_the_next_number(drs_officer: User) -> None:
    services.register_person(actor=drs_officer, draft=draft(), office="KAK", registered_on=days_ago(1))
    services.register_person(actor=drs_officer, draft=draft(), office="KAK", registered_on=days_ago(1))
    assert sorted(Household.objects.values_list("number", flat=True))[-1].endswith("-000002")


def test_a_person_registered_into_a_household_joins_it(drs_officer: User, asylum_seeker: Person) -> None:
    household = Household.objects.get()
    child = services.register_person(
        actor=drs_officer,
        draft=draft(given_names="Yusuf", date_of_birth=days_ago(3000)),
        office="KAK",
        registered_on=days_ago(1),
        household=household,
        relationship=Relationship.CHILD,
    )
    assert {m.person for m in members_of(household)} == {asylum_seeker, child}


def test_a_person_who_left_the_household_is_no_longer_a_member(drs_officer: User, asylum_seeker: Person) -> None:
    household = Household.objects.get()
    services.record_membership(
        actor=drs_officer,
        person=asylum_seeker,
        household=household,
        kind=Membership.Kind.LEFT,
        relationship=Relationship.PRINCIPAL,
        on=days_ago(2),
        reason="resettled",
    )
    assert members_of(household) == []
    assert [m.person for m in members_of(household, on=days_ago(5))] == [asylum_seeker]


def test_a_registration_with_problems_is_refused_field_by_field_and_writes_nothing(drs_officer: User) -> None:
    bad = draft(given_names=" ", nationality="", date_of_birth=timezone.localdate() + timedelta(days=1), phone="12")
    with pytest.raises(InvalidInput) as refused:
        services.register_person(actor=drs_officer, draft=bad, office="KAK", registered_on=days_ago(1))
    assert set(refused.value.fields) == {"given_names", "nationality", "date_of_birth", "phone"}
    assert not Person.objects.exists() and not Household.objects.exists()


def test_a_police_officer_cannot_register_a_person(desk_officer: User, ocs: User, unhcr_liaison: User) -> None:
    for actor in (desk_officer, ocs, unhcr_liaison):
        with pytest.raises(NotPermitted):
            services.register_person(actor=actor, draft=draft(), office="KAK", registered_on=days_ago(1))


PATHS = [
    [StatusKind.REFUGEE],
    [StatusKind.REJECTED, StatusKind.APPEAL_RSAC, StatusKind.REFUGEE],
    [StatusKind.REJECTED, StatusKind.APPEAL_RSAC, StatusKind.APPEAL_HIGH_COURT, StatusKind.REFUGEE, StatusKind.CLOSED],
    [StatusKind.REJECTED, StatusKind.CLOSED],
    [StatusKind.CLOSED],
]


@pytest.mark.parametrize("path", PATHS)
def test_each_allowed_path_of_status_steps_is_recorded_in_order(
    path: list[StatusKind], asylum_seeker: Person, drs_supervisor: User
) -> None:
    for step in path:
        services.record_status_step(actor=drs_supervisor, person=asylum_seeker, step=step, on=days_ago(1))
    steps = list(asylum_seeker.status_steps.order_by("sequence").values_list("step", flat=True))
    assert steps == ["asylum_seeker", *path]


@pytest.mark.parametrize(
    ("done", "refused"),
    [
        ([], StatusKind.ASYLUM_SEEKER),
        ([], StatusKind.APPEAL_RSAC),
        ([], StatusKind.APPEAL_HIGH_COURT),
        ([StatusKind.REJECTED], StatusKind.APPEAL_HIGH_COURT),
        ([StatusKind.REJECTED], StatusKind.REFUGEE),
        ([StatusKind.REFUGEE], StatusKind.REJECTED),
        ([StatusKind.CLOSED], StatusKind.REFUGEE),
    ],
)
def test_a_status_step_that_may_not_follow_the_last_is_refused_and_not_recorded(
    done: list[StatusKind], refused: StatusKind, asylum_seeker: Person, drs_supervisor: User
) -> None:
    for step in done:
        services.record_status_step(actor=drs_supervisor, person=asylum_seeker, step=step, on=days_ago(1))
    before = StatusStep.objects.count(), Leaf.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.record_status_step(actor=drs_supervisor, person=asylum_seeker, step=refused, on=days_ago(1))
    assert "step" in error.value.fields
    assert (StatusStep.objects.count(), Leaf.objects.count()) == before


def test_a_registration_officer_records_an_appeal_but_not_a_decision(
    asylum_seeker: Person, drs_officer: User, drs_supervisor: User
) -> None:
    with pytest.raises(NotPermitted):
        services.record_status_step(actor=drs_officer, person=asylum_seeker, step=StatusKind.REJECTED, on=days_ago(1))
    services.record_status_step(actor=drs_supervisor, person=asylum_seeker, step=StatusKind.REJECTED, on=days_ago(1))
    services.record_status_step(actor=drs_officer, person=asylum_seeker, step=StatusKind.APPEAL_RSAC, on=days_ago(1))
    assert services.current_status(asylum_seeker) is StatusKind.APPEAL_RSAC


def test_a_step_dated_before_the_previous_one_is_refused(asylum_seeker: Person, drs_supervisor: User) -> None:
    with pytest.raises(InvalidInput) as error:
        services.record_status_step(
            actor=drs_supervisor, person=asylum_seeker, step=StatusKind.REFUGEE, on=days_ago(31)
        )
    assert "on" in error.value.fields


def test_each_status_step_is_a_leaf_of_the_registers_own_log(asylum_seeker: Person, drs_supervisor: User) -> None:
    services.record_status_step(actor=drs_supervisor, person=asylum_seeker, step=StatusKind.REFUGEE, on=days_ago(1))
    log = register_log.register_log()
    assert log is not None and log.origin.endswith("/drs-register") and log.station_id is None
    steps = list(asylum_seeker.status_steps.order_by("sequence"))
    leaves = list(Leaf.objects.filter(log=log, kind=records.KIND_STATUS_STEP).order_by("index"))
    assert [leaf.record_id for leaf in leaves] == [str(s.pk) for s in steps]
    assert [s.ledger_index for s in steps] == [leaf.index for leaf in leaves]
    assert LeafV1.from_bytes(bytes(leaves[-1].data)).by == "drs_supervisor"


def test_the_registers_log_is_signed_and_verifies_against_the_records(refugee: Person, drs_officer: User) -> None:
    issue(drs_officer, refugee, "RID-KAK-26-000001", DocumentKind.REFUGEE_ID)
    assert any(c.log.origin == register_log.origin() for c in sign_grown_logs())
    report = verify_book()
    assert report.ok, report.problems


def test_recorded_register_rows_cannot_be_updated_or_deleted(refugee: Person) -> None:
    step = refugee.status_steps.first()
    assert step is not None
    for change in (
        lambda: StatusStep.objects.filter(pk=step.pk).update(step="closed"),
        lambda: Person.objects.filter(pk=refugee.pk).update(given_names="Someone Else"),
        lambda: Membership.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert StatusStep.objects.get(pk=step.pk).step == "asylum_seeker"


def test_the_services_offer_no_way_to_change_a_recorded_row() -> None:
    verbs = {name for name in dir(services) if not name.startswith("_") and callable(getattr(services, name))}
    assert not {v for v in verbs if v.startswith(("update", "edit", "change", "delete"))}


ISSUABLE_TO_A_REFUGEE = [k for k in DocumentKind if k is not DocumentKind.ASYLUM_SEEKER_PASS]


@pytest.mark.parametrize("kind", ISSUABLE_TO_A_REFUGEE)
def test_each_document_kind_is_issued_to_a_refugee_with_its_leaf(
    kind: DocumentKind, refugee: Person, drs_officer: User
) -> None:
    prefix = {"proof_of_registration": "POR", "refugee_id": "RID", "recognition_letter": "RRL"}.get(kind.value)
    prefix = prefix or {"movement_pass": "MVP", "travel_document": "CTD", "class_m_permit": "CLM"}[kind.value]
    document = services.issue_document(
        actor=drs_officer,
        person=refugee,
        kind=kind,
        number=f"{prefix.lower()} kak 26 000001",
        office="KAK",
        issued_on=days_ago(1),
        expires_on=days_ago(-365),
    )
    assert document.number == f"{prefix}-KAK-26-000001"
    assert services.state_of(document) is DocumentState.VALID
    assert Leaf.objects.get(record_id=str(document.pk)).index == document.ledger_index


def test_an_asylum_seeker_gets_a_pass_but_no_refugee_id(asylum_seeker: Person, drs_officer: User) -> None:
    issue(drs_officer, asylum_seeker, "ASP-KAK-26-000001", DocumentKind.ASYLUM_SEEKER_PASS)
    with pytest.raises(InvalidInput) as refused:
        issue(drs_officer, asylum_seeker, "RID-KAK-26-000001", DocumentKind.REFUGEE_ID)
    assert "kind" in refused.value.fields


def test_a_document_number_in_the_wrong_format_or_already_issued_is_refused(refugee: Person, drs_officer: User) -> None:
    with pytest.raises(InvalidInput) as wrong:
        issue(drs_officer, refugee, "12345678")
    assert "number" in wrong.value.fields
    issue(drs_officer, refugee, "RID-KAK-26-000001")
    with pytest.raises(InvalidInput) as again:
        issue(drs_officer, refugee, "RID-KAK-26-000001")
    assert "number" in again.value.fields
    assert RefugeeDocument.objects.count() == 1


def _issued(person: Person, actor: User) -> RefugeeDocument:
    return issue(actor, person, "RID-KAK-26-000001", issued_ago=400, expires_on=days_ago(35))


def test_a_document_past_its_expiry_is_expired(refugee: Person, drs_officer: User) -> None:
    assert services.state_of(_issued(refugee, drs_officer)) is DocumentState.EXPIRED


def test_a_lost_document_is_replaced_by_a_new_one(refugee: Person, drs_officer: User) -> None:
    lost = _issued(refugee, drs_officer)
    services.report_document_lost(actor=drs_officer, document=lost, on=days_ago(2), reason="lost in the market")
    assert services.state_of(lost) is DocumentState.LOST
    new = issue(drs_officer, refugee, "RID-KAK-26-000002", replaces=lost)
    assert services.state_of(lost) is DocumentState.REPLACED
    assert DocumentEvent.objects.get(kind="replaced").replaced_by == new
    assert services.state_of(new) is DocumentState.VALID


def test_only_the_supervisor_revokes_and_a_revoked_document_stays_revoked(
    refugee: Person, drs_officer: User, drs_supervisor: User
) -> None:
    document = _issued(refugee, drs_officer)
    with pytest.raises(NotPermitted):
        services.revoke_document(actor=drs_officer, document=document, on=days_ago(1), reason="fraud")
    services.revoke_document(actor=drs_supervisor, document=document, on=days_ago(1), reason="issued in error")
    assert services.state_of(document) is DocumentState.REVOKED
    with pytest.raises(InvalidInput):
        services.report_document_lost(actor=drs_officer, document=document, on=days_ago(1), reason="lost")
    event = DocumentEvent.objects.get()
    assert Leaf.objects.get(record_id=str(event.pk)).kind == records.KIND_DOCUMENT_EVENT
