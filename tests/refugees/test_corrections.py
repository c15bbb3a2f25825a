"""The double-registration lesson: a Kenyan found on the refugee register is a status-correction
case with evidence, two supervisors' approvals (neither the opener), an audit trail and a letter."""

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.ledger.verification import verify_book
from daftari.refugees import rules, services
from daftari.refugees.models import CorrectionCase, CorrectionDecision, Person, RefugeeDocument
from daftari.refugees.rules import CorrectionState, Decision, DocumentState
from daftari.stations.models import AccessEvent
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.refugees.conftest import issue

EVIDENCE = "IPRS record 2019; letter of the chief of Dadaab location; vetting committee minute 14/2020"


def test_a_case_is_approved_by_two_different_supervisors_and_rejected_by_one() -> None:
    assert rules.correction_state([]) is CorrectionState.OPEN
    assert rules.correction_state([Decision("sup1", True)]) is CorrectionState.OPEN
    assert rules.correction_state([Decision("sup1", True), Decision("sup2", True)]) is CorrectionState.APPROVED
    assert rules.correction_state([Decision("sup1", True), Decision("sup2", False)]) is CorrectionState.REJECTED


def test_the_opener_does_not_decide_nobody_approves_twice_and_a_decided_case_takes_no_more() -> None:
    assert "opened the case" in (rules.decision_problem(opened_by="a", decisions=[], by="a") or "")
    assert "another supervisor" in (
        rules.decision_problem(opened_by="a", decisions=[Decision("b", True)], by="b") or ""
    )
    done = [Decision("b", True), Decision("c", True)]
    assert "already decided" in (rules.decision_problem(opened_by="a", decisions=done, by="d") or "")
    assert rules.decision_problem(opened_by="a", decisions=[Decision("b", True)], by="c") is None


def test_a_national_id_number_is_seven_or_eight_digits_and_evidence_is_required() -> None:
    assert rules.correction_problems(national_id="12345678", evidence="IPRS") == {}
    assert set(rules.correction_problems(national_id="A1234567", evidence=" ")) == {"national_id", "evidence"}
    assert "national_id" in rules.correction_problems(national_id="123456", evidence="x")


@pytest.fixture
def second_supervisor(make_officer: OfficerFactory) -> User:
    return make_officer("drs_supervisor2", [Role.DRS_SUPERVISOR], None)


@pytest.fixture
def case(drs_officer: User, refugee: Person) -> CorrectionCase:
    return services.open_correction_case(actor=drs_officer, person=refugee, national_id="2345 6789", evidence=EVIDENCE)


@pytest.mark.django_db
def test_opening_a_case_changes_nothing_on_the_person_and_keeps_the_id_number_in_the_case(
    case: CorrectionCase, refugee: Person
) -> None:
    assert case.national_id == "23456789" and case.evidence == EVIDENCE
    assert services.current_status(refugee) == "refugee"
    assert services.correction_state_of(case) is CorrectionState.OPEN


@pytest.mark.django_db
def test_two_supervisors_approvals_close_the_registration_and_revoke_the_documents_in_the_signed_log(
    drs_officer: User, drs_supervisor: User, second_supervisor: User, refugee: Person, case: CorrectionCase
) -> None:
    card = issue(drs_officer, refugee, "RID-KAK-26-000001")

    services.decide_correction_case(actor=drs_supervisor, case=case, approve=True)
    assert services.current_status(refugee) == "refugee"  # one approval is not enough
    assert services.state_of(card) is DocumentState.VALID

    services.decide_correction_case(actor=second_supervisor, case=case, approve=True, note="Vetting confirmed")

    assert services.correction_state_of(case) is CorrectionState.APPROVED
    closing = refugee.status_steps.order_by("-sequence").first()
    assert closing is not None and (closing.step, closing.reference) == ("closed", case.reference)
    assert services.state_of(RefugeeDocument.objects.get(pk=card.pk)) is DocumentState.REVOKED
    assert case.reference in card.events.get().reason
    assert verify_book().problems == []


