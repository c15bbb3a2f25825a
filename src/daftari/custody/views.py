"""The desk pages of the cell register: the custody board, book-in, a booking's page, the receipt, compliance."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from daftari.core.errors import InvalidInput, NotFound, NotPermitted
from daftari.core.forms import ErrorLink, error_links
from daftari.core.types import AuthenticatedRequest
from daftari.custody import queries, rules
from daftari.custody.forms import BookInForm, EventForm, event_detail_rows
from daftari.custody.models import CustodyRecord, PropertyItem
from daftari.custody.services import book_in, record_event, return_property
from daftari.occurrences.models import Occurrence
from daftari.stations import queries as station_queries
from daftari.stations.models import AccessEvent, County, Station, scope_of
from daftari.stations.rules import (
    can_book_into_cells,
    can_record_custody_event,
    can_see_station,
    commands_a_county,
    sees_cells_board,
    sees_custody_compliance,
    sees_personal_data,
)
from daftari.stations.services import log_access

Purpose = AccessEvent.Purpose


def _station(request: AuthenticatedRequest) -> Station | None:
    officer = getattr(request.user, "officer", None)
    return officer.station if officer is not None else None


def _htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _record_or_404(request: AuthenticatedRequest, pk: uuid.UUID, purpose: AccessEvent.Purpose) -> CustodyRecord:
    """The booking to act on; another station's answers 404 and the attempt is logged as denied."""
    try:
        return queries.visible_custody(reader=request.user, custody_id=pk, purpose=purpose, channel="desk")
    except NotFound:
        raise Http404 from None


@dataclass
class BoardRow:
    record: CustodyRecord
    in_custody_for: str
    time_left: str
    band: rules.Band
    band_words: str
    needs_reason: bool  # held past 24 h with no continued-detention reason (the red-ink rule)
    items: list[PropertyItem]


def _board_rows(station: Station, now: datetime) -> list[BoardRow]:
    rows = []
    for record in queries.in_custody(station).prefetch_related("property_items"):
        band = rules.board_colour(record.court_deadline, now)
        left = record.court_deadline - now
        rows.append(
            BoardRow(
                record=record,
                in_custody_for=rules.duration_words(now - record.arrested_at),
                time_left=rules.time_left_words(left),
                band=band,
                band_words=str(rules.BAND_WORDS[band]),
                needs_reason=now - record.arrested_at > timedelta(hours=rules.ART_49_HOURS)
                and record.projection.continued_detention_recorded_at is None,
                items=list(record.property_items.all()),
            )
        )
    # Breached deadlines first, then the nearest deadline.
    rows.sort(key=lambda r: (r.band != rules.Band.BREACHED, r.record.court_deadline))
    return rows


