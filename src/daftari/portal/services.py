""" "Check my report": the one question the public may ask about a case, rate-limited and logged."""

import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from daftari.core.errors import DomainError
from daftari.occurrences import casework
from daftari.occurrences.models import CaseStatus, Occurrence
from daftari.occurrences.rules import NAIROBI, format_ob_number, parse_ob_number
from daftari.portal.models import PortalLookup
from daftari.stations.models import Station

Outcome = PortalLookup.Outcome
RECORDED = _("recorded, not yet assigned to an investigator")


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    default_message = _("Too many attempts. Wait 15 minutes and try again.")


@dataclass(frozen=True)
class ReportStatus:
    """All the public is told about a case: nothing that names a person or describes what happened."""

    ob_number: str
    status: Promise | str
    station: str
    updated_on: date


def _ob_key(ob_number: str) -> str:
    parsed = parse_ob_number(ob_number)
    if parsed is None:
        return " ".join(ob_number.upper().split())[:40]
    return format_ob_number(*parsed)


def _limited(*, ip: str, station_code: str, ob_key: str) -> bool:
    """Keyed on the client: a stranger's wrong guesses never lock the complainant out of their
    own report (many phones share one carrier address, so the key is the report and the address)."""
    since = timezone.now() - timedelta(minutes=settings.DAFTARI_PORTAL_FAILURE_WINDOW_MINUTES)
    failures = PortalLookup.objects.filter(at__gte=since, outcome=Outcome.NOT_FOUND, ip=ip)
    if failures.filter(station_code=station_code, ob_number=ob_key).count() >= settings.DAFTARI_PORTAL_MAX_FAILURES:
        return True
    # One address walking through many reports is stopped too.
    return failures.count() >= settings.DAFTARI_PORTAL_MAX_FAILURES_PER_CLIENT


def _station(text: str) -> Station | None:
    text = text.strip()
    return Station.objects.filter(
        Q(code__iexact=text) | Q(name__iexact=text) | Q(name__iexact=f"{text} Police Station")
    ).first()


def _matches(phone: str, phone_last4: str) -> bool:
    # Compared in constant time, and an entry without a phone never matches.
    return len(phone) >= 4 and hmac.compare_digest(phone[-4:], phone_last4)


def _find(station: Station | None, ob_number: str, phone_last4: str) -> ReportStatus | None:
    parsed = parse_ob_number(ob_number)
    if station is None or parsed is None:
        return None
    seq, ob_date = parsed
    entry = (
        Occurrence.objects.filter(station=station, ob_date=ob_date, ob_seq=seq)
        .select_related("station")
        .prefetch_related("parties")
        .first()
    )
    if entry is None:
        # Recorded at the station's node: its book mirrored here once the node sent it.
        return _status_elsewhere(casework.case_elsewhere(station, seq, ob_date), phone_last4)
    if not entry.spec.public_facing or not _matches(casework.contact_phone(entry), phone_last4):
        return None
    current = CaseStatus.objects.filter(occurrence=entry).first()
    if current is None:
        return ReportStatus(
            ob_number=entry.ob_number,
            status=RECORDED,
            station=entry.station.name,
            updated_on=entry.recorded_at.astimezone(NAIROBI).date(),
        )
    return ReportStatus(
        ob_number=entry.ob_number,
        status=casework.Status(current.status).label,
        station=entry.station.name,
        updated_on=current.updated_at.astimezone(NAIROBI).date(),
    )


def _status_elsewhere(case: casework.CaseElsewhere | None, phone_last4: str) -> ReportStatus | None:
    if case is None or not _matches(case.contact_phone, phone_last4):
        return None
    return ReportStatus(
        ob_number=case.ob_number,
        status=casework.Status(case.status).label if case.status is not None else RECORDED,
        station=case.station_name,
        updated_on=case.updated_at.astimezone(NAIROBI).date(),
    )


def check_report(*, ip: str, station: str, ob_number: str, phone_last4: str) -> ReportStatus | None:
    """The case's status, or None: the same None whether the OB number or the phone digits are wrong.

    Every attempt is logged; after too many wrong answers from one address for this report, or
    from one address in all, even a right answer from that address is refused with
    ``TooManyAttempts`` until the window has passed.
    """
    ob_key = _ob_key(ob_number)
    found_station = _station(station)
    station_code = found_station.code if found_station is not None else station.strip().upper()[:20]
    now = timezone.now()
    if _limited(ip=ip, station_code=station_code, ob_key=ob_key):
        PortalLookup.objects.create(at=now, ip=ip, station_code=station_code, ob_number=ob_key, outcome=Outcome.LIMITED)
        raise TooManyAttempts()
    found = _find(found_station, ob_number, phone_last4)
    outcome = Outcome.FOUND if found is not None else Outcome.NOT_FOUND
    PortalLookup.objects.create(at=now, ip=ip, station_code=station_code, ob_number=ob_key, outcome=outcome)
    return found
