"""Reads of the Occurrence Book shared by the desk pages and the API.

Every read of an entry goes through the read model at the end of this module: it applies the
station scope, writes the access event and returns an ``EntryView`` with what the reader may not
see already left out. The desk pages and the API both render that view.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, TextChoices
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.alerts.rules import Sought
from daftari.core import prepared
from daftari.core.errors import NotFound
from daftari.occurrences import entry_types, other_books, rules, search
from daftari.occurrences.casework import investigators_at_station
from daftari.occurrences.models import (
    CaseStatus,
    CaseStatusChoice,
    Occurrence,
    OccurrenceQuerySet,
    Offence,
    Party,
    PropertyItem,
    Vehicle,
)
from daftari.occurrences.rules import Access
from daftari.stations.models import AccessEvent, Officer, Station, scope_of
from daftari.stations.rules import sees_personal_data, sees_restricted_entry
from daftari.stations.services import access_events, log_accesses, log_refused

Purpose = AccessEvent.Purpose
RECORD_TYPE = "occurrence"
RESTRICTED_MESSAGE = gettext_lazy(
    "This entry is restricted: only the OCS, the assigned investigator and the recording officer see it."
)
# A hint counts at most this many entries ("100 or more").
LOOKUP_LIMIT = 100


# The figures the book gives for an entry type the officer confirms (the day close): registered by
# the app that owns that entry type (see custody.apps), so the desk form shows them prefilled.
BookFigures = Callable[[Station], dict[str, int]]
_BOOK_FIGURES: dict[str, BookFigures] = {}


def register_book_figures(entry_type: str, figures: BookFigures) -> None:
    _BOOK_FIGURES[entry_type] = figures


def figures_from_book(entry_type: str, station: Station) -> dict[str, int]:
    """What the book gives now for each figure of ``entry_type`` (none for most types)."""
    figures = _BOOK_FIGURES.get(entry_type)
    return figures(station) if figures is not None else {}


def todays_book(*, station: Station, day: date) -> OccurrenceQuerySet:
    """The station's page of the book for one Nairobi day, in OB order."""
    return (
        Occurrence.objects.filter(station=station, ob_date=day)
        .select_related("station", "recorded_by__user", "refers_to__refers_to")
        .prefetch_related("parties", "offences", "property_items", "vehicles")
        .order_by("ob_seq")
    )


def corrections_of(entry: Occurrence) -> list[Occurrence]:
    return list(
        Occurrence.objects.filter(refers_to=entry, entry_type="AMENDMENT")
        .select_related("recorded_by__user")
        .prefetch_related("parties", "offences", "property_items", "vehicles")
        .order_by("recorded_at", "ob_seq")
    )


def corrected_parts(
    entry: Occurrence, corrections: list[Occurrence] | None = None
) -> dict[str, list[rules.CorrectedPart[Any]]]:
    """The entry's people, offences, property and vehicles as they read after every correction
    (the rows themselves: a corrected one is the correction's own row)."""
    if corrections is None:
        corrections = corrections_of(entry)
    return {
        kind: rules.parts_as_corrected(
            list(getattr(entry, kind).all()),
            [((c.details.get("parts") or {}).get(kind, []), list(getattr(c, kind).all())) for c in corrections],
        )
        for kind in rules.PART_KINDS
    }


def as_corrected(entry: Occurrence, corrections: list[Occurrence] | None = None) -> dict[str, Any]:
    """The entry's correctable fields as they read after every correction."""
    original: dict[str, Any] = {
        "narrative": entry.narrative,
        "place": entry.place,
        "occurred_at": entry.occurred_at.astimezone(rules.NAIROBI).isoformat(timespec="minutes"),
        **entry.details,
    }
    if corrections is None:
        corrections = corrections_of(entry)
    return rules.as_corrected(original, [c.details.get("changes", {}) for c in corrections])


