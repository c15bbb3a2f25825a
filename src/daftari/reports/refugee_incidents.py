"""OB incidents involving refugees and host-community members, by settlement and crime category
(issue 14), for the refugee register's figures (registered there at start-up: the register sits
below the figures, so it cannot read the crime rollup itself).

Counted from the crime rollup's tally (one row per counted entry, its category as corrected), so an
incident counts here exactly when it counts in the crime figures, and in the same category.

- A refugee: a party whose ID number is a refugee register document's, by its form alone
  (refugees.rules.office_of_number; no register row read). A host: a party whose national ID is held
  by an approved status-correction case, the register's own record of a Kenyan of the host community
  found on it (the double-registration lesson). The register holds no other host-community members.
- The settlement is the DRS office of the person's registration: for a refugee the office their
  document number names, for a host the office that registered them. Not the station's: no list
  says which settlement a station serves (reference 3.1), and a refugee of Kakuma reported in
  Nairobi is still Kakuma's in the plan's figures, beside Kakuma's population.
- An entry counts once per settlement and group however many of its parties are refugees or hosts;
  an entry naming people of two settlements counts in each. Its parties as corrected: a party a
  correction replaced counts as the correction wrote it, one struck out as entered in error not at
  all, one a correction added counts. The entries no correction of parties touched are counted in
  the database; the few that one did are read back and placed in Python.
- At the hub, the node stations' entries are in the tally but their parties are in the mirror, not
  the book: the mirror hands back those naming a register document number or a host's national ID,
  with their corrections (``occurrences.other_books.naming_ids``), and they are placed the same way.
"""

import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace, Substr

from daftari.occurrences import other_books
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.rules import parts_as_corrected
from daftari.refugees.models import CorrectionCase
from daftari.refugees.queries import IncidentCount
from daftari.refugees.rules import APPROVALS_NEEDED, DOCUMENT_PREFIXES, office_of_number
from daftari.reports.models import CrimeTally

# A register document number as the OB keeps ID numbers (core.identifiers: no spaces or hyphens; the
# slashes the register also reads are taken out here), e.g. RIDKAK26000001: the kind's prefix, the
# office, the year and the serial; the office is characters 4-6.
REFUGEE_NUMBER = r"^(" + "|".join(sorted(DOCUMENT_PREFIXES.values())) + r")[A-Z]{3}[0-9]{8}$"
NATIONAL_ID = r"^([0-9]{7,8}|[0-9]{14})$"  # an older national ID or a Maisha Namba


def _parties_corrected() -> QuerySet[Occurrence, Any]:
    """The entries (their ids) a correction of their parties touched."""
    return Occurrence.objects.filter(entry_type="AMENDMENT", details__parts__has_key="parties").values("refers_to_id")


def _counted_parties() -> QuerySet[Party]:
    """The parties of the original entries no correction of parties touched, as recorded."""
    return Party.objects.filter(occurrence__refers_to__isnull=True).exclude(occurrence__in=_parties_corrected())


def _category() -> Subquery:
    return Subquery(CrimeTally.objects.filter(entry_id=OuterRef("occurrence_id")).values("category")[:1])


def _approved_cases() -> QuerySet[CorrectionCase]:
    return (
        CorrectionCase.objects.annotate(
            approvals=Count("decisions__decided_by", filter=Q(decisions__approve=True), distinct=True),
            rejections=Count("decisions", filter=Q(decisions__approve=False)),
        )
        .filter(approvals__gte=APPROVALS_NEEDED, rejections=0)
        .order_by("opened_at")
    )


def _host_office() -> Subquery:
    """The registering office of the approved status-correction case holding the party's national ID."""
    return Subquery(_approved_cases().filter(national_id=OuterRef("id_number")).values("person__office")[:1])


def _hosts() -> dict[str, str]:
    """Each national ID an approved status-correction case holds, with the office of its first such case."""
    hosts: dict[str, str] = {}
    for national_id, office in _approved_cases().values_list("national_id", "person__office"):
        hosts.setdefault(national_id, office)
    return hosts


Read = tuple[uuid.UUID, list[tuple[str, str]], list[tuple[list[dict[str, object]], list[tuple[str, str]]]]]


