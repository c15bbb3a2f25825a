"""The register's pure rules: status steps, document numbers and document states."""

from datetime import date

import pytest

from daftari.refugees import rules
from daftari.refugees.rules import DocumentEventKind, DocumentKind, DocumentState, StatusKind

ALLOWED = [
    (None, StatusKind.ASYLUM_SEEKER),
    (StatusKind.ASYLUM_SEEKER, StatusKind.REFUGEE),
    (StatusKind.ASYLUM_SEEKER, StatusKind.REJECTED),
    (StatusKind.ASYLUM_SEEKER, StatusKind.CLOSED),
    (StatusKind.REJECTED, StatusKind.APPEAL_RSAC),
    (StatusKind.REJECTED, StatusKind.CLOSED),
    (StatusKind.APPEAL_RSAC, StatusKind.REFUGEE),
    (StatusKind.APPEAL_RSAC, StatusKind.APPEAL_HIGH_COURT),
    (StatusKind.APPEAL_RSAC, StatusKind.CLOSED),
    (StatusKind.APPEAL_HIGH_COURT, StatusKind.REFUGEE),
    (StatusKind.APPEAL_HIGH_COURT, StatusKind.CLOSED),
    (StatusKind.REFUGEE, StatusKind.CLOSED),
]


@pytest.mark.parametrize(("previous", "step"), ALLOWED)
def test_each_allowed_status_step_may_follow_its_predecessor(previous: StatusKind | None, step: StatusKind) -> None:
    assert rules.may_follow(previous, step)


@pytest.mark.parametrize(
    ("previous", "step"),
    [(p, s) for p in [None, *StatusKind] for s in StatusKind if (p, s) not in ALLOWED],
)
def test_every_other_status_step_is_refused(previous: StatusKind | None, step: StatusKind) -> None:
    assert not rules.may_follow(previous, step)


def test_a_closed_case_takes_no_further_step() -> None:
    assert rules.next_steps(StatusKind.CLOSED) == []


def test_decisions_are_recognition_rejection_and_closing() -> None:
    assert {StatusKind.REFUGEE, StatusKind.REJECTED, StatusKind.CLOSED} == rules.DECISIONS


GOOD_NUMBERS = {
    DocumentKind.PROOF_OF_REGISTRATION: "POR-KAK-24-000123",
    DocumentKind.ASYLUM_SEEKER_PASS: "ASP-KAK-24-000123",
    DocumentKind.RECOGNITION_LETTER: "RRL-KAK-24-000123",
    DocumentKind.REFUGEE_ID: "RID-KAK-24-000123",
    DocumentKind.MOVEMENT_PASS: "MVP-KAK-24-000123",
    DocumentKind.TRAVEL_DOCUMENT: "CTD-KAK-24-000123",
    DocumentKind.CLASS_M_PERMIT: "CLM-KAK-24-000123",
}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_kind_accepts_a_number_in_its_own_format(kind: DocumentKind) -> None:
    assert rules.number_problem(kind, GOOD_NUMBERS[kind], office="KAK") is None
    assert rules.number_example(kind) == GOOD_NUMBERS[kind]


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_kind_refuses_another_kinds_number(kind: DocumentKind) -> None:
    for other, number in GOOD_NUMBERS.items():
        if other is not kind:
            problem = rules.number_problem(kind, number, office="KAK")
            assert problem is not None and GOOD_NUMBERS[kind] in problem


@pytest.mark.parametrize(
    "number", ["RID-KAK-24-12345", "RID-KAK-2024-000123", "RIDKAK24000123", "12345678", "", "RID-KAK-24-00012A"]
)
def test_a_malformed_refugee_id_number_is_refused(number: str) -> None:
    assert rules.number_problem(DocumentKind.REFUGEE_ID, number, office="KAK") is not None


def test_a_number_naming_another_office_than_the_issuing_one_is_refused() -> None:
    problem = rules.number_problem(DocumentKind.REFUGEE_ID, "RID-DAD-24-000123", office="KAK")
    assert problem is not None and "DAD" in problem


def test_a_number_typed_in_lower_case_with_spaces_is_normalised() -> None:
    assert rules.normalise_number(" rid kak 24 000123 ") == "RID-KAK-24-000123"
    assert rules.normalise_number("rid/kak/24/000123") == "RID-KAK-24-000123"


TODAY = date(2026, 6, 1)


def test_a_document_without_events_is_valid_until_its_expiry_and_expired_after() -> None:
    assert rules.document_state([], expires_on=date(2026, 6, 1), today=TODAY) is DocumentState.VALID
    assert rules.document_state([], expires_on=date(2026, 5, 31), today=TODAY) is DocumentState.EXPIRED
    assert rules.document_state([], expires_on=None, today=TODAY) is DocumentState.VALID


def test_the_latest_event_gives_the_state() -> None:
    lost_then_replaced = [DocumentEventKind.LOST, DocumentEventKind.REPLACED]
    assert rules.document_state(lost_then_replaced, expires_on=None, today=TODAY) is DocumentState.REPLACED
    assert rules.document_state([DocumentEventKind.LOST], expires_on=None, today=TODAY) is DocumentState.LOST


def test_a_revoked_or_replaced_document_takes_no_further_event() -> None:
    for state in (DocumentState.REVOKED, DocumentState.REPLACED):
        assert not any(rules.may_record_event(state, e) for e in DocumentEventKind)


def test_only_a_lost_document_is_replaced() -> None:
    assert rules.may_record_event(DocumentState.LOST, DocumentEventKind.REPLACED)
    assert not rules.may_record_event(DocumentState.VALID, DocumentEventKind.REPLACED)


def test_a_name_key_holds_every_word_of_every_name_once_case_folded() -> None:
    assert rules.name_key("Amina Hassan", "ABDI", "amina, Xasan") == "abdi amina hassan xasan"
