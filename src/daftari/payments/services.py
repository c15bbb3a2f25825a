"""Every change to a payment. Settlement happens exactly once: a conditional UPDATE moves a payment
out of PENDING, and only the one caller whose UPDATE matched calls the account's ``on_confirmed``,
inside the same transaction.

No callback settles money on its own word (anyone can post one): an STK callback only makes us ask
Daraja's STK Push Query, and a paybill confirmation is recorded PENDING until Daraja's Transaction
Status says that receipt credited our shortcode, with Daraja's amount.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.core.errors import DomainError, InvalidInput
from daftari.core.phones import normalise_phone
from daftari.payments import accounts, rules
from daftari.payments.daraja import DarajaClient, DarajaError
from daftari.payments.models import DarajaCallback, Payment

log = logging.getLogger(__name__)

ACCEPTED = {"ResultCode": 0, "ResultDesc": "Accepted"}
# A query that still says 1037 after this long means the customer never answered.
GIVE_UP_AFTER = timedelta(minutes=15)
# A paybill confirmation Daraja's Transaction Status has not confirmed after this long is not believed.
PAYBILL_GIVE_UP_AFTER = timedelta(hours=24)


class MalformedCallback(DomainError):
    code = "malformed_callback"
    status = 400


class NotOurPaybill(MalformedCallback):
    code = "not_our_paybill"


def callback_url(name: str) -> str:
    # Another app may leave the shared setting empty (meaning "the request's host"): Daraja needs a full URL.
    base = (getattr(settings, "DAFTARI_PUBLIC_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    return base + reverse(name, kwargs={"token": settings.DAFTARI_DARAJA_CALLBACK_TOKEN})


# -- STK push ------------------------------------------------------------------------------------


def request_stk_push(
    *, account_reference: str, amount_kes: int, phone: str, description: str, client_id: uuid.UUID | None = None
) -> Payment:
    """Creates a PENDING payment and asks Daraja to prompt the phone, once the payment is committed.

    When Daraja cannot be reached or refuses, the payment is returned FAILED with Daraja's reason.
    A retried request with the same ``client_id`` returns the first payment.
    """
    reference = account_reference.strip().upper()
    errors: dict[str, str] = {}
    e164 = normalise_phone(phone)
    if e164 is None or not e164.startswith("+254"):
        errors["phone"] = _("Enter a Kenyan mobile number, such as 0712 345 678.")
    if not reference or len(reference) > rules.ACCOUNT_REFERENCE_MAX or not reference.isalnum():
        errors["account_reference"] = _("An account reference is 1 to 12 letters and digits.")
    if isinstance(amount_kes, bool) or not isinstance(amount_kes, int) or amount_kes <= 0:
        errors["amount_kes"] = _("The amount must be a whole number of shillings above zero.")
    if errors or e164 is None:
        raise InvalidInput(fields=errors)
    if client_id is not None:
        existing = Payment.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                account_reference=reference,
                amount_kes=amount_kes,
                phone=e164,
                method=Payment.Method.STK,
                client_id=client_id,
            )
    except IntegrityError:
        return Payment.objects.get(client_id=client_id)
    # The push leaves only after the payment is committed: the callback must find it.
    transaction.on_commit(lambda: _push(payment.pk, description))
    payment.refresh_from_db()
    return payment


def pending_prompt(*, account_reference: str) -> Payment | None:
    """The STK prompt for ``account_reference`` still waiting for the customer, if there is one.

    A prompt still pending after GIVE_UP_AFTER is no longer waited for (the phone gave up long ago).
    """
    return (
        Payment.objects.filter(
            method=Payment.Method.STK,
            account_reference=account_reference.strip().upper(),
            state=Payment.State.PENDING,
            created_at__gt=timezone.now() - GIVE_UP_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


def prompts_since(since: datetime, *, account_reference: str = "", phone: str = "") -> int:
    """How many STK prompts were asked for the account, or the phone (any form of a Kenyan number), since ``since``."""
    prompts = Payment.objects.filter(method=Payment.Method.STK, created_at__gte=since)
    if account_reference:
        prompts = prompts.filter(account_reference=account_reference.strip().upper())
    if phone:
        prompts = prompts.filter(phone=normalise_phone(phone) or phone)
    return prompts.count()


def _push(payment_id: uuid.UUID, description: str) -> None:
    payment = Payment.objects.get(pk=payment_id)
    # Asked again just before the prompt leaves: a notice cancelled (or paid) since the request is never prompted.
    handler = accounts.handler_for(payment.account_reference)
    refusal = handler.validate(payment.account_reference, payment.amount_kes) if handler is not None else None
    if refusal is not None:
        Payment.objects.filter(pk=payment_id, state=Payment.State.PENDING).update(
            state=Payment.State.CANCELLED, result_code="withdrawn", result_desc=refusal[:255]
        )
        return
    try:
        with DarajaClient.from_settings() as client:
            accepted = client.stk_push(
                phone=payment.phone,
                amount_kes=payment.amount_kes,
                account_reference=payment.account_reference,
                description=description,
                callback_url=callback_url("daraja_stk"),
            )
    except (DarajaError, ValueError) as exc:
        Payment.objects.filter(pk=payment_id, state=Payment.State.PENDING).update(
            state=Payment.State.FAILED, result_code=getattr(exc, "code", "") or "push", result_desc=str(exc)[:255]
        )
        return
    Payment.objects.filter(pk=payment_id).update(
        merchant_request_id=accepted.merchant_request_id[:64], checkout_request_id=accepted.checkout_request_id[:64]
    )
    # A fast callback may have arrived before the CheckoutRequestID was stored: act on it now.
    for orphan in DarajaCallback.objects.filter(
        kind=DarajaCallback.Kind.STK, key=accepted.checkout_request_id, processed=False
    ):
        _confirm_stk(orphan, rules.parse_stk_callback(bytes(orphan.raw)))


def _store(kind: str, raw: bytes) -> DarajaCallback:
    # Committed on its own, before anything is parsed: the payload survives whatever happens next.
    with transaction.atomic():
        return DarajaCallback.objects.create(kind=kind, raw=raw)


def record_stk_callback(*, raw: bytes) -> Payment | None:
    """Stores the raw callback, then asks Daraja (STK Push Query) about the payment it names and settles
    it on Daraja's answer. A duplicate changes nothing.

    Returns None when no payment carries the CheckoutRequestID yet (the stored callback is replayed
    when the push's answer is stored). Raises MalformedCallback when the body cannot be read.
    """
    stored = _store(DarajaCallback.Kind.STK, raw)
    try:
        result = rules.parse_stk_callback(raw)
    except rules.MalformedPayload as exc:
        raise MalformedCallback(str(exc)) from exc
    DarajaCallback.objects.filter(pk=stored.pk).update(key=result.checkout_request_id)
    return _confirm_stk(stored, result)


def _confirm_stk(stored: DarajaCallback, result: rules.StkResult) -> Payment | None:
    payment = Payment.objects.filter(checkout_request_id=result.checkout_request_id).first()
    if payment is None:
        return None
    if payment.state == Payment.State.PENDING:
        # The callback only says "ask now". Of its words we keep the receipt number, and only when it
        # agrees with what was asked; the money is what the push asked for, which Daraja confirms.
        receipt = None
        if result.result_code == rules.SUCCESS and result.amount_kes in (None, payment.amount_kes):
            receipt = result.receipt
        elif result.amount_kes is not None and result.amount_kes != payment.amount_kes:
            log.warning("STK callback for payment %s names another amount: ignored", payment.pk)
        try:
            with DarajaClient.from_settings() as client:
                _settle_from_query(client, payment, receipt=receipt)
        except DarajaError as exc:
            # Not acted upon (still pending): the worker's query settles the payment.
            log.warning("STK query for payment %s failed: %s", payment.pk, exc)
            return payment
        payment.refresh_from_db()
    # Daraja was asked: whatever it answered (even "not yet"), this callback has done its work.
    DarajaCallback.objects.filter(pk=stored.pk).update(processed=True)
    return payment


def _settle_from_query(
    client: DarajaClient, payment: Payment, *, receipt: str | None = None, give_up_unknown: bool = False
) -> bool:
    """Asks Daraja's STK Push Query about ``payment`` and settles it on the answer; True when this call did."""
    assert payment.checkout_request_id is not None
    answer = client.stk_query(payment.checkout_request_id)
    if answer.result_code is None:
        return False  # still being processed
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        return _settle(
            locked,
            result_code=answer.result_code,
            result_desc=answer.result_desc,
            paid_kes=locked.amount_kes,
            receipt=receipt,
            give_up_unknown=give_up_unknown,
        )


def _settle(
    payment: Payment,
    *,
    result_code: str,
    result_desc: str,
    paid_kes: int | None = None,
    receipt: str | None = None,
    give_up_unknown: bool = False,
) -> bool:
    """Moves ``payment`` out of PENDING if it still is; True when this call did it. Run inside a transaction."""
    outcome = rules.outcome_of(result_code)
    pending = Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING)
    if outcome is rules.Outcome.UNKNOWN and not give_up_unknown:
        pending.update(result_code=result_code[:20], result_desc=result_desc[:255])
        return False
    if outcome is rules.Outcome.CONFIRMED:
        changes: dict[str, Any] = {
            "state": Payment.State.CONFIRMED,
            "paid_kes": paid_kes if paid_kes is not None else payment.amount_kes,
            "confirmed_at": timezone.now(),
        }
        if receipt and not Payment.objects.filter(mpesa_receipt=receipt).exclude(pk=payment.pk).exists():
            changes["mpesa_receipt"] = receipt
    elif outcome is rules.Outcome.CANCELLED:
        changes = {"state": Payment.State.CANCELLED}
    else:
        changes = {"state": Payment.State.FAILED}
    if pending.update(result_code=result_code[:20], result_desc=result_desc[:255], **changes) != 1:
        return False  # already settled: a duplicate, or another worker won
    if outcome is rules.Outcome.CONFIRMED:
        payment.refresh_from_db()
        _confirmed(payment)
    return True


