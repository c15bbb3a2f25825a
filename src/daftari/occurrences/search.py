"""Finding entries: by OB number, ID number, phone, plate, name or words of the narrative.

Full text uses PostgreSQL's GIN index on ``to_tsvector('simple', search_text)`` and, on the
embedded SQLite, the FTS5 table ``occurrences_fts`` filled by a trigger at insert.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.occurrences import entry_types, rules
from daftari.occurrences.models import Occurrence, OccurrenceQuerySet, Party, Vehicle
from daftari.stations.rules import Scope, sees_personal_data

MAX_WORDS = 8


class FoundElsewhere(Protocol):
    """Entries held outside this book's tables (at the hub: the books mirrored from station nodes),
    matching a query already checked here, newest first, at most ``limit``."""

    def __call__(self, *, scope: Scope, query: "SearchQuery", limit: int) -> list[Occurrence]: ...


_ELSEWHERE: list[FoundElsewhere] = []


def also_search(source: FoundElsewhere) -> None:
    if source not in _ELSEWHERE:
        _ELSEWHERE.append(source)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    ob_number: str = ""
    id_number: str = ""
    phone: str = ""
    plate: str = ""
    name: str = ""
    entry_type: str = ""
    date_from: date | None = None
    date_to: date | None = None
    station_code: str = ""

    @classmethod
    def from_box(cls, text: str, **filters: Any) -> "SearchQuery":
        """Reads the desk's single search box as whatever the officer most likely typed."""
        typed = (text or "").strip()
        base = cls(**filters)
        if not typed:
            return base
        if rules.parse_ob_number(typed):
            return replace(base, ob_number=typed)
        compact = re.sub(r"[\s\-]", "", typed)
        if compact.isdigit() and len(compact) in (7, 8, 14):
            return replace(base, id_number=compact)
        if re.fullmatch(r"\+?\d{9,13}", compact) and rules.normalise_phone(typed):
            return replace(base, phone=typed)
        if rules.plate_is_usual(rules.normalise_plate(typed)):
            return replace(base, plate=typed)
        if rules.id_number_is_usual(rules.normalise_id_number(typed)):
            return replace(base, id_number=typed)
        return replace(base, text=typed)

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.text, self.ob_number, self.id_number, self.phone, self.plate, self.name, self.entry_type)
        ) and not (self.date_from or self.date_to or self.station_code)


@dataclass
class SearchPage:
    entries: list[Occurrence]
    page: int
    per_page: int
    has_next: bool
    query: SearchQuery = field(default_factory=SearchQuery)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())[:MAX_WORDS]


def _full_text(qs: OccurrenceQuerySet, text: str, *, prefix: bool) -> OccurrenceQuerySet:
    """Every word must appear; with ``prefix`` each word also matches as a prefix ("wanj" finds "Wanjiku")."""
    words = _words(text)
    if not words:
        return qs
    star = "*" if prefix else ""
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{w}:*" if prefix else w for w in words)
        return qs.filter(
            RawSQL(
                "to_tsvector('simple', occurrences_occurrence.search_text) @@ to_tsquery('simple', %s)",
                [tsquery],
                output_field=BooleanField(),
            )
        )
    match = " AND ".join('"{}"{}'.format(w.replace('"', '""'), star) for w in words)
    return qs.filter(
        RawSQL(
            "occurrences_occurrence.id IN (SELECT occurrence_id FROM occurrences_fts WHERE occurrences_fts MATCH %s)",
            [match],
            output_field=BooleanField(),
        )
    )


def _holding(parts: QuerySet[Party] | QuerySet[Vehicle]) -> Q:
    """The entries holding these people or vehicles, and the entries a correction holding them corrects:
    an entry is found by its corrected values as well as by those it was recorded with."""
    holders = parts.values("occurrence_id")
    corrected = Occurrence.objects.filter(id__in=holders, entry_type="AMENDMENT").values("refers_to_id")
    return Q(id__in=holders) | Q(id__in=corrected)


@dataclass(frozen=True)
class Criterion:
    """What a query sought in an entry's people (``parties``), vehicles or corrected fields (``fields``):
    ``found`` says what of it a value holds, so a correction that took it away can be told."""

    kind: str
    attribute: str  # the part's attribute; "" for fields (any corrected field)
    found: Callable[[Any], frozenset[str]]


def _equal_to(sought: str) -> Callable[[Any], frozenset[str]]:
    return lambda value: frozenset({sought}) if value == sought else frozenset()


def _holding_words(words: list[str]) -> Callable[[Any], frozenset[str]]:
    def found(value: Any) -> frozenset[str]:
        held = re.findall(r"\w+", str(value).lower())
        return frozenset(w for w in words if any(h.startswith(w) for h in held))

    return found


