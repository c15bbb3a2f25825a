"""The desk pages of the Occurrence Book: thin views over services, queries and search."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from daftari.alerts.queries import matching_alerts
from daftari.alerts.rules import Sought
from daftari.core import identity
from daftari.core.errors import DuplicateWithDifferentContent, InvalidInput, NotFound, NotPermitted
from daftari.core.forms import ErrorLink, error_links
from daftari.core.types import AuthenticatedRequest
from daftari.ledger import evidence
from daftari.ledger import services as ledger
from daftari.notifications.services import remembered_language
from daftari.occurrences import queries, rules
from daftari.occurrences.casework import status_url
from daftari.occurrences.forms import (
    AmendForm,
    EntryForm,
    NewEntryForms,
    PartsCorrectionForms,
    SearchForm,
    details_form,
)
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.search import SearchQuery, search_occurrences
from daftari.occurrences.services import amend_occurrence, record_occurrence, recorded_it
from daftari.stations import queries as station_queries
from daftari.stations.models import AccessEvent, Station, scope_of
from daftari.stations.rules import (
    Scope,
    can_amend_entry,
    can_book_into_cells,
    can_issue_document,
    can_record_entry,
    can_see_station,
    lands_on_deployments,
    reads_refugee_register,
    uses_the_occurrence_book,
)

Purpose = AccessEvent.Purpose


def _station(request: AuthenticatedRequest) -> Station | None:
    officer = getattr(request.user, "officer", None)
    return officer.station if officer is not None else None


def _recording_station(request: AuthenticatedRequest) -> Station:
    """The officer's own station, when their role records in its book; otherwise 403."""
    station = _station(request)
    if station is None or not can_record_entry(scope_of(request.user), station_code=station.code):
        raise PermissionDenied(_("Your role does not allow recording entries."))
    if ledger.kept_at_node(station):
        raise PermissionDenied(str(ledger.BookKeptAtNode.default_message))
    return station


def _htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _entry_or_404(request: AuthenticatedRequest, pk: uuid.UUID, purpose: AccessEvent.Purpose) -> Occurrence:
    """The entry to act on; another station's answers 404 and the attempt is logged as denied."""
    try:
        return queries.visible_entry(reader=request.user, entry_id=pk, purpose=purpose, channel="desk")
    except NotFound:
        raise Http404 from None


def _day(text: str | None) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        return today
    return min(day, today)


# --- Today's book ------------------------------------------------------------------------


