"""The refugee documents' states on station nodes (NODES.md rule 5; issue 14).

A station node has no refugee register, yet its desk must see the state of a refugee document shown
as identity with no link. The hub publishes, in its signed down-log (daftari.hubfeed), what a check
needs and nothing of the holder: number, kind, issuing office, the state the register's events give,
and the dates. A document is published again only when the register records something of it (issue,
revocation, loss, replacement: a leaf of the register's log past the last one published), so what
travels is the delta; expiry is judged on the day asked, from the dates. The node keeps each version
it verified (``DocumentCopy``) and the desk's check answers from the latest, as of the hub's signing.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Max, Prefetch, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from daftari.refugees import rules
from daftari.refugees.models import DocumentCopy, DocumentEvent, RefugeeDocument

# All a published record holds (the hub log's leaf kind is hubfeed's "refugee_doc_state").
FIELDS = ("kind", "number", "office", "state", "issued_on", "expires_on")


@dataclass(frozen=True)
class PublishedState:
    """One document's version to publish: ``register_index`` is the register's last leaf it reflects."""

    key: str
    record: dict[str, Any]
    register_index: int


def document_key(kind: str, number: str) -> str:
    return f"{kind}/{number}"


# --- At the hub --------------------------------------------------------------------------------


def states_since(register_index: int, *, limit: int) -> list[PublishedState]:
    """Each document issued, or with an event recorded, at or after leaf ``register_index`` of the
    register's log, as the hub publishes it: at most ``limit``, those whose last leaf comes first, so
    the next call goes on after the last one returned. The register's log is appended under its
    head's lock, so its leaves commit in index order and nothing below the mark can still appear."""
    changed = (
        RefugeeDocument.objects.filter(
            Q(ledger_index__gte=register_index)
            | Q(pk__in=DocumentEvent.objects.filter(ledger_index__gte=register_index).values("document_id"))
        )
        .annotate(last_leaf=Greatest("ledger_index", Coalesce(Max("events__ledger_index"), "ledger_index")))
        .order_by("last_leaf")
    )
    events = Prefetch("events", queryset=DocumentEvent.objects.order_by("recorded_at"))
    found = []
    for document in changed.prefetch_related(events)[:limit]:
        kinds = [rules.DocumentEventKind(e.kind) for e in document.events.all()]
        record = {
            "kind": document.kind,
            "number": document.number,
            "office": document.office,
            "state": rules.recorded_state(kinds).value,
            "issued_on": document.issued_on.isoformat(),
            "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        }
        found.append(PublishedState(document_key(document.kind, document.number), record, document.last_leaf))
    return found


# --- On a station node -------------------------------------------------------------------------


def keep_copy(record: dict[str, Any], *, hub_index: int, now: datetime | None = None) -> None:
    """Keeps a verified version from the hub's feed (a feed applied again adds nothing)."""
    if DocumentCopy.objects.filter(hub_index=hub_index).exists():
        return
    DocumentCopy.objects.create(
        kind=record["kind"],
        number=record["number"],
        office=record["office"],
        state=rules.DocumentState(record["state"]).value,
        issued_on=date.fromisoformat(record["issued_on"]),
        expires_on=date.fromisoformat(record["expires_on"]) if record["expires_on"] else None,
        hub_index=hub_index,
        received_at=now or timezone.now(),
    )


def latest_copy(kind: rules.DocumentKind, number: str) -> DocumentCopy | None:
    return DocumentCopy.objects.filter(kind=kind.value, number=number).order_by("-hub_index").first()
