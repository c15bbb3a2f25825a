"""Documents lapsing before departure or during the deployment: the officer who holds one is told by SMS.

``send_document_alerts`` runs in the worker on every tick. Each alert is one SMS per document record
and kind of alert (its ``event_key``): a renewal is a new record and alerts afresh if it lapses too;
ticks after the first send nothing, and the keys already sent are read first so a tick costs a few
queries, not a refused insert per alert.
"""

import logging
import uuid
from datetime import date

from django.utils import timezone

from daftari.core.errors import InvalidInput
from daftari.deployments import criteria
from daftari.deployments.models import Candidate, CandidateDocument
from daftari.deployments.rules import DOCUMENT_NAMES, DocumentAlert, HeldDocument, document_flags
from daftari.notifications.models import SmsMessage
from daftari.notifications.services import send_sms

log = logging.getLogger(__name__)

TEMPLATE = "deployment_document_expiring"


def _event_key(document_id: uuid.UUID, alert: DocumentAlert) -> str:
    return f"deployments:document:{document_id}:{alert.value}"


def send_document_alerts(today: date | None = None) -> int:
    """Queues the SMS due for every contingent not yet back; returns how many were queued."""
    today = today or timezone.localdate()
    required = criteria.documents()
    candidates = Candidate.objects.filter(contingent__returns_on__gte=today).exclude(officer__phone="")
    latest: dict[uuid.UUID, dict[str, CandidateDocument]] = {}
    for document in CandidateDocument.objects.filter(candidate__in=candidates.values("pk")).order_by(
        "recorded_at", "id"
    ):
        latest.setdefault(document.candidate_id, {})[document.kind] = document
    due = []
    for candidate in candidates.filter(pk__in=list(latest)).select_related("officer", "contingent__mission"):
        documents = latest[candidate.pk]
        contingent = candidate.contingent
        held = {kind: HeldDocument(d.expires_on) for kind, d in documents.items()}
        for flag in document_flags(required, held, departs_on=contingent.departs_on, returns_on=contingent.returns_on):
            if flag.alert != DocumentAlert.MISSING:
                due.append((candidate, flag, _event_key(documents[flag.code].pk, flag.alert)))
    sent = set(SmsMessage.objects.filter(event_key__in=[key for _, _, key in due]).values_list("event_key", flat=True))
    queued = 0
    for candidate, flag, key in due:
        if key in sent:
            continue
        contingent = candidate.contingent
        context: dict[str, object] = {
            "document": DOCUMENT_NAMES.get(flag.code, flag.code),  # lazy: rendered in the SMS's language
            "expires_on": flag.expires_on,
            "before_departure": flag.alert == DocumentAlert.BEFORE_DEPARTURE,
            "departs_on": contingent.departs_on,
            "returns_on": contingent.returns_on,
            "mission": contingent.mission.code,
        }
        try:
            send_sms(to=candidate.officer.phone, template=TEMPLATE, context=context, event_key=key)
        except InvalidInput:
            log.warning(
                "deployment document alert %s: officer phone %r is not a valid number", key, candidate.officer.phone
            )
            continue
        queued += 1
    return queued
