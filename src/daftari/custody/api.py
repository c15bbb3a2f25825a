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
from daftari.core.errors import InvalidInput, NotPermittedAtStation
from daftari.core.openapi import links
from daftari.core.paging import page_of
from daftari.custody import queries, rules
from daftari.custody.models import CustodyRecord
from daftari.custody.schemas import CustodyFilters, CustodyIn, CustodyOut, CustodyPageOut, EventIn
from daftari.custody.services import book_in, record_event
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, scope_of

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


def custody_out(view: queries.CustodyView) -> dict[str, Any]:
    """The API's rendering of the read model: nothing here decides what the reader may see."""
    now = timezone.now()
    return {
        "id": view.id,
        "station": view.station_code,
        "occurrence": view.occurrence,
        "ob_number": view.ob_number,
        "cells_entry": view.cells_entry,
        "cells_ob_number": view.cells_ob_number,
        "detainee": {
            "name": view.detainee.name,
            "sex": view.detainee.sex,
            "id_number": view.detainee.id_number,
            "phone": view.detainee.phone,
            "age": view.detainee.age,
            "date_of_birth": view.detainee.date_of_birth,
        },
        "personal_data_withheld": not view.personal,
        "offences": view.offences,
        "arresting_officer": view.arresting_officer,
        "arrested_at": view.arrested_at,
        "booked_in_at": view.booked_in_at,
        "late": view.late,
        "late_reason": view.late_reason,
        "asylum_seeker_or_refugee": view.asylum_seeker_or_refugee,
        "interpreter_language": view.interpreter_language,
        "immigration_only": view.immigration_only,
        "cell": view.cell,
        "court_deadline": view.court_deadline,
        "remand_warning": view.remand_warning,
        "physical_condition": view.physical_condition,
        "health": view.health,
        "next_of_kin_informed": view.next_of_kin_informed,
        "next_of_kin_name": view.next_of_kin_name,
        "property": [
            {"position": i.position, "description": i.description, "quantity": i.quantity, "value_kes": i.value_kes}
            for i in view.property_items
        ],
        "state": view.state,
        "current_station": view.current_station,
        "current_cell": view.current_cell,
        "closed_at": view.closed_at,
        "brought_within_deadline": view.brought_within_deadline,
        "minutes_left": rules.minutes_left(view.court_deadline, now),
        "band": rules.board_colour(view.court_deadline, now).value,
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "station": e.station_code,
                "at": e.at,
                "recorded_at": e.recorded_at,
                "late": e.late,
                "late_reason": e.late_reason,
                "recorded_by": e.recorded_by,
                "details": e.details,
            }
            for e in view.events
        ],
    }


def _show(request: HttpRequest, record: CustodyRecord, *, purpose: AccessEvent.Purpose) -> dict[str, Any]:
    return custody_out(queries.view_custody(reader=_actor(request), record=record, purpose=purpose, channel="api"))


def _visible(request: HttpRequest, custody_id: uuid.UUID, purpose: AccessEvent.Purpose) -> CustodyRecord:
    return queries.visible_custody(reader=_actor(request), custody_id=custody_id, purpose=purpose, channel="api")


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
        late=payload.late,
        late_reason=payload.late_reason,
        asylum_seeker_or_refugee=payload.asylum_seeker_or_refugee,
        interpreter_language=payload.interpreter_language,
        immigration_only=payload.immigration_only,
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
    found = (
        CustodyRecord.objects.visible_to(scope)
        .select_related(*queries.CUSTODY_RELATED)
        .prefetch_related("property_items")
    )
    if filters.state:
        found = found.filter(projection__state=filters.state)
    found = found.order_by("court_deadline", "pk")
    page, has_next = page_of(found, page=filters.page, per_page=filters.per_page)
    views = queries.view_custodies(
        reader=_actor(request), records=list(page), purpose=AccessEvent.Purpose.LIST, channel="api"
    )
    return {
        "results": [custody_out(view) for view in views],
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
    view = queries.custody_for(
        reader=_actor(request), custody_id=custody_id, purpose=AccessEvent.Purpose.API_READ, channel="api"
    )
    return custody_out(view)


@router.post(
    "/custody/{custody_id}/events",
    response={201: CustodyOut, 200: CustodyOut, **ERRORS},
    summary="Record a custody event",
    description="A meal, visit, health event, cell transfer, continued detention (with its reason), release, "
    "court appearance, station transfer, escape, death or serious injury, or property returned; or a handover "
    "to immigration for removal from Kenya (`handed_for_removal`, with `received_by` and `authority`), which only "
    "the OCS records (403 otherwise; Refugees Act 2021, s.18 non-refoulement). The answer is "
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
        late=payload.late,
        late_reason=payload.late_reason,
        client_id=payload.id,
    )
    fresh = queries.find_custody(scope=scope_of(_actor(request)), custody_id=str(record.pk))
    return Status(201 if recorded.created else 200, _show(request, fresh, purpose=AccessEvent.Purpose.RECORD))
