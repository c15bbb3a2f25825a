"""Every change to the catalogue, to notices and to their state goes through one of these functions.

Each one is atomic, checks the actor's role and station, writes the append-only record, updates the
``NoticeState`` projection and appends a ledger leaf (kind "notice", or "payment" for money) in the
same transaction. Money is integer KES throughout.
"""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from daftari_verify import merkle
from daftari_verify.checkpoint import InclusionProof, open_checkpoint
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import Leaf as LeafV1
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core import human
from daftari.core.errors import DomainError, DuplicateWithDifferentContent, InvalidInput, NotFound, NotPermitted
from daftari.fines import records, rules
from daftari.fines.models import (
    FineNotice,
    NoticeEvent,
    NoticeOffence,
    NoticePhoto,
    NoticeState,
    OffenceCatalogue,
    ScheduledOffence,
)
from daftari.fines.rules import State
from daftari.ledger import keys
from daftari.ledger import services as ledger
from daftari.ledger.models import Commitment
from daftari.notifications.services import send_sms, withdraw_queued
from daftari.stations.models import Officer, Station, scope_of
from daftari.stations.rules import (
    Scope,
    can_cancel_notice,
    can_issue_notice,
    can_record_at,
    can_record_court_outcome,
    can_take_notice_to_court,
)

if TYPE_CHECKING:
    from daftari.payments.models import Payment

Kind = NoticeEvent.Kind
log = logging.getLogger(__name__)


class WrongCheckCharacter(NotFound):
    code = "wrong_check_character"
    default_message = gettext_lazy(
        "This is not a valid notice number: its check character is wrong. Check the number for a typing mistake."
    )


class NoCatalogue(DomainError):
    code = "no_catalogue"
    status = 409
    default_message = gettext_lazy("No offence catalogue is in force for that date.")


class NotPayable(DomainError):
    code = "not_payable"
    status = 409
    default_message = gettext_lazy("This notice cannot be paid.")


class TooManyPrompts(DomainError):
    code = "too_many_prompts"
    status = 429
    default_message = gettext_lazy(
        "Too many M-Pesa prompts were asked for this notice or this phone. Please wait an hour and try again."
    )


class WrongState(DomainError):
    code = "wrong_state"
    status = 409
    default_message = gettext_lazy("This cannot be done to the notice in its present state.")


class Issued(NamedTuple):
    notice: FineNotice
    created: bool  # False when a retry with the same id and content returned the stored notice


# --- The catalogue --------------------------------------------------------------------------


def catalogue_in_force(on: date) -> OffenceCatalogue | None:
    """The newest version whose period covers ``on``."""
    return (
        OffenceCatalogue.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from", "-version")
        .first()
    )


def current_offences(on: date | None = None) -> list[ScheduledOffence]:
    catalogue = catalogue_in_force(on or timezone.localdate())
    if catalogue is None:
        return []
    return list(catalogue.offences.order_by("code"))


def import_catalogue(
    *,
    rows: Sequence[rules.ScheduledOffenceRow],
    effective_from: date,
    source_file: str,
    effective_to: date | None = None,
) -> OffenceCatalogue:
    """A new catalogue version; earlier versions are left exactly as they were."""
    codes = [r.code for r in rows]
    if not rows or len(set(codes)) != len(codes):
        raise InvalidInput(fields={"file": _("The catalogue must have offences, each code once.")})
    if effective_to is not None and effective_to <= effective_from:
        raise InvalidInput(fields={"effective_to": _("The end must come after the start.")})
    with transaction.atomic():
        last = OffenceCatalogue.objects.select_for_update().order_by("-version").first()
        catalogue = OffenceCatalogue.objects.create(
            version=(last.version + 1) if last is not None else 1,
            effective_from=effective_from,
            effective_to=effective_to,
            imported_at=timezone.now(),
            source_file=source_file[:300],
        )
        ScheduledOffence.objects.bulk_create(
            ScheduledOffence(
                catalogue=catalogue,
                code=r.code,
                offence=r.offence,
                fine_kes=r.fine_kes,
                legal_reference=r.legal_reference[:200],
                status=r.status.value,
                source=r.source,
            )
            for r in rows
        )
    return catalogue


