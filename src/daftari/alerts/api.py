"""The national alerts register on the API: list, issue, read and withdraw."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from daftari.alerts import queries
from daftari.alerts.rules import AlertDraft
from daftari.alerts.schemas import AlertFilters, AlertIn, AlertOut, AlertPageOut, WithdrawalIn
from daftari.alerts.services import issue_alert, withdraw_alert
from daftari.core.api_errors import ErrorOut
from daftari.core.openapi import links
from daftari.stations.models import AccessEvent

router = Router(tags=["alerts"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ALERT_LINKS = links(
    (200, 201),
    read=("daftari_alerts_api_read", {"alert_id": "$response.body#/id"}),
    withdraw=("daftari_alerts_api_withdraw", {"alert_id": "$response.body#/id"}),
)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def alert_out(view: queries.AlertView) -> dict[str, Any]:
    return {
        "id": view.id,
        "kind": view.kind,
        "name": view.name,
        "id_number": view.id_number,
        "phone": view.phone,
        "plate": view.plate,
        "description": view.description,
        "issued_at": view.issued_at,
        "issued_by": view.issued_by_name,
        "station": view.station_code,
        "active": view.active,
        "withdrawn_at": view.withdrawn_at,
        "withdrawal_reason": view.withdrawal_reason or None,
    }


def match_out(match: queries.AlertMatch) -> dict[str, Any]:
    return {
        "alert": match.alert.id,
        "kind": match.alert.kind,
        "matched_on": match.matched_on.value,
        "message": match.message,
        "description": match.alert.description,
        "issued_at": match.alert.issued_at,
    }


@router.get(
    "/alerts",
    response={200: AlertPageOut, **ERRORS},
    summary="The national alerts register",
    description="Wanted and missing persons, stolen vehicles and lost documents, newest first (at most 500); "
    "active ones unless `active=false`. Every officer and oversight read it; analysts get 403.",
)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> dict[str, Any]:
    views = queries.register(
        reader=_actor(request), active_only=filters.active, kind=filters.kind or None, channel="api"
    )
    return {"results": [alert_out(v) for v in views]}


@router.post(
    "/alerts",
    response={201: AlertOut, 200: AlertOut, **ERRORS},
    summary="Issue an alert to every station",
    description="For an OCS, a commander or an administrator. Each alert is a leaf of the hub's own signed log "
    "and reaches station nodes with the hub's data.",
    openapi_extra=ALERT_LINKS,
)
def issue(request: HttpRequest, payload: AlertIn) -> Status:
    draft = AlertDraft(
        kind=payload.kind,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        plate=payload.plate,
        description=payload.description,
    )
    issued = issue_alert(actor=_actor(request), draft=draft, client_id=payload.id)
    return Status(201 if issued.created else 200, alert_out(queries.after_change(issued.alert)))


@router.get(
    "/alerts/{alert_id}",
    response={200: AlertOut, **ERRORS},
    summary="Read an alert",
    openapi_extra=ALERT_LINKS,
)
def read(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    _alert, view = queries.alert_for(
        reader=_actor(request), alert_id=alert_id, purpose=AccessEvent.Purpose.API_READ, channel="api"
    )
    return alert_out(view)


@router.post(
    "/alerts/{alert_id}/withdraw",
    response={200: AlertOut, **ERRORS},
    summary="Withdraw an alert",
    description="Found, arrested, recovered: the alert stays on the register as withdrawn (a new record). "
    "For the issuing station's OCS, a commander or an administrator; 409 when already withdrawn.",
    openapi_extra=ALERT_LINKS,
)
def withdraw(request: HttpRequest, alert_id: uuid.UUID, payload: WithdrawalIn) -> dict[str, Any]:
    actor = _actor(request)
    alert, _view = queries.alert_for(reader=actor, alert_id=alert_id, purpose=AccessEvent.Purpose.RECORD, channel="api")
    withdraw_alert(actor=actor, alert=alert, reason=payload.reason)
    return alert_out(queries.after_change(alert))
