"""The follow-up of a public-facing entry: who investigates it, where it stands, and the SMS that
tell the complainant.

Each assignment or change of status is an append-only ``CaseUpdate`` and a ledger leaf (kind
"case_update") written in one transaction with the ``CaseStatus`` projection. The complainant's SMS
are stored with an event key, so a retried call never sends a second message.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core import append_only, prepared
from daftari.core.errors import InvalidInput, NotFound, NotPermitted
from daftari.core.phones import normalise_phone
from daftari.ledger import services as ledger
from daftari.notifications.erasure import erase_sms
from daftari.notifications.services import (
    NewEventSms,
    language_for,
    language_in,
    remembered_language_query,
    send_sms,
    sms_for_new_event,
)
from daftari.occurrences import entry_types
from daftari.occurrences.models import CaseStatus, CaseStatusChoice, CaseUpdate, Occurrence, Party
from daftari.occurrences.rules import EntryDraft
from daftari.stations.models import Officer, Station, scope_of
from daftari.stations.queries import officers_who
from daftari.stations.rules import can_assign_investigator, can_be_assigned_cases, can_update_case

KIND_CASE_UPDATE = "case_update"
APPEND_ONLY_TABLES = ["occurrences_caseupdate"]
Status = CaseStatusChoice

# Whose phone the case's SMS go to, and whose last four digits open its status page: the first
# of these parties with a phone.
CONTACT_ROLES = (Party.Role.COMPLAINANT, Party.Role.REPORTER, Party.Role.VICTIM)
PUBLIC_FACING_ONLY = gettext_lazy("Only complaints and other reports from the public have a case to follow.")


# --- Cases kept in books mirrored from station nodes ----------------------------------------


@dataclass(frozen=True)
class CaseElsewhere:
    """A public-facing entry recorded at a station node, as the hub's public status page needs it."""

    ob_number: str
    station_name: str
    contact_phone: str  # E.164, or "" when the reporting person gave none
    status: str | None  # a CaseStatusChoice value; None while no case update has reached the hub
    updated_at: datetime


FindCase = Callable[[Station, int, date], CaseElsewhere | None]
_ELSEWHERE: list[FindCase] = []


def also_find_cases(source: FindCase) -> None:
    """Registers where else a case may be kept (the nodes app: the books mirrored at the hub)."""
    if source not in _ELSEWHERE:
        _ELSEWHERE.append(source)


def case_elsewhere(station: Station, seq: int, ob_date: date) -> CaseElsewhere | None:
    """The public-facing entry with this OB number in a book kept elsewhere, or None."""
    for source in _ELSEWHERE:
        found = source(station, seq, ob_date)
        if found is not None:
            return found
    return None


def contact_phone_of(parties: list[tuple[str, str]]) -> str:
    """``contact_phone`` over (role, phone) pairs, for a record kept elsewhere."""
    for role in CONTACT_ROLES:
        for party_role, phone in parties:
            if party_role == role and phone:
                return phone
    return ""


def status_url() -> str:
    return settings.DAFTARI_PUBLIC_BASE_URL.rstrip("/") + "/public/status"


def contact_phone(entry: Occurrence) -> str:
    """The phone given at reporting (E.164), or "" when the reporting person gave none."""
    parties = [p for p in entry.parties.all() if p.phone]
    for role in CONTACT_ROLES:
        for party in parties:
            if party.role == role:
                return party.phone
    return ""


# --- Who may ------------------------------------------------------------------------------


def _officer(actor: User) -> Officer:
    officer = getattr(actor, "officer", None)
    if officer is None or not actor.is_active:
        raise NotPermitted()
    return officer


def is_investigator_at(officer: Officer, occurrence: Occurrence) -> bool:
    return can_be_assigned_cases(officer.scope(), station_code=occurrence.station.code)


def can_assign(actor: User, occurrence: Occurrence) -> bool:
    return occurrence.spec.public_facing and can_assign_investigator(
        scope_of(actor), station_code=occurrence.station.code
    )


def can_update(actor: User, occurrence: Occurrence, current: CaseStatus | None) -> bool:
    """The OCS of the station, or the investigator the case is assigned to."""
    officer = getattr(actor, "officer", None)
    if officer is None or not occurrence.spec.public_facing:
        return False
    assigned = current is not None and current.investigator_id == officer.pk
    return can_update_case(scope_of(actor), station_code=occurrence.station.code, assigned_to_them=assigned)


