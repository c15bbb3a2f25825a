"""Lawful erasure of a cell-register record's personal data (``daftari ledger redact``).

Every booking and every custody event is its own leaf (kind "custody"), so each is erased on its
own: ``--entry`` names a booking or an event, and an order about a person names the booking, each
of its events, the ARREST entry it came from and the book's lines of the booking and its events
(the CELLS entry, a release's entry). The ledger decides when and on what authority;
this module knows which columns identify the person. Field by field:

Booking (``CustodyRecord``) and its property inventory:
- detainee name -> "[redacted]"; ID number, phone -> blank; date of birth -> none: they identify.
- sex, age: kept. The Article 49 and juvenile figures (no juvenile in an adult cell) count them,
  and alone they point at nobody.
- physical condition, the health check's injuries and notes, the next of kin's name -> "[redacted]":
  free text about the person's body and family. The health check's yes/no answers (injuries seen,
  medication, mental-health concern, OCS told) stay: they are the Ogola-rules compliance figures.
- the reason a late booking or event was recorded late -> "[redacted]": free text that may say
  why about the person (in hospital, ...); the late flag itself stays, it decides the Art. 49 figure.
- the interpreter's language -> "[redacted]": it points at a nationality or people. Whether the
  person is an asylum seeker or refugee, and held only on an immigration matter, stay: they are the
  separation and DRS-notification figures.
- next of kin informed and when: kept, it is the Art. 49(1)(f) compliance figure.
- offences, arresting officer, arrest and book-in times, cell, court deadline, remand warning: kept;
  they are the register's statistics and the officers' accountability, not the person's identity.
- property descriptions -> "[redacted]" (a phone's make, an ID card, a wallet's contents identify);
  quantity and value stay for the station's accounts.
- content hash -> "[redacted]": a hash of the booking form can confirm a guessed ID number.
- the SMS alerts the OCS, commander and oversight got about this person name them: their text goes.

Event (``CustodyEvent``):
- every free-text detail (note, visitor and relationship, reason, item notes, a court case number,
  which leads to the court file's name) -> "[redacted]".
- the kind, times, cells, station moved to, release basis, bail amount and receipt number, court
  name and outcome, hospital and OCS-told flags, item positions and outcomes: kept. They are the
  figures the compliance page counts and the money the station must account for.

The state projection (``CustodyState``) holds no personal data and is left alone.
"""

from typing import Any

from daftari.custody.models import CustodyEvent, CustodyRecord, PropertyItem
from daftari.notifications.models import SmsMessage

MARKER = "[redacted]"
TABLES = ["custody_custodyrecord", "custody_propertyitem", "custody_custodyevent"]

# Event details that are statistics or accounts, not about the person; every other string goes.
KEPT_EVENT_DETAILS = frozenset({"to_cell", "to_station", "release_on", "receipt_number", "court", "outcome"})


def _text(value: str) -> str:
    return MARKER if value else ""


def _health(health: Any) -> dict[str, Any]:
    if not isinstance(health, dict):
        return {}
    return {key: _text(value) if isinstance(value, str) else value for key, value in health.items()}


def _event_details(details: Any) -> dict[str, Any]:
    if not isinstance(details, dict):
        return {}
    erased: dict[str, Any] = {}
    for key, value in details.items():
        if key == "items" and isinstance(value, list):
            erased[key] = [
                {**item, "note": _text(item.get("note") or "")} if isinstance(item, dict) else item for item in value
            ]
        elif isinstance(value, str) and key not in KEPT_EVENT_DETAILS:
            erased[key] = _text(value)
        else:
            erased[key] = value
    return erased


def _erase_booking(record: CustodyRecord) -> None:
    CustodyRecord.objects.filter(pk=record.pk).update(
        detainee_name=MARKER,
        detainee_id_number="",
        detainee_phone="",
        detainee_date_of_birth=None,
        physical_condition=_text(record.physical_condition),
        health=_health(record.health),
        next_of_kin_name=_text(record.next_of_kin_name),
        late_reason=_text(record.late_reason),
        interpreter_language=_text(record.interpreter_language),
        content_hash=MARKER,
    )
    PropertyItem.objects.filter(custody=record).update(description=MARKER)
    # The deadline, death, injury and DRS alerts all carry this prefix (custody/alerts.py).
    SmsMessage.objects.filter(event_key__startswith=f"custody:{record.pk}:").update(body=MARKER)


def erase(record_id: str) -> None:
    """Replaces the personal data of one booking (with its inventory and alerts) or of one event."""
    record = CustodyRecord.objects.filter(pk=record_id).first()
    if record is not None:
        _erase_booking(record)
        return
    event = CustodyEvent.objects.get(pk=record_id)
    CustodyEvent.objects.filter(pk=event.pk).update(
        details=_event_details(event.details), late_reason=_text(event.late_reason), content_hash=MARKER
    )