def person_lookup(*, reader: User, station: Station, id_number: str = "", phone: str = "") -> int:
    """In how many entries of the station's book this ID number (or phone) appears; each one logged as a look-up.

    Only the station's own book: a desk hint is not a nationwide person search.
    """
    match = _person_match(id_number, phone)
    if not match:
        return 0
    found = list(
        Occurrence.objects.filter(
            station=station, id__in=Party.objects.filter(match).values("occurrence_id")
        ).values_list("pk", flat=True)[:LOOKUP_LIMIT]
    )
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(pk), station.pk, AccessEvent.Outcome.WITHHELD) for pk in found],
        purpose=Purpose.LOOKUP,
        channel="desk",
    )
    return len(found)


def entries_naming(reader: User, sought: Sought) -> int:
    """How many entries the reader may see name one of these ID numbers, phones or plates (an alert's
    "appears in N earlier entries"); each one found is logged as a look-up."""
    match = Q()
    if sought.id_numbers:
        match |= Q(parties__id_number__in=sought.id_numbers)
    if sought.phones:
        match |= Q(parties__phone__in=sought.phones)
    if sought.plates:
        match |= Q(vehicles__plate__in=sought.plates)
    if not match:
        return 0
    found = list(
        Occurrence.objects.visible_to(scope_of(reader))
        .filter(match)
        .values_list("pk", "station_id")
        .distinct()[:LOOKUP_LIMIT]
    )
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(pk), station_id, AccessEvent.Outcome.WITHHELD) for pk, station_id in found],
        purpose=Purpose.LOOKUP,
        channel="desk",
    )
    return len(found)


def _person_match(id_number: str, phone: str) -> Q:
    match = Q()
    id_number = rules.normalise_id_number(id_number)
    if id_number:
        match |= Q(id_number=id_number)
    normalised_phone = rules.normalise_phone(phone) if phone else None
    if normalised_phone:
        match |= Q(phone=normalised_phone)
    return match


# --- The read model ------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    role: str
    role_label: str
    name: str
    id_number: str
    id_number_unusual: bool
    phone: str
    sex: str
    sex_label: str
    age: int | None
    date_of_birth: date | None
    corrected: bool = False
    in_error: bool = False


@dataclass(frozen=True)
class OffenceView:
    section: str
    description: str
    corrected: bool = False
    in_error: bool = False


@dataclass(frozen=True)
class PropertyView:
    description: str | None
    serial_number: str | None
    quantity: int
    value_kes: int | None
    corrected: bool = False
    in_error: bool = False


@dataclass(frozen=True)
class VehicleView:
    plate: str | None
    plate_unusual: bool
    make_model: str
    colour: str
    corrected: bool = False
    in_error: bool = False


@dataclass(frozen=True)
class CorrectionView:
    id: uuid.UUID
    ob_number: str
    recorded_at: datetime
    recorded_by_name: str
    reason: str | None
    changes: dict[str, Any]


@dataclass(frozen=True)
class CorrectedMatch:
    """A value a search found in an entry that a later correction replaced: the desk is told so,
    never left to rely on it unawares. ``now`` None: struck out as entered in error."""

    label: str
    was: str
    now: str | None
    correction_id: uuid.UUID
    correction_ob_number: str
    corrected_at: datetime


