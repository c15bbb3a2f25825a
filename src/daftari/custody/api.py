"""The cell register on the API: book in, record custody events, read who is in the cells."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router
from ninja.responses import Status

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotFound, NotPermittedAtStation
from daftari.core.openapi import links
from daftari.core.paging import page_of
from daftari.custody import queries, rules
from daftari.custody.models import CustodyRecord
from daftari.custody.schemas import CustodyFilters, CustodyIn, CustodyOut, CustodyPageOut, EventIn
from daftari.custody.services import book_in, record_event
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.services import log_read, log_refused

router = Router(tags=["custody"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CUSTODY_ID = {"custody_id": "$response.body#/id"}
# From a booking to its events and to its ARREST entry.
BOOKING_LINKS = links(
    (200, 201),
    read=("daftari_custody_api_read", CUSTODY_ID),
    record_event=("daftari_custody_api_create_event", CUSTODY_ID),
    read_arrest=("daftari_occurrences_api_read", {"entry_id": "$response.body#/occurrence"}),
)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def custody_out(record: CustodyRecord, *, withheld: bool) -> dict[str, Any]:
    now = timezone.now()
    state = record.projection
    events = queries.events_of(record)
    return {
        "id": record.pk,
        "station": record.station.code,
        "occurrence": record.arrest_id,
        "ob_number": record.arrest.ob_number,
        "detainee": {
            "name": None if withheld else record.detainee_name,
            "sex": record.detainee_sex,
            "id_number": None if withheld else record.detainee_id_number,
            "phone": None if withheld else record.detainee_phone,
            "age": record.detainee_age,
            "date_of_birth": None if withheld else record.detainee_date_of_birth,
        },
        "personal_data_withheld": withheld,
        "offences": record.offences,
        "arresting_officer": record.arresting_officer,
        "arrested_at": record.arrested_at.astimezone(rules.NAIROBI),
        "booked_in_at": record.booked_in_at.astimezone(rules.NAIROBI),
        "cell": record.cell,
        "court_deadline": record.court_deadline.astimezone(rules.NAIROBI),
        "remand_warning": record.remand_warning,
        "physical_condition": None if withheld else record.physical_condition,
        "health": {} if withheld else record.health,
        "next_of_kin_informed": record.next_of_kin_informed,
        "property": [
            {"position": i.position, "description": i.description, "quantity": i.quantity, "value_kes": i.value_kes}
            for i in record.property_items.all()
        ],
        "state": state.state,
        "current_station": state.current_station.code,
        "current_cell": state.current_cell,
        "closed_at": state.closed_at.astimezone(rules.NAIROBI) if state.closed_at else None,
        "brought_within_deadline": state.brought_within_deadline,
        "minutes_left": rules.minutes_left(record.court_deadline, now),
        "band": rules.board_colour(record.court_deadline, now).value,
        "events": [
            {
                "id": e.pk,
                "kind": e.kind,
                "station": e.station.code,
                "at": e.at.astimezone(rules.NAIROBI),
                "recorded_at": e.recorded_at.astimezone(rules.NAIROBI),
                "recorded_by": e.recorded_by.service_number,
                "details": {} if withheld else e.details,
            }
            for e in events
        ],
    }


def _show(request: HttpRequest, record: CustodyRecord, *, purpose: AccessEvent.Purpose) -> dict[str, Any]:
    withheld = log_read(
        actor=_actor(request),
        record_type="custody",
        record_id=str(record.pk),
        record_station=record.station,
        purpose=purpose,
        channel="api",
    )
    return custody_out(record, withheld=withheld)


def _visible(request: HttpRequest, custody_id: uuid.UUID, purpose: AccessEvent.Purpose) -> CustodyRecord:
    actor = _actor(request)
    try:
        return queries.find_custody(scope=scope_of(actor), custody_id=str(custody_id))
    except NotFound:
        log_refused(
            actor=actor,
            record_type="custody",
            model=CustodyRecord,
            record_id=custody_id,
            purpose=purpose,
            channel="api",
        )
        raise


def _booking(payload: CustodyIn) -> rules.Booking:
    person = payload.detainee
    return rules.Booking(
        detainee=rules.DetaineeInput(
            name=person.name,
            sex=person.sex,
            id_number=person.id_number or "",
            phone=person.phone or "",
            age=person.age,
            date_of_birth=person.date_of_birth,
        ),
        arresting_officer=payload.arresting_officer,
        arrested_at=payload.arrested_at,
        cell=payload.cell,
        offences=tuple(
            rules.OffenceInput(section=o.section or "", description=o.description or "", punishable_by=o.punishable_by)
            for o in payload.offences
        ),
        physical_condition=payload.physical_condition,
        health=rules.HealthCheck(**payload.health.dict()),
        next_of_kin=rules.NextOfKin(**payload.next_of_kin.dict()),
        property_items=tuple(
            rules.PropertyInput(description=i.description, quantity=i.quantity, value_kes=i.value_kes)
            for i in payload.property
        ),
    )


@router.post(
    "/custody",
    response={201: CustodyOut, 200: CustodyOut, **ERRORS},
    summary="Book a person into your station's cells",
    description="From the ARREST entry (`occurrence`) or with the arrest recorded in the same step (`arrest`). "
    "The answer carries the Art. 49 `court_deadline` and the Art. 49(2) `remand_warning`. A client `id` "
    "makes retries safe: the same id and body answer 200, a different body 409.",
    openapi_extra=BOOKING_LINKS,
)
def create(request: HttpRequest, payload: CustodyIn) -> Status:
    actor = _actor(request)
    officer = getattr(actor, "officer", None)
    if officer is None or officer.station is None:
        raise NotPermittedAtStation()
    arrest = None
    if payload.occurrence is not None:
        arrest = Occurrence.objects.visible_to(scope_of(actor)).filter(pk=payload.occurrence).first()
        if arrest is None:
            raise InvalidInput(fields={"occurrence": gettext("No ARREST entry with that id in your station's book.")})
    details = rules.ArrestDetails(place=payload.arrest.place, reason=payload.arrest.reason) if payload.arrest else None
    booked = book_in(
        actor=actor,
        station=officer.station,
        booking=_booking(payload),
        arrest=arrest,
        arrest_details=details,
        client_id=payload.id,
    )
    record = queries.find_custody(scope=scope_of(actor), custody_id=str(booked.record.pk))
    body = _show(
        request, record, purpose=AccessEvent.Purpose.RECORD if booked.created else AccessEvent.Purpose.API_READ
    )
    return Status(201 if booked.created else 200, body)


@router.get(
    "/custody",
    response={200: CustodyPageOut, **ERRORS},
    summary="The cell register",
    description="Bookings you may see, the nearest court deadline first. "
    "`state=in_custody` lists who is in the cells now.",
    openapi_extra=links(
        (200,),
        read_first=("daftari_custody_api_read", {"custody_id": "$response.body#/results/0/id"}),
        record_event_first=("daftari_custody_api_create_event", {"custody_id": "$response.body#/results/0/id"}),
    ),
)
def list_custody(request: HttpRequest, filters: Query[CustodyFilters]) -> dict[str, Any]:
    scope = scope_of(_actor(request))
    found = CustodyRecord.objects.visible_to(scope).select_related(
        "station", "arrest", "recorded_by", "projection", "projection__current_station"
    )
    if filters.state:
        found = found.filter(projection__state=filters.state)
    found = found.order_by("court_deadline", "pk")
    page, has_next = page_of(found, page=filters.page, per_page=filters.per_page)
    return {
        "results": [_show(request, r, purpose=AccessEvent.Purpose.LIST) for r in page],
        "page": filters.page,
        "per_page": filters.per_page,
        "has_next": has_next,
    }


@router.get(
    "/custody/{custody_id}",
    response={200: CustodyOut, **ERRORS},
    summary="Read a booking and its events",
    description="Another station's detainee answers 404, unless transferred into your station.",
    openapi_extra=BOOKING_LINKS,
)
def read(request: HttpRequest, custody_id: uuid.UUID) -> dict[str, Any]:
    return _show(
        request, _visible(request, custody_id, AccessEvent.Purpose.API_READ), purpose=AccessEvent.Purpose.API_READ
    )


@router.post(
    "/custody/{custody_id}/events",
    response={201: CustodyOut, 200: CustodyOut, **ERRORS},
    summary="Record a custody event",
    description="A meal, visit, health event, cell transfer, continued detention (with its reason), release, "
    "court appearance, station transfer, escape, death or serious injury, or property returned. The answer is "
    "the booking with all its events.",
    openapi_extra=BOOKING_LINKS,
)
def create_event(request: HttpRequest, custody_id: uuid.UUID, payload: EventIn) -> Status:
    record = _visible(request, custody_id, AccessEvent.Purpose.RECORD)
    recorded = record_event(
        actor=_actor(request),
        custody=record,
        kind=payload.kind,
        details=payload.details,
        at=payload.at,
        client_id=payload.id,
    )
    fresh = queries.find_custody(scope=scope_of(_actor(request)), custody_id=str(record.pk))
    return Status(201 if recorded.created else 200, _show(request, fresh, purpose=AccessEvent.Purpose.RECORD))