@pytest.mark.django_db
def test_one_supervisors_rejection_with_a_reason_ends_the_case_and_changes_nothing(
    drs_supervisor: User, second_supervisor: User, refugee: Person, case: CorrectionCase
) -> None:
    with pytest.raises(InvalidInput) as no_reason:
        services.decide_correction_case(actor=drs_supervisor, case=case, approve=False)
    assert "note" in no_reason.value.fields
    services.decide_correction_case(actor=drs_supervisor, case=case, approve=False, note="Different person")
    assert services.correction_state_of(case) is CorrectionState.REJECTED
    with pytest.raises(InvalidInput):
        services.decide_correction_case(actor=second_supervisor, case=case, approve=True)
    assert services.current_status(refugee) == "refugee"


@pytest.mark.django_db
def test_the_opener_and_a_registration_officer_cannot_approve_and_one_supervisor_cannot_approve_twice(
    drs_officer: User, drs_supervisor: User, refugee: Person
) -> None:
    opened_by_supervisor = services.open_correction_case(
        actor=drs_supervisor, person=refugee, national_id="23456789", evidence=EVIDENCE
    )
    with pytest.raises(InvalidInput):
        services.decide_correction_case(actor=drs_supervisor, case=opened_by_supervisor, approve=True)
    with pytest.raises(NotPermitted):
        services.decide_correction_case(actor=drs_officer, case=opened_by_supervisor, approve=True)
    assert not CorrectionDecision.objects.exists()


@pytest.mark.django_db
def test_a_person_has_one_open_case_at_a_time_and_the_case_is_append_only(
    drs_officer: User, refugee: Person, case: CorrectionCase
) -> None:
    with pytest.raises(InvalidInput):
        services.open_correction_case(actor=drs_officer, person=refugee, national_id="23456789", evidence="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        CorrectionCase.objects.update(national_id="11111111")


@pytest.mark.django_db
def test_the_pages_take_the_case_from_opening_to_the_letter(
    client: Client, drs_officer: User, drs_supervisor: User, second_supervisor: User, refugee: Person
) -> None:
    client.force_login(drs_officer)
    refused = client.post(f"/refugees/people/{refugee.pk}/corrections/new", {"national_id": "12", "evidence": ""})
    assert refused.status_code == 422 and "7 or 8 digits" in refused.content.decode()
    opened = client.post(
        f"/refugees/people/{refugee.pk}/corrections/new", {"national_id": "23456789", "evidence": EVIDENCE}
    )
    case = CorrectionCase.objects.get()
    assert opened["Location"] == f"/refugees/corrections/{case.pk}"
    assert "Approve" not in client.get(opened["Location"]).content.decode()  # the opener does not decide
    assert client.get(f"/refugees/corrections/{case.pk}/letter").status_code == 404  # not yet approved

    for supervisor in (drs_supervisor, second_supervisor):
        client.force_login(supervisor)
        client.post(f"/refugees/corrections/{case.pk}/decide", {"decision": "approve", "note": ""})

    page = client.get(f"/refugees/corrections/{case.pk}").content.decode()
    assert "Approved: the record is corrected" in page
    letter = client.get(f"/refugees/corrections/{case.pk}/letter").content.decode()
    assert case.reference in letter and "23456789" in letter and "Amina Hassan Abdi" in letter
    assert "drs_supervisor and drs_supervisor2" in letter
    sw = client.get(f"/refugees/corrections/{case.pk}/letter", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "IDARA YA HUDUMA ZA WAKIMBIZI" in sw
    assert AccessEvent.objects.filter(record_type="refugee_person", record_id=str(refugee.pk)).exists()


@pytest.mark.django_db
def test_a_police_officer_cannot_see_a_correction_case(
    client: Client, desk_officer: User, case: CorrectionCase
) -> None:
    client.force_login(desk_officer)
    assert client.get(f"/refugees/corrections/{case.pk}").status_code == 403
    assert client.post(f"/refugees/corrections/{case.pk}/decide", {"decision": "approve"}).status_code == 403
