"""The full record of a notice or notice event as committed to in its ledger leaf.

Built the same way when it is recorded and when ``daftari ledger verify`` re-reads it, so a change
made behind the application's back shows as a wrong commit. Only strings, ints, bools and null.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from daftari.fines.models import FineNotice, NoticeEvent, NoticeOffence, NoticePhoto

KIND_NOTICE = "notice"
KIND_PAYMENT = "payment"
PAYMENT_KINDS = frozenset({"paid", "partially_paid", "overpaid"})


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _coordinate(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def notice_record(
    notice: FineNotice, lines: Sequence[NoticeOffence], photo_sha256: str | None = None
) -> dict[str, Any]:
    record = {
        "type": "notice",
        "id": str(notice.pk),
        "number": notice.number,
        "station": notice.station.code,
        "officer": notice.officer.service_number,
        "catalogue_version": notice.catalogue.version,
        "plate": notice.plate,
        "plate_unusual": notice.plate_unusual,
        "driver": {
            "name": notice.driver_name,
            "id_number": notice.driver_id_number,
            "licence": notice.driver_licence,
            "phone": notice.driver_phone,
        },
        "place": notice.place,
        "lat": _coordinate(notice.lat),
        "lon": _coordinate(notice.lon),
        "issued_at": _moment(notice.issued_at),
        "recorded_at": _moment(notice.recorded_at),
        "due_at": _moment(notice.due_at),
        "total_kes": notice.total_kes,
        "warning_only": notice.warning_only,
        "offences": [
            {
                "position": line.position,
                "code": line.code,
                "offence": line.offence,
                "fine_kes": line.fine_kes,
                "measured_speed": line.measured_speed,
                "speed_limit": line.speed_limit,
            }
            for line in lines
        ],
    }
    # Only a notice with a photo has the key, so the records of older notices keep their exact form.
    if photo_sha256:
        record["photo_sha256"] = photo_sha256
    return record


def photo_sha256_of(notice: FineNotice) -> str | None:
    return NoticePhoto.objects.filter(notice=notice).order_by("taken_at", "pk").values_list("sha256", flat=True).first()


def event_record(event: NoticeEvent) -> dict[str, Any]:
    return {
        "type": event.kind,
        "id": str(event.pk),
        "notice": event.notice.number,
        "at": _moment(event.at),
        "recorded_by": event.recorded_by.service_number if event.recorded_by is not None else None,
        "amount_kes": event.amount_kes,
        "payment": str(event.payment_id) if event.payment_id is not None else None,
        "mpesa_receipt": event.mpesa_receipt,
        "late": event.late,
        "details": event.details,
    }


def stored_record(record_id: str) -> dict[str, Any] | None:
    """The notice or event as the database holds it now, or None when it is gone."""
    notice = FineNotice.objects.select_related("station", "officer", "catalogue").filter(pk=record_id).first()
    if notice is not None:
        return notice_record(notice, list(notice.lines.all()), photo_sha256_of(notice))
    event = NoticeEvent.objects.select_related("notice", "recorded_by").filter(pk=record_id).first()
    if event is not None:
        return event_record(event)
    return None
