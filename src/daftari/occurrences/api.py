"""The Occurrence Book on the API: record, read, find and correct entries."""

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import Status

from daftari.alerts.api import match_out
from daftari.alerts.queries import matching_alerts
from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotPermittedAtStation
from daftari.core.openapi import links
from daftari.ledger import evidence
from daftari.ledger.schemas import content
from daftari.occurrences import queries, rules
from daftari.occurrences.entry_types import ENTRY_TYPES
from daftari.occurrences.models import Occurrence
from daftari.occurrences.schemas import (
    AmendmentIn,
    EntryIn,
    EntryOut,
    EntryTypeOut,
    OffenceIn,
    PartyIn,
    PropertyItemIn,
    RecordedEntryOut,
    SearchFilters,
    SearchPageOut,
    VehicleIn,
)
from daftari.occurrences.search import SearchQuery, search_occurrences
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import AccessEvent, scope_of

Purpose = AccessEvent.Purpose

router = Router(tags=["occurrences"])

ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
ENTRY_ID = {"entry_id": "$response.body#/id"}
# From an entry to what its id opens, and to its station's signed book.
ENTRY_LINKS = links(
    (200, 201),
    read=("daftari_occurrences_api_read", ENTRY_ID),
    correct=("daftari_occurrences_api_amend", ENTRY_ID),
    evidence=("daftari_occurrences_api_evidence_bundle", ENTRY_ID),
    checkpoint=("daftari_ledger_api_checkpoint", {"station": "$response.body#/station"}),
)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _party_input(p: PartyIn) -> rules.PartyInput:
    return rules.PartyInput(
        role=p.role,
        name=p.name or "",
        id_number=p.id_number or "",
        phone=p.phone or "",
        sex=p.sex or "",
        date_of_birth=p.date_of_birth,
        age=p.age,
    )


def _offence_input(o: OffenceIn) -> rules.OffenceInput:
    return rules.OffenceInput(section=o.section or "", description=o.description or "")


def _item_input(i: PropertyItemIn) -> rules.PropertyInput:
    return rules.PropertyInput(
        description=i.description, serial_number=i.serial_number or "", quantity=i.quantity, value_kes=i.value_kes
    )


def _vehicle_input(v: VehicleIn) -> rules.VehicleInput:
    return rules.VehicleInput(plate=v.plate, make_model=v.make_model or "", colour=v.colour or "")


def _draft(payload: EntryIn) -> rules.EntryDraft:
    return rules.EntryDraft(
        entry_type=payload.entry_type,
        occurred_at=payload.occurred_at,
        place=payload.place,
        narrative=payload.narrative,
        details=payload.details,
        parties=tuple(_party_input(p) for p in payload.parties),
        offences=tuple(_offence_input(o) for o in payload.offences),
        property_items=tuple(_item_input(i) for i in payload.property_items),
        vehicles=tuple(_vehicle_input(v) for v in payload.vehicles),
        lat=payload.lat,
        lon=payload.lon,
        refers_to=payload.refers_to or None,
        late=payload.late,
        late_reason=payload.late_reason,
        confirm_unusual=payload.confirm_unusual,
        sms_language=payload.sms_language or "",
    )


def entry_out(view: queries.EntryView) -> dict[str, Any]:
    """The API's rendering of the read model: nothing here decides what the reader may see."""
    return {
        "id": view.id,
        "ob_number": view.ob_number,
        "station": view.station_code,
        "entry_type": view.entry_type,
        "occurred_at": view.occurred_at,
        "recorded_at": view.recorded_at,
        "recorded_by": view.recorded_by,
        "place": view.place,
        "lat": view.lat,
        "lon": view.lon,
        "narrative": view.narrative,
        "details": view.details,
        "refers_to": view.refers_to,
        "is_late": view.is_late,
        "late_reason": view.late_reason,
        "personal_data_withheld": not view.personal,
        "restricted": view.restricted,
        "parties": [_party(p) for p in view.parties],
        "offences": [_offence(o) for o in view.offences],
        "property_items": [_item(i) for i in view.property_items],
        "vehicles": [_vehicle(v) for v in view.vehicles],
        "corrections": [
            {
                "id": c.id,
                "ob_number": c.ob_number,
                "recorded_at": c.recorded_at,
                "reason": c.reason,
                "changes": c.changes,
            }
            for c in view.corrections
        ],
        "as_corrected": view.as_corrected,
        "parties_as_corrected": _flagged(view.parties_as_corrected or view.parties, _party),
        "offences_as_corrected": _flagged(view.offences_as_corrected or view.offences, _offence),
        "property_items_as_corrected": _flagged(view.property_as_corrected or view.property_items, _item),
        "vehicles_as_corrected": _flagged(view.vehicles_as_corrected or view.vehicles, _vehicle),
        "corrected_matches": [
            {
                "label": m.label,
                "was": m.was,
                "now": m.now,
                "in_error": m.now is None,
                "correction_id": m.correction_id,
                "correction_ob_number": m.correction_ob_number,
                "corrected_at": m.corrected_at,
            }
            for m in view.corrected_matches
        ],
    }


