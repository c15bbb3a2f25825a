"""The day close: the figures the book gives for a station's day, and the DAILY_CLOSE line that
records them beside the figures the officer counted.

``book_figures`` only reads; ``close_day_from_line`` is the one state change (the line and its
``DayClose`` record, in one transaction). A counted figure that differs from the book is taken only
with its explanation (Remarks), and is recorded as a difference, never hidden.
"""

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.core.errors import InvalidInput
from daftari.custody import rules
from daftari.custody.models import CustodyEvent, CustodyState, DayClose
from daftari.custody.models import PropertyItem as HeldItem
from daftari.occurrences import entry_types
from daftari.occurrences import rules as book
from daftari.occurrences.models import Occurrence
from daftari.occurrences.queries import corrected_parts
from daftari.occurrences.rules import EntryDraft
from daftari.occurrences.services import Recorded, prepare_entry, write_entry
from daftari.stations.models import Officer, Station

State = CustodyState.State
FIGURES = frozenset(f.name for f in entry_types.DAILY_CLOSE.fields if f.figure)
# The entries whose property the station keeps (stolen property on a complaint is not held).
PROPERTY_KEPT = ("FOUND_PROPERTY", "PROPERTY_SEIZED", "EXHIBIT")


def persons_in_cells(station: Station) -> int:
    """Who the cells board holds now: the people in custody at the station."""
    return CustodyState.objects.filter(current_station=station, state=State.IN_CUSTODY).count()


def property_held(station: Station) -> int:
    """Items taken from detainees at this station's bookings and not yet returned or disposed of."""
    returned = {
        (custody_id, item["position"])
        for custody_id, details in CustodyEvent.objects.filter(
            custody__station=station, kind=CustodyEvent.Kind.PROPERTY_RETURNED
        ).values_list("custody_id", "details")
        for item in details.get("items", [])
    }
    items = HeldItem.objects.filter(custody__station=station).values_list("custody_id", "position")
    return sum(1 for item in items if item not in returned)


def property_booked(station: Station, day: date) -> int:
    """Items listed on the day's found-property, seized-property and exhibit entries, as corrected.

    The book records no return of these, so this is what was booked in that day, not what is held.
    """
    entries = Occurrence.objects.filter(station=station, ob_date=day, entry_type__in=PROPERTY_KEPT)
    return sum(
        1
        for entry in entries.prefetch_related("property_items")
        for item in corrected_parts(entry)["property_items"]
        if not item.in_error
    )


def officers_on_duty(station: Station) -> int:
    """Officers booked on duty (DUTY_ON_OFF, as corrected) and not booked off since."""
    order = ("recorded_at", "ob_date", "ob_seq")
    duty = Occurrence.objects.filter(station=station, entry_type="DUTY_ON_OFF").order_by(*order)
    changes: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    corrections = Occurrence.objects.filter(
        entry_type="AMENDMENT", refers_to__station=station, refers_to__entry_type="DUTY_ON_OFF"
    ).order_by(*order)
    for refers_to_id, details in corrections.values_list("refers_to_id", "details"):
        changes[refers_to_id].append(details.get("changes", {}))
    bookings = []
    for entry_id, details in duty.values_list("id", "details"):
        current = book.as_corrected(details, changes[entry_id])
        bookings.append((str(current.get("direction", "")), current.get("officers")))
    return len(rules.on_duty(bookings))


def entries_by_type(station: Station, day: date) -> dict[str, int]:
    """How many entries of each type the station's book holds for the OB day (types with none left out)."""
    counted = dict(
        Occurrence.objects.filter(station=station, ob_date=day)
        .order_by()
        .values_list("entry_type")
        .annotate(n=Count("id"))
        .values_list("entry_type", "n")
    )
    return {entry_types.entries_figure(code): counted[code] for code in entry_types.CODES if counted.get(code)}


def book_figures(station: Station, *, now: datetime | None = None) -> dict[str, int]:
    """Every figure of the day close as the book gives it now, for the OB day of ``now``, in the form's order."""
    day = book.ob_date_of(now or timezone.now())
    return {
        "persons_in_cells": persons_in_cells(station),
        "property_held": property_held(station),
        "property_booked": property_booked(station, day),
        "officers_on_duty": officers_on_duty(station),
        **entries_by_type(station, day),
    }


def _officer(actor: User) -> Officer:
    officer: Officer = actor.officer  # prepare_entry let only an officer through
    return officer


def _refusal(key: str, from_book: int, counted: int) -> str:
    if key == "persons_in_cells":
        return _(
            "The cells board holds %(count)d: confirm that figure, or explain in Remarks why you counted %(typed)d"
        ) % {"count": from_book, "typed": counted}
    return _("The book gives %(count)d: confirm that figure, or explain in Remarks why you counted %(typed)d") % {
        "count": from_book,
        "typed": counted,
    }


def close_day_from_line(
    *, actor: User, station: Station, draft: EntryDraft, client_id: uuid.UUID | None = None
) -> Recorded:
    """A DAILY_CLOSE line: each figure counted is checked against the book's. A different one is
    taken only with its explanation (Remarks); every figure, and each difference, is recorded in the
    day-close record with the line. Figures not given (an API client's) are recorded as not counted."""
    now = timezone.now()
    with transaction.atomic():
        prepared = prepare_entry(actor=actor, station=station, draft=draft, now=now)
        errors = dict(prepared.errors)
        details = prepared.draft.details
        explanation = str(details.get("remarks") or "").strip()
        counted = {key: value for key, value in details.items() if key in FIGURES and isinstance(value, int)}
        figures = rules.day_close_figures(book_figures(station, now=now), counted, explanation)
        different = [f for f in figures if rules.differs(f["from_book"], f["counted"])]
        if different and not explanation:
            for f in different:
                errors.setdefault(f"details.{f['key']}", _refusal(f["key"], f["from_book"], f["counted"]))
            errors.setdefault("details.remarks", _("Explain in Remarks each figure that differs from the book"))
        if errors:
            raise InvalidInput(fields=errors)
        recorded = write_entry(actor=actor, station=station, draft=draft, client_id=client_id)
        if recorded.created:
            DayClose.objects.create(
                station=station,
                day=recorded.entry.ob_date,
                entry=recorded.entry,
                figures=figures,
                differences=len(different),
                recorded_at=now,
                recorded_by=_officer(actor),
            )
        return recorded
