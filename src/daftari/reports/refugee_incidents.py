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
  an entry naming people of two settlements counts in each. Parties as recorded with the entry.
- At the hub, the node stations' entries are in the tally but their parties are in the mirror, not
  the book: they are not counted here yet.
"""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace, Substr

from daftari.occurrences.models import Party
from daftari.refugees.models import CorrectionCase
from daftari.refugees.queries import IncidentCount
from daftari.refugees.rules import APPROVALS_NEEDED, DOCUMENT_PREFIXES
from daftari.reports.models import CrimeTally

# A register document number as the OB keeps ID numbers (core.identifiers: no spaces or hyphens; the
# slashes the register also reads are taken out here), e.g. RIDKAK26000001: the kind's prefix, the
# office, the year and the serial; the office is characters 4-6.
REFUGEE_NUMBER = r"^(" + "|".join(sorted(DOCUMENT_PREFIXES.values())) + r")[A-Z]{3}[0-9]{8}$"
NATIONAL_ID = r"^([0-9]{7,8}|[0-9]{14})$"  # an older national ID or a Maisha Namba


def _counted_parties() -> QuerySet[Party]:
    return Party.objects.filter(occurrence__refers_to__isnull=True)


def _category() -> Subquery:
    return Subquery(CrimeTally.objects.filter(entry_id=OuterRef("occurrence_id")).values("category")[:1])


def _host_office() -> Subquery:
    """The registering office of the approved status-correction case holding the party's national ID."""
    approved = (
        CorrectionCase.objects.filter(national_id=OuterRef("id_number"))
        .annotate(
            approvals=Count("decisions__decided_by", filter=Q(decisions__approve=True), distinct=True),
            rejections=Count("decisions", filter=Q(decisions__approve=False)),
        )
        .filter(approvals__gte=APPROVALS_NEEDED, rejections=0)
        .order_by("opened_at")
        .values("person__office")
    )
    return Subquery(approved[:1])


def incident_counts() -> list[IncidentCount]:
    """Entries by (settlement, category): how many involve a refugee, how many a host. Two GROUP BYs
    in the database over the parties with such an ID number; nothing personal leaves it."""
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
    return [IncidentCount(office, category, n[0], n[1]) for (office, category), n in sorted(cells.items())]
