"""The Occurrence Book on the API: record, read, find and correct entries."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import Status

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotFound, NotPermittedAtStation
from daftari.core.openapi import links
from daftari.ledger import evidence
from daftari.ledger.schemas import content
from daftari.occurrences import queries, rules
from daftari.occurrences.entry_types import ENTRY_TYPES, Kind
from daftari.occurrences.models import Occurrence
from daftari.occurrences.schemas import (
    AmendmentIn,
    EntryIn,
    EntryOut,
    EntryTypeOut,
    SearchFilters,
    SearchPageOut,
)
from daftari.occurrences.search import SearchQuery, search_occurrences
from daftari.occurrences.services import amend_occurrence, find_entry, record_occurrence
from daftari.stations.models import scope_of
from daftari.stations.services import log_read, log_refused

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
# Free text may name people (a statement's maker, a surety, a claimant): withheld with the narrative.
TEXT_KINDS = (Kind.TEXT, Kind.LONGTEXT)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _draft(payload: EntryIn) -> rules.EntryDraft:
    return rules.EntryDraft(
        entry_type=payload.entry_type,
        occurred_at=payload.occurred_at,
        place=payload.place,
        narrative=payload.narrative,
        details=payload.details,
        parties=tuple(
            rules.PartyInput(
                role=p.role,
                name=p.name or "",
                id_number=p.id_number or "",
                phone=p.phone or "",
                sex=p.sex or "",
                date_of_birth=p.date_of_birth,
                age=p.age,
            )
            for p in payload.parties
        ),
        offences=tuple(
            rules.OffenceInput(section=o.section or "", description=o.description or "") for o in payload.offences
        ),
        property_items=tuple(
            rules.PropertyInput(
                description=i.description,
                serial_number=i.serial_number or "",
                quantity=i.quantity,
                value_kes=i.value_kes,
            )
            for i in payload.property_items
        ),
        vehicles=tuple(
            rules.VehicleInput(plate=v.plate, make_model=v.make_model or "", colour=v.colour or "")
            for v in payload.vehicles
        ),
        lat=payload.lat,
        lon=payload.lon,
        refers_to=payload.refers_to or None,
    )


def _without_free_text(entry: Occurrence, values: dict[str, Any]) -> dict[str, Any]:
    hidden = {"narrative"} | {f.name for f in entry.spec.fields if f.kind in TEXT_KINDS}
    return {k: v for k, v in values.items() if k not in hidden}


def _entry_out(entry: Occurrence, *, withheld: bool, new: bool = False) -> dict[str, Any]:
    # An entry recorded in this very request has no corrections yet.
    corrections = queries.corrections_of(entry) if entry.entry_type != "AMENDMENT" and not new else []
    corrected = queries.as_corrected(entry, corrections)
    details = entry.details
    if withheld:
        corrected = _without_free_text(entry, corrected)
        details = _without_free_text(entry, details)
    if entry.entry_type == "AMENDMENT" and withheld:
        # A correction's details repeat the corrected text itself.
        details, corrected = {}, {}
    return {
        "id": entry.pk,
        "ob_number": entry.ob_number,
        "station": entry.station.code,
        "entry_type": entry.entry_type,
        "occurred_at": entry.occurred_at,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by.service_number,
        "place": entry.place,
        "lat": float(entry.lat) if entry.lat is not None else None,
        "lon": float(entry.lon) if entry.lon is not None else None,
        "narrative": None if withheld else entry.narrative,
        "details": details,
        "refers_to": entry.refers_to_id,
        "is_late": entry.is_late,
        "personal_data_withheld": withheld,
        "parties": [] if withheld else [_party_out(p) for p in entry.parties.all()],
        "offences": [{"section": o.section, "description": o.description} for o in entry.offences.all()],
        "property_items": [
            {
                "description": i.description,
                "serial_number": i.serial_number,
                "quantity": i.quantity,
                "value_kes": i.value_kes,
            }
            for i in entry.property_items.all()
        ],
        "vehicles": [{"plate": v.plate, "make_model": v.make_model, "colour": v.colour} for v in entry.vehicles.all()],
        "corrections": [
            {
                "id": c.pk,
                "ob_number": c.ob_number,
                "recorded_at": c.recorded_at,
                "reason": "" if withheld else c.details.get("reason", ""),
                "changes": _without_free_text(entry, c.details.get("changes", {}))
                if withheld
                else c.details.get("changes", {}),
            }
            for c in corrections
        ],
        "as_corrected": corrected,
    }


def _party_out(party: Any) -> dict[str, Any]:
    return {
        "role": party.role,
        "name": party.name,
        "id_number": party.id_number,
        "phone": party.phone,
        "sex": party.sex,
        "age": party.age,
        "date_of_birth": party.date_of_birth,
    }


def _show(request: HttpRequest, entry: Occurrence, *, purpose: str, new: bool = False) -> dict[str, Any]:
    """The entry as the caller may see it, with the read written to the access log."""
    withheld = log_read(
        actor=_actor(request),
        record_type="occurrence",
        record_id=str(entry.pk),
        record_station=entry.station,
        purpose=purpose,
        channel="api",
    )
    return _entry_out(entry, withheld=withheld, new=new)


@router.post(
    "/occurrences",
    response={201: EntryOut, 200: EntryOut, **ERRORS},
    summary="Record an entry in your station's book",
    description="The entry gets the next OB number of the day at your station. Send a client `id` "
    "to retry safely: the same id and body answer 200 with the stored entry, a different body 409.",
    openapi_extra=ENTRY_LINKS,
)
def record(request: HttpRequest, payload: EntryIn) -> Status:
    actor = _actor(request)
    officer = getattr(actor, "officer", None)
    if officer is None or officer.station is None:
        raise NotPermittedAtStation()
    recorded = record_occurrence(actor=actor, station=officer.station, draft=_draft(payload), client_id=payload.id)
    purpose = "api record" if recorded.created else "api read"
    body = _show(request, recorded.entry, purpose=purpose, new=recorded.created)
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
    return {
        "results": [_show(request, entry, purpose="api search") for entry in found.entries],
        "page": found.page,
        "per_page": found.per_page,
        "has_next": found.has_next,
    }


def _visible_entry(request: HttpRequest, entry_id: uuid.UUID, purpose: str = "api read") -> Occurrence:
    actor = _actor(request)
    try:
        return find_entry(scope=scope_of(actor), reference=str(entry_id))
    except NotFound:
        log_refused(
            actor=actor, record_type="occurrence", model=Occurrence, record_id=entry_id, purpose=purpose, channel="api"
        )
        raise


@router.get(
    "/occurrences/{entry_id}",
    response={200: EntryOut, **ERRORS},
    summary="Read an entry",
    description="Another station's entry answers 404. Analysts get the entry with personal data withheld.",
    openapi_extra=ENTRY_LINKS,
)
def read(request: HttpRequest, entry_id: uuid.UUID) -> dict[str, Any]:
    return _show(request, _visible_entry(request, entry_id), purpose="api read")


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
    entry = _visible_entry(request, entry_id, purpose=evidence.PURPOSE)
    bundle = evidence.evidence_for(
        actor=_actor(request), record_type="occurrence", record_id=str(entry.pk), station=entry.station, channel="api"
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
    entry = _visible_entry(request, entry_id)
    try:
        recorded = amend_occurrence(
            actor=_actor(request),
            occurrence=entry,
            reason=payload.reason,
            changes=payload.changes,
            client_id=payload.id,
        )
    except OverflowError:
        # A corrected time at the very edge of the calendar cannot be moved to Nairobi time.
        raise InvalidInput(
            fields={"changes.occurred_at": str(_("Give a date and time between 1900 and 2999."))}
        ) from None
    purpose = "api record" if recorded.created else "api read"
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