@dataclass(frozen=True)
class EntryView:
    """One entry as one reader may see it. Fields the reader may not see are None or empty."""

    id: uuid.UUID
    ob_number: str
    station_code: str
    station_name: str
    entry_type: str
    type_name: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by: str  # service number
    recorded_by_name: str
    is_late: bool
    late_reason: str | None  # free text: withheld with the narrative
    refers_to: uuid.UUID | None
    refers_to_ob_number: str
    access: Access
    place: str | None
    lat: float | None
    lon: float | None
    narrative: str | None
    details: dict[str, Any]
    detail_rows: tuple[tuple[str, Any], ...]
    parties: tuple[PartyView, ...]
    offences: tuple[OffenceView, ...]
    property_items: tuple[PropertyView, ...]
    vehicles: tuple[VehicleView, ...]
    corrections: tuple[CorrectionView, ...]
    as_corrected: dict[str, Any]
    # The people, offences, property and vehicles as they read after the corrections (each flagged
    # corrected or entered in error); the fields above are the entry as recorded.
    parties_as_corrected: tuple[PartyView, ...] = ()
    offences_as_corrected: tuple[OffenceView, ...] = ()
    property_as_corrected: tuple[PropertyView, ...] = ()
    vehicles_as_corrected: tuple[VehicleView, ...] = ()
    # Only on a search result: the values sought that a later correction replaced.
    corrected_matches: tuple[CorrectedMatch, ...] = ()
    # At the hub: an entry of a station node's book, found in the hub's mirror of it (its page is
    # the mirror's, nodes.views.mirrored_entry: the book is kept at the node).
    mirrored: bool = False

    @property
    def personal(self) -> bool:
        return self.access == Access.FULL

    @property
    def restricted(self) -> bool:
        return self.access == Access.RESTRICTED

    @property
    def outcome(self) -> str:
        return AccessEvent.Outcome.SHOWN if self.personal else AccessEvent.Outcome.WITHHELD

    def reporting_person(self) -> PartyView | None:
        """Who reported it: the first complainant, else reporter, else victim (None when withheld or none)."""
        for role in ("complainant", "reporter", "victim"):
            for party in self.parties:
                if party.role == role:
                    return party
        return None


def _circle(reader: User, entries: Sequence[Occurrence]) -> set[uuid.UUID]:
    """The restricted entries among ``entries`` the reader is in the circle of.

    The circle of a restricted entry: its station's OCS, the investigator assigned to its case and the
    officer who recorded it (a correction or follow-up shares the circle of the entry it follows).
    """
    officer = getattr(reader, "officer", None)
    restricted = [e for e in entries if e.restricted]
    if officer is None or not restricted:
        return set()
    scope = scope_of(reader)
    inside: set[uuid.UUID] = set()
    undecided: dict[uuid.UUID, list[Occurrence]] = {}
    for entry in restricted:
        original = entry.original
        code = entry.station.code
        recorded_it = officer.pk in (entry.recorded_by_id, original.recorded_by_id)
        if sees_restricted_entry(scope, station_code=code, recorded_it=recorded_it, assigned_to_them=False):
            inside.add(entry.pk)
        elif sees_restricted_entry(scope, station_code=code, recorded_it=False, assigned_to_them=True):
            undecided.setdefault(original.pk, []).append(entry)  # in, if the case is assigned to them
    if undecided:
        assigned = CaseStatus.objects.filter(occurrence_id__in=undecided, investigator=officer).values_list(
            "occurrence_id", flat=True
        )
        for original_id in assigned:
            inside.update(e.pk for e in undecided[original_id])
    return inside


def in_circle(*, reader: User, entry: Occurrence) -> bool:
    """True unless the entry is restricted and the reader outside its circle."""
    return not entry.restricted or entry.pk in _circle(reader, [entry])


def _figures_only(values: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in hidden}


def _label(choices: type[TextChoices], value: str) -> str:
    """A stored choice's label, as ``get_FOO_display`` gives it (the value itself if it is none of them);
    without the hashing of every lazy label that costs on each party of each entry shown."""
    return str(choices(value).label) if value in choices.values else value


def _party_view(p: Party) -> PartyView:
    return PartyView(
        role=p.role,
        role_label=_label(Party.Role, p.role),
        name=p.name,
        id_number=p.id_number,
        id_number_unusual=p.id_number_unusual,
        phone=p.phone,
        sex=p.sex,
        sex_label=_label(Party.Sex, p.sex) if p.sex else "",
        age=p.age,
        date_of_birth=p.date_of_birth,
    )


def _offence_view(o: Offence) -> OffenceView:
    return OffenceView(o.section, o.description)


def _property_view(i: PropertyItem, *, full: bool) -> PropertyView:
    return PropertyView(
        description=i.description if full else None,
        serial_number=i.serial_number if full else None,
        quantity=i.quantity,
        value_kes=i.value_kes,
    )


