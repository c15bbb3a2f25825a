"""At the hub: "check my report" for an entry recorded at a station node, from its mirrored book.

The entry is found by its station and OB number in the hub's index of mirrored entries; its contact
phone, and where its case stands, are read from the records the node sent (its ``case_update``
leaves). Registered with ``occurrences.casework`` so the portal, which knows nothing of nodes,
answers for node stations as for any other.
"""

from datetime import date, datetime

from django.conf import settings

from daftari.nodes import rules
from daftari.nodes.models import MirroredEntry, MirroredLeaf
from daftari.occurrences.casework import KIND_CASE_UPDATE, CaseElsewhere, Status, contact_phone_of
from daftari.occurrences.entry_types import BY_CODE
from daftari.occurrences.rules import format_ob_number
from daftari.stations.models import Station


def case_in_mirror(station: Station, seq: int, ob_date: date) -> CaseElsewhere | None:
    if settings.DAFTARI_ROLE != "hub":
        return None
    row = (
        MirroredEntry.objects.filter(station=station, ob_date=ob_date, ob_seq=seq)
        .select_related("leaf", "station")
        .order_by("-recorded_at")
        .first()
    )
    spec = BY_CODE.get(row.entry_type) if row is not None else None
    if row is None or spec is None or not spec.public_facing:
        return None
    parties = rules.rows_of(row.leaf.record or {}, "parties")
    phone = contact_phone_of([(str(p.get("role", "")), str(p.get("phone") or "")) for p in parties])
    status, updated_at = _latest_status(row)
    return CaseElsewhere(
        ob_number=format_ob_number(seq, ob_date),
        station_name=row.station.name,
        contact_phone=phone,
        status=status,
        updated_at=updated_at,
    )


def _latest_status(row: MirroredEntry) -> tuple[str | None, datetime]:
    """The entry's last case update the hub holds (its status and time), else none since it was recorded."""
    updates = MirroredLeaf.objects.filter(
        node_id=row.leaf.node_id, kind=KIND_CASE_UPDATE, record__occurrence=str(row.entry_id)
    ).order_by("-index")
    for record in updates.values_list("record", flat=True):
        if not isinstance(record, dict) or record.get("status") not in Status.values:
            continue  # erased by lawful order, or a status this hub does not know
        try:
            return str(record["status"]), datetime.fromisoformat(str(record["recorded_at"]))
        except (KeyError, ValueError):
            continue
    return None, row.recorded_at
