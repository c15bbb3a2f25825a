"""Issuing and withdrawing national alerts: each an append-only record and a leaf in the hub's own log."""

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from daftari.alerts import records, rules
from daftari.alerts.models import Alert, AlertWithdrawal
from daftari.core.errors import DomainError, DuplicateWithDifferentContent, InvalidInput, NotPermitted
from daftari.ledger import services as ledger
from daftari.stations.models import scope_of
from daftari.stations.rules import can_issue_alert, can_withdraw_alert

log = logging.getLogger(__name__)


class AlreadyWithdrawn(DomainError):
    code = "already_withdrawn"
    status = 409
    default_message = _("This alert was already withdrawn.")


class IssuedAtTheHub(NotPermitted):
    code = "issued_at_the_hub"
    default_message = _("Alerts are issued and withdrawn at the hub; this station node holds a copy of the register.")


def kept_here() -> bool:
    """Whether this server keeps the register (the hub), rather than a verified copy of it (a node)."""
    return str(settings.DAFTARI_ROLE) != "node"


@dataclass(frozen=True)
class Issued:
    alert: Alert
    created: bool


def _signature(actor: User) -> tuple[str, str, str, str]:
    """Who acts, in words: service number (or username), rank and name, station code and name."""
    officer = getattr(actor, "officer", None)
    if officer is None:
        return actor.get_username(), actor.get_full_name() or actor.get_username(), "", ""
    station = officer.station
    name = f"{officer.service_number} {officer.display_name}"
    return officer.service_number, name, station.code if station else "", station.name if station else ""


def _same_alert(stored: Alert, draft: rules.AlertDraft) -> bool:
    fields = ("kind", "name", "id_number", "phone", "plate", "description")
    return all(getattr(stored, f) == getattr(draft, f) for f in fields)


def issue_alert(*, actor: User, draft: rules.AlertDraft, client_id: uuid.UUID | None = None) -> Issued:
    """Puts a wanted or missing person, a stolen vehicle or a lost document on the national register.

    A retry with the same ``client_id`` and the same content returns the stored alert; with other
    content it is refused. The alert and its leaf in the hub's log are written together or not at all.
    """
    if not kept_here():
        raise IssuedAtTheHub()
    if not can_issue_alert(scope_of(actor)):
        raise NotPermitted()
    draft, errors = rules.clean_alert(draft)
    if errors:
        raise InvalidInput(fields=errors)
    if client_id is not None:
        stored = Alert.objects.filter(pk=client_id).first()
        if stored is not None:
            if not _same_alert(stored, draft):
                raise DuplicateWithDifferentContent()
            return Issued(stored, created=False)
    by, by_name, station_code, station_name = _signature(actor)
    now = timezone.now()
    alert = Alert(
        id=client_id or uuid.uuid4(),
        kind=draft.kind,
        name=draft.name,
        name_key=rules.name_key(draft.name),
        id_number=draft.id_number,
        phone=draft.phone,
        plate=draft.plate,
        description=draft.description,
        issued_at=now,
        issued_by=by,
        issued_by_name=by_name,
        station_code=station_code,
        station_name=station_name,
    )
    try:
        with transaction.atomic():
            leaf = ledger.append_to_hub(
                kind=records.KIND_ALERT,
                record_id=str(alert.pk),
                record=records.alert_record(alert),
                by=by,
                prev=None,
                at=now,
            )
            alert.hub_index = leaf.index
            alert.save(force_insert=True)
    except IntegrityError:
        # The same client id, recorded by a retry that got in first.
        stored = Alert.objects.filter(pk=alert.pk).first()
        if stored is None or not _same_alert(stored, draft):
            raise DuplicateWithDifferentContent() from None
        return Issued(stored, created=False)
    log.info("alerts: %s alert %s issued by %s", alert.kind, alert.pk, by)
    return Issued(alert, created=True)


def withdraw_alert(*, actor: User, alert: Alert, reason: str) -> AlertWithdrawal:
    """Takes an alert off the active register (found, arrested, recovered): a new record, never an edit."""
    if not kept_here():
        raise IssuedAtTheHub()
    if not can_withdraw_alert(scope_of(actor), issued_at_station=alert.station_code):
        raise NotPermitted()
    reason, errors = rules.clean_reason(reason)
    if errors:
        raise InvalidInput(fields=errors)
    by, by_name, _station_code, _station_name = _signature(actor)
    now = timezone.now()
    withdrawal = AlertWithdrawal(
        alert=alert, reason=reason, withdrawn_at=now, withdrawn_by=by, withdrawn_by_name=by_name
    )
    try:
        with transaction.atomic():
            leaf = ledger.append_to_hub(
                kind=records.KIND_WITHDRAWAL,
                record_id=str(withdrawal.pk),
                record=records.withdrawal_record(withdrawal),
                by=by,
                prev=alert.hub_index,
                at=now,
            )
            # Asked with the hub's log locked by the append: two withdrawals cannot both pass.
            if AlertWithdrawal.objects.filter(alert=alert).exists():
                raise AlreadyWithdrawn()
            withdrawal.hub_index = leaf.index
            withdrawal.save(force_insert=True)
    except IntegrityError:
        raise AlreadyWithdrawn() from None
    return withdrawal
