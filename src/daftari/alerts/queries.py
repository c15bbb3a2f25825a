"""Reading the alerts register: the list, one alert, and the desk's matches. Each read is logged.

Everything here reads only the local tables (Alert, AlertWithdrawal), so a station node matches the
desk's entries against its last verified copy of the register with no link to the hub.
"""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from daftari.alerts.models import Alert, AlertWithdrawal
from daftari.alerts.rules import KIND_NAMES, AlertKind, MatchedOn, Sought
from daftari.core import prepared
from daftari.core.errors import NotFound, NotPermitted
from daftari.stations.models import AccessEvent, Station, scope_of
from daftari.stations.rules import is_shown_alert_matches, sees_alerts_register
from daftari.stations.services import access_events, log_accesses, store_access_events

RECORD_TYPE = "alert"
Purpose = AccessEvent.Purpose
LIST_LIMIT = 500
MATCH_LIMIT = 20


@dataclass(frozen=True)
class AlertView:
    id: uuid.UUID
    kind: str
    kind_name: str
    name: str
    id_number: str
    phone: str
    plate: str
    description: str
    issued_at: datetime
    issued_by_name: str
    station_code: str
    station_name: str
    active: bool
    withdrawn_at: datetime | None
    withdrawn_by_name: str
    withdrawal_reason: str


def _view(alert: Alert) -> AlertView:
    withdrawal = getattr(alert, "withdrawal", None)
    return AlertView(
        id=alert.pk,
        kind=alert.kind,
        kind_name=str(KIND_NAMES[AlertKind(alert.kind)]),
        name=alert.name,
        id_number=alert.id_number,
        phone=alert.phone,
        plate=alert.plate,
        description=alert.description,
        issued_at=alert.issued_at,
        issued_by_name=alert.issued_by_name,
        station_code=alert.station_code,
        station_name=alert.station_name,
        active=withdrawal is None,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
        withdrawn_by_name=withdrawal.withdrawn_by_name if withdrawal else "",
        withdrawal_reason=withdrawal.reason if withdrawal else "",
    )


def _log(reader: User, alerts: list[Alert], purpose: AccessEvent.Purpose, channel: str, outcome: str) -> None:
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(a.pk), None, outcome) for a in alerts],
        purpose=purpose,
        channel=channel,
    )


def _alerts() -> "QuerySet[Alert]":
    return Alert.objects.select_related("withdrawal")


def register(*, reader: User, active_only: bool = True, kind: str | None = None, channel: str) -> list[AlertView]:
    """The register as the reader may see it, newest first; every alert shown is logged."""
    if not sees_alerts_register(scope_of(reader)):
        raise NotPermitted()
    found = _alerts()
    if active_only:
        found = found.filter(withdrawal__isnull=True)
    if kind:
        found = found.filter(kind=kind)
    alerts = list(found.order_by("-issued_at")[:LIST_LIMIT])
    _log(reader, alerts, Purpose.LIST, channel, AccessEvent.Outcome.SHOWN)
    return [_view(a) for a in alerts]


def alert_for(
    *, reader: User, alert_id: uuid.UUID, purpose: AccessEvent.Purpose, channel: str
) -> tuple[Alert, AlertView]:
    """One alert and its view, logged; NotFound when there is none, NotPermitted (logged as denied) for analysts."""
    alert = _alerts().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound()
    if not sees_alerts_register(scope_of(reader)):
        _log(reader, [alert], purpose, channel, AccessEvent.Outcome.DENIED)
        raise NotPermitted()
    _log(reader, [alert], purpose, channel, AccessEvent.Outcome.SHOWN)
    return alert, _view(alert)


def after_change(alert: Alert) -> AlertView:
    """The alert the reader has just issued or withdrawn (what they typed themselves: no read to log)."""
    return _view(_alerts().get(pk=alert.pk))


EarlierEntries = Callable[[User, Sought], int]
_earlier_entries: list[EarlierEntries] = []


def register_earlier_entries(count: EarlierEntries) -> None:
    """The book (an app above this one) says how many entries a reader may see name given identifiers."""
    _earlier_entries[:] = [count]


def earlier_entries(*, reader: User, alert: AlertView) -> int | None:
    """In how many entries the reader may see this alert's ID number, phone or plate already appears
    (each entry found is logged as a look-up by the book); None when it cannot be asked."""
    sought = Sought.of(id_numbers=(alert.id_number,), phones=(alert.phone,), plates=(alert.plate,))
    if not _earlier_entries or not sought or not sees_alerts_register(scope_of(reader)):
        return None
    return _earlier_entries[0](reader, sought)


