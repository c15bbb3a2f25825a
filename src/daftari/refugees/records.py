"""The full record of a status step, a document, a document event, a household merge or split
(with the people it moved) and a status-correction case and each decision on it, as committed to in
the register's signed log; ``stored_*`` read them back for ``daftari ledger verify``.

Merges, splits and correction cases recorded before they became leaves have no leaf
(``ledger_index`` is null): verify re-reads leaves, so it neither checks nor lists them.
"""

from datetime import UTC, datetime
from typing import Any

from daftari.refugees.models import (
    CorrectionCase,
    CorrectionDecision,
    DocumentEvent,
    HouseholdChange,
    Membership,
    RefugeeDocument,
    StatusStep,
)

KIND_STATUS_STEP = "refugee_status_step"
KIND_DOCUMENT = "refugee_document"
KIND_DOCUMENT_EVENT = "refugee_doc_event"
# A leaf kind is at most 20 characters (ledger.Leaf.kind); SCC is the case reference prefix.
KIND_HOUSEHOLD_CHANGE = "refugee_hh_change"
KIND_CORRECTION_CASE = "refugee_scc_case"
KIND_CORRECTION_DECISION = "refugee_scc_decision"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def status_step_record(step: StatusStep) -> dict[str, Any]:
    return {
        "id": str(step.pk),
        "person": str(step.person_id),
        "sequence": step.sequence,
        "step": step.step,
        "on": step.on.isoformat(),
        "reference": step.reference,
        "recorded_at": _moment(step.recorded_at),
        "recorded_by": step.recorded_by,
    }


def document_record(document: RefugeeDocument) -> dict[str, Any]:
    return {
        "id": str(document.pk),
        "person": str(document.person_id),
        "kind": document.kind,
        "number": document.number,
        "office": document.office,
        "issued_on": document.issued_on.isoformat(),
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        "issued_at": _moment(document.issued_at),
        "issued_by": document.issued_by,
    }


def document_event_record(event: DocumentEvent) -> dict[str, Any]:
    return {
        "id": str(event.pk),
        "document": str(event.document_id),
        "kind": event.kind,
        "on": event.on.isoformat(),
        "reason": event.reason,
        "replaced_by": str(event.replaced_by_id) if event.replaced_by_id else None,
        "recorded_at": _moment(event.recorded_at),
        "recorded_by": event.recorded_by,
    }


def stored_status_step(record_id: str) -> dict[str, Any] | None:
    step = StatusStep.objects.filter(pk=record_id).first()
    return status_step_record(step) if step is not None else None


def stored_document(record_id: str) -> dict[str, Any] | None:
    document = RefugeeDocument.objects.filter(pk=record_id).first()
    return document_record(document) if document is not None else None


def stored_document_event(record_id: str) -> dict[str, Any] | None:
    event = DocumentEvent.objects.filter(pk=record_id).first()
    return document_event_record(event) if event is not None else None


def household_change_record(change: HouseholdChange, moves: list[tuple[Membership, Membership]]) -> dict[str, Any]:
    """The merge or split with each person it moved: the membership that left and the one that joined."""
    return {
        "id": str(change.pk),
        "kind": change.kind,
        "source": str(change.source_id),
        "target": str(change.target_id),
        "on": change.on.isoformat(),
        "reason": change.reason,
        "recorded_at": _moment(change.recorded_at),
        "recorded_by": change.recorded_by,
        "moves": sorted(
            (
                {
                    "person": str(left.person_id),
                    "left": str(left.pk),
                    "joined": str(joined.pk),
                    "relationship_before": left.relationship,
                    "relationship_after": joined.relationship,
                }
                for left, joined in moves
            ),
            key=lambda move: move["person"],
        ),
    }


def correction_case_record(case: CorrectionCase) -> dict[str, Any]:
    return {
        "id": str(case.pk),
        "person": str(case.person_id),
        "national_id": case.national_id,
        "evidence": case.evidence,
        "opened_at": _moment(case.opened_at),
        "opened_by": case.opened_by,
    }


def correction_decision_record(decision: CorrectionDecision) -> dict[str, Any]:
    return {
        "id": str(decision.pk),
        "case": str(decision.case_id),
        "approve": decision.approve,
        "note": decision.note,
        "decided_at": _moment(decision.decided_at),
        "decided_by": decision.decided_by,
    }


def stored_household_change(record_id: str) -> dict[str, Any] | None:
    change = HouseholdChange.objects.filter(pk=record_id).first()
    if change is None:
        return None
    moves = [(m.left, m.joined) for m in change.moves.select_related("left", "joined")]
    return household_change_record(change, moves)


def stored_correction_case(record_id: str) -> dict[str, Any] | None:
    case = CorrectionCase.objects.filter(pk=record_id).first()
    return correction_case_record(case) if case is not None else None


def stored_correction_decision(record_id: str) -> dict[str, Any] | None:
    decision = CorrectionDecision.objects.filter(pk=record_id).first()
    return correction_decision_record(decision) if decision is not None else None