# --- Finding a notice -----------------------------------------------------------------------


def find_notice(number: str) -> FineNotice:
    """The notice with this number; a mistyped number is refused by its check character first."""
    text = rules.normalise_notice_number(number)
    if rules.looks_like_notice_number(text) and not rules.check_notice_number(text):
        raise WrongCheckCharacter()
    notice = (
        FineNotice.objects.select_related("station", "officer", "catalogue", "projection").filter(number=text).first()
    )
    if notice is None:
        raise NotFound(_("No notice with this number."))
    return notice


# --- The proof in the signed book ----------------------------------------------------------


class Proof(NamedTuple):
    leaf_index: int | None
    checkpoint_at: datetime | None  # None: awaiting the next checkpoint
    ok: bool
    erased: bool = False  # its personal details were erased by lawful order


def notice_proof(notice: FineNotice) -> Proof:
    """The notice's leaf, and whether the latest signed checkpoint proves it (checked here, by daftari_verify)."""
    leaf = ledger.leaf_for(str(notice.pk))
    if leaf is None:
        return Proof(None, None, False)
    erased = ledger.is_redacted(leaf)
    checkpoint = ledger.latest_checkpoint(leaf.log)
    if checkpoint is None or checkpoint.size <= leaf.index:
        return Proof(leaf.index, None, False, erased)
    data = bytes(leaf.data)
    try:
        signed = open_checkpoint(checkpoint.signed_note, [keys.verifier()], origin=leaf.log.origin)
        hashes = tuple(ledger.inclusion_proof(leaf.log, leaf.index, checkpoint.size))
        InclusionProof(leaf.index, checkpoint.size, hashes).verify(merkle.leaf_hash(data), signed)
        if erased:
            # The erasure deleted the salt with the personal data, so the notice can no longer be
            # opened against its commitment. That is the order working, not a forgery: the leaf's
            # place in the signed book, proved above, is what is left to check.
            return Proof(leaf.index, checkpoint.signed_at, True, True)
        salt = Commitment.objects.filter(leaf=leaf).values_list("salt", flat=True).first()
        # The notice as stored now (with its photo's hash) must be the one the leaf committed to.
        stored = records.stored_record(str(notice.pk))
        if stored is None:
            return Proof(leaf.index, checkpoint.signed_at, False)
        LeafV1.from_bytes(data).check_record(stored, bytes(salt or b""))
    except (VerificationError, FormatError, ValueError):
        log.exception("fines: notice %s failed verification against its checkpoint", notice.number)
        return Proof(leaf.index, checkpoint.signed_at, False, erased)
    return Proof(leaf.index, checkpoint.signed_at, True)


# --- Issuing --------------------------------------------------------------------------------