def _party(p: queries.PartyView) -> dict[str, Any]:
    return {
        "role": p.role,
        "name": p.name,
        "id_number": p.id_number,
        "phone": p.phone,
        "sex": p.sex,
        "age": p.age,
        "date_of_birth": p.date_of_birth,
    }


def _offence(o: queries.OffenceView) -> dict[str, Any]:
    return {"section": o.section, "description": o.description}


def _item(i: queries.PropertyView) -> dict[str, Any]:
    return {
        "description": i.description,
        "serial_number": i.serial_number,
        "quantity": i.quantity,
        "value_kes": i.value_kes,
    }


def _vehicle(v: queries.VehicleView) -> dict[str, Any]:
    return {"plate": v.plate, "make_model": v.make_model, "colour": v.colour}


Part = TypeVar("Part", queries.PartyView, queries.OffenceView, queries.PropertyView, queries.VehicleView)


def _flagged(parts: Sequence[Part], shape: Callable[[Part], dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**shape(p), "corrected": p.corrected, "in_error": p.in_error} for p in parts]


def _parts(payload: AmendmentIn) -> rules.PartsCorrection:
    """The corrected parts of a correction, as the rules take them (the rules check what they mean)."""
    return rules.PartsCorrection(
        parties=tuple(
            rules.PartCorrection(c.of, _party_input(c.value) if c.value else None, c.in_error) for c in payload.parties
        ),
        offences=tuple(
            rules.PartCorrection(c.of, _offence_input(c.value) if c.value else None, c.in_error)
            for c in payload.offences
        ),
        property_items=tuple(
            rules.PartCorrection(c.of, _item_input(c.value) if c.value else None, c.in_error)
            for c in payload.property_items
        ),
        vehicles=tuple(
            rules.PartCorrection(c.of, _vehicle_input(c.value) if c.value else None, c.in_error)
            for c in payload.vehicles
        ),
        confirm_unusual=payload.confirm_unusual,
    )


def _show(
    request: HttpRequest, entry: Occurrence, *, purpose: Purpose, new: bool = False, logged: bool = False
) -> dict[str, Any]:
    """The entry as the caller may see it, with the read written to the access log (unless ``logged`` already)."""
    view = queries.view_entry(
        reader=_actor(request), entry=entry, purpose=purpose, channel="api", new=new, logged=logged
    )
    return entry_out(view)


@router.post(
    "/occurrences",
    response={201: RecordedEntryOut, 200: RecordedEntryOut, **ERRORS},
    summary="Record an entry in your station's book",
    description="The entry gets the next OB number of the day at your station. Send a client `id` "
    "to retry safely: the same id and body answer 200 with the stored entry, a different body 409. "
    "`alerts` lists the active national alerts the entry's people or vehicles match.",
    openapi_extra=ENTRY_LINKS,
)
def record(request: HttpRequest, payload: EntryIn) -> Status:
    actor = _actor(request)
    officer = getattr(actor, "officer", None)
    if officer is None or officer.station is None:
        raise NotPermittedAtStation()
    draft = _draft(payload)
    recorded = record_occurrence(
        actor=actor, station=officer.station, draft=draft, client_id=payload.id, shown_on="api"
    )
    purpose = Purpose.RECORD if recorded.created else Purpose.API_READ
    body = _show(request, recorded.entry, purpose=purpose, new=recorded.created, logged=recorded.created)
    matches = recorded.alerts
    if matches is None:  # a retry, or an entry type another app records: asked now
        matches = matching_alerts(reader=actor, station=officer.station, sought=rules.sought_in(draft), channel="api")
    body["alerts"] = [match_out(m) for m in matches]
    return Status(201 if recorded.created else 200, body)


