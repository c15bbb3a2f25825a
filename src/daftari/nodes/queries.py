"""What the desk and the API show of the link between a node and the hub (no personal data).

Read from the local database only: a page on a node never waits for, or fails with, the hub.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, QuerySet

from daftari.nodes import mirror, node
from daftari.nodes.models import EnrolledNode
from daftari.stations.rules import Scope, station_filter


@dataclass(frozen=True)
class LinkState:
    hub: str
    station: str
    last_sync_at: datetime | None
    pending_leaves: int
    witnessed_size: int
    witnessed_at: datetime | None
    hub_data_as_of: datetime | None
    refused: str


def link_state() -> LinkState | None:
    """On a node that joined a hub: how far the hub holds its book. None on the hub or before joining."""
    if settings.DAFTARI_ROLE != "node":
        return None
    hub_link = node.link()
    if hub_link is None:
        return None
    return LinkState(
        hub=hub_link.hub_url,
        station=hub_link.station.code,
        last_sync_at=hub_link.last_sync_at,
        pending_leaves=node.pending_leaves(hub_link),
        witnessed_size=hub_link.witnessed_size,
        witnessed_at=hub_link.witnessed_at,
        hub_data_as_of=hub_link.hub_data_as_of,
        refused=hub_link.refusal if hub_link.refused_at else "",
    )


@dataclass(frozen=True)
class NodeRow:
    station: str
    station_name: str
    last_contact_at: datetime | None
    size: int
    witnessed_size: int
    waiting_for_search: int
    refusals: int
    halted_at: datetime | None
    last_refusal: str
    left_at: datetime | None


def nodes_for(scope: Scope) -> list[NodeRow]:
    """At the hub: every joined node the reader's scope reaches (a commander's county, or all)."""
    scoped = station_filter(scope)
    if scoped is None:
        return []
    return _rows(EnrolledNode.objects.filter(joined_at__isnull=False, **scoped))


def halted_nodes() -> list[NodeRow]:
    """At the hub: the nodes whose book was refused, for the oversight and admin banner."""
    if settings.DAFTARI_ROLE != "hub":
        return []
    return _rows(EnrolledNode.objects.filter(halted_at__isnull=False))


def _rows(nodes: QuerySet[EnrolledNode]) -> list[NodeRow]:
    rows = []
    for enrolled in (
        nodes.select_related("station").annotate(refusal_count=Count("refusals")).order_by("station__code", "pk")
    ):
        last = enrolled.refusals.order_by("-at").values_list("reason", flat=True).first() or ""
        rows.append(
            NodeRow(
                station=enrolled.station.code,
                station_name=enrolled.station.name,
                last_contact_at=enrolled.last_contact_at,
                size=enrolled.size,
                witnessed_size=enrolled.witnessed_size,
                waiting_for_search=mirror.waiting_for_search(enrolled),
                refusals=enrolled.refusal_count,
                halted_at=enrolled.halted_at,
                last_refusal=last,
                left_at=enrolled.left_at,
            )
        )
    return rows
