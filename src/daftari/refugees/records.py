"""The full record of a status step, a document and a document event, as committed to in the
register's signed log; ``stored_*`` read them back for ``daftari ledger verify``."""

from datetime import UTC, datetime
from typing import Any

from daftari.refugees.models import DocumentEvent, RefugeeDocument, StatusStep

KIND_STATUS_STEP = "refugee_status_step"
KIND_DOCUMENT = "refugee_document"
KIND_DOCUMENT_EVENT = "refugee_doc_event"


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
