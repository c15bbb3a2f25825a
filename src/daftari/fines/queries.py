"""Read-only questions about notices: who may see which, repeat offenders, figures for supervisors.

Every read of a notice goes through ``notice_for`` / ``view_notices``: the station scope, one
access event, and a ``NoticeView`` with what the reader may not see left out. The desk pages and
the API both render that view.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from daftari.core.errors import NotFound
from daftari.fines import rules
from daftari.fines.models import FineNotice, NoticeOffence, NoticePhoto
from daftari.fines.rules import State
from daftari.notifications.models import SmsMessage
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import Scope, sees_personal_data, station_filter
from daftari.stations.services import log_accesses, log_refused, outcome_of

if TYPE_CHECKING:
    from daftari.payments.models import Payment

RECORD_TYPE = "fine_notice"


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


def awaiting_decision(station_id: int) -> QuerySet[FineNotice]:
    """The station's unpaid notices past their deadline: to cancel, or to take to court. Oldest first."""
    return (
        FineNotice.objects.filter(
            station_id=station_id, projection__state__in=rules.AWAITING_DECISION_STATES, projection__paid_kes=0
        )
        .select_related("station", "officer__user", "catalogue", "projection")
        .order_by("due_at")
    )


def contested(station_id: int) -> QuerySet[FineNotice]:
    """The station's contested notices, waiting for the court's outcome. Oldest first."""
    return (
        FineNotice.objects.filter(station_id=station_id, projection__state=State.CONTESTED)
        .select_related("station", "officer__user", "catalogue", "projection")
        .order_by("issued_at")
    )


def issued_by_on(officer_id: int, *, since: datetime, until: datetime) -> QuerySet[FineNotice]:
    """The notices an officer issued in [since, until), newest first ("My notices today")."""
    return (
        FineNotice.objects.filter(officer_id=officer_id, issued_at__gte=since, issued_at__lt=until)
        .select_related("station", "officer__user", "catalogue", "projection")
        .prefetch_related("lines")
        .order_by("-issued_at")
    )


def waiting_prompt(notice: FineNotice) -> "Payment | None":
    """The M-Pesa prompt for the notice still waiting for the driver's PIN, if one is."""
    from daftari.payments.services import pending_prompt

    return pending_prompt(account_reference=notice.number)


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
    # Where the money went (all zero while the payment settled nothing yet).
    split: rules.MoneySplit

    @property
    def over_payment(self) -> bool:
        return self.split.over_kes > 0


@dataclass(frozen=True)
class ReconciliationDay:
    """The day's money: ``confirmed_kes`` = settled + over-payments + refunds + unknown + not yet settled."""

    payments: list[ReconciledPayment]
    confirmed_kes: int
    notices_settled: int
    partial: list[ReconciledPayment]
    over: list[ReconciledPayment]
    refunds: list[ReconciledPayment]
    unknown: list[ReconciledPayment]
    unsettled: list[ReconciledPayment]
    # Revenue: only what the notices owed. An over-payment's excess is its own line, to be refunded.
    settled_kes: int = 0
    over_kes: int = 0
    refunds_kes: int = 0
    unknown_kes: int = 0
    unsettled_kes: int = 0


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
        paid = p.paid_kes if p.paid_kes is not None else p.amount_kes
        notice = seen.get(number)
        rows.append(
            ReconciledPayment(
                reference=p.account_reference,
                receipt=p.mpesa_receipt or "",
                paid_kes=paid,
                confirmed_at=p.confirmed_at or p.created_at,
                notice=notice,
                event_kind=event.kind if event else "",
                refund_due=bool(event and event.details.get("refund_due")),
                split=rules.split_payment(amount=paid, kind=event.kind, details=event.details)
                if event and notice is not None
                else rules.MoneySplit(),
            )
        )
    settling = {NoticeEvent.Kind.PAID, NoticeEvent.Kind.OVERPAID}
    settled = {r.notice.pk for r in rows if r.notice is not None and r.event_kind in settling and not r.refund_due}
    over = [r for r in rows if r.over_payment]
    refunds = [r for r in rows if r.split.refund_kes]
    unknown = [r for r in rows if r.notice is None]
    unsettled = [r for r in rows if r.notice is not None and not r.event_kind]
    return ReconciliationDay(
        payments=rows,
        confirmed_kes=sum(r.paid_kes for r in rows),
        notices_settled=len(settled),
        partial=[r for r in rows if r.event_kind == NoticeEvent.Kind.PARTIALLY_PAID and not r.refund_due],
        over=over,
        refunds=refunds,
        unknown=unknown,
        unsettled=unsettled,
        settled_kes=sum(r.split.settled_kes for r in rows),
        over_kes=sum(r.split.over_kes for r in over),
        refunds_kes=sum(r.split.refund_kes for r in refunds),
        unknown_kes=sum(r.paid_kes for r in unknown),
        unsettled_kes=sum(r.paid_kes for r in unsettled),
    )