@login_required
@require_GET
def board(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    # A county commander switches between the county's stations (?station=CODE).
    station = station_queries.chosen_station(scope, _station(request), request.GET.get("station", "")[:20])
    if station is None and request.GET.get("station"):
        raise Http404
    if (
        station is None
        or not sees_cells_board(scope)
        or not can_see_station(scope, station_code=station.code, county_code=station.county_id)
    ):
        return render(request, "custody/board.html", {"station": None})
    personal = sees_personal_data(scope)
    rows = _board_rows(station, timezone.now())
    if rows:
        log_access(
            actor=request.user,
            record_type="custody_board",
            record_id=station.code,
            record_station=station,
            purpose=AccessEvent.Purpose.LIST,
            outcome="shown" if personal else "withheld",
        )
    context = {
        "station": station,
        "rows": rows,
        "personal": personal,
        "can_record": can_record_custody_event(scope, station_code=station.code),
        "now": timezone.now(),
        "switch_to": station_queries.stations_to_switch_between(scope),
    }
    template = "custody/board.html#cells" if _htmx(request) else "custody/board.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _initial_from_arrest(arrest: Occurrence) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "client_id": uuid.uuid4(),
        "arresting_officer": arrest.details.get("arresting_officer", ""),
        "physical_condition": arrest.details.get("physical_condition", ""),
    }
    try:
        initial["arrested_at"] = datetime.fromisoformat(arrest.details["arrested_at"]).astimezone(rules.NAIROBI)
    except (KeyError, TypeError, ValueError):
        initial["arrested_at"] = arrest.occurred_at.astimezone(rules.NAIROBI)
    suspect = arrest.parties.filter(role="suspect").first()
    if suspect is not None:
        initial.update(
            name=suspect.name,
            sex=suspect.sex,
            age=suspect.age,
            date_of_birth=suspect.date_of_birth,
            id_number=suspect.id_number,
            phone=suspect.phone,
        )
    offence = arrest.offences.first()
    if offence is not None:
        initial.update(offence_section=offence.section, offence_description=offence.description)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def new_booking(request: AuthenticatedRequest, arrest_pk: uuid.UUID) -> HttpResponse:
    station = _station(request)
    scope = scope_of(request.user)
    if station is None or not can_book_into_cells(scope, station_code=station.code):
        raise PermissionDenied(_("Your role does not allow booking into the cells."))
    arrest = Occurrence.objects.visible_to(scope).filter(pk=arrest_pk, station=station, entry_type="ARREST").first()
    if arrest is None:
        raise Http404
    errors: list[ErrorLink] = []
    if request.method == "POST":
        form = BookInForm(request.POST)
        if form.is_valid():
            try:
                booked = book_in(
                    actor=request.user,
                    station=station,
                    booking=form.booking(),
                    arrest=arrest,
                    client_id=form.cleaned_data.get("client_id"),
                )
            except InvalidInput as problem:
                for key, message in problem.fields.items():
                    name = form.field_of(key)
                    if name is not None and name in form.fields:
                        form.add_error(name, str(message))
                    else:
                        form.add_error(None, str(message))
            else:
                if booked.record.remand_warning:
                    messages.warning(
                        request,
                        _("Art. 49(2): the offence is punishable by a fine or by 6 months or less — no remand."),
                    )
                messages.success(request, _("Booked into the cells."))
                return redirect("custody_record", pk=booked.record.pk)
        errors = error_links(form, anchor="#book-in")
    else:
        form = BookInForm(initial=_initial_from_arrest(arrest))
    return render(request, "custody/book_in.html", {"form": form, "arrest": arrest, "errors": errors})


def _record_context(request: AuthenticatedRequest, record: CustodyRecord, **extra: Any) -> dict[str, Any]:
    scope = scope_of(request.user)
    now = timezone.now()
    view = queries.view_custody(reader=request.user, record=record, purpose=Purpose.DESK_VIEW, channel="desk")
    band = rules.board_colour(record.court_deadline, now)
    return {
        "record": record,
        "view": view,
        "events": [(event, event_detail_rows(event.details)) for event in view.events],
        "items": [
            (item, view.returned.get(item.position), _typed_return(extra.get("typed"), item.position))
            for item in view.property_items
        ],
        "can_record": can_record_custody_event(scope, station_code=view.current_station),
        "open": view.state == queries.State.IN_CUSTODY,
        "band": band,
        "band_words": rules.BAND_WORDS[band],
        "interpreter_language": rules.interpreter_language_name(view.interpreter_language or ""),
        "drs_told": queries.refugee_services_told(view),
        "non_refoulement": rules.NON_REFOULEMENT,
        "form": extra.pop("form", None) or EventForm(initial={"client_id": uuid.uuid4()}),
        **extra,
    }


def _may_record_events(request: AuthenticatedRequest, record: CustodyRecord) -> None:
    if not can_record_custody_event(scope_of(request.user), station_code=record.projection.current_station.code):
        raise PermissionDenied(_("Only the desk and the OCS hold the cells: book in and record custody events."))


@login_required
@require_GET
def record_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    record = _record_or_404(request, pk, Purpose.DESK_VIEW)
    return render(request, "custody/record.html", _record_context(request, record))