@dataclass(frozen=True)
class AlertMatch:
    alert: AlertView
    matched_on: MatchedOn

    @property
    def message(self) -> str:
        what = {
            MatchedOn.ID_NUMBER: _("This ID number"),
            MatchedOn.PHONE: _("This phone number"),
            MatchedOn.PLATE: _("This number plate"),
            MatchedOn.NAME: _("This name"),
        }[self.matched_on]
        issued_on = date_format(timezone.localtime(self.alert.issued_at), "j M Y")
        by = self.alert.issued_by_name
        if self.alert.station_name:
            by = f"{by} ({self.alert.station_name})"
        return _("%(what)s matches a %(kind)s alert issued %(on)s by %(by)s.") % {
            "what": what,
            "kind": self.alert.kind_name.upper(),
            "on": issued_on,
            "by": by,
        }


def _matched_on(alert: Alert, sought: Sought) -> MatchedOn:
    if alert.id_number and alert.id_number in sought.id_numbers:
        return MatchedOn.ID_NUMBER
    if alert.plate and alert.plate in sought.plates:
        return MatchedOn.PLATE
    if alert.phone and alert.phone in sought.phones:
        return MatchedOn.PHONE
    return MatchedOn.NAME


_ALERT = prepared.Columns(Alert, "a")


@functools.cache
def _matching_sql(counts: tuple[int, int, int, int]) -> str:
    """Active alerts, newest first, whose ID number, phone, plate or name key is among so many values of each."""
    columns = ("id_number", "phone", "plate", "name_key")
    match = " OR ".join(
        f"a.{prepared.column(Alert, name)} IN ({', '.join(['%s'] * n)})"
        for name, n in zip(columns, counts, strict=True)
        if n
    )
    withdrawn = f"SELECT 1 FROM {prepared.table(AlertWithdrawal)} w"  # noqa: S608 - names only
    withdrawn += f" WHERE w.{prepared.column(AlertWithdrawal, 'alert')} = a.{prepared.column(Alert, 'id')}"
    return (
        f"SELECT {_ALERT.sql} FROM {prepared.table(Alert)} a WHERE ({match})"  # noqa: S608 - names and placeholders
        f" AND NOT EXISTS ({withdrawn})"
        f" ORDER BY a.{prepared.column(Alert, 'issued_at')} DESC LIMIT {MATCH_LIMIT}"
    )


class Matched(NamedTuple):
    """The desk's matches and their look-ups, not yet stored (``matches_in``)."""

    matches: list[AlertMatch]
    lookups: list[AccessEvent]


def matching_query(*, reader: User, station: Station, sought: Sought) -> prepared.Query | None:
    """The read of ``matching_alerts``, for a caller that sends it with its own reads (the recording
    shows its recorder the alerts it matches, asked with the entry's people); None: nothing to ask."""
    if not sought or not is_shown_alert_matches(scope_of(reader), station_code=station.code):
        return None
    # Asked after every recording: the SQL is written once for each shape of what was typed.
    values = [sought.id_numbers, sought.phones, sought.plates, sought.names]
    sql = _matching_sql(tuple(len(v) for v in values))
    return prepared.Query(sql, [value for v in values for value in sorted(v)])


def matches_in(*, reader: User, sought: Sought, rows: list[tuple[Any, ...]], channel: str) -> Matched:
    """The matches in the rows ``matching_query`` found, with the look-ups to log (each alert shown)."""
    alerts = [_ALERT.instance(row, 0) for row in rows]
    for alert in alerts:
        Alert.withdrawal.related.set_cached_value(alert, None)  # active: no withdrawal
    lookups = access_events(
        actor=reader,
        reads=[(RECORD_TYPE, str(a.pk), None, AccessEvent.Outcome.SHOWN) for a in alerts],
        purpose=Purpose.LOOKUP,
        channel=channel,
    )
    return Matched([AlertMatch(_view(a), _matched_on(a, sought)) for a in alerts], lookups)


def matching_alerts(*, reader: User, station: Station, sought: Sought, channel: str) -> list[AlertMatch]:
    """The active alerts that what the desk typed matches, by ID number, phone, plate or name.

    Only for an officer recording at ``station``; each alert shown is logged as a look-up.
    """
    query = matching_query(reader=reader, station=station, sought=sought)
    if query is None:
        return []
    matched = matches_in(reader=reader, sought=sought, rows=prepared.rows(query.sql, query.params), channel=channel)
    store_access_events(matched.lookups)
    return matched.matches
