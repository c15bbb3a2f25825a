"""The full record of an alert and of its withdrawal, as committed to in the hub's own log.

The same dictionaries travel down to station nodes (hubfeed), which rebuild the rows from them:
``alert_from_record`` is the inverse of ``alert_record``. Only strings, ints and null.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from daftari.alerts.models import Alert, AlertWithdrawal
from daftari.alerts.rules import name_key

KIND_ALERT = "alert"
KIND_WITHDRAWAL = "alert_withdrawal"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def alert_record(alert: Alert) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "kind": alert.kind,
        "name": alert.name,
        "id_number": alert.id_number,
        "phone": alert.phone,
        "plate": alert.plate,
        "description": alert.description,
        "issued_at": _moment(alert.issued_at),
        "issued_by": alert.issued_by,
        "issued_by_name": alert.issued_by_name,
        "station": alert.station_code,
        "station_name": alert.station_name,
    }


def withdrawal_record(withdrawal: AlertWithdrawal) -> dict[str, Any]:
    return {
        "id": str(withdrawal.pk),
        "alert": str(withdrawal.alert_id),
        "reason": withdrawal.reason,
        "withdrawn_at": _moment(withdrawal.withdrawn_at),
        "withdrawn_by": withdrawal.withdrawn_by,
        "withdrawn_by_name": withdrawal.withdrawn_by_name,
    }


def alert_from_record(record: dict[str, Any], *, hub_index: int | None) -> Alert:
    """The row an alert record describes (unsaved); the name key is derived as when it was issued."""
    return Alert(
        id=uuid.UUID(record["id"]),
        kind=record["kind"],
        name=record["name"],
        name_key=name_key(record["name"]),
        id_number=record["id_number"],
        phone=record["phone"],
        plate=record["plate"],
        description=record["description"],
        issued_at=datetime.fromisoformat(record["issued_at"]),
        issued_by=record["issued_by"],
        issued_by_name=record["issued_by_name"],
        station_code=record["station"],
        station_name=record["station_name"],
        hub_index=hub_index,
    )


def withdrawal_from_record(record: dict[str, Any], *, hub_index: int | None) -> AlertWithdrawal:
    return AlertWithdrawal(
        id=uuid.UUID(record["id"]),
        alert_id=uuid.UUID(record["alert"]),
        reason=record["reason"],
        withdrawn_at=datetime.fromisoformat(record["withdrawn_at"]),
        withdrawn_by=record["withdrawn_by"],
        withdrawn_by_name=record["withdrawn_by_name"],
        hub_index=hub_index,
    )


def stored_alert(record_id: str) -> dict[str, Any] | None:
    alert = Alert.objects.filter(pk=record_id).first()
    return alert_record(alert) if alert is not None else None


def stored_withdrawal(record_id: str) -> dict[str, Any] | None:
    withdrawal = AlertWithdrawal.objects.filter(pk=record_id).first()
    return withdrawal_record(withdrawal) if withdrawal is not None else None
