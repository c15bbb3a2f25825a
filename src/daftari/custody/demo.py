"""The demo's cell register: one person held at Central since this afternoon, on the court clock."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from daftari.custody import rules
from daftari.custody.models import CustodyRecord
from daftari.custody.services import book_in

NAMESPACE = uuid.UUID("5b0e1c3e-2f8e-4d55-9d2a-6f1e1a0c7a11")


def book_in_demo_detainee(stations: dict[str, Any], users: dict[str, Any], now: datetime) -> int:
    ident = uuid.uuid5(NAMESPACE, "CENTRAL-NBI/held-for-assault")
    if CustodyRecord.objects.filter(pk=ident).exists():
        return 0  # an earlier run booked him in; his clock keeps running from then
    desk = users["desk1"]
    booking = rules.Booking(
        detainee=rules.DetaineeInput(name="Kevin Mutua Wambua", sex="M", id_number="29384756", age=27),
        arresting_officer=desk.officer.service_number,
        arrested_at=now - timedelta(hours=5),
        cell="male",
        offences=(
            rules.OffenceInput(
                section="s.251 Penal Code",
                description="Assault causing actual bodily harm",
                punishable_by=rules.Punishment.MORE_THAN_6_MONTHS,
            ),
        ),
        physical_condition="Calm; a small graze on the left hand, which he says came from the fight.",
        health=rules.HealthCheck(injuries_seen=True, injuries="Graze on the left hand", ocs_told=True),
        next_of_kin=rules.NextOfKin(informed=True, name="Jane Mwikali (sister)", informed_at=now - timedelta(hours=4)),
        property_items=(
            rules.PropertyInput(description="Itel mobile phone", value_kes=4500),
            rules.PropertyInput(description="Leather belt"),
            rules.PropertyInput(description="Cash", value_kes=350),
        ),
    )
    book_in(
        actor=desk,
        station=stations["CENTRAL-NBI"],
        booking=booking,
        arrest_details=rules.ArrestDetails(
            place="Tom Mboya Street, outside the Odeon bus stop",
            reason="Assaulted a hawker in a dispute over a stall; arrested by the patrol at the scene.",
        ),
        client_id=ident,
    )
    return 1