def _vehicle_view(v: Vehicle, *, full: bool) -> VehicleView:
    return VehicleView(
        plate=v.plate if full else None, plate_unusual=v.plate_unusual, make_model=v.make_model, colour=v.colour
    )


V = TypeVar("V", PartyView, OffenceView, PropertyView, VehicleView)


def _flagged(parts: list[rules.CorrectedPart[Any]], view: Callable[[Any], V]) -> tuple[V, ...]:
    return tuple(replace(view(p.value), corrected=p.corrected, in_error=p.in_error) for p in parts)


def _view(entry: Occurrence, access: Access, corrections: list[Occurrence]) -> EntryView:
    full = access == Access.FULL
    facts = access != Access.RESTRICTED
    hidden = rules.free_text_fields(entry.spec)
    details: dict[str, Any] = entry.details if facts else {}
    rows = tuple((str(label), value) for label, value in entry.detail_rows()) if facts else ()
    corrected = as_corrected(entry, corrections)
    parts = corrected_parts(entry, corrections) if corrections else {}
    if not facts:
        corrected = {}
    elif not full:
        labels = {str(f.label) for f in entry.spec.fields if f.name in hidden}
        details = _figures_only(details, hidden)
        rows = tuple((label, value) for label, value in rows if label not in labels)
        corrected = _figures_only(corrected, hidden)
        if entry.entry_type == "AMENDMENT":
            # A correction's details repeat the corrected text itself.
            details, rows, corrected = {}, (), {}
    return EntryView(
        id=entry.pk,
        ob_number=entry.ob_number,
        station_code=entry.station.code,
        station_name=entry.station.name,
        entry_type=entry.entry_type,
        type_name=str(entry.spec.name),
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        recorded_by=entry.recorded_by.service_number,
        recorded_by_name=entry.recorded_by.display_name,
        is_late=entry.is_late,
        late_reason=entry.late_reason if full else None,
        refers_to=entry.refers_to_id,
        refers_to_ob_number=entry.refers_to.ob_number if entry.refers_to is not None else "",
        access=access,
        place=entry.place if full else None,
        lat=float(entry.lat) if full and entry.lat is not None else None,
        lon=float(entry.lon) if full and entry.lon is not None else None,
        narrative=entry.narrative if full else None,
        details=details,
        detail_rows=rows,
        parties=tuple(_party_view(p) for p in entry.parties.all()) if full else (),
        offences=tuple(_offence_view(o) for o in entry.offences.all()) if facts else (),
        property_items=tuple(_property_view(i, full=full) for i in entry.property_items.all()) if facts else (),
        vehicles=tuple(_vehicle_view(v, full=full) for v in entry.vehicles.all()) if facts else (),
        corrections=tuple(
            CorrectionView(
                id=c.pk,
                ob_number=c.ob_number,
                recorded_at=c.recorded_at,
                recorded_by_name=c.recorded_by.display_name,
                reason=c.details.get("reason", "") if full else None,
                changes=c.details.get("changes", {}) if full else _figures_only(c.details.get("changes", {}), hidden),
            )
            for c in corrections
        )
        if facts
        else (),
        as_corrected=corrected,
        parties_as_corrected=_flagged(parts["parties"], _party_view) if full and corrections else (),
        offences_as_corrected=_flagged(parts["offences"], _offence_view) if facts and corrections else (),
        property_as_corrected=_flagged(parts["property_items"], lambda i: _property_view(i, full=full))
        if facts and corrections
        else (),
        vehicles_as_corrected=_flagged(parts["vehicles"], lambda v: _vehicle_view(v, full=full))
        if facts and corrections
        else (),
        # Never a row of this database: built by the hub from the record a node sent (nodes.mirror).
        mirrored=entry._state.adding,
    )


def _access(reader: User, entries: Sequence[Occurrence]) -> dict[uuid.UUID, Access]:
    personal = sees_personal_data(scope_of(reader))
    circle = _circle(reader, entries)
    return {
        e.pk: rules.access_to_entry(sees_personal_data=personal, restricted=e.restricted, in_circle=e.pk in circle)
        for e in entries
    }