def criteria(query: SearchQuery) -> list[Criterion]:
    """The values this query looks for in people, vehicles and fields."""
    found: list[Criterion] = []
    if query.id_number:
        found.append(Criterion("parties", "id_number", _equal_to(rules.normalise_id_number(query.id_number))))
    phone = rules.normalise_phone(query.phone) if query.phone else None
    if phone:
        found.append(Criterion("parties", "phone", _equal_to(phone)))
    if query.plate:
        found.append(Criterion("vehicles", "plate", _equal_to(rules.normalise_plate(query.plate))))
    if query.name:
        found.append(Criterion("parties", "name", _holding_words(_words(query.name))))
    if query.text:
        words = _holding_words(_words(query.text))
        found += [
            Criterion("parties", "name", words),
            Criterion("parties", "id_number", words),
            Criterion("vehicles", "plate", _equal_to(rules.normalise_plate(query.text))),
            Criterion("fields", "", words),
        ]
    return found


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=rules.NAIROBI)


def search_occurrences(*, scope: Scope, query: SearchQuery, page: int = 1, per_page: int = 25) -> SearchPage:
    """Entries the scope may see that match every given criterion, newest first.

    Words are matched whole first; only when that finds nothing are they read as prefixes,
    because a prefix of a common word makes PostgreSQL read that word's whole posting list.
    """
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    result = _search(scope, query, page, per_page, prefix=False)
    if not result.entries and page == 1 and (query.text or query.name):
        result = _search(scope, query, page, per_page, prefix=True)
    return result


def _search(scope: Scope, query: SearchQuery, page: int, per_page: int, *, prefix: bool) -> SearchPage:
    personal = {"q": query.text, "id_number": query.id_number, "phone": query.phone, "name": query.name}
    if not sees_personal_data(scope) and any(personal.values()):
        # Where a person appears is itself personal data.
        raise NotPermitted(
            _("Your role sees figures only: search by OB number, type, date or station."),
            fields={k: _("Not available to your role.") for k, v in personal.items() if v},
        )
    errors: dict[str, str] = {}
    qs = Occurrence.objects.visible_to(scope)
    if query.ob_number:
        parsed = rules.parse_ob_number(query.ob_number)
        if parsed is None:
            errors["ob_number"] = _("An OB number reads like OB 136/7/6/2025.")
        else:
            seq, ob_date = parsed
            qs = qs.filter(ob_date=ob_date, ob_seq=seq)
    if query.id_number:
        id_number = rules.normalise_id_number(query.id_number)
        qs = qs.filter(_holding(Party.objects.filter(id_number=id_number)))
    if query.phone:
        phone = rules.normalise_phone(query.phone)
        if phone is None:
            errors["phone"] = _("Not a valid phone number (e.g. 0712 345 678).")
        else:
            qs = qs.filter(_holding(Party.objects.filter(phone=phone)))
    if query.plate:
        plate = rules.normalise_plate(query.plate)
        qs = qs.filter(_holding(Vehicle.objects.filter(plate=plate)))
    if query.name:
        qs = _full_text(qs, query.name, prefix=prefix)
        name_filter = Q()
        for word in _words(query.name):
            name_filter &= Q(name__icontains=word)
        qs = qs.filter(_holding(Party.objects.filter(name_filter)))
    if query.text:
        qs = _full_text(qs, query.text, prefix=prefix)
    if query.entry_type:
        if query.entry_type not in entry_types.BY_CODE:
            errors["type"] = _("Unknown entry type.")
        qs = qs.filter(entry_type=query.entry_type)
    for name, day in (("from", query.date_from), ("to", query.date_to)):
        if day is not None and not date(1900, 1, 1) <= day <= date(2999, 12, 31):
            errors[name] = _("Give a date between 1900 and 2999.")
    if errors:
        raise InvalidInput(fields=errors)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        errors["to"] = _("The end date is before the start date.")
    if query.date_from:
        qs = qs.filter(recorded_at__gte=_day_start(query.date_from))
    if query.date_to:
        qs = qs.filter(recorded_at__lt=_day_start(query.date_to + timedelta(days=1)))
    if query.station_code:
        qs = qs.filter(station__code=query.station_code)
    if errors:
        raise InvalidInput(fields=errors)
    start, end = (page - 1) * per_page, page * per_page + 1
    ordered = (
        qs.select_related("station", "recorded_by__user", "refers_to__refers_to")
        .prefetch_related("parties", "offences", "property_items", "vehicles")
        .order_by("-recorded_at", "-ob_seq")
    )
    elsewhere = [entry for source in _ELSEWHERE for entry in source(scope=scope, query=query, limit=end)]
    if not elsewhere:
        rows = list(ordered[start:end])
    else:
        # Both lists newest first, each long enough for this page: merged, then the page taken.
        merged = list(ordered[:end]) + elsewhere
        merged.sort(key=lambda entry: (entry.recorded_at, entry.ob_seq), reverse=True)
        rows = merged[start:end]
    return SearchPage(entries=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page, query=query)
