"""Read-only questions about notices: who may see which, repeat offenders, figures for supervisors."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from daftari.core.errors import NotFound
from daftari.fines import rules
from daftari.fines.models import FineNotice, NoticeOffence
from daftari.fines.rules import State
from daftari.stations.rules import Scope, station_filter


def visible(scope: Scope) -> QuerySet[FineNotice]:
    lookup = station_filter(scope)
    if lookup is None:
        return FineNotice.objects.none()
    return FineNotice.objects.filter(**lookup).select_related("station", "officer", "catalogue", "projection")


def find_visible(scope: Scope, number: str) -> FineNotice:
    from daftari.fines.services import find_notice

    notice = find_notice(number)
    if not visible(scope).filter(pk=notice.pk).exists():
        raise NotFound()
    return notice


def by_plate(scope: Scope, plate: str) -> QuerySet[FineNotice]:
    return visible(scope).filter(plate=rules.check_plate(plate, {}).plate).order_by("-issued_at")


def by_licence(scope: Scope, licence: str) -> QuerySet[FineNotice]:
    return visible(scope).filter(driver_licence=licence.replace(" ", "").upper()).order_by("-issued_at")


def demerit_points(scope: Scope, licence: str) -> list[tuple[FineNotice, int]]:
    """Points per notice on a licence (provisional schedule), skipping cancelled and acquitted notices."""
    rows = []
    for notice in by_licence(scope, licence).prefetch_related("lines"):
        if notice.projection.state == State.CANCELLED:
            continue
        rows.append((notice, sum(rules.demerit_points(line.fine_kes) for line in notice.lines.all())))
    return rows


@dataclass(frozen=True)
class FigureRow:
    label: str
    notices: int
    amount_kes: int
    paid_kes: int
    cancellations: int

    @property
    def paid_share(self) -> float:
        return self.paid_kes / self.amount_kes if self.amount_kes else 0.0


def figures(scope: Scope, *, since: datetime, until: datetime, by: str) -> list[FigureRow]:
    """Notices, amounts, money received and cancellations per officer or per station: the anti-corruption view."""
    key = {"officer": "officer__service_number", "station": "station__code"}[by]
    rows = (
        visible(scope)
        .filter(issued_at__gte=since, issued_at__lt=until)
        .values(key)
        .annotate(
            notices=Count("pk"),
            amount=Sum("total_kes"),
            paid=Sum("projection__paid_kes"),
            cancelled=Count("pk", filter=Q(projection__state=State.CANCELLED)),
        )
        .order_by(key)
    )
    return [FigureRow(r[key], r["notices"], r["amount"] or 0, r["paid"] or 0, r["cancelled"]) for r in rows]


def lines_of(notice: FineNotice) -> list[NoticeOffence]:
    return list(notice.lines.all())