def view_entries(
    *,
    reader: User,
    entries: Sequence[Occurrence],
    purpose: AccessEvent.Purpose,
    channel: str,
    with_corrections: bool = True,
    log: bool = True,
) -> list[EntryView]:
    """Views of entries already found within the reader's scope, each read written to the access log.

    ``log=False`` is for a page that logs itself as one read (today's book): only the restricted
    entries withheld from the reader are then logged, one by one.
    """
    access = _access(reader, entries)
    views = [
        _view(
            entry,
            access[entry.pk],
            corrections_of(entry) if with_corrections and entry.entry_type != "AMENDMENT" else [],
        )
        for entry in entries
    ]
    reads = [
        (RECORD_TYPE, str(view.id), entry.station_id, view.outcome)
        for view, entry in zip(views, entries, strict=True)
        if log or view.restricted
    ]
    log_accesses(actor=reader, reads=reads, purpose=purpose, channel=channel)
    return views


def view_entry(
    *,
    reader: User,
    entry: Occurrence,
    purpose: AccessEvent.Purpose,
    channel: str,
    new: bool = False,
    logged: bool = False,
) -> EntryView:
    """One entry already found within the reader's scope; ``new``: recorded in this very request (no
    corrections); ``logged``: the read was logged with the recording (``log_recorder_read``)."""
    [view] = view_entries(
        reader=reader, entries=[entry], purpose=purpose, channel=channel, with_corrections=not new, log=not logged
    )
    return view


def log_recorder_read(*, recorder: User, entry_id: uuid.UUID, station_id: int, restricted: bool, channel: str) -> None:
    """The recording officer's read of the entry they are recording, for a caller that shows it back
    to them: logged in the recording transaction, so an entry is never stored without it."""
    read = recorder_read(
        recorder=recorder, entry_id=entry_id, station_id=station_id, restricted=restricted, channel=channel
    )
    prepared.insert(read)


def recorder_read(
    *, recorder: User, entry_id: uuid.UUID, station_id: int, restricted: bool, channel: str
) -> AccessEvent:
    """The access event of ``log_recorder_read``, not yet stored (the recording stores it with its own rows).

    The recorder is in the circle of their own entry, so only their role decides what they see.
    """
    access = rules.access_to_entry(
        sees_personal_data=sees_personal_data(scope_of(recorder)), restricted=restricted, in_circle=True
    )
    outcome = AccessEvent.Outcome.SHOWN if access == Access.FULL else AccessEvent.Outcome.WITHHELD
    [event] = access_events(
        actor=recorder,
        reads=[(RECORD_TYPE, str(entry_id), station_id, outcome)],
        purpose=AccessEvent.Purpose.RECORD,
        channel=channel,
    )
    return event


ENTRY_RELATED = ("station", "recorded_by__user", "refers_to__refers_to", "refers_to__station")


def visible_entry(*, reader: User, entry_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str) -> Occurrence:
    """The entry if the reader's scope reaches it; otherwise the refusal is logged (denied) and NotFound raised.

    For the actions on an entry (correct it, issue a document, book into cells); a read of it is ``entry_for``.
    """
    try:
        key = uuid.UUID(str(entry_id))
    except ValueError:
        raise NotFound() from None
    entry = Occurrence.objects.visible_to(scope_of(reader)).select_related(*ENTRY_RELATED).filter(pk=key).first()
    if entry is None:
        log_refused(
            actor=reader, record_type=RECORD_TYPE, model=Occurrence, record_id=key, purpose=purpose, channel=channel
        )
        raise NotFound()
    return entry


def entry_for(*, reader: User, entry_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str) -> EntryView:
    """The one read of an entry: scoped (404 and a denied event outside the scope), logged, withheld as due."""
    entry = visible_entry(reader=reader, entry_id=entry_id, purpose=purpose, channel=channel)
    return view_entry(reader=reader, entry=entry, purpose=purpose, channel=channel)