def investigators_at_station(station: Station) -> list[Officer]:
    """The station's active officers a case may be assigned to (``can_be_assigned_cases``): its investigators."""
    assignable = officers_who(lambda scope: can_be_assigned_cases(scope, station_code=station.code), station=station)
    return list(assignable.select_related("user"))


def investigators_at(occurrence: Occurrence) -> list[Officer]:
    return investigators_at_station(occurrence.station)


# --- The ledger record ----------------------------------------------------------------------


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def update_record(update: CaseUpdate) -> dict[str, Any]:
    """The update as committed to in its leaf; rebuilt the same way when the ledger is verified."""
    return {
        "type": "case_update",
        "id": str(update.pk),
        "occurrence": str(update.occurrence_id),
        "status": update.status,
        "investigator": update.investigator.service_number if update.investigator is not None else None,
        "note": update.note,
        "reason": update.reason,
        "recorded_by": update.recorded_by.service_number,
        "recorded_at": _moment(update.recorded_at),
    }


def stored_record(record_id: str) -> dict[str, Any] | None:
    update = CaseUpdate.objects.select_related("investigator", "recorded_by").filter(pk=record_id).first()
    return update_record(update) if update is not None else None


# --- Services -------------------------------------------------------------------------------


def _record(
    *,
    occurrence: Occurrence,
    status: str,
    by: Officer,
    investigator: Officer | None,
    note: str,
    reason: str,
) -> CaseUpdate:
    now = timezone.now()
    with transaction.atomic():
        # Two updates of one case queue on the projection's row; a closed case takes no more.
        current = CaseStatus.objects.select_for_update().filter(occurrence=occurrence).first()
        if current is not None and current.status == Status.CLOSED:
            raise InvalidInput(fields={"status": _("This case is closed.")})
        if investigator is None and current is not None:
            investigator = current.investigator
        update = CaseUpdate.objects.create(
            id=uuid.uuid4(),
            occurrence=occurrence,
            status=status,
            investigator=investigator,
            note=note,
            reason=reason,
            recorded_by=by,
            recorded_at=now,
        )
        CaseStatus.objects.update_or_create(
            occurrence=occurrence, defaults={"status": status, "investigator": investigator, "updated_at": now}
        )
        entry_leaf = ledger.leaf_for(str(occurrence.pk))
        ledger.append(
            station=occurrence.station,
            kind=KIND_CASE_UPDATE,
            record_id=str(update.pk),
            record=update_record(update),
            by=by.service_number,
            ob=occurrence.ob_number,
            prev=entry_leaf.index if entry_leaf is not None else None,
            at=now,
        )
        notify_complainant_status(update)
    return update


def assign_investigator(*, actor: User, occurrence: Occurrence, investigator: Officer, note: str = "") -> CaseUpdate:
    """The OCS gives the case to an investigator of the station (again, to reassign it)."""
    officer = _officer(actor)
    if not occurrence.spec.public_facing:
        raise InvalidInput(fields={"occurrence": str(PUBLIC_FACING_ONLY)})
    if not can_assign(actor, occurrence):
        if officer.station_id != occurrence.station_id:
            raise NotFound()
        raise NotPermitted(_("Only the OCS of the station assigns an investigator."))
    if not is_investigator_at(investigator, occurrence) or not investigator.user.is_active:
        raise InvalidInput(fields={"investigator": _("Choose an investigator of this station.")})
    return _record(
        occurrence=occurrence,
        status=Status.ASSIGNED,
        by=officer,
        investigator=investigator,
        note=note.strip(),
        reason="",
    )


def update_case_status(
    *, actor: User, occurrence: Occurrence, status: str, note: str = "", reason: str | None = None
) -> CaseUpdate:
    """The assigned investigator or the OCS records where the case stands; closing needs a reason."""
    officer = _officer(actor)
    if not occurrence.spec.public_facing:
        raise InvalidInput(fields={"occurrence": str(PUBLIC_FACING_ONLY)})
    current = CaseStatus.objects.filter(occurrence=occurrence).first()
    if not can_update(actor, occurrence, current):
        if officer.station_id != occurrence.station_id:
            raise NotFound()
        raise NotPermitted(_("Only the assigned investigator or the OCS updates this case."))
    if status not in Status.values or status == Status.ASSIGNED:
        raise InvalidInput(fields={"status": _("Choose the case's new status.")})
    reason = (reason or "").strip()
    if status == Status.CLOSED and not reason:
        raise InvalidInput(fields={"reason": _("Enter the reason the case is closed")})
    return _record(
        occurrence=occurrence, status=status, by=officer, investigator=None, note=note.strip(), reason=reason
    )