@login_required
@require_POST
def add_event(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    record = _record_or_404(request, pk, Purpose.RECORD)
    _may_record_events(request, record)
    form = EventForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            record_event(
                actor=request.user,
                custody=record,
                kind=form.cleaned_data["kind"],
                details=form.details(),
                at=form.cleaned_data.get("at"),
                late=bool(form.cleaned_data.get("late")),
                late_reason=form.cleaned_data.get("late_reason") or "",
                client_id=form.cleaned_data.get("client_id"),
            )
        except InvalidInput as problem:
            for key, message in problem.fields.items():
                name = key.removeprefix("details.")
                form.add_error(name if name in form.fields else None, str(message))
        except NotPermitted as refused:
            # A removal from Kenya by someone who is not the OCS: said beside the choice, not a bare 403 page.
            form.add_error("kind", str(refused.message))
            status = 403
        else:
            messages.success(request, _("Recorded in the cell register."))
            return redirect("custody_record", pk=record.pk)
    record = _record_or_404(request, pk, Purpose.RECORD)
    context = _record_context(request, record, form=form)
    return render(request, "custody/record.html", context, status=status)


@login_required
@require_POST
def return_items(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    record = _record_or_404(request, pk, Purpose.RECORD)
    _may_record_events(request, record)
    items = []
    for item in record.property_items.all():
        outcome = request.POST.get(f"outcome-{item.position}", "")
        if outcome:
            items.append(
                {
                    "position": item.position,
                    "outcome": outcome,
                    "acknowledged": request.POST.get(f"acknowledged-{item.position}") == "on",
                    "note": request.POST.get(f"note-{item.position}", ""),
                }
            )
    try:
        return_property(actor=request.user, custody=record, items=items)
    except InvalidInput as problem:
        # The page again (422): the summary links each message to its item's field, what was typed is kept.
        positions = [int(str(item["position"])) for item in items]
        errors = [ErrorLink(_return_field(key, positions), str(m)) for key, m in problem.fields.items()]
        context = _record_context(
            request, record, errors=errors or [ErrorLink("#property-form", problem.message)], typed=request.POST
        )
        return render(request, "custody/record.html", context, status=422)
    messages.success(request, _("Property returned or disposal recorded."))
    return redirect("custody_record", pk=record.pk)


def _return_field(key: str, positions: list[int]) -> str:
    """``details.items.1.note`` → ``#note-<position of the second item sent>``; the list itself → the form."""
    parts = key.split(".")
    if len(parts) >= 3 and parts[2].isdigit() and int(parts[2]) < len(positions):
        position = positions[int(parts[2])]
        element = {"acknowledged": "ack", "note": "note"}.get(parts[3] if len(parts) > 3 else "", "outcome")
        return f"#{element}-{position}"
    return "#property-form"


def _typed_return(typed: Any, position: int) -> dict[str, str]:
    if typed is None:
        return {}
    return {
        "outcome": typed.get(f"outcome-{position}", ""),
        "acknowledged": typed.get(f"acknowledged-{position}", ""),
        "note": typed.get(f"note-{position}", "")[:500],
    }


@login_required
@require_GET
def receipt(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    record = _record_or_404(request, pk, Purpose.PRINT)
    view = queries.view_custody(reader=request.user, record=record, purpose=Purpose.PRINT, channel="desk")
    return render(request, "custody/receipt.html", {"view": view})


@login_required
@require_GET
def compliance(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not sees_custody_compliance(scope):
        raise PermissionDenied(_("Your role does not allow this."))
    now = timezone.now()
    try:
        days = max(1, min(366, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    station: Station | None = None
    county: County | None = None
    if scope.is_national:
        code = request.GET.get("station", "")
        station = Station.objects.filter(code=code).first() if code else None
        county_code = request.GET.get("county", "")
        county = County.objects.filter(code=int(county_code)).first() if county_code.isdigit() else None
    elif commands_a_county(scope) and scope.county_code is not None:
        county = County.objects.filter(code=scope.county_code).first()
    else:
        station = _station(request)
        if station is None:
            raise PermissionDenied(_("Your role does not allow this."))
    figures = queries.compliance(start=now - timedelta(days=days), end=now, now=now, station=station, county=county)
    # The list of breaches names each detainee: a read of personal data like any other.
    breaches = queries.view_custodies(
        reader=request.user, records=figures.breaches, purpose=Purpose.LIST, channel="desk", with_events=False
    )
    return render(
        request,
        "custody/compliance.html",
        {"figures": figures, "breaches": breaches, "station": station, "county": county, "days": days},
    )