def evidence_entry(*, reader: User, entry_id: uuid.UUID, channel: str = "desk") -> EntryView:
    """An entry read in full, whatever its station and its restriction, as the evidence of a finding
    about an officer it names, for a reader another app has already allowed to judge that officer (a
    vetting for a deployment abroad: deployments.queries.vetting_evidence checks that the entry is one
    of the candidate's findings). Never for a search or a list; the read is logged as evidence.

    At the hub, an entry recorded at a station node is read from its mirrored book, as corrected there."""
    entry = Occurrence.objects.select_related(*ENTRY_RELATED).filter(pk=entry_id).first()
    if entry is not None:
        corrections = corrections_of(entry)
    elif (elsewhere := other_books.entry(entry_id)) is not None:
        entry, corrections = elsewhere
    else:
        raise NotFound()
    view = _view(entry, Access.FULL, corrections)
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(entry.pk), entry.station_id, AccessEvent.Outcome.SHOWN)],
        purpose=AccessEvent.Purpose.EVIDENCE,
        channel=channel,
    )
    return view


def book_page(*, reader: User, station: Station, day: date, entries: list[Occurrence]) -> list[EntryView]:
    """The station's book of one day (``todays_book``) as the reader may see it; the page is one read in the log.

    Restricted entries withheld from the reader are logged one by one as well.
    """
    views = view_entries(
        reader=reader, entries=entries, purpose=Purpose.LIST, channel="desk", with_corrections=False, log=False
    )
    if entries:
        outcome = AccessEvent.Outcome.SHOWN if any(v.personal for v in views) else AccessEvent.Outcome.WITHHELD
        log_accesses(
            actor=reader,
            reads=[("ob_page", f"{station.code}/{day.isoformat()}", station.pk, outcome)],
            purpose=Purpose.LIST,
            channel="desk",
        )
    return views


# --- Casework lists: an investigator's cases, a station's cases --------------------------------
#
# These lists show OB numbers, kinds of entry and case status: no personal data. A list that shows
# what an entry says reads it through ``view_entries`` (logged).

PUBLIC_FACING_TYPES = tuple(spec.code for spec in entry_types.ENTRY_TYPES if spec.public_facing)


def overdue_cases(now: datetime) -> Q:
    """Cases (``CaseStatus`` rows) past their review date under ``rules.CASE_REVIEW_DAYS``."""
    overdue = Q(pk__in=[])
    for status, days in rules.CASE_REVIEW_DAYS.items():
        overdue |= Q(status=status, updated_at__lt=now - timedelta(days=days))
    return overdue


@dataclass(frozen=True)
class CaseLine:
    entry_id: uuid.UUID
    ob_number: str
    type_name: str
    status: str
    status_label: str
    investigator_name: str
    updated_at: datetime
    review_due: datetime | None
    overdue: bool


def _overdue_first(case: CaseLine) -> tuple[bool, float]:
    """What is overdue first, the longest overdue at the top; then the most recently updated."""
    if case.overdue and case.review_due is not None:
        return (False, case.review_due.timestamp())
    return (True, -case.updated_at.timestamp())


def _case_lines(cases: QuerySet[CaseStatus], now: datetime) -> list[CaseLine]:
    lines = [
        CaseLine(
            entry_id=case.occurrence_id,
            ob_number=case.occurrence.ob_number,
            type_name=str(case.occurrence.spec.name),
            status=case.status,
            status_label=str(case.get_status_display()),
            investigator_name=case.investigator.display_name if case.investigator is not None else "",
            updated_at=case.updated_at,
            review_due=rules.case_review_due(case.status, case.updated_at),
            overdue=rules.case_is_overdue(case.status, case.updated_at, now),
        )
        for case in cases.select_related("occurrence__station", "investigator__user")
    ]
    lines.sort(
        key=lambda c: (
            not c.overdue,
            c.review_due.timestamp() if c.overdue and c.review_due else -c.updated_at.timestamp(),
        )
    )
    return lines


def cases_of(investigator: Officer, *, now: datetime) -> list[CaseLine]:
    """The cases an investigator follows, what is overdue first."""
    return _case_lines(CaseStatus.objects.filter(investigator=investigator), now)