def photo_of(notice: FineNotice) -> NoticePhoto | None:
    """The notice's roadside photo, if it has one (the first, should there ever be more)."""
    return NoticePhoto.objects.filter(notice=notice).order_by("taken_at", "pk").first()


# --- The read model ------------------------------------------------------------------------


@dataclass(frozen=True)
class DriverView:
    name: str | None
    id_number: str | None
    licence: str | None
    phone: str | None


@dataclass(frozen=True)
class NoticeLineView:
    code: str
    offence: str
    fine_kes: int
    measured_speed: int | None
    speed_limit: int | None

    @property
    def offence_words(self) -> str:
        """The offence as the schedule words it in the page's language."""
        return rules.offence_words(self.offence)


@dataclass(frozen=True)
class NoticeEventView:
    kind: str
    kind_label: str
    outcome_label: str
    at: datetime
    amount_kes: int | None
    mpesa_receipt: str
    late: bool
    details: dict[str, Any]


# What each SMS about a notice told the driver, as the notice page names it.
SMS_WHAT = {
    "fine_notice": _("The notice and how to pay"),
    "fine_warning": _("The warning"),
    "fine_overdue": _("Reminder: the deadline has passed"),
    "fine_escalated": _("Taken further for not paying"),
    "fine_cancelled": _("The notice is cancelled: nothing to pay"),
    "fine_receipt": _("Receipt for a payment"),
}


@dataclass(frozen=True)
class NoticeSmsView:
    """One SMS to the driver about the notice and where it stands (queued, sent, delivered, withdrawn ...)."""

    what: str
    status: str
    status_label: str
    created_at: datetime
    sent_at: datetime | None
    withdrawn_at: datetime | None

    @property
    def withdrawn(self) -> bool:
        return self.status == SmsMessage.Status.WITHDRAWN


def _sms_of(notice: FineNotice) -> tuple[NoticeSmsView, ...]:
    payments = [e.payment_id for e in notice.events.all() if e.payment_id]
    keys = [*rules.asking_sms_keys(notice.number), f"fines:cancelled:{notice.number}"]
    keys += [f"fines:receipt:{payment_id}" for payment_id in payments]
    return tuple(
        NoticeSmsView(
            what=str(SMS_WHAT.get(m.template, m.template)),
            status=m.status,
            status_label=str(m.get_status_display()),
            created_at=m.created_at.astimezone(rules.NAIROBI),
            sent_at=m.sent_at.astimezone(rules.NAIROBI) if m.sent_at else None,
            withdrawn_at=m.withdrawn_at.astimezone(rules.NAIROBI) if m.withdrawn_at else None,
        )
        for m in SmsMessage.objects.filter(event_key__in=keys).order_by("created_at")
    )


@dataclass(frozen=True)
class NoticeView:
    """One notice as one reader may see it. Fields the reader may not see are None or empty."""

    id: uuid.UUID
    number: str
    station_code: str
    station_name: str
    station_id: int
    officer: str
    officer_name: str
    catalogue_version: int
    personal: bool
    plate: str | None
    plate_unusual: bool
    driver: DriverView
    place: str | None
    issued_at: datetime
    due_at: datetime
    lines: tuple[NoticeLineView, ...]
    total_kes: int
    warning_only: bool
    state: str
    state_label: str
    paid_kes: int
    outstanding_kes: int
    payable: bool
    late: bool
    photo: NoticePhoto | None
    events: tuple[NoticeEventView, ...]
    # The SMS to the driver about this notice (full views only): a cancelled notice's unsent ones show withdrawn.
    sms: tuple[NoticeSmsView, ...] = ()

    @property
    def outcome(self) -> str:
        return outcome_of(withheld=not self.personal)

    @property
    def photo_sha256(self) -> str | None:
        return self.photo.sha256 if self.photo is not None else None