def history(occurrence: Occurrence) -> list[CaseUpdate]:
    return list(
        CaseUpdate.objects.filter(occurrence=occurrence)
        .select_related("investigator__user", "recorded_by__user")
        .order_by("recorded_at")
    )


def ensure_guards(connection: BaseDatabaseWrapper) -> None:
    """The case's updates are append-only like the book; (re)installed after every migrate."""
    append_only.install(connection, APPEND_ONLY_TABLES)


# --- Lawful erasure (``daftari ledger redact``) ---------------------------------------------

ERASED = "[redacted]"


def erase_update(record_id: str) -> None:
    """Replaces an update's free text: the note and the closing reason may name anyone.

    The status, the investigator, who recorded it and when stay: they are the case's follow-up
    figures and the officers' accountability, not anyone's identity. The status SMS this update
    sent loses the complainant's number and its text; the complainant's phone on the entry, and
    the entry's own SMS, go with the entry's erasure.
    """
    update = CaseUpdate.objects.get(pk=record_id)
    CaseUpdate.objects.filter(pk=update.pk).update(
        note=ERASED if update.note else "", reason=ERASED if update.reason else ""
    )
    erase_sms(Q(event_key=f"case_status:{update.pk}"))


# --- SMS to the complainant -----------------------------------------------------------------


def complainant_sms_language(draft: EntryDraft, *, remembered: tuple[object, ...] | None = None) -> str | None:
    """The language of the SMS a new public-facing entry will send, settled in the recording
    transaction before the day's OB number is taken (so not while the station's counter is locked):
    the one the complainant chose at the desk, remembered now for every later SMS, else the one
    remembered. None when the reporting person gave no phone (no SMS).

    ``remembered``: the row ``complainant_language_query`` found, when the recording sent it."""
    e164 = _complainant_phone(draft)
    if e164 is None:
        return None
    if draft.sms_language:
        return language_for(phone=e164, language=draft.sms_language)
    return language_in(remembered)


def complainant_language_query(draft: EntryDraft) -> prepared.Query | None:
    """What ``complainant_sms_language`` needs read (the remembered language), for the recording to
    send with its other reads; None when it needs nothing read (no phone, or a language chosen now)."""
    e164 = _complainant_phone(draft)
    if e164 is None or draft.sms_language:
        return None
    return remembered_language_query(phone=e164)


def _complainant_phone(draft: EntryDraft) -> str | None:
    phone = contact_phone_of([(p.role, p.phone) for p in draft.parties])
    if not phone:
        return None
    e164 = normalise_phone(phone)
    if e164 is None:
        raise InvalidInput(fields={"to": _("Enter a valid phone number.")})
    return e164


def complainant_recorded_sms(
    draft: EntryDraft, *, entry_id: uuid.UUID, station: Station, language: str
) -> NewEventSms | None:
    """The SMS that gives the complainant the OB number of a public-facing entry being recorded.

    Made before the number is taken, in the language settled for it (``complainant_sms_language``):
    the recording ``send``s it with the number, in the same transaction. None when the entry type
    sends none or nobody reporting gave a phone.
    """
    if not entry_types.BY_CODE[draft.entry_type].public_facing:
        return None
    phone = _complainant_phone(draft)
    if phone is None:
        return None
    return sms_for_new_event(
        to=phone,
        template="complaint_recorded",
        context={"station": station.name, "status_url": status_url()},
        awaiting="ob_number",
        language=language,
        event_key=f"complaint_recorded:{entry_id}",
    )


def notify_complainant_status(update: CaseUpdate) -> None:
    entry = update.occurrence
    phone = contact_phone(entry)
    if not phone:
        return
    send_sms(
        to=phone,
        template="case_status",
        # The label is lazy: render_sms translates it into the recipient's language.
        context={
            "ob_number": entry.ob_number,
            "station": entry.station.name,
            "status": Status(update.status).label,
            "status_url": status_url(),
        },
        event_key=f"case_status:{update.pk}",
    )
