"""Issued documents on the API: read one, as the desk page shows it."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router

from daftari.core.api_errors import ErrorOut
from daftari.documents import queries
from daftari.documents.schemas import DocumentOut
from daftari.stations.models import AccessEvent

router = Router(tags=["documents"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def document_out(view: queries.DocumentView) -> dict[str, Any]:
    """The API's rendering of the read model: nothing here decides what the reader may see."""
    return {
        "id": view.id,
        "serial": view.serial,
        "kind": view.kind,
        "code": view.code,
        "occurrence": view.occurrence,
        "ob_number": view.ob_number,
        "station": view.station_code,
        "issued_at": view.issued_at,
        "issued_by": view.issued_by,
        "personal_data_withheld": not view.personal,
        "restricted": view.restricted,
        "applicant_name": view.applicant_name,
        "purpose": view.purpose,
        "details": view.details,
        "fee_kes": view.fee_kes,
        "supersedes": view.supersedes,
        "revoked_at": view.revoked_at,
        "revocation_reason": view.revocation_reason,
    }


@router.get(
    "/documents/{document_id}",
    response={200: DocumentOut, **ERRORS},
    summary="Read an issued document",
    description="A police abstract, P3 Part I or certified extract. Another station's document answers 404; "
    "analysts get it with personal data withheld.",
)
def read(request: HttpRequest, document_id: uuid.UUID) -> dict[str, Any]:
    view = queries.document_for(
        reader=_actor(request), document_id=document_id, purpose=AccessEvent.Purpose.API_READ, channel="api"
    )
    return document_out(view)