@router.get(
    "/occurrences",
    response={200: SearchPageOut, **ERRORS},
    summary="Find entries",
    description="Entries you may see that match every given filter, newest first. "
    "Roles without access to personal data may not search by person, phone, ID number or free text.",
    openapi_extra=links(
        (200,),
        read_first=("daftari_occurrences_api_read", {"entry_id": "$response.body#/results/0/id"}),
        correct_first=("daftari_occurrences_api_amend", {"entry_id": "$response.body#/results/0/id"}),
    ),
)
def search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    actor = _actor(request)
    scope = scope_of(actor)
    query = SearchQuery(
        text=filters.q,
        ob_number=filters.ob_number,
        id_number=filters.id_number,
        phone=filters.phone,
        plate=filters.plate,
        name=filters.name,
        entry_type=filters.type,
        date_from=filters.date_from,
        date_to=filters.date_to,
        station_code=filters.station,
    )
    found = search_occurrences(scope=scope, query=query, page=filters.page, per_page=filters.per_page)
    views = queries.search_results(reader=actor, found=found, channel="api", with_corrections=True)
    return {
        "results": [entry_out(view) for view in views],
        "page": found.page,
        "per_page": found.per_page,
        "has_next": found.has_next,
    }


def _visible_entry(request: HttpRequest, entry_id: uuid.UUID, purpose: Purpose) -> Occurrence:
    return queries.visible_entry(reader=_actor(request), entry_id=entry_id, purpose=purpose, channel="api")


@router.get(
    "/occurrences/{entry_id}",
    response={200: EntryOut, **ERRORS},
    summary="Read an entry",
    description="Another station's entry answers 404. Analysts get the entry with personal data withheld.",
    openapi_extra=ENTRY_LINKS,
)
def read(request: HttpRequest, entry_id: uuid.UUID) -> dict[str, Any]:
    return entry_out(
        queries.entry_for(reader=_actor(request), entry_id=entry_id, purpose=Purpose.API_READ, channel="api")
    )


@router.get(
    "/occurrences/{entry_id}/evidence",
    response={**ERRORS, 410: ErrorOut, 503: ErrorOut},
    summary="The entry's evidence bundle",
    description="A zip that `daftari-verify entry` checks offline: the leaf, the record and its salt, "
    "an inclusion proof against the latest signed checkpoint, the checkpoint, the verifier key and a "
    "README. It holds personal data: another station's entry answers 404, analysts 403.",
    openapi_extra=content("application/zip", "The evidence zip.", {"type": "string", "format": "binary"}),
)
def evidence_bundle(request: HttpRequest, entry_id: uuid.UUID) -> HttpResponse:
    entry = _visible_entry(request, entry_id, Purpose.EVIDENCE)
    bundle = evidence.evidence_for(
        actor=_actor(request),
        record_type="occurrence",
        record_id=str(entry.pk),
        station=entry.station,
        channel="api",
        restricted=not queries.in_circle(reader=_actor(request), entry=entry),
    )
    response = HttpResponse(bundle, content_type="application/zip")
    filename = evidence.bundle_filename(entry.ob_number, str(entry.pk))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post(
    "/occurrences/{entry_id}/amendments",
    response={201: EntryOut, 200: EntryOut, **ERRORS},
    summary="Correct an entry",
    description="Records a correction (an AMENDMENT entry) that points at the entry; the entry itself "
    "never changes. The same client `id` and body answer 200 with the stored correction.",
    openapi_extra=links(
        (200, 201),
        read=("daftari_occurrences_api_read", ENTRY_ID),
        read_corrected=("daftari_occurrences_api_read", {"entry_id": "$response.body#/refers_to"}),
        correct_again=("daftari_occurrences_api_amend", {"entry_id": "$response.body#/refers_to"}),
    ),
)
def amend(request: HttpRequest, entry_id: uuid.UUID, payload: AmendmentIn) -> Status:
    entry = _visible_entry(request, entry_id, Purpose.RECORD)
    try:
        recorded = amend_occurrence(
            actor=_actor(request),
            occurrence=entry,
            reason=payload.reason,
            changes=payload.changes,
            client_id=payload.id,
            parts=_parts(payload),
        )
    except OverflowError:
        # A corrected time at the very edge of the calendar cannot be moved to Nairobi time.
        raise InvalidInput(
            fields={"changes.occurred_at": str(_("Give a date and time between 1900 and 2999."))}
        ) from None
    purpose = Purpose.RECORD if recorded.created else Purpose.API_READ
    body = _show(request, recorded.entry, purpose=purpose, new=recorded.created)
    return Status(201 if recorded.created else 200, body)


@router.get(
    "/entry-types",
    response={200: list[EntryTypeOut], 401: ErrorOut},
    summary="The kinds of entry and their fields",
)
def list_entry_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": spec.code,
            "name": str(spec.name),
            "fields": [
                {
                    "name": f.name,
                    "label": str(f.label),
                    "kind": f.kind.value,
                    "required": f.required,
                    "choices": [{"value": value, "label": str(label)} for value, label in f.choices],
                }
                for f in spec.fields
            ],
            "required_roles": list(spec.required_roles),
            "needs_earlier_entry": spec.needs_earlier_entry,
            "direct": spec.direct,
        }
        for spec in ENTRY_TYPES
    ]
