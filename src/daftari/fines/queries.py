"""Read-only questions about notices: who may see which, repeat offenders, figures for supervisors."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from daftari.core.errors import NotFound
from daftari.fines import rules
from daftari.fines.models import FineNotice, NoticeOffence, NoticePhoto
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


# --- Daily reconciliation -------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciledPayment:
    """A payment M-Pesa confirmed, and what it did to a notice (``event`` None: nothing yet)."""

    reference: str
    receipt: str
    paid_kes: int
    confirmed_at: datetime
    notice: FineNotice | None
    event_kind: str
    refund_due: bool


@dataclass(frozen=True)
class ReconciliationDay:
    payments: list[ReconciledPayment]
    confirmed_kes: int
    notices_settled: int
    partial: list[ReconciledPayment]
    over: list[ReconciledPayment]
    refunds: list[ReconciledPayment]
    unknown: list[ReconciledPayment]
    unsettled: list[ReconciledPayment]


def reconciliation(scope: Scope, *, since: datetime, until: datetime) -> ReconciliationDay:
    """The payments confirmed in [since, until) against what they settled, as far as ``scope`` sees notices.

    Money for a number no notice carries belongs to no station: every supervisor sees it.
    """
    from daftari.fines.models import NoticeEvent
    from daftari.payments.models import Payment

    payments = list(
        Payment.objects.filter(state=Payment.State.CONFIRMED, confirmed_at__gte=since, confirmed_at__lt=until).order_by(
            "confirmed_at"
        )
    )
    events = {
        e.payment_id: e
        for e in NoticeEvent.objects.filter(payment_id__in=[p.pk for p in payments]).only(
            "payment_id", "kind", "details", "notice_id"
        )
    }
    numbers = {rules.normalise_notice_number(p.account_reference) for p in payments}
    all_notices = {n.number: n for n in FineNotice.objects.filter(number__in=numbers).only("number", "station_id")}
    seen = {n.number: n for n in visible(scope).filter(number__in=numbers)}
    rows: list[ReconciledPayment] = []
    for p in payments:
        number = rules.normalise_notice_number(p.account_reference)
        if number in all_notices and number not in seen:
            continue  # another station's notice
        event = events.get(p.pk)
        rows.append(
            ReconciledPayment(
                reference=p.account_reference,
                receipt=p.mpesa_receipt or "",
                paid_kes=p.paid_kes if p.paid_kes is not None else p.amount_kes,
                confirmed_at=p.confirmed_at or p.created_at,
                notice=seen.get(number),
                event_kind=event.kind if event else "",
                refund_due=bool(event and event.details.get("refund_due")),
            )
        )
    settling = {NoticeEvent.Kind.PAID, NoticeEvent.Kind.OVERPAID}
    settled = {r.notice.pk for r in rows if r.notice is not None and r.event_kind in settling and not r.refund_due}
    return ReconciliationDay(
        payments=rows,
        confirmed_kes=sum(r.paid_kes for r in rows),
        notices_settled=len(settled),
        partial=[r for r in rows if r.event_kind == NoticeEvent.Kind.PARTIALLY_PAID and not r.refund_due],
        over=[r for r in rows if r.event_kind == NoticeEvent.Kind.OVERPAID and not r.refund_due],
        refunds=[r for r in rows if r.refund_due],
        unknown=[r for r in rows if r.notice is None],
        unsettled=[r for r in rows if r.notice is not None and not r.event_kind],
    )


def photo_of(notice: FineNotice) -> NoticePhoto | None:
    """The notice's roadside photo, if it has one (the first, should there ever be more)."""
    return NoticePhoto.objects.filter(notice=notice).order_by("taken_at", "pk").first()