def _confirmed(payment: Payment) -> None:
    handler = accounts.handler_for(payment.account_reference)
    if handler is None:
        # The money is recorded all the same; reconciliation lists it.
        log.warning("payment %s confirmed for reference %s that no app claims", payment.pk, payment.account_reference)
        return
    handler.on_confirmed(payment)


# -- the worker's query ----------------------------------------------------------------------------


def query_pending(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Asks Daraja about every payment still pending after ``older_than``; returns how many STK payments it settled.

    An STK payment is settled on the STK Push Query's answer: this resolves lost callbacks and 1037
    timeouts (which are never final without a query). A paybill payment's Transaction Status is asked
    again (its answer comes to the result URL); after a day without Daraja's confirmation it fails.
    """
    now = timezone.now()
    pending = list(
        Payment.objects.filter(state=Payment.State.PENDING, created_at__lte=now - older_than)
        .filter(
            Q(method=Payment.Method.STK, checkout_request_id__isnull=False)
            | Q(method=Payment.Method.PAYBILL, mpesa_receipt__isnull=False)
        )
        .order_by("created_at")
    )
    if not pending:
        return 0
    settled = 0
    with DarajaClient.from_settings() as client:
        for payment in pending:
            if payment.method == Payment.Method.PAYBILL:
                _ask_again_about_paybill(client, payment, now=now)
                continue
            try:
                if _settle_from_query(client, payment, give_up_unknown=now - payment.created_at > GIVE_UP_AFTER):
                    settled += 1
            except DarajaError as exc:
                log.warning("STK query for payment %s failed: %s", payment.pk, exc)
            except Exception:
                # Rolled back, so still pending: the next tick tries again; the other payments go on.
                log.exception("settling payment %s failed", payment.pk)
    return settled


def _ask_again_about_paybill(client: DarajaClient, payment: Payment, *, now: datetime) -> None:
    if now - payment.created_at > PAYBILL_GIVE_UP_AFTER:
        Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING).update(
            state=Payment.State.FAILED, result_desc="Never confirmed by Daraja (Transaction Status)"
        )
        log.warning("paybill payment %s was never confirmed by Daraja", payment.pk)
        return
    try:
        _ask_about_paybill(client, payment)
    except DarajaError as exc:
        log.warning("Transaction Status for payment %s failed: %s", payment.pk, exc)


# -- C2B paybill ------------------------------------------------------------------------------------


def _c2b_reject(code: str, desc: str) -> dict[str, str]:
    return {"ResultCode": code, "ResultDesc": desc}


_REJECTION_DESCS = {
    accounts.REJECT_INVALID_MSISDN: "Invalid MSISDN",
    accounts.REJECT_INVALID_ACCOUNT: "Invalid Account Number",
    accounts.REJECT_INVALID_AMOUNT: "Invalid Amount",
    accounts.REJECT_OTHER: "Other Error",
}


def validate_c2b(*, raw: bytes) -> dict[str, Any]:
    """Daraja's validation answer: accept, or reject what the reference's app rejects (or nobody claims)."""
    stored = _store(DarajaCallback.Kind.C2B_VALIDATION, raw)
    try:
        payment = rules.parse_c2b(raw)
    except rules.MalformedPayload:
        return _c2b_reject(accounts.REJECT_OTHER, "Other Error")
    DarajaCallback.objects.filter(pk=stored.pk).update(key=payment.trans_id, processed=True)
    if payment.amount_kes is None:
        return _c2b_reject(accounts.REJECT_INVALID_AMOUNT, "Invalid Amount")
    handler = accounts.handler_for(payment.bill_ref) if payment.bill_ref else None
    if handler is None:
        return _c2b_reject(accounts.REJECT_INVALID_ACCOUNT, "Invalid Account Number")
    reason = handler.validate(payment.bill_ref, payment.amount_kes)
    if reason is None:
        return {"ResultCode": "0", "ResultDesc": "Accepted"}
    if reason in _REJECTION_DESCS:
        return _c2b_reject(reason, _REJECTION_DESCS[reason])
    return _c2b_reject(accounts.REJECT_INVALID_ACCOUNT, reason[:100])


def record_c2b_confirmation(*, raw: bytes) -> Payment:
    """Records the paybill payment a confirmation claims, PENDING (once per TransID), and asks Daraja's
    Transaction Status whether it is real once the claim is committed.

    Only Daraja's answer (``record_transaction_status_result``) confirms it, whatever the amount (partial
    and over-payments carry ``paid_kes``) and even when no app claims the reference: money is never lost.
    Raises NotOurPaybill for a confirmation to another shortcode: a forgery, recorded as evidence only.
    """
    stored = _store(DarajaCallback.Kind.C2B_CONFIRMATION, raw)
    try:
        c2b = rules.parse_c2b(raw)
    except rules.MalformedPayload as exc:
        raise MalformedCallback(str(exc)) from exc
    DarajaCallback.objects.filter(pk=stored.pk).update(key=c2b.trans_id)
    if c2b.shortcode != settings.DAFTARI_DARAJA_SHORTCODE:
        log.warning("C2B confirmation %s for shortcode %s refused", c2b.trans_id, c2b.shortcode[:20])
        raise NotOurPaybill("BusinessShortCode is not this paybill")
    if c2b.amount_kes is None:
        raise MalformedCallback("TransAmount is not a whole amount of shillings")
    reference = c2b.bill_ref[: rules.ACCOUNT_REFERENCE_MAX]
    with transaction.atomic():
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    account_reference=reference,
                    amount_kes=c2b.amount_kes,
                    phone=rules.e164_from_msisdn(c2b.msisdn),
                    method=Payment.Method.PAYBILL,
                    result_desc="C2B confirmation: asking Daraja (Transaction Status)",
                    mpesa_receipt=c2b.trans_id,
                )
        except IntegrityError:
            # A duplicate delivery of the same TransID: acknowledged, nothing changes.
            payment = Payment.objects.get(mpesa_receipt=c2b.trans_id)
            if payment.account_reference != reference or payment.method != Payment.Method.PAYBILL:
                log.warning("C2B confirmation %s repeats a receipt for another account: ignored", c2b.trans_id)
        else:
            pk = payment.pk
            transaction.on_commit(lambda: ask_about_paybill(pk))
        DarajaCallback.objects.filter(pk=stored.pk).update(processed=True)
    return payment


def ask_about_paybill(payment_id: uuid.UUID) -> None:
    """Sends the Transaction Status query for a pending paybill payment; on failure the worker asks again."""
    try:
        with DarajaClient.from_settings() as client:
            _ask_about_paybill(client, Payment.objects.get(pk=payment_id))
    except DarajaError as exc:
        log.warning("Transaction Status for payment %s failed: %s", payment_id, exc)


def _ask_about_paybill(client: DarajaClient, payment: Payment) -> None:
    if payment.state != Payment.State.PENDING or payment.method != Payment.Method.PAYBILL or not payment.mpesa_receipt:
        return
    accepted = client.transaction_status(
        trans_id=payment.mpesa_receipt,
        result_url=callback_url("daraja_status_result"),
        timeout_url=callback_url("daraja_status_timeout"),
    )
    Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING).update(conversation_id=accepted.conversation_id)
    # A fast result may have arrived before the conversation was stored: act on it now.
    for orphan in DarajaCallback.objects.filter(
        kind=DarajaCallback.Kind.STATUS_RESULT, key=accepted.conversation_id, processed=False
    ):
        _process_status(orphan, rules.parse_transaction_status_result(bytes(orphan.raw)))


def record_transaction_status_result(*, raw: bytes) -> Payment | None:
    """Stores Daraja's Transaction Status result and settles the paybill payment whose query it answers.

    The result must name the conversation Daraja gave us when we asked (it is never published), and say
    that the payment's receipt completed to our shortcode; the money recorded is Daraja's amount.
    Returns None when no payment asked in that conversation.
    """
    stored = _store(DarajaCallback.Kind.STATUS_RESULT, raw)
    try:
        result = rules.parse_transaction_status_result(raw)
    except rules.MalformedPayload as exc:
        raise MalformedCallback(str(exc)) from exc
    DarajaCallback.objects.filter(pk=stored.pk).update(key=result.conversation_id)
    return _process_status(stored, result)


def _process_status(stored: DarajaCallback, result: rules.TransactionStatusResult) -> Payment | None:
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(method=Payment.Method.PAYBILL, conversation_id=result.conversation_id)
            .first()
        )
        if payment is None:
            return None
        verdict = rules.paybill_verdict(
            result, trans_id=payment.mpesa_receipt or "", shortcode=settings.DAFTARI_DARAJA_SHORTCODE
        )
        pending = Payment.objects.filter(pk=payment.pk, state=Payment.State.PENDING)
        if verdict.confirmed:
            if verdict.amount_kes != payment.amount_kes:
                log.warning(
                    "paybill payment %s: the confirmation said %s KES, Daraja %s KES; Daraja's is recorded",
                    payment.pk,
                    payment.amount_kes,
                    verdict.amount_kes,
                )
            if pending.update(
                state=Payment.State.CONFIRMED,
                paid_kes=verdict.amount_kes,
                result_code=rules.SUCCESS,
                result_desc=verdict.reason[:255],
                confirmed_at=timezone.now(),
            ):
                payment.refresh_from_db()
                _confirmed(payment)
        elif verdict.final:
            pending.update(
                state=Payment.State.FAILED, result_code=result.result_code[:20], result_desc=verdict.reason[:255]
            )
        else:
            # Daraja could not answer this time: the worker asks again.
            pending.update(result_code=result.result_code[:20], result_desc=verdict.reason[:255])
        DarajaCallback.objects.filter(pk=stored.pk).update(processed=True)
    payment.refresh_from_db()
    return payment


def record_transaction_status_timeout(*, raw: bytes) -> None:
    """Daraja's queue timed out before answering a Transaction Status query: kept; the worker asks again."""
    stored = _store(DarajaCallback.Kind.STATUS_TIMEOUT, raw)
    try:
        key = rules.parse_transaction_status_result(raw).conversation_id
    except rules.MalformedPayload:
        return
    DarajaCallback.objects.filter(pk=stored.pk).update(key=key, processed=True)


def register_c2b_urls() -> dict[str, Any]:
    """Tells Daraja where to validate and confirm paybill payments (run once per shortcode)."""
    with DarajaClient.from_settings() as client:
        return client.register_c2b_urls(
            confirmation_url=callback_url("daraja_c2b_confirmation"),
            validation_url=callback_url("daraja_c2b_validation"),
        )
