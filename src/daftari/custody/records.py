"""The full record of a booking or custody event as committed to in its ledger leaf.

Built the same way when it is recorded and when ``daftari ledger verify`` re-reads it, so a change
made behind the application's back shows as a wrong commit. Only strings, ints, bools and null.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from daftari.custody.models import CustodyEvent, CustodyRecord, PropertyItem

KIND_CUSTODY = "custody"


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _late(record: CustodyRecord | CustodyEvent) -> dict[str, Any]:
    # Only a late record carries the keys, so the records committed before they existed still verify.
    return {"late": True, "late_reason": record.late_reason} if record.late else {}


def _protection(record: CustodyRecord) -> dict[str, Any]:
    # Only a booking that sets them carries the keys, so the bookings committed before they existed still verify.
    fields = {
        "asylum_seeker_or_refugee": record.asylum_seeker_or_refugee,
        "interpreter_language": record.interpreter_language,
        "immigration_only": record.immigration_only,
    }
    return {key: value for key, value in fields.items() if value}


def booking_record(record: CustodyRecord, items: Sequence[PropertyItem]) -> dict[str, Any]:
    return {
        "type": "book_in",
        "id": str(record.pk),
        "station": record.station.code,
        "arrest": str(record.arrest_id),
        "detainee": {
            "name": record.detainee_name,
            "id_number": record.detainee_id_number,
            "sex": record.detainee_sex,
            "age": record.detainee_age,
            "date_of_birth": _day(record.detainee_date_of_birth),
            "phone": record.detainee_phone,
        },
        "offences": record.offences,
        "arresting_officer": record.arresting_officer,
        "arrested_at": _moment(record.arrested_at),
        "booked_in_at": _moment(record.booked_in_at),
        "cell": record.cell,
        "court_deadline": _moment(record.court_deadline),
        "physical_condition": record.physical_condition,
        "health": record.health,
        "next_of_kin": {
            "informed": record.next_of_kin_informed,
            "name": record.next_of_kin_name,
            "informed_at": _moment(record.next_of_kin_informed_at),
        },
        "remand_warning": record.remand_warning,
        "recorded_by": record.recorded_by.service_number,
        "property": [
            {"position": i.position, "description": i.description, "quantity": i.quantity, "value_kes": i.value_kes}
            for i in items
        ],
        **_late(record),
        **_protection(record),
        # Only a booking with its OB line carries the key, so earlier bookings still verify.
        **({"cells_entry": str(record.cells_entry_id)} if record.cells_entry_id else {}),
    }


def event_record(event: CustodyEvent) -> dict[str, Any]:
    return {
        "type": event.kind,
        "id": str(event.pk),
        "custody": str(event.custody_id),
        "station": event.station.code,
        "at": _moment(event.at),
        "recorded_at": _moment(event.recorded_at),
        "recorded_by": event.recorded_by.service_number,
        "details": event.details,
        **_late(event),
        **({"entry": str(event.entry_id)} if event.entry_id else {}),
    }


def stored_record(record_id: str) -> dict[str, Any] | None:
    """The booking or event as the database holds it now, or None when it is gone."""
    record = CustodyRecord.objects.select_related("station", "recorded_by").filter(pk=record_id).first()
    if record is not None:
        return booking_record(record, list(record.property_items.all()))
    event = CustodyEvent.objects.select_related("station", "recorded_by").filter(pk=record_id).first()
    if event is not None:
        return event_record(event)
    return None
