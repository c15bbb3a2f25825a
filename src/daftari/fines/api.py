"""Instant fines on the API: the catalogue, issuing and reading notices, paying and cancelling them."""

import base64
import binascii
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotPermitted
from daftari.core.openapi import links
from daftari.core.paging import page_of
from daftari.fines import queries, rules, services
from daftari.fines.models import FineNotice
from daftari.fines.schemas import (
    CancelIn,
    CatalogueOffenceOut,
    ContestIn,
    CourtOutcomeIn,
    NoticeFilters,
    NoticeIn,
    NoticeOut,
    NoticePageOut,
    PayIn,
    PaymentOut,
)
from daftari.stations.models import AccessEvent, scope_of

router = Router(tags=["fines"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
NUMBER = {"number": "$response.body#/number"}
# From a notice to everything its number opens.
NOTICE_LINKS = links(
    (200, 201),
    read=("daftari_fines_api_read", NUMBER),
    pay=("daftari_fines_api_pay", NUMBER),
    cancel=("daftari_fines_api_cancel", NUMBER),
    contest=("daftari_fines_api_contest", NUMBER),
    court_outcome=("daftari_fines_api_court_outcome", NUMBER),
)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def notice_out(view: queries.NoticeView) -> dict[str, Any]:
    """The API's rendering of the read model: nothing here decides what the reader may see."""
    return {
        "number": view.number,
        "station": view.station_code,
        "officer": view.officer,
        "catalogue_version": view.catalogue_version,
        "plate": view.plate,
        "plate_unusual": view.plate_unusual,
        "driver": {
            "name": view.driver.name,
            "id_number": view.driver.id_number,
            "licence": view.driver.licence,
            "phone": view.driver.phone,
        },
        "personal_data_withheld": not view.personal,
        "place": view.place,
        "issued_at": view.issued_at,
        "due_at": view.due_at,
        "offences": [
            {
                "code": line.code,
                "offence": line.offence,
                "fine_kes": line.fine_kes,
                "measured_speed": line.measured_speed,
                "speed_limit": line.speed_limit,
            }
            for line in view.lines
        ],
        "total_kes": view.total_kes,
        "warning_only": view.warning_only,
        "state": view.state,
        "paid_kes": view.paid_kes,
        "outstanding_kes": view.outstanding_kes,
        "payable": view.payable,
        "late": view.late,
        "photo_sha256": view.photo_sha256,
        "events": [
            {
                "kind": e.kind,
                "at": e.at,
                "amount_kes": e.amount_kes,
                "mpesa_receipt": e.mpesa_receipt,
                "late": e.late,
                "details": e.details,
            }
            for e in view.events
        ],
    }


def _show(request: HttpRequest, notice: FineNotice, *, purpose: AccessEvent.Purpose) -> dict[str, Any]:
    return notice_out(queries.view_notice(reader=_actor(request), notice=notice, purpose=purpose, channel="api"))


def _visible(
    request: HttpRequest, number: str, purpose: AccessEvent.Purpose = AccessEvent.Purpose.RECORD
) -> FineNotice:
    return queries.visible_notice(reader=_actor(request), number=number[:40], purpose=purpose, channel="api")


@router.get(
    "/fines/offences",
    response={200: list[CatalogueOffenceOut], **ERRORS},
    summary="The offence catalogue in force",
    description="Every scheduled minor offence with its fine in whole Kenya shillings. Rows marked `uncertain` "
    "are awaiting a check against the gazetted text.",
)
def offences(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": o.code,
            "offence": o.offence,
            "fine_kes": o.fine_kes,
            "legal_reference": o.legal_reference,
            "status": o.status,
        }
        for o in services.current_offences()
    ]


@router.post(
    "/fines/notices",
    response={201: NoticeOut, 200: NoticeOut, **ERRORS},
    summary="Issue a fine notice at the roadside (traffic officers)",
    description="Priced from the catalogue in force; speeding (MO07, MO08) by band from `measured_speed` and "
    "`speed_limit` (1-5 kph over: a warning; over 20: refused, charge in court). The motorist gets an SMS.",
    openapi_extra=NOTICE_LINKS,
)
def issue(request: HttpRequest, payload: NoticeIn) -> Status:
    actor = _actor(request)
    officer = getattr(actor, "officer", None)
    if officer is None or officer.station is None:
        raise NotPermitted()
    draft = rules.NoticeDraft(
        plate=payload.plate,
        driver_name=payload.driver.name,
        driver_id_number=payload.driver.id_number,
        driver_licence=payload.driver.licence,
        driver_phone=payload.driver.phone,
        place=payload.place,
        issued_at=payload.issued_at,
        lat=payload.lat,
        lon=payload.lon,
        language=payload.language,
        confirm_unusual=payload.confirm_unusual,
        offences=tuple(
            rules.OffenceInput(o.code, measured_speed=o.measured_speed, speed_limit=o.speed_limit)
            for o in payload.offences
        ),
    )
    photo = None
    if payload.photo is not None:
        try:
            content = base64.b64decode(payload.photo.data, validate=True)
        except (binascii.Error, ValueError) as bad:
            raise InvalidInput(fields={"photo.data": _("This is not valid base64.")}) from bad
        photo = rules.PhotoInput(content=content, content_type=payload.photo.content_type)
    issued = services.issue_notice(actor=actor, station=officer.station, draft=draft, client_id=payload.id, photo=photo)
    notice = services.find_notice(issued.notice.number)
    return Status(201 if issued.created else 200, _show(request, notice, purpose=AccessEvent.Purpose.RECORD))


@router.get(
    "/fines/notices",
    response={200: NoticePageOut, **ERRORS},
    summary="Notices you may see, newest first",
    openapi_extra=links(
        (200,),
        read_first=("daftari_fines_api_read", {"number": "$response.body#/results/0/number"}),
        pay_first=("daftari_fines_api_pay", {"number": "$response.body#/results/0/number"}),
    ),
)
def list_notices(request: HttpRequest, filters: Query[NoticeFilters]) -> dict[str, Any]:
    found = queries.visible(scope_of(_actor(request)))
    if filters.plate:
        found = found.filter(plate=rules.check_plate(filters.plate, {}).plate)
    if filters.state:
        found = found.filter(projection__state=filters.state)
    found = found.order_by("-issued_at", "pk")
    page, has_next = page_of(found, page=filters.page, per_page=filters.per_page)
    views = queries.view_notices(
        reader=_actor(request), notices=list(page), purpose=AccessEvent.Purpose.LIST, channel="api"
    )
    return {
        "results": [notice_out(view) for view in views],
        "page": filters.page,
        "per_page": filters.per_page,
        "has_next": has_next,
    }


@router.get(
    "/fines/notices/{number}",
    response={200: NoticeOut, **ERRORS},
    summary="Read a notice",
    description="A number whose check character is wrong answers 404 `wrong_check_character`: a typing mistake.",
    openapi_extra=NOTICE_LINKS,
)
def read(request: HttpRequest, number: str) -> dict[str, Any]:
    return notice_out(
        queries.notice_for(
            reader=_actor(request), number=number[:40], purpose=AccessEvent.Purpose.API_READ, channel="api"
        )
    )


@router.post(
    "/fines/notices/{number}/pay",
    response={201: PaymentOut, 200: PaymentOut, 429: ErrorOut, **ERRORS},
    summary="Ask M-Pesa to prompt a phone for the outstanding amount",
    description="An STK push for what is still due, account reference = the notice number: 201 with the "
    "pending payment. While a prompt for the notice is still pending, no other is sent: 200 with that one. "
    "Too many prompts for the notice or the phone within the hour: 429. The notice is settled only when "
    "M-Pesa confirms the money.",
    openapi_extra=links(
        (200, 201), read_notice=("daftari_fines_api_read", {"number": "$response.body#/account_reference"})
    ),
)
def pay(request: HttpRequest, number: str, payload: PayIn) -> Status:
    notice = _visible(request, number)
    payment, already_pending = services.pay_notice(number=notice.number, phone=payload.phone)
    return Status(
        200 if already_pending else 201,
        {
            "id": payment.id,
            "account_reference": payment.account_reference,
            "amount_kes": payment.amount_kes,
            "phone": payment.phone,
            "method": payment.method,
            "state": payment.state,
            "created_at": payment.created_at or timezone.now(),
        },
    )


@router.post(
    "/fines/notices/{number}/cancel",
    response={200: NoticeOut, **ERRORS},
    summary="Cancel a notice (the OCS of the issuing station, with a reason)",
    openapi_extra=NOTICE_LINKS,
)
def cancel(request: HttpRequest, number: str, payload: CancelIn) -> dict[str, Any]:
    notice = _visible(request, number)
    services.cancel_notice(actor=_actor(request), number=notice.number, reason=payload.reason)
    return _show(request, services.find_notice(notice.number), purpose=AccessEvent.Purpose.RECORD)


@router.post(
    "/fines/notices/{number}/contest",
    response={200: NoticeOut, **ERRORS},
    summary="The motorist contests the notice in court (officers of the issuing station)",
    description="An unpaid notice (issued, overdue or escalated) becomes `contested` and is no longer payable. "
    "A notice already paid, in part or in full, or closed answers 409.",
    openapi_extra=NOTICE_LINKS,
)
def contest(request: HttpRequest, number: str, payload: ContestIn) -> dict[str, Any]:
    notice = _visible(request, number)
    services.contest_notice(actor=_actor(request), number=notice.number, note=payload.note)
    return _show(request, services.find_notice(notice.number), purpose=AccessEvent.Purpose.RECORD)


@router.post(
    "/fines/notices/{number}/court-outcome",
    response={200: NoticeOut, **ERRORS},
    summary="Record the court's outcome for a contested notice (officers of the issuing station)",
    description="`convicted_and_paid`, `acquitted` or `withdrawn`; the notice is then `closed`. "
    "A notice that is not contested answers 409.",
    openapi_extra=NOTICE_LINKS,
)
def court_outcome(request: HttpRequest, number: str, payload: CourtOutcomeIn) -> dict[str, Any]:
    notice = _visible(request, number)
    services.record_court_outcome(actor=_actor(request), number=notice.number, outcome=payload.outcome)
    return _show(request, services.find_notice(notice.number), purpose=AccessEvent.Purpose.RECORD)
