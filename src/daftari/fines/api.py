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
from daftari.fines import queries, records, rules, services
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
from daftari.stations.services import log_read

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


def notice_out(notice: FineNotice, *, withheld: bool) -> dict[str, Any]:
    state = notice.projection
    return {
        "number": notice.number,
        "station": notice.station.code,
        "officer": notice.officer.service_number,
        "catalogue_version": notice.catalogue.version,
        "plate": notice.plate,
        "plate_unusual": notice.plate_unusual,
        "driver": {
            "name": None if withheld else notice.driver_name,
            "id_number": None if withheld else notice.driver_id_number,
            "licence": None if withheld else notice.driver_licence,
            "phone": None if withheld else notice.driver_phone,
        },
        "personal_data_withheld": withheld,
        "place": notice.place,
        "issued_at": notice.issued_at.astimezone(rules.NAIROBI),
        "due_at": notice.due_at.astimezone(rules.NAIROBI),
        "offences": [
            {
                "code": line.code,
                "offence": line.offence,
                "fine_kes": line.fine_kes,
                "measured_speed": line.measured_speed,
                "speed_limit": line.speed_limit,
            }
            for line in notice.lines.all()
        ],
        "total_kes": notice.total_kes,
        "warning_only": notice.warning_only,
        "state": state.state,
        "paid_kes": state.paid_kes,
        "outstanding_kes": rules.outstanding_kes(notice.total_kes, state.paid_kes),
        "late": state.late,
        "photo_sha256": None if withheld else records.photo_sha256_of(notice),
        "events": [
            {
                "kind": e.kind,
                "at": e.at.astimezone(rules.NAIROBI),
                "amount_kes": e.amount_kes,
                "mpesa_receipt": e.mpesa_receipt,
                "late": e.late,
                "details": {} if withheld else e.details,
            }
            for e in notice.events.order_by("at")
        ],
    }


def _show(request: HttpRequest, notice: FineNotice, *, purpose: AccessEvent.Purpose) -> dict[str, Any]:
    withheld = log_read(
        actor=_actor(request),
        record_type="fine_notice",
        record_id=notice.number,
        record_station=notice.station,
        purpose=purpose,
        channel="api",
    )
    return notice_out(notice, withheld=withheld)


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
    return {
        "results": [_show(request, n, purpose=AccessEvent.Purpose.LIST) for n in page],
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
    notice = queries.find_visible(scope_of(_actor(request)), number[:40])
    return _show(request, notice, purpose=AccessEvent.Purpose.API_READ)


@router.post(
    "/fines/notices/{number}/pay",
    response={201: PaymentOut, **ERRORS},
    summary="Ask M-Pesa to prompt a phone for the outstanding amount",
    description="An STK push for the outstanding amount, account reference = the notice number. The answer is "
    "the pending payment; the notice is settled only when M-Pesa confirms the money.",
    openapi_extra=links(
        (201,), read_notice=("daftari_fines_api_read", {"number": "$response.body#/account_reference"})
    ),
)
def pay(request: HttpRequest, number: str, payload: PayIn) -> Status:
    notice = queries.find_visible(scope_of(_actor(request)), number[:40])
    payment = services.pay_notice(number=notice.number, phone=payload.phone)
    return Status(
        201,
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
    notice = queries.find_visible(scope_of(_actor(request)), number[:40])
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
    notice = queries.find_visible(scope_of(_actor(request)), number[:40])
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
    notice = queries.find_visible(scope_of(_actor(request)), number[:40])
    services.record_court_outcome(actor=_actor(request), number=notice.number, outcome=payload.outcome)
    return _show(request, services.find_notice(notice.number), purpose=AccessEvent.Purpose.RECORD)