def _officer(actor: User) -> Officer:
    officer = getattr(actor, "officer", None)
    if officer is None:
        raise NotPermitted()
    return officer


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _sms_context(notice: FineNotice, lines: Sequence[NoticeOffence]) -> dict[str, object]:
    base = (settings.DAFTARI_PUBLIC_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
    return {
        "number": notice.number,
        "offences": ", ".join(f"{line.code} ({human.thousands(line.fine_kes)})" for line in lines),
        "total_kes": notice.total_kes,
        # Formatted by the SMS template, in the recipient's language ("5 Dis 2026, 09:15").
        "due": notice.due_at,
        "paybill": settings.DAFTARI_DARAJA_SHORTCODE,
        "pay_url": f"{base}/pay/notice/{notice.number}",
        "verify_url": f"{base}/verify/notice/{notice.number}",
        "station": notice.station.name,
        "plate": notice.plate,
        "warning_only": notice.warning_only,
    }


def _replay(client_id: uuid.UUID | None, digest: str) -> FineNotice | None:
    if client_id is None:
        return None
    existing = FineNotice.objects.filter(pk=client_id).first()
    if existing is None:
        return None
    if existing.content_hash != digest:
        raise DuplicateWithDifferentContent()
    return existing


def issue_notice(
    *,
    actor: User,
    station: Station,
    draft: rules.NoticeDraft,
    client_id: uuid.UUID | None = None,
    photo: rules.PhotoInput | None = None,
    language_required: bool = False,
) -> Issued:
    """Issues a notice at the roadside: priced from the catalogue in force, a leaf, and an SMS to the motorist.

    An optional photo (the roadside evidence) is kept with it; its sha256 goes into the notice's leaf.
    ``language_required``: a phone given needs its SMS language chosen (the roadside form, see ``clean_notice``).
    """
    ledger.ensure_fines_recorded_here()
    scope = scope_of(actor)
    if not can_issue_notice(scope, station_code=station.code):
        if can_issue_notice(scope, station_code=scope.station_code or ""):
            raise NotPermitted(_("You may only issue notices for your own station."))
        raise NotPermitted(_("Only traffic officers issue fine notices."))
    now = timezone.now()
    cleaned, errors = rules.clean_notice(draft, now=now, language_required=language_required)
    catalogue = None
    lines: list[rules.NoticeLine] = []
    if "issued_at" not in errors:
        catalogue = catalogue_in_force(cleaned.issued_at.astimezone(rules.NAIROBI).date())
        if catalogue is None:
            raise NoCatalogue()
        entries = {o.code: rules.CatalogueEntry(o.code, o.offence, o.fine_kes) for o in catalogue.offences.all()}
        lines = rules.notice_lines(list(cleaned.offences), entries, errors)
    photo_sha256 = None
    if photo is not None:
        refusal = rules.photo_refusal(photo, max_bytes=settings.DAFTARI_FINES_MAX_PHOTO_BYTES)
        if refusal is not None:
            errors["photo"] = refusal
        else:
            photo_sha256 = hashlib.sha256(photo.content).hexdigest()
    if errors:
        raise InvalidInput(fields=dict(errors))
    assert catalogue is not None
    content: dict[str, Any] = {"station": station.code, "draft": asdict(cleaned), "catalogue": catalogue.version}
    if photo_sha256 is not None:
        content["photo_sha256"] = photo_sha256
    digest = _digest(content)
    try:
        with transaction.atomic():
            replay = _replay(client_id, digest)
            if replay is not None:
                return Issued(replay, created=False)
            notice = _create_notice(actor, station, cleaned, catalogue, lines, client_id, digest, now, photo)
            return Issued(notice, created=True)
    except IntegrityError:
        replay = _replay(client_id, digest)
        if replay is None:
            raise
        return Issued(replay, created=False)


def _create_notice(
    actor: User,
    station: Station,
    draft: rules.NoticeDraft,
    catalogue: OffenceCatalogue,
    lines: list[rules.NoticeLine],
    client_id: uuid.UUID | None,
    digest: str,
    now: datetime,
    photo: rules.PhotoInput | None = None,
) -> FineNotice:
    number = rules.new_notice_number()
    # 31^7 numbers: a clash is rare, but a number is never handed out twice.
    while FineNotice.objects.filter(number=number).exists():
        number = rules.new_notice_number()
    total = rules.total_kes(lines)
    notice = FineNotice.objects.create(
        id=client_id or uuid.uuid4(),
        number=number,
        station=station,
        officer=_officer(actor),
        catalogue=catalogue,
        plate=draft.plate,
        plate_unusual=not rules.plate_is_usual(draft.plate),
        driver_name=draft.driver_name,
        driver_id_number=draft.driver_id_number,
        driver_licence=draft.driver_licence,
        driver_phone=draft.driver_phone,
        place=draft.place,
        lat=round(draft.lat, 6) if draft.lat is not None else None,
        lon=round(draft.lon, 6) if draft.lon is not None else None,
        issued_at=draft.issued_at,
        recorded_at=now,
        due_at=rules.due_at(draft.issued_at, days_to_pay=settings.DAFTARI_FINES_DAYS_TO_PAY),
        total_kes=total,
        warning_only=rules.warning_only(lines),
        content_hash=digest,
    )
    NoticeOffence.objects.bulk_create(
        NoticeOffence(
            notice=notice,
            position=i,
            code=line.code,
            offence=line.offence,
            fine_kes=line.fine_kes,
            measured_speed=line.measured_speed,
            speed_limit=line.speed_limit,
        )
        for i, line in enumerate(lines)
    )
    NoticeState.objects.create(
        notice=notice, state=State.CLOSED if notice.warning_only else State.ISSUED, updated_at=now
    )
    if photo is not None:
        sniffed = rules.sniff_photo(photo.content)
        assert sniffed is not None  # refused earlier otherwise
        NoticePhoto.objects.create(
            notice=notice,
            content=photo.content,
            content_type=sniffed,
            sha256=hashlib.sha256(photo.content).hexdigest(),
            size_bytes=len(photo.content),
            taken_at=draft.issued_at,
            added_by=notice.officer,
        )
    # Read back so the ledger commits to the values as the database stores them.
    notice = FineNotice.objects.select_related("station", "officer", "catalogue", "projection").get(pk=notice.pk)
    stored_lines = list(notice.lines.all())
    # Into the station's book, or at the hub into its fines log while a node keeps the book.
    ledger.append_fine(
        station=station,
        kind=records.KIND_NOTICE,
        record_id=str(notice.pk),
        record=records.notice_record(notice, stored_lines, records.photo_sha256_of(notice)),
        by=notice.officer.service_number,
        follows=None,
        at=now,
    )
    if notice.driver_phone:
        send_sms(
            to=notice.driver_phone,
            template="fine_warning" if notice.warning_only else "fine_notice",
            context=_sms_context(notice, stored_lines),
            language=draft.language or None,
            event_key=f"fines:notice:{notice.number}",
        )
    return notice


# --- Events ---------------------------------------------------------------------------------


def _locked_state(notice: FineNotice) -> NoticeState:
    return NoticeState.objects.select_for_update().get(notice=notice)


def _record_event(
    notice: FineNotice,
    state: NoticeState,
    *,
    kind: str,
    at: datetime,
    by: Officer | None,
    new_state: str | None = None,
    amount_kes: int | None = None,
    payment_id: uuid.UUID | None = None,
    mpesa_receipt: str = "",
    late: bool = False,
    details: dict[str, Any] | None = None,
) -> NoticeEvent:
    event = NoticeEvent.objects.create(
        notice=notice,
        kind=kind,
        at=at,
        recorded_by=by,
        amount_kes=amount_kes,
        payment_id=payment_id,
        mpesa_receipt=mpesa_receipt or "",
        late=late,
        details=details or {},
    )
    if new_state is not None:
        state.state = new_state
    state.updated_at = at
    state.save()
    event = NoticeEvent.objects.select_related("notice", "recorded_by").get(pk=event.pk)
    notice_leaf = ledger.leaf_for(str(notice.pk))
    ledger.append_fine(
        station=notice.station,
        kind=records.KIND_PAYMENT if kind in records.PAYMENT_KINDS else records.KIND_NOTICE,
        record_id=str(event.pk),
        record=records.event_record(event),
        by=by.service_number if by is not None else "system",
        follows=notice_leaf,
        at=at,
    )
    return event


def _station_officer(actor: User, notice: FineNotice, *, may: Callable[..., bool]) -> Officer:
    """The acting officer, if ``may`` allows them this step on the notice; another station's notice is not found."""
    scope: Scope = scope_of(actor)
    if not can_record_at(scope, station_code=notice.station.code):
        raise NotFound(_("No notice with this number."))
    if not may(scope, station_code=notice.station.code):
        raise NotPermitted()
    return _officer(actor)


def cancel_notice(*, actor: User, number: str, reason: str) -> NoticeEvent:
    """The OCS of the issuing station cancels a notice, with a reason; the cancellation is its own record."""
    notice = find_notice(number)
    officer = _station_officer(actor, notice, may=can_cancel_notice)
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(fields={"reason": _("Enter the reason for cancelling")})
    if len(reason) > 500:
        raise InvalidInput(fields={"reason": _("At most %(limit)d characters.") % {"limit": 500}})
    with transaction.atomic():
        state = _locked_state(notice)
        if not rules.may_cancel(state.state, state.paid_kes):
            raise WrongState(_("Only an unpaid notice that is not in court can be cancelled."))
        event = _record_event(
            notice,
            state,
            kind=Kind.CANCELLED,
            at=timezone.now(),
            by=officer,
            new_state=State.CANCELLED,
            details={"reason": reason},
        )
        # An SMS asking to pay that has not gone yet never goes: withdrawn with the cancellation (kept, marked so).
        withdraw_queued(event_keys=rules.asking_sms_keys(notice.number), reason=f"notice {notice.number} cancelled")
        if notice.driver_phone:
            # The driver was told to pay; now they are told not to (sent with the cancellation, or not at all).
            send_sms(
                to=notice.driver_phone,
                template="fine_cancelled",
                context={
                    "number": notice.number,
                    "station": notice.station.name,
                    "verify_url": _sms_context(notice, [])["verify_url"],
                },
                event_key=f"fines:cancelled:{notice.number}",
            )
        return event


def contest_notice(*, actor: User, number: str, note: str = "") -> NoticeEvent:
    """The motorist denies the offence and goes to court; the notice is no longer payable."""
    notice = find_notice(number)
    officer = _station_officer(actor, notice, may=can_take_notice_to_court)
    with transaction.atomic():
        state = _locked_state(notice)
        if state.state not in rules.CONTESTABLE_STATES or state.paid_kes:
            raise WrongState()
        return _record_event(
            notice,
            state,
            kind=Kind.CONTESTED,
            at=timezone.now(),
            by=officer,
            new_state=State.CONTESTED,
            details={"note": " ".join(note.split())[:500]},
        )


def record_court_outcome(*, actor: User, number: str, outcome: str) -> NoticeEvent:
    notice = find_notice(number)
    officer = _station_officer(actor, notice, may=can_record_court_outcome)
    if outcome not in rules.CourtOutcome.__members__.values():
        raise InvalidInput(fields={"outcome": _("Choose convicted and paid, acquitted or withdrawn.")})
    with transaction.atomic():
        state = _locked_state(notice)
        if state.state != State.CONTESTED:
            raise WrongState(_("Only a contested notice has a court outcome."))
        return _record_event(
            notice,
            state,
            kind=Kind.COURT_OUTCOME,
            at=timezone.now(),
            by=officer,
            new_state=State.CLOSED,
            details={"outcome": outcome},
        )


# --- Paying ---------------------------------------------------------------------------------


def outstanding(notice: FineNotice) -> int:
    """What the notice asks of the driver now (nothing once cancelled)."""
    state = notice.projection
    return rules.amount_asked(state.state, total=notice.total_kes, paid=state.paid_kes)


def payable(notice: FineNotice) -> bool:
    """Whether the public pay page and the API still offer payment for the notice."""
    state = notice.projection
    return rules.asks_for_payment(state.state, total=notice.total_kes, paid=state.paid_kes)


class Prompt(NamedTuple):
    """The STK prompt that answers a request to pay: ``already_pending`` when it was sent before (none was now)."""

    payment: "Payment"
    already_pending: bool


def pay_notice(*, number: str, phone: str) -> Prompt:
    """Asks M-Pesa to prompt ``phone`` for what is still due (STK push), account = the notice number.

    One prompt per notice at a time: while one waits for the customer it is the answer and no other is
    sent (five at once would each collect the whole fine). A paid or cancelled notice is never prompted.
    At most DAFTARI_PAY_PROMPTS_PER_PHONE / _PER_NOTICE prompts in the window, then TooManyPrompts (429).
    """
    from daftari.payments import services as payments

    notice = find_notice(number)
    with transaction.atomic():
        # The notice's state row, locked: two requests for one notice take turns here.
        state = _locked_state(notice)
        amount = rules.outstanding_kes(notice.total_kes, state.paid_kes)
        refusal = rules.payment_refusal(state=state.state, total=notice.total_kes, paid=state.paid_kes, amount=amount)
        if refusal is not None:
            raise NotPayable(refusal)
        waiting = payments.pending_prompt(account_reference=notice.number)
        if waiting is not None:
            return Prompt(waiting, already_pending=True)
        since = timezone.now() - timedelta(minutes=settings.DAFTARI_PAY_PROMPT_WINDOW_MINUTES)
        if payments.prompts_since(since, account_reference=notice.number) >= settings.DAFTARI_PAY_PROMPTS_PER_NOTICE:
            raise TooManyPrompts()
        if payments.prompts_since(since, phone=phone) >= settings.DAFTARI_PAY_PROMPTS_PER_PHONE:
            raise TooManyPrompts()
        payment = payments.request_stk_push(
            account_reference=notice.number,
            amount_kes=amount,
            phone=phone,
            description=_("Fine %(number)s") % {"number": notice.number},
        )
    return Prompt(payment, already_pending=False)


def payment_refusal(reference: str, amount_kes: int) -> str | None:
    """Why a paybill payment to ``reference`` must be refused, or None to accept it."""
    try:
        notice = find_notice(reference)
    except NotFound:
        return _("Unknown notice number.")
    state = notice.projection
    return rules.payment_refusal(state=state.state, total=notice.total_kes, paid=state.paid_kes, amount=amount_kes)


def settle_payment(
    *, number: str, payment_id: uuid.UUID, amount_kes: int, mpesa_receipt: str, phone: str, at: datetime
) -> NoticeEvent | None:
    """Records confirmed money against a notice, once per payment; partial and over-payments are kept.

    Runs inside the transaction that confirms the payment. The receipt SMS goes out with it.
    """
    notice = find_notice(number)
    with transaction.atomic():
        state = _locked_state(notice)
        if NoticeEvent.objects.filter(payment_id=payment_id).exists():
            return None
        settlement = rules.settle(total=notice.total_kes, paid_before=state.paid_kes, amount=amount_kes)
        new_state: str | None = None
        details: dict[str, Any] = {"paid_kes": settlement.paid_kes, "excess_kes": settlement.excess_kes}
        if state.state in (State.ISSUED, State.OVERDUE, State.ESCALATED):
            if settlement.state_after_paid:
                new_state = State.PAID
        else:
            # Money that reaches a cancelled, contested or closed notice is recorded, never lost: it is refunded.
            details["refund_due"] = True
            details["state_at_payment"] = state.state
        late = at > notice.due_at
        state.paid_kes = settlement.paid_kes
        state.late = state.late or late
        event = _record_event(
            notice,
            state,
            kind=settlement.kind,
            at=at,
            by=None,
            new_state=new_state,
            amount_kes=amount_kes,
            payment_id=payment_id,
            mpesa_receipt=mpesa_receipt,
            late=late,
            details=details,
        )
        to = phone or notice.driver_phone
        if to:
            send_sms(
                to=to,
                template="fine_receipt",
                context={
                    "number": notice.number,
                    "amount_kes": amount_kes,
                    "receipt": mpesa_receipt,
                    "paid_kes": settlement.paid_kes,
                    "total_kes": notice.total_kes,
                    "outstanding_kes": rules.outstanding_kes(notice.total_kes, settlement.paid_kes),
                    "excess_kes": settlement.excess_kes,
                },
                event_key=f"fines:receipt:{payment_id}",
            )
        return event


class FineAccounts:
    """The payments app's handler for notice numbers (M-Pesa account references)."""

    def prefix_matches(self, reference: str) -> bool:
        return rules.looks_like_notice_number(reference)

    def validate(self, reference: str, amount_kes: int) -> str | None:
        return payment_refusal(reference, amount_kes)

    def on_confirmed(self, payment: "Payment") -> None:
        amount = payment.paid_kes if payment.paid_kes is not None else payment.amount_kes
        if not FineNotice.objects.filter(number=rules.normalise_notice_number(payment.account_reference)).exists():
            # Paybill money for a number no notice carries: payments keeps it and reconciliation lists it.
            log.warning("payment %s for unknown notice %s", payment.pk, payment.account_reference)
            return
        settle_payment(
            number=payment.account_reference,
            payment_id=payment.id,
            amount_kes=amount,
            mpesa_receipt=payment.mpesa_receipt or "",
            phone=payment.phone,
            at=payment.confirmed_at or timezone.now(),
        )


HANDLER = FineAccounts()


def register_payment_handler() -> None:
    from daftari.payments import accounts

    accounts.register(HANDLER)


# --- Deadlines ------------------------------------------------------------------------------


def escalate_overdue(now: datetime) -> dict[str, int]:
    """Marks unpaid notices overdue at their deadline (a reminder SMS) and escalates them later
    (a Notice to Attend Court). Idempotent: each step happens once per notice."""
    counts = {"overdue": 0, "escalated": 0}
    candidates = NoticeState.objects.filter(
        state__in=[State.ISSUED, State.OVERDUE], notice__due_at__lte=now, notice__total_kes__gt=0
    ).values_list("notice_id", flat=True)
    for notice_id in list(candidates):
        with transaction.atomic():
            state = NoticeState.objects.select_for_update().get(notice_id=notice_id)
            notice = FineNotice.objects.select_related("station").get(pk=notice_id)
            escalate = rules.escalate_at(notice.due_at, days_to_escalate=settings.DAFTARI_FINES_DAYS_TO_ESCALATE)
            action = rules.due_action(
                state=state.state,
                total=notice.total_kes,
                paid=state.paid_kes,
                due=notice.due_at,
                escalate=escalate,
                now=now,
            )
            if action == rules.Due.OVERDUE:
                state.late = True
                _record_event(notice, state, kind=Kind.OVERDUE, at=now, by=None, new_state=State.OVERDUE, late=True)
                _tell(notice, state, "fine_overdue", escalate)
                counts["overdue"] += 1
            elif action == rules.Due.ESCALATE:
                _record_event(notice, state, kind=Kind.ESCALATED, at=now, by=None, new_state=State.ESCALATED)
                _tell(notice, state, "fine_escalated", escalate)
                counts["escalated"] += 1
    return counts


def escalate_overdue_now() -> dict[str, int]:
    return escalate_overdue(timezone.now())


def _tell(notice: FineNotice, state: NoticeState, template: str, escalate: datetime) -> None:
    if not notice.driver_phone:
        return
    send_sms(
        to=notice.driver_phone,
        template=template,
        context={
            "number": notice.number,
            "outstanding_kes": rules.outstanding_kes(notice.total_kes, state.paid_kes),
            "paybill": settings.DAFTARI_DARAJA_SHORTCODE,
            "station": notice.station.name,
            "escalate": escalate,
        },
        event_key=f"fines:{template}:{notice.number}",
    )
