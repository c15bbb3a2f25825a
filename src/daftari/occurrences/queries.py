"""Reads of the Occurrence Book shared by the desk pages and the API."""

from datetime import date
from typing import Any

from django.db.models import Q

from daftari.occurrences import rules
from daftari.occurrences.models import Occurrence, OccurrenceQuerySet, Party
from daftari.stations.models import Station
from daftari.stations.rules import Scope


def todays_book(*, station: Station, day: date) -> OccurrenceQuerySet:
    """The station's page of the book for one Nairobi day, in OB order."""
    return (
        Occurrence.objects.filter(station=station, ob_date=day)
        .select_related("recorded_by__user", "refers_to")
        .prefetch_related("parties")
        .order_by("ob_seq")
    )


def corrections_of(entry: Occurrence) -> list[Occurrence]:
    return list(
        Occurrence.objects.filter(refers_to=entry, entry_type="AMENDMENT")
        .select_related("recorded_by__user")
        .order_by("recorded_at", "ob_seq")
    )


def as_corrected(entry: Occurrence, corrections: list[Occurrence] | None = None) -> dict[str, Any]:
    """The entry's correctable fields as they read after every correction."""
    original: dict[str, Any] = {
        "narrative": entry.narrative,
        "place": entry.place,
        "occurred_at": entry.occurred_at.astimezone(rules.NAIROBI).isoformat(timespec="minutes"),
        **entry.details,
    }
    if corrections is None:
        corrections = corrections_of(entry)
    return rules.as_corrected(original, [c.details.get("changes", {}) for c in corrections])


def earlier_appearances(
    *, scope: Scope, id_number: str = "", phone: str = "", exclude: Occurrence | None = None
) -> int:
    """In how many other entries the scope may see this ID number (or phone) appears."""
    match = Q()
    id_number = rules.normalise_id_number(id_number)
    if id_number:
        match |= Q(id_number=id_number)
    normalised_phone = rules.normalise_phone(phone) if phone else None
    if normalised_phone:
        match |= Q(phone=normalised_phone)
    if not match:
        return 0
    visible = Occurrence.objects.visible_to(scope).filter(id__in=Party.objects.filter(match).values("occurrence_id"))
    if exclude is not None:
        visible = visible.exclude(pk=exclude.pk)
    return visible.count()