def station_cases(
    station: Station, *, now: datetime, status: str = "", investigator: Officer | None = None, overdue: bool = False
) -> list[CaseLine]:
    """The station's cases, narrowed by status, investigator and whether they are overdue."""
    cases = CaseStatus.objects.filter(occurrence__station=station)
    # No status asked: the open cases (a closed one needs nothing more).
    cases = cases.filter(status=status) if status else cases.exclude(status=CaseStatusChoice.CLOSED)
    if investigator is not None:
        cases = cases.filter(investigator=investigator)
    if overdue:
        cases = cases.filter(overdue_cases(now))
    return _case_lines(cases, now)


def unassigned_complaints(station: Station) -> OccurrenceQuerySet:
    """Reports from the public with no investigator yet, the oldest first."""
    return (
        Occurrence.objects.filter(station=station, entry_type__in=PUBLIC_FACING_TYPES, case_status__isnull=True)
        .select_related(*ENTRY_RELATED)
        .prefetch_related("parties", "offences", "property_items", "vehicles")
        .order_by("recorded_at", "ob_seq")
    )


def cases_by_status(station: Station) -> list[tuple[str, str, int]]:
    """(status, label, number of cases) for every status, in the order a case moves through them."""
    counted = dict(
        CaseStatus.objects.filter(occurrence__station=station)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, str(label), counted.get(value, 0)) for value, label in CaseStatusChoice.choices]


@dataclass(frozen=True)
class Workload:
    investigator: Officer
    open_cases: int
    overdue: int


def investigators_workload(station: Station, *, now: datetime) -> list[Workload]:
    """Each active investigator of the station with their open and overdue cases, the busiest first."""
    investigators = investigators_at_station(station)
    open_cases = CaseStatus.objects.filter(occurrence__station=station).exclude(status=CaseStatusChoice.CLOSED)
    counts = dict(open_cases.values("investigator").annotate(n=Count("pk")).values_list("investigator", "n"))
    late = dict(
        open_cases.filter(overdue_cases(now))
        .values("investigator")
        .annotate(n=Count("pk"))
        .values_list("investigator", "n")
    )
    rows = [Workload(o, counts.get(o.pk, 0), late.get(o.pk, 0)) for o in investigators]
    rows.sort(key=lambda w: (-w.overdue, -w.open_cases, w.investigator.service_number))
    return rows


def crime_category_of(entry: Occurrence, corrections: list[Occurrence] | None = None) -> rules.CrimeCategory | None:
    """The statistical category of an entry as it reads after every correction (issue 12).

    A correction of its offences, or of the police officer suspected, re-derives the category of the
    entry it corrects: the entry moves to the new category and is still counted once; the correction
    itself is never counted. Reads only offence sections and whether a police officer is suspected,
    and shows nothing personal, so no access is logged.
    """
    if entry.entry_type not in rules.crime_rules().crime_entry_types:
        return None
    if corrections is None:
        corrections = corrections_of(entry)
    offences = corrected_parts(entry, corrections)["offences"]
    sections = [part.value.section for part in offences if not part.in_error]
    suspected = rules.suspected_officer_of(as_corrected(entry, corrections))
    return rules.derive_crime_category(entry.entry_type, sections, suspected_officer=suspected)


# --- Search results --------------------------------------------------------------------------


def search_results(
    *, reader: User, found: "search.SearchPage", channel: str, with_corrections: bool = False
) -> list[EntryView]:
    """The entries a search found, each read logged; each one the reader sees in full says which of
    the values sought a later correction replaced, with that correction and the value now."""
    views = view_entries(
        reader=reader,
        entries=found.entries,
        purpose=Purpose.SEARCH,
        channel=channel,
        with_corrections=with_corrections,
    )
    notes = _corrected_matches(found.entries, search.criteria(found.query))
    return [replace(v, corrected_matches=notes.get(v.id, ())) if v.personal else v for v in views]


_PART_LABELS = {
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("Phone number"),
    "name": gettext_lazy("Name"),
    "plate": gettext_lazy("Number plate"),
}


