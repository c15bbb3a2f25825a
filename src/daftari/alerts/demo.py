"""Demo alerts (``daftari demo``): a wanted person whose ID number the desk can type, and a stolen car."""

import uuid
from datetime import datetime
from typing import Any

from daftari.alerts.rules import AlertDraft, AlertKind
from daftari.alerts.services import issue_alert, kept_here

NAMESPACE = uuid.UUID("6f1d8f1e-55a2-4b8e-9a57-3d1f0c2a7b11")

DEMO_ALERTS = {
    "wanted-otieno": AlertDraft(
        kind=AlertKind.WANTED,
        name="Otieno Juma Baraka",
        id_number="29876543",
        phone="0722000999",
        description="Wanted for the armed robbery of an M-Pesa shop on Tom Mboya Street. May be armed: "
        "do not approach alone; call the OCS Central Police Station.",
    ),
    "stolen-probox": AlertDraft(
        kind=AlertKind.STOLEN_VEHICLE,
        plate="KDA 123B",
        description="White Toyota Probox, stolen from Kencom on 1 Dec at night. Hold the vehicle and its driver.",
    ),
}


def issue_demo_alerts(stations: dict[str, Any], users: dict[str, Any], now: datetime) -> int:
    """Idempotent: each alert's client id is fixed, so a second run finds them already issued."""
    if not kept_here() or "ocs1" not in users:
        return 0
    issued = 0
    for name, draft in DEMO_ALERTS.items():
        issued += issue_alert(actor=users["ocs1"], draft=draft, client_id=uuid.uuid5(NAMESPACE, name)).created
    return issued
