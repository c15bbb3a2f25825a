"""At the hub: a station's book moving to its node and back, one writer throughout (NODES.md rule 1).

Each move is a ``handover`` leaf in the station's book at the hub, written under the book's lock in
the transaction that moves it:

- at join (``to_node``), the hub's last leaf before the node takes over: it names the node's key;
- at a hand-back (``hand_back``), the hub's first leaf again: it names the node's key and the node's
  book as the hub holds it then (its size, root and the hub's cosignature of that checkpoint).

From the hand-back on, the hub records for the station again and refuses anything the old node
pushes (403 ``book_handed_back``), keeping the refused batch as evidence. The mirrored book stays,
closed, and national search keeps finding it. Another node may then be enrolled and join.
"""

import uuid
from datetime import date, datetime
from typing import Any

from daftari_verify import merkle
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from daftari.core.errors import DomainError
from daftari.ledger import services as ledger
from daftari.nodes import mirror, rules
from daftari.nodes.models import AcceptedCheckpoint, EnrolledNode, Handover, MirroredEntry
from daftari.occurrences.services import continue_ob_numbers
from daftari.stations.models import Station

KIND_HANDOVER = "handover"


class NotKeptAtNode(DomainError):
    code = "book_not_at_node"
    status = 409
    default_message = gettext_lazy("No station node keeps this station's book.")


class BookHandedBack(DomainError):
    code = "book_handed_back"
    status = 403
    default_message = gettext_lazy("This station's book was handed back to the hub; this node no longer keeps it.")


def handover_record(handover: Handover) -> dict[str, Any]:
    """The record a ``handover`` leaf commits to (only strings, ints and null)."""
    return {
        "type": KIND_HANDOVER,
        "id": str(handover.pk),
        "station": handover.station.code,
        "direction": handover.direction,
        "node_key": handover.node_key,
        "node_size": handover.node_size,
        "node_root": handover.node_root,
        "cosigned": handover.cosigned_note,
        "by": handover.by,
        "reason": handover.reason,
        "at": handover.at.isoformat(),
    }


def stored_handover(record_id: str) -> dict[str, Any] | None:
    """The record of a ``handover`` leaf as stored now (the ledger's loader for the kind)."""
    handover = Handover.objects.select_related("station").filter(pk=record_id).first()
    return handover_record(handover) if handover is not None else None


def to_node(node: EnrolledNode, *, at: datetime) -> Handover:
    """At join, inside its transaction: the hub's handover leaf, and the node alone writes the book."""
    handover = Handover.objects.create(
        id=uuid.uuid4(),
        station=node.station,
        node=node,
        direction=Handover.Direction.TO_NODE,
        node_key=node.public_key,
        node_size=0,
        by=node.enrolled_by or "hub",
        at=at,
    )
    ledger.hand_over_to_node(
        node.station,
        kind=KIND_HANDOVER,
        record_id=str(handover.pk),
        record=handover_record(handover),
        by=handover.by,
        at=at,
    )
    return handover


def hand_back(*, station: Station, by: str, reason: str, now: datetime | None = None) -> Handover:
    """The station's book comes back from its node to the hub: the hub records for it again.

    The node is closed at what the hub holds of its book; a later push from it is refused. OB
    numbers of the days the node's entries reach go on after the node's last, so none is given twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        node = (
            EnrolledNode.objects.select_for_update()
            .select_related("station")
            .filter(station=station, joined_at__isnull=False, left_at__isnull=True)
            .first()
        )
        if node is None or not ledger.kept_at_node(station):
            raise NotKeptAtNode()
        accepted = AcceptedCheckpoint.objects.filter(node=node, size=node.size).first()
        if accepted is not None:
            root, cosigned = bytes(accepted.root).hex(), accepted.cosigned_note
        else:
            root = merkle.TreeState.from_bytes(bytes(node.edge)).root().hex() if node.size else ""
            cosigned = ""
        handover = Handover.objects.create(
            id=uuid.uuid4(),
            station=station,
            node=node,
            direction=Handover.Direction.TO_HUB,
            node_key=node.public_key,
            node_size=node.size,
            node_root=root,
            cosigned_note=cosigned,
            by=by or "hub",
            reason=reason,
            at=now,
        )
        EnrolledNode.objects.filter(pk=node.pk).update(left_at=now)
        # The leaf names the handover that took the book away, when it is in this book.
        went = Handover.objects.filter(node=node, direction=Handover.Direction.TO_NODE).first()
        went_leaf = ledger.leaf_for(str(went.pk)) if went is not None else None
        ledger.hand_back_to_hub(
            station,
            kind=KIND_HANDOVER,
            record_id=str(handover.pk),
            record=handover_record(handover),
            by=handover.by,
            prev=went_leaf.index if went_leaf is not None else None,
            at=now,
        )
        _continue_ob_numbers(node, since=rules.first_ob_day_carried(now))
    return handover


def _continue_ob_numbers(node: EnrolledNode, *, since: date) -> None:
    """The hub's OB counter of each recent day the node numbered: at least the node's last number."""
    mirror.index_new(node.pk)  # read from the index: bring it up to the whole book first
    days = (
        MirroredEntry.objects.filter(leaf__node=node, ob_date__gte=since, ob_seq__isnull=False)
        .values("ob_date")
        .annotate(last=Max("ob_seq"))
    )
    for day in days:
        continue_ob_numbers(station=node.station, ob_date=day["ob_date"], after=day["last"])
