"""The demo's instant fines: two notices from traffic1's morning on Uhuru Highway."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from daftari.fines import rules
from daftari.fines.models import FineNotice
from daftari.fines.services import issue_notice

NAMESPACE = uuid.UUID("8d3f7a52-93c4-4a8e-b0c2-0f4a6e2d9b37")

NOTICES = (
    (
        "speeding-probox",
        rules.NoticeDraft(
            plate="KDE 417M",
            driver_name="Peter Kariuki Ndung'u",
            driver_id_number="31234987",
            driver_licence="DL-7731204",
            driver_phone="0722 418 305",
            place="Uhuru Highway, near Nyayo Stadium",
            issued_at=datetime.min,  # replaced with a time this morning
            offences=(rules.OffenceInput(code="MO07C", measured_speed=92, speed_limit=80),),
        ),
    ),
    (
        "no-inspection-matatu",
        rules.NoticeDraft(
            plate="KCB 902T",
            driver_name="Samuel Otieno Were",
            driver_id_number="27561038",
            driver_licence="DL-5518820",
            driver_phone="0733 207 916",
            place="Haile Selassie Avenue, at the roundabout",
            issued_at=datetime.min,
            offences=(rules.OffenceInput(code="MO02"),),
        ),
    ),
)


def issue_demo_notices(stations: dict[str, Any], users: dict[str, Any], now: datetime) -> int:
    issued = 0
    for hours_ago, (key, draft) in enumerate(NOTICES, start=2):
        ident = uuid.uuid5(NAMESPACE, f"CENTRAL-NBI/{key}")
        if FineNotice.objects.filter(pk=ident).exists():
            continue
        timed = rules.NoticeDraft(**{**draft.__dict__, "issued_at": now - timedelta(hours=hours_ago)})
        issue_notice(actor=users["traffic1"], station=stations["CENTRAL-NBI"], draft=timed, client_id=ident)
        issued += 1
    return issued