def _notice_view(notice: FineNotice, *, personal: bool, full: bool) -> NoticeView:
    state = notice.projection
    return NoticeView(
        id=notice.pk,
        number=notice.number,
        station_code=notice.station.code,
        station_name=notice.station.name,
        station_id=notice.station_id,
        officer=notice.officer.service_number,
        officer_name=notice.officer.display_name,
        catalogue_version=notice.catalogue.version,
        personal=personal,
        plate=notice.plate if personal else None,
        plate_unusual=notice.plate_unusual,
        driver=DriverView(
            name=notice.driver_name if personal else None,
            id_number=notice.driver_id_number if personal else None,
            licence=notice.driver_licence if personal else None,
            phone=notice.driver_phone if personal else None,
        ),
        place=notice.place if personal else None,
        issued_at=notice.issued_at.astimezone(rules.NAIROBI),
        due_at=notice.due_at.astimezone(rules.NAIROBI),
        lines=tuple(
            NoticeLineView(line.code, line.offence, line.fine_kes, line.measured_speed, line.speed_limit)
            for line in notice.lines.all()
        ),
        total_kes=notice.total_kes,
        warning_only=notice.warning_only,
        state=state.state,
        state_label=str(state.get_state_display()),
        paid_kes=state.paid_kes,
        outstanding_kes=rules.amount_asked(state.state, total=notice.total_kes, paid=state.paid_kes),
        payable=rules.asks_for_payment(state.state, total=notice.total_kes, paid=state.paid_kes),
        late=state.late,
        photo=photo_of(notice) if personal and full else None,
        events=tuple(
            NoticeEventView(
                kind=e.kind,
                kind_label=str(e.get_kind_display()),
                outcome_label=e.outcome_label(),
                at=e.at.astimezone(rules.NAIROBI),
                amount_kes=e.amount_kes,
                mpesa_receipt=e.mpesa_receipt,
                late=e.late,
                details=e.details if personal else {},
            )
            for e in notice.events.order_by("at")
        )
        if full
        else (),
        sms=_sms_of(notice) if full else (),
    )


def view_notices(
    *, reader: User, notices: Sequence[FineNotice], purpose: AccessEvent.Purpose, channel: str, full: bool = True
) -> list[NoticeView]:
    """Views of notices already found within the reader's scope, each read written to the access log.

    ``full=False`` (look-up lists) leaves out each notice's photo and history.
    """
    personal = sees_personal_data(scope_of(reader))
    views = [_notice_view(notice, personal=personal, full=full) for notice in notices]
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, v.number, v.station_id, v.outcome) for v in views],
        purpose=purpose,
        channel=channel,
    )
    return views


def view_notice(*, reader: User, notice: FineNotice, purpose: AccessEvent.Purpose, channel: str) -> NoticeView:
    [view] = view_notices(reader=reader, notices=[notice], purpose=purpose, channel=channel)
    return view


def visible_notice(*, reader: User, number: str, purpose: AccessEvent.Purpose, channel: str) -> FineNotice:
    """The notice if the reader's scope reaches it; otherwise the refusal is logged (denied) and NotFound raised.

    For the actions on a notice (cancel, contest, pay); a read of it is ``notice_for``.
    """
    try:
        return find_visible(scope_of(reader), number)
    except NotFound:
        normalised = rules.normalise_notice_number(number)
        log_refused(
            actor=reader,
            record_type=RECORD_TYPE,
            model=FineNotice,
            record_id=normalised,
            purpose=purpose,
            channel=channel,
            lookup="number",
        )
        raise


def photo_for(*, reader: User, notice: FineNotice, photo: NoticePhoto, channel: str) -> NoticePhoto | None:
    """The notice's photo for the reader, None when withheld from them; the read is logged on its own."""
    personal = sees_personal_data(scope_of(reader))
    log_accesses(
        actor=reader,
        reads=[("fine_notice_photo", notice.number, notice.station_id, outcome_of(withheld=not personal))],
        purpose=AccessEvent.Purpose.DESK_VIEW,
        channel=channel,
    )
    return photo if personal else None


def notice_for(*, reader: User, number: str, purpose: AccessEvent.Purpose, channel: str) -> NoticeView:
    """The one read of a notice: scoped (404 and a denied event outside the scope), logged, withheld as due."""
    notice = visible_notice(reader=reader, number=number, purpose=purpose, channel=channel)
    return view_notice(reader=reader, notice=notice, purpose=purpose, channel=channel)


def repeat_offences(
    *, reader: User, plate: str = "", licence: str = ""
) -> tuple[list[NoticeView], list[NoticeView], list[tuple[NoticeView, int]] | None]:
    """A plate's and a licence's earlier notices within the reader's scope, each one logged as a look-up.

    Returns the notices by plate, by licence, and the licence's demerit points per notice (None when
    no licence was asked).
    """
    scope = scope_of(reader)
    by_plate_found = list(by_plate(scope, plate)[:200]) if plate else []
    by_licence_found = list(by_licence(scope, licence).prefetch_related("lines")[:200]) if licence else []
    seen = {n.pk: n for n in by_plate_found + by_licence_found}
    views = {
        v.id: v
        for v in view_notices(
            reader=reader, notices=list(seen.values()), purpose=AccessEvent.Purpose.LOOKUP, channel="desk", full=False
        )
    }
    points = None
    if licence:
        points = [
            (views[n.pk], sum(rules.demerit_points(line.fine_kes) for line in n.lines.all()))
            for n in by_licence_found
            if n.projection.state != State.CANCELLED
        ]
    return [views[n.pk] for n in by_plate_found], [views[n.pk] for n in by_licence_found], points