def _corrected_here() -> Iterable[Read]:
    """The original entries of this book a correction of parties touched: each with its parties (role,
    ID number) as recorded and, oldest first, each correction's map of them and its own parties."""
    corrected = set(_parties_corrected().values_list("refers_to_id", flat=True))
    if not corrected:
        return
    marks: dict[uuid.UUID, list[tuple[uuid.UUID, list[dict[str, object]]]]] = {pk: [] for pk in corrected}
    for correction_id, refers_to, details in (
        Occurrence.objects.filter(refers_to__in=corrected, entry_type="AMENDMENT")
        .order_by("recorded_at", "ob_seq")
        .values_list("id", "refers_to_id", "details")
    ):
        marks[refers_to].append((correction_id, list(((details or {}).get("parts") or {}).get("parties", []))))
    people: dict[uuid.UUID, list[tuple[str, str]]] = {}
    read = [*corrected, *(c for found in marks.values() for c, _m in found)]
    for occurrence_id, role, id_number in (
        Party.objects.filter(occurrence__in=read)
        .order_by("occurrence", "position")
        .values_list("occurrence_id", "role", "id_number")
    ):
        people.setdefault(occurrence_id, []).append((role, id_number))
    for pk in corrected:
        yield pk, people.get(pk, []), [(m, people.get(c, [])) for c, m in marks[pk]]


def _elsewhere(hosts: dict[str, str]) -> Iterable[Read]:
    """The same of the entries of the other books (at the hub, the station nodes') that name a register
    document number or a host's national ID, as recorded or corrected."""
    prefixes = tuple(sorted(DOCUMENT_PREFIXES.values()))
    for entry, corrections in other_books.naming_ids(set(hosts), prefixes):
        yield (
            entry.pk,
            [(p.role, p.id_number) for p in entry.parties.all()],
            [
                (
                    list((c.details.get("parts") or {}).get("parties", [])),
                    [(p.role, p.id_number) for p in c.parties.all()],
                )
                for c in corrections
            ],
        )


def _placed_as_corrected(hosts: dict[str, str]) -> Counter[tuple[str, str, int]]:
    """(office, category, 0 refugee / 1 host) -> entries, for the entries read back as corrected."""
    found: dict[uuid.UUID, set[tuple[str, int]]] = {}
    for entry_id, parties, corrections in (*_corrected_here(), *_elsewhere(hosts)):
        cells = found.setdefault(entry_id, set())
        for part in parts_as_corrected(parties, corrections):
            if part.in_error:
                continue
            id_number = part.value[1]
            if (office := office_of_number(id_number)) is not None:
                cells.add((office, 0))
            elif id_number in hosts:
                cells.add((hosts[id_number], 1))
    placed = {pk: cells for pk, cells in found.items() if cells}
    counts: Counter[tuple[str, str, int]] = Counter()
    if placed:
        tallies = CrimeTally.objects.filter(entry_id__in=list(placed)).values_list("entry_id", "category")
        for entry_id, category in tallies:
            counts.update((office, category, group) for office, group in placed[entry_id])
    return counts


def incident_counts() -> list[IncidentCount]:
    """Entries by (settlement, category): how many involve a refugee, how many a host, their parties as
    corrected. Two GROUP BYs in the database over the parties with such an ID number of the entries no
    correction of parties touched; the few it did, and the node stations' at the hub, placed in Python."""
    refugees = (
        _counted_parties()
        .annotate(compact=Replace(F("id_number"), Value("/"), Value("")))
        .filter(compact__regex=REFUGEE_NUMBER)
        .annotate(office=Substr("compact", 4, 3), category=_category())
        .filter(category__isnull=False)
        .values("office", "category")
        .annotate(n=Count("occurrence_id", distinct=True))
    )
    hosts = (
        _counted_parties()
        .filter(id_number__regex=NATIONAL_ID)
        .annotate(office=_host_office(), category=_category())
        .filter(office__isnull=False, category__isnull=False)
        .values("office", "category")
        .annotate(n=Count("occurrence_id", distinct=True))
    )
    cells: dict[tuple[str, str], list[int]] = {}
    for column, rows in ((0, refugees), (1, hosts)):
        for row in rows:
            cells.setdefault((row["office"], row["category"]), [0, 0])[column] += row["n"]
    for (office, category, column), n in _placed_as_corrected(_hosts()).items():
        cells.setdefault((office, category), [0, 0])[column] += n
    return [IncidentCount(office, category, n[0], n[1]) for (office, category), n in sorted(cells.items())]
