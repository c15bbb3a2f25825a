"""Custody alerts: the OCS is told before and at an Art. 49 breach; deaths and serious injuries at once.

``send_due_alerts`` runs in the worker every minute. Each alert is claimed with a conditional
UPDATE of ``CustodyState`` (``alert_*_sent_at IS NULL``) in the transaction that queues its SMS,
so two workers, or one run twice, send it once; the SMS ``event_key`` is a second guard.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from daftari.core import identity
from daftari.core.errors import InvalidInput
from daftari.custody import rules
from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.custody.rules import EventKind
from daftari.notifications.models import SmsMessage
from daftari.notifications.services import send_sms
from daftari.stations.models import Officer, Station, scope_of
from daftari.stations.queries import officers_who
from daftari.stations.rules import (
    is_alerted_to_court_deadlines,
    is_texted_court_deadlines,
    is_texted_deaths_and_injuries_in_custody,
)

log = logging.getLogger(__name__)

WARNING_BEFORE = timedelta(hours=4)
State = CustodyState.State


def officer_phones(officers: QuerySet[Officer]) -> list[str]:
    """Phones of the officers; those without one are left out."""
    return sorted(set(officers.exclude(phone="").values_list("phone", flat=True)))


def deadline_phones(station: Station) -> list[str]:
    """Whom an Art. 49 warning or breach at the station is texted to (``is_texted_court_deadlines``)."""
    return officer_phones(
        officers_who(lambda scope: is_texted_court_deadlines(scope, station_code=station.code), station=station)
    )


def death_or_injury_phones(station: Station) -> list[str]:
    """Whom a death or serious injury in the station's cells is texted to, at once
    (``is_texted_deaths_and_injuries_in_custody``)."""
    return officer_phones(
        officers_who(
            lambda scope: is_texted_deaths_and_injuries_in_custody(
                scope, station_code=station.code, county_code=station.county_id
            ),
            station=station,
        )
    )


def _send_to_each(phones: list[str], *, template: str, context: dict[str, object], event_key: str) -> list[SmsMessage]:
    messages = []
    for phone in phones:
        try:
            messages.append(send_sms(to=phone, template=template, context=context, event_key=f"{event_key}:{phone}"))
        except InvalidInput:
            log.warning("custody alert %s: officer phone %r is not a valid number", event_key, phone)
    return messages


def _deadline_context(record: CustodyRecord, station: Station) -> dict[str, object]:
    return {"detainee": record.detainee_name, "station": station.name, "deadline": record.court_deadline}


def _claim_and_send(custody_id: uuid.UUID, *, field: str, template: str, suffix: str, now: datetime) -> bool:
    with transaction.atomic():
        claimed = CustodyState.objects.filter(
            pk=custody_id, state=State.IN_CUSTODY, **{f"{field}__isnull": True}
        ).update(**{field: now})
        if not claimed:
            return False  # another worker took it, or the person left custody meanwhile
        state = CustodyState.objects.select_related("custody", "current_station").get(pk=custody_id)
        station = state.current_station
        phones = deadline_phones(station)
        if not phones:
            log.warning("custody alert %s: no OCS with a phone at %s; only the banner shows it", suffix, station.code)
        _send_to_each(
            phones,
            template=template,
            context=_deadline_context(state.custody, station),
            event_key=f"custody:{custody_id}:{suffix}",
        )
    return True


def send_due_alerts(now: datetime | None = None) -> int:
    """Sends the deadline warnings (4 h before) and breach alerts that are due; returns how many were claimed."""
    now = now or timezone.now()
    held = CustodyState.objects.filter(state=State.IN_CUSTODY)
    # A deadline already passed gets the breach alert only: a warning then would say "4 hours left".
    warnings = held.filter(
        alert_warning_sent_at__isnull=True,
        custody__court_deadline__gt=now,
        custody__court_deadline__lte=now + WARNING_BEFORE,
    ).values_list("pk", flat=True)
    breaches = held.filter(alert_breach_sent_at__isnull=True, custody__court_deadline__lte=now).values_list(
        "pk", flat=True
    )
    claimed = 0
    for custody_id in list(warnings):
        claimed += _claim_and_send(
            custody_id, field="alert_warning_sent_at", template="custody_deadline_warning", suffix="warning", now=now
        )
    for custody_id in list(breaches):
        claimed += _claim_and_send(
            custody_id, field="alert_breach_sent_at", template="custody_deadline_breach", suffix="breach", now=now
        )
    return claimed


def notify_death_or_serious_injury(event: CustodyEvent) -> list[SmsMessage]:
    """Tells the OCS, the county commander(s) and oversight at once. Call it in the recording transaction."""
    if event.kind not in (EventKind.DEATH, EventKind.SERIOUS_INJURY):
        return []
    station = event.station
    return _send_to_each(
        death_or_injury_phones(station),
        template=f"custody_{event.kind}",
        context={"detainee": event.custody.detainee_name, "station": station.name, "occurred_at": event.at},
        event_key=f"custody:{event.custody_id}:{event.kind}:{event.pk}",
    )


def notify_refugee_services(record: CustodyRecord) -> list[SmsMessage]:
    """Tells the Department of Refugee Services that an asylum seeker or refugee is in the cells:
    the OB number and the station, never the name (they call the station). Call it in the booking's
    transaction: the SMS and its delivery job are stored with the booking, or not at all; the
    event key keeps a retried booking to one message."""
    if not record.asylum_seeker_or_refugee:
        return []
    office = identity.refugee_document_office(record.detainee_id_number)
    phone = rules.drs_phone(settings.DAFTARI_DRS_PHONES, office)
    if phone is None:
        log.warning("custody %s: no DRS phone configured (DAFTARI_DRS_PHONES) for office %r", record.pk, office)
        return []
    return _send_to_each(
        [phone],
        template="custody_drs_arrest",
        context={"station": record.station.name, "ob": record.arrest.ob_number, "booked_in_at": record.booked_in_at},
        event_key=f"custody:{record.pk}:drs",
    )


def near_or_past_deadline(station: Station, now: datetime | None = None) -> list[CustodyRecord]:
    """The people held at the station whose court deadline is less than 4 hours away or already past."""
    now = now or timezone.now()
    return list(
        CustodyRecord.objects.filter(
            projection__state=State.IN_CUSTODY,
            projection__current_station=station,
            court_deadline__lte=now + WARNING_BEFORE,
        ).order_by("court_deadline")
    )


def banner(request: HttpRequest) -> dict[str, object]:
    """Context processor: the custody deadline banner for the station's OCS and desk."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    officer = getattr(user, "officer", None)
    if officer is None or officer.station_id is None or not is_alerted_to_court_deadlines(scope):
        return {}
    now = timezone.now()
    records = near_or_past_deadline(officer.station, now)
    return {
        "custody_deadline_alerts": [
            {"record": r, "breached": r.court_deadline <= now, "deadline": r.court_deadline} for r in records
        ]
    }