@login_required
@require_GET
def today(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    # A county commander switches between the county's stations (?station=CODE); the read is logged as ever.
    station = station_queries.chosen_station(scope, _station(request), request.GET.get("station", "")[:20])
    if station is None and request.GET.get("station"):
        raise Http404
    if station is None and lands_on_deployments(scope):
        return redirect("deployments")
    if station is None and not uses_the_occurrence_book(scope):
        # DRS staff and the UNHCR liaison keep no book: they land on the register or its figures.
        return redirect("refugee_register" if reads_refugee_register(scope) else "refugee_figures")
    if station is None:
        return render(request, "occurrences/today.html", {"station": None})
    day = _day(request.GET.get("day"))
    found = list(queries.todays_book(station=station, day=day))
    last_seq = found[-1].ob_seq if found else 0
    if _htmx(request) and request.GET.get("seen") == str(last_seq):
        # Nothing new since the last poll: no swap, nothing shown, nothing to log.
        return HttpResponse(status=204)
    entries = queries.book_page(reader=request.user, station=station, day=day, entries=found)
    context = {
        "station": station,
        "day": day,
        "is_today": day == timezone.localdate(),
        "entries": entries,
        "last_seq": last_seq,
        "can_record": can_record_entry(scope, station_code=station.code),
        "switch_to": station_queries.stations_to_switch_between(scope),
    }
    template = "occurrences/today.html#book" if _htmx(request) else "occurrences/today.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- New entry ---------------------------------------------------------------------------


def _sms_language(chosen: str, phone: str) -> dict[str, Any]:
    """The SMS-language choice as shown: the officer's choice, else the language this phone chose before,
    preselected for the officer to check with the complainant (recorded only when the form is sent with it)."""
    remembered = remembered_language(phone=phone) if phone and not chosen else None
    names = {"en": "English", "sw": "Kiswahili"}
    return {"sms_chosen": chosen or remembered or "", "sms_remembered": names.get(remembered or "")}


def _new_entry_page(request: AuthenticatedRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    forms: NewEntryForms = context["forms"]
    chosen = str(forms.main.data.get("sms_language", "")) if forms.main.is_bound else ""
    context.update(_sms_language(chosen, forms.typed_complainant_phone()))
    return render(request, "occurrences/new_entry.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_entry(request: AuthenticatedRequest) -> HttpResponse:
    station = _recording_station(request)
    if request.method == "GET":
        # "Record a follow-up" on an entry opens the form with that entry's OB number (checked on recording).
        entry_type = request.GET.get("entry_type", "")
        forms = NewEntryForms.build(
            entry_type=entry_type,
            refers_to=request.GET.get("refers_to", "")[:40],
            from_book=queries.figures_from_book(entry_type, station),
        )
        if _htmx(request):
            response = render(request, "occurrences/new_entry.html#type-fields", {"forms": forms})
            patch_vary_headers(response, ["HX-Request"])
            return response
        return _new_entry_page(request, {"forms": forms, "station": station})

    forms = NewEntryForms.build(
        request.POST, from_book=queries.figures_from_book(request.POST.get("entry_type", ""), station)
    )
    # What the desk typed is matched against the national alerts register on every redraw, valid or not.
    alert_matches = matching_alerts(reader=request.user, station=station, sought=forms.sought(), channel="desk")
    # "Show fields" and "Add a row" only redraw the form (they are how it works without JavaScript).
    if "choose_type" in request.POST or "add" in request.POST:
        return _new_entry_page(request, {"forms": forms, "station": station, "alert_matches": alert_matches})
    status = 422
    if forms.is_valid():
        client_id = forms.main.cleaned_data["client_id"]
        try:
            recorded = record_occurrence(
                actor=request.user, station=station, draft=forms.to_draft(), client_id=client_id
            )
        except InvalidInput as error:
            forms.add_service_errors(error.fields)
        except DuplicateWithDifferentContent:
            forms.main.add_error(None, _("This form was already recorded. Start a new entry for a new report."))
        except NotPermitted as refused:
            # e.g. a CELLS entry by an officer who does not hold the cells.
            raise PermissionDenied(str(refused.message)) from None
        else:
            messages.success(request, _("Recorded as %(ob)s") % {"ob": recorded.entry.ob_number})
            for match in alert_matches:
                messages.warning(request, match.message)
            return redirect("entry", pk=recorded.entry.pk)
    context = {
        "forms": forms,
        "station": station,
        "errors": forms.error_summary(),
        "alert_matches": alert_matches,
    }
    return _new_entry_page(request, context, status)


@login_required
@require_GET
def person_hint(request: AuthenticatedRequest) -> HttpResponse:
    """'This ID number appears in 3 earlier entries of this station's book', as the officer types it.

    Only for officers recording in their station's book, and only over that book: each entry the
    number is found in is a read of personal data, logged as a look-up.
    """
    station = _recording_station(request)
    id_number = phone = role = ""
    for key in request.GET:
        value = request.GET.get(key, "")
        if key.endswith("id_number"):
            id_number = rules.normalise_id_number(value)
        elif key.endswith("phone"):
            phone = value.strip()[:40]
        elif key.endswith("-role"):
            role = value
    count = 0
    if len(id_number) >= 6 or len(phone) >= 9:
        count = queries.person_lookup(reader=request.user, station=station, id_number=id_number, phone=phone)
    query = id_number or phone
    sought = Sought.of(id_numbers=(id_number,), phones=(phone,))
    context = {
        "alert_matches": matching_alerts(reader=request.user, station=station, sought=sought, channel="desk"),
        "count": count,
        "what": "id_number" if id_number else "phone",
        "search_url": reverse("search") + "?" + urlencode({"q": query}),
        # Other registers' word on the document (a refugee ID's state): a note, never a refusal.
        "identity_notes": identity.notes(request.user, id_number) if len(id_number) >= 6 else [],
    }
    # A complainant's phone that chose a language before preselects it, unless the officer already chose one.
    if role == Party.Role.COMPLAINANT and phone and not request.GET.get("sms_language"):
        choice = _sms_language("", phone)
        if choice["sms_remembered"]:
            context.update(choice, sms_field=EntryForm()["sms_language"])
    return render(request, "occurrences/_person_hint.html", context)


# --- The entry ---------------------------------------------------------------------------


def _field_labels(entry: Occurrence) -> dict[str, str]:
    labels = {"narrative": _("What happened"), "place": _("Place"), "occurred_at": _("When it happened")}
    labels.update({f.name: str(f.label) for f in entry.spec.fields})
    return labels


@dataclass(frozen=True)
class CaseFormErrors:
    """A case form of the entry page (``assign`` or ``status``) refused: its messages by field, what was typed."""

    form: str
    fields: dict[str, str]
    typed: dict[str, str]

    # The element of the case panel each field is typed in, for the error summary's links.
    IDS: ClassVar[dict[str, dict[str, str]]] = {
        "assign": {"investigator": "case-investigator", "note": "case-assign-note"},
        "status": {"status": "case-status", "note": "case-note", "reason": "case-reason"},
    }

    @property
    def summary(self) -> list[ErrorLink]:
        ids = self.IDS[self.form]
        first = next(iter(ids.values()))
        return [ErrorLink(f"#{ids.get(name, first)}", message) for name, message in self.fields.items()]


@login_required
@require_GET
def entry_page(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    return render_entry_page(request, _entry_or_404(request, pk, Purpose.DESK_VIEW))


def render_entry_page(
    request: AuthenticatedRequest, entry: Occurrence, *, case_form: CaseFormErrors | None = None
) -> HttpResponse:
    """The entry's page; with ``case_form``, one of its case forms redrawn with its errors and what was typed (422)."""
    view = queries.view_entry(reader=request.user, entry=entry, purpose=Purpose.DESK_VIEW, channel="desk")
    scope = scope_of(request.user)
    labels = _field_labels(entry)
    choices = {f.name: dict(f.choices) for f in entry.spec.fields if f.choices}

    def shown(name: str, value: Any) -> Any:
        # A choice reads by its label ("National ID card"), never its stored code.
        return choices.get(name, {}).get(value, value) if isinstance(value, str) else value

    correction_rows = [
        {"view": c, "changes": [(labels.get(k, k), shown(k, v)) for k, v in c.changes.items()]}
        for c in view.corrections
    ]
    changed = {k for c in view.corrections for k in c.changes}
    corrected_rows = [
        (labels.get(k, k), shown(k, view.as_corrected[k])) for k in labels if k in changed and k in view.as_corrected
    ]
    follow_ups = (
        Occurrence.objects.visible_to(scope)
        .filter(refers_to=entry)
        .exclude(entry_type="AMENDMENT")
        .order_by("recorded_at", "ob_seq")
    )
    context = {
        "entry": entry,
        "view": view,
        "corrections": correction_rows,
        "corrected_rows": corrected_rows,
        "follow_ups": list(follow_ups),
        "can_amend": can_amend_entry(
            scope, station_code=entry.station.code, recorded_it=recorded_it(request.user, entry)
        )
        and not view.restricted,
        "can_book_in": can_book_into_cells(scope, station_code=entry.station.code) and not view.restricted,
        "can_issue_document": can_issue_document(scope, station_code=entry.station.code) and not view.restricted,
        # A follow-up is a new entry that points at this one: the book stays append-only.
        "can_follow_up": can_record_entry(scope, station_code=entry.station.code)
        and not view.restricted
        and entry.entry_type not in ("AMENDMENT", "DAILY_CLOSE"),
        "book": evidence.position_of(str(entry.pk)),
        "case_form": case_form,
        "errors": case_form.summary if case_form else [],
        # Shown to the desk so a wrong or missing offence section is corrected by an amendment.
        "crime_category": queries.crime_category_of(entry),
        "crime_records": entry.entry_type in rules.crime_rules().crime_entry_types,
    }
    return render(request, "occurrences/entry.html", context, status=422 if case_form else 200)


@login_required
@require_GET
def evidence_bundle(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    entry = _entry_or_404(request, pk, Purpose.EVIDENCE)
    bundle = evidence.evidence_for(
        actor=request.user,
        record_type="occurrence",
        record_id=str(entry.pk),
        station=entry.station,
        channel="desk",
        restricted=not queries.in_circle(reader=request.user, entry=entry),
    )
    response = HttpResponse(bundle, content_type="application/zip")
    filename = evidence.bundle_filename(entry.ob_number, str(entry.pk))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def amend(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    entry = _entry_or_404(request, pk, Purpose.RECORD)
    if not can_amend_entry(
        scope_of(request.user), station_code=entry.station.code, recorded_it=recorded_it(request.user, entry)
    ):
        raise PermissionDenied(_("Only the desk, the OCS or the officer who recorded it corrects this entry."))
    if not queries.in_circle(reader=request.user, entry=entry):
        raise PermissionDenied(queries.RESTRICTED_MESSAGE)
    if entry.entry_type == "AMENDMENT":
        messages.error(request, _("Correct the original entry, not a correction."))
        return redirect("entry", pk=entry.refers_to_id or entry.pk)
    # The form shows the entry as it reads now: a read of personal data like any other.
    view = queries.view_entry(reader=request.user, entry=entry, purpose=Purpose.RECORD, channel="desk")
    current = view.as_corrected
    detail_initial = {k: current[k] for k in entry.spec.field_names if k in current}
    current_parts = _parts_as_they_read(view)
    status = 200
    errors: list[ErrorLink] = []
    if request.method == "POST":
        form = AmendForm(request.POST)
        details = details_form(entry.spec, request.POST)
        parts = PartsCorrectionForms(current_parts, request.POST)
        status = 422
        if form.is_valid() & details.is_valid() & parts.is_valid():
            try:
                recorded = amend_occurrence(
                    actor=request.user,
                    occurrence=entry,
                    reason=form.cleaned_data["reason"],
                    changes=form.changes(current, details),
                    client_id=form.cleaned_data["client_id"],
                    parts=parts.correction(confirm_unusual=form.cleaned_data["confirm_unusual"]),
                )
            except InvalidInput as error:
                for key, message in error.fields.items():
                    if parts.place_error(key, message):
                        continue
                    name = key.removeprefix("changes.")
                    if name in form.fields:
                        form.add_error(name, message)
                    elif name in details.fields:
                        details.add_error(name, message)
                    else:
                        form.add_error(None, message)
            except DuplicateWithDifferentContent:
                form.add_error(None, _("This correction was already recorded."))
            else:
                messages.success(
                    request,
                    _("Correction recorded as %(ob)s") % {"ob": recorded.entry.ob_number},
                )
                return redirect("entry", pk=entry.pk)
        errors = _amend_errors(form, details) + parts.error_links()
    else:
        parts = PartsCorrectionForms(current_parts)
        occurred = timezone.localtime(entry.occurred_at)
        if "occurred_at" in current:
            occurred = timezone.localtime(_parse_iso(current["occurred_at"]) or entry.occurred_at)
        form = AmendForm(
            initial={
                "client_id": uuid.uuid4(),
                "narrative": current.get("narrative", ""),
                "place": current.get("place", ""),
                "occurred_at": occurred.replace(tzinfo=None),
            }
        )
        details = details_form(entry.spec, initial=detail_initial)
    context = {"entry": entry, "form": form, "details": details, "parts": parts, "errors": errors}
    return render(request, "occurrences/amend.html", context, status=status)


def _parts_as_they_read(view: queries.EntryView) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """Each part of the entry as it reads now (those not entered in error), with its position, for the form."""
    kinds: dict[str, tuple[Any, ...]] = {
        "parties": view.parties_as_corrected or view.parties,
        "offences": view.offences_as_corrected or view.offences,
        "property_items": view.property_as_corrected or view.property_items,
        "vehicles": view.vehicles_as_corrected or view.vehicles,
    }
    fields = {
        "parties": ("role", "name", "id_number", "phone", "sex", "age"),
        "offences": ("section", "description"),
        "property_items": ("description", "serial_number", "quantity", "value_kes"),
        "vehicles": ("plate", "make_model", "colour"),
    }
    return {
        kind: [(i, {f: getattr(p, f) for f in fields[kind]}) for i, p in enumerate(found) if not p.in_error]
        for kind, found in kinds.items()
    }


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _amend_errors(form: AmendForm, details: Any) -> list[ErrorLink]:
    return error_links(form, anchor="#id_reason") + error_links(details, form_errors=False)


@login_required
@require_GET
def slip(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    entry = _entry_or_404(request, pk, Purpose.PRINT)
    view = queries.view_entry(reader=request.user, entry=entry, purpose=Purpose.PRINT, channel="desk")
    context = {
        "view": view,
        "book": evidence.position_of(str(entry.pk)),
        "station_phone": entry.station.phone,
        # A report from the public has a case whose status the complainant checks on the public page.
        "status_url": status_url() if entry.spec.public_facing else "",
    }
    return render(request, "occurrences/slip.html", context)


# --- Search ------------------------------------------------------------------------------


def _station_choices(scope: Scope) -> list[tuple[str, str]] | None:
    """Stations for the search filter; None when the scope sees every station (the officer types a code)."""
    if scope.is_national:
        return None
    candidates = Station.objects.filter(county_id=scope.county_code) if scope.county_code else Station.objects.none()
    return [
        (s.code, s.name) for s in candidates if can_see_station(scope, station_code=s.code, county_code=s.county_id)
    ]


@login_required
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    scope = scope_of(request.user)
    stations = _station_choices(scope)
    form = SearchForm(request.GET or None, stations=stations)
    page = None
    errors: list[ErrorLink] = []
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        query = SearchQuery.from_box(
            data["q"],
            entry_type=data["type"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            station_code=data["station"].strip(),
        )
        try:
            number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            number = 1
        if not query.is_empty:
            try:
                page = search_occurrences(scope=scope, query=query, page=number, per_page=settings.DAFTARI_PAGE_SIZE)
            except InvalidInput as error:
                names = {"ob_number": "q", "phone": "q", "id_number": "q", "type": "type", "to": "date_to"}
                for key, message in error.fields.items():
                    form.add_error(names.get(key), message)
            except NotPermitted as error:
                # An analyst's search by a name, phone or ID number: refused beside the box.
                form.add_error("q", error.message)
                status = error.status
    if form.is_bound:
        errors = error_links(form, anchor="#id_q")
    views = []
    if page is not None:
        views = queries.search_results(reader=request.user, found=page, channel="desk")
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": views,
        "errors": errors,
        "show_station_filter": stations is None or len(stations) > 1,
        "params": params.urlencode(),
    }
    return render(request, "occurrences/search.html", context, status=status)
