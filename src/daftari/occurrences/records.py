"""The full record of an entry as committed to in its ledger leaf (salted, so it stays private).

Built the same way when the entry is recorded and when ``daftari ledger verify`` re-reads it
from the database, so any change made behind the application's back shows as a wrong commit.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from daftari.occurrences.models import Occurrence, Offence, Party, PropertyItem, Vehicle

KIND_OCCURRENCE = "occurrence"
KIND_AMENDMENT = "amendment"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _coordinate(value: Any) -> str | None:
    # The draft holds a float, the database a Decimal: both become the same six-decimal text.
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.000001")))


def ledger_record(
    entry: Occurrence,
    parties: Sequence[Party],
    offences: Sequence[Offence],
    items: Sequence[PropertyItem],
    vehicles: Sequence[Vehicle],
) -> dict[str, Any]:
    return {
        "id": str(entry.pk),
        "station": entry.station.code,
        "ob": entry.ob_number,
        "entry_type": entry.entry_type,
        "occurred_at": _moment(entry.occurred_at),
        "recorded_at": _moment(entry.recorded_at),
        "recorded_by": entry.recorded_by.service_number,
        "place": entry.place,
        "lat": _coordinate(entry.lat),
        "lon": _coordinate(entry.lon),
        "narrative": entry.narrative,
        "details": entry.details,
        "refers_to": str(entry.refers_to_id) if entry.refers_to_id else None,
        "is_late": entry.is_late,
        "parties": [
            {
                "role": p.role,
                "name": p.name,
                "id_number": p.id_number,
                "phone": p.phone,
                "sex": p.sex,
                "date_of_birth": _day(p.date_of_birth),
                "age": p.age,
            }
            for p in parties
        ],
        "offences": [{"section": o.section, "description": o.description} for o in offences],
        "property_items": [
            {
                "description": i.description,
                "serial_number": i.serial_number,
                "quantity": i.quantity,
                "value_kes": i.value_kes,
            }
            for i in items
        ],
        "vehicles": [{"plate": v.plate, "make_model": v.make_model, "colour": v.colour} for v in vehicles],
        # Only an entry with a late reason carries the key, so entries committed before it still verify.
        **({"late_reason": entry.late_reason} if entry.late_reason else {}),
    }


def stored_record(record_id: str) -> dict[str, Any] | None:
    """The record as the database holds it now, or None when it is gone."""
    entry = (
        Occurrence.objects.select_related("station", "recorded_by")
        .prefetch_related("parties", "offences", "property_items", "vehicles")
        .filter(pk=record_id)
        .first()
    )
    if entry is None:
        return None
    return ledger_record(
        entry,
        list(entry.parties.all()),
        list(entry.offences.all()),
        list(entry.property_items.all()),
        list(entry.vehicles.all()),
    )