def _shown(value: Any) -> str:
    return Truncator(str(value)).chars(100)


def _corrected_matches(
    entries: Sequence[Occurrence], sought: list["search.Criterion"]
) -> dict[uuid.UUID, tuple[CorrectedMatch, ...]]:
    if not sought or not entries:
        return {}
    # A correction found by its own values stands for the entry it corrects.
    root_ids = {e.refers_to_id if e.entry_type == "AMENDMENT" else e.pk for e in entries}
    chains: dict[uuid.UUID, list[Occurrence]] = {}
    for c in (
        Occurrence.objects.filter(refers_to_id__in=root_ids, entry_type="AMENDMENT")
        .select_related("station")
        .prefetch_related("parties", "vehicles")
        .order_by("recorded_at", "ob_seq")
    ):
        chains.setdefault(c.refers_to_id, []).append(c)  # type: ignore[arg-type]
    if not chains:
        return {}
    roots = {r.pk: r for r in Occurrence.objects.filter(pk__in=chains).prefetch_related("parties", "vehicles")}
    notes: dict[uuid.UUID, tuple[CorrectedMatch, ...]] = {}
    for entry in entries:
        root_id = entry.refers_to_id if entry.entry_type == "AMENDMENT" else entry.pk
        corrections = chains.get(root_id)  # type: ignore[arg-type]
        if not corrections:
            continue
        found = _replaced_values(roots[root_id], corrections, sought)  # type: ignore[index]
        if entry.entry_type == "AMENDMENT":
            # A correction's hit is told only of the values it wrote itself.
            order = next(n for n, c in enumerate(corrections) if c.pk == entry.pk)
            found = [(match, by) for match, by in found if by == order]
        if found:
            notes[entry.pk] = tuple(match for match, _by in found)
    return notes


def _replaced_values(
    root: Occurrence, corrections: list[Occurrence], sought: list["search.Criterion"]
) -> list[tuple[CorrectedMatch, int | None]]:
    """Each value sought that a correction replaced, with the order of the correction that wrote it (None: recorded)."""
    found: list[tuple[CorrectedMatch, int | None]] = []
    seen: set[tuple[str, str, str]] = set()

    def note(label: str, was: Any, now: Any, replaced_by: int, written_by: int | None) -> None:
        if (label, str(was), str(now)) in seen:
            return
        seen.add((label, str(was), str(now)))
        correction = corrections[replaced_by]
        found.append(
            (
                CorrectedMatch(
                    label=label,
                    was=_shown(was),
                    now=None if now is None else _shown(now),
                    correction_id=correction.pk,
                    correction_ob_number=correction.ob_number,
                    corrected_at=correction.recorded_at,
                ),
                written_by,
            )
        )

    labels = {"narrative": _("What happened"), "place": _("Place")}
    labels.update({f.name: str(f.label) for f in root.spec.fields})
    fields = rules.field_histories(
        {"narrative": root.narrative, "place": root.place, **root.details},
        [c.details.get("changes", {}) for c in corrections],
    )
    for criterion in sought:
        if criterion.kind == "fields":
            for name, history in fields.items():
                hit = rules.superseded(history, criterion.found)
                if hit is not None and name in labels:
                    was, by, now = hit
                    note(labels[name], was.value, now.value, by.by, was.by)  # type: ignore[arg-type]
            continue
        kind, attribute = criterion.kind, criterion.attribute
        histories = rules.part_histories(
            list(getattr(root, kind).all()),
            [((c.details.get("parts") or {}).get(kind, []), list(getattr(c, kind).all())) for c in corrections],
        )
        for history in histories:
            hit = rules.superseded(history, lambda part: criterion.found(getattr(part, attribute)))  # noqa: B023
            if hit is not None:
                was, by, now = hit
                now_value = None if now.value is None else getattr(now.value, attribute)
                note(str(_PART_LABELS[attribute]), getattr(was.value, attribute), now_value, by.by, was.by)  # type: ignore[arg-type]
    return found
