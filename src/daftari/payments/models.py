import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    """One attempt to pay an account reference by M-Pesa: an STK push, or a paybill payment.

    Either stays PENDING until Daraja itself confirms it (STK Push Query, Transaction Status): a callback
    alone never settles money.
    """

    class Method(models.TextChoices):
        STK = "stk", _("M-Pesa prompt (STK push)")
        PAYBILL = "paybill", _("Paybill")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account_reference = models.CharField(_("account reference"), max_length=12, db_index=True)
    # Money is whole Kenya shillings: what was asked for, and what M-Pesa says was paid.
    amount_kes = models.PositiveIntegerField(_("amount (KES)"))
    paid_kes = models.PositiveIntegerField(_("paid (KES)"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    result_code = models.CharField(_("result code"), max_length=20, blank=True)
    result_desc = models.CharField(_("result"), max_length=255, blank=True)
    merchant_request_id = models.CharField(max_length=64, blank=True)
    checkout_request_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # A paybill payment: the conversation of the Transaction Status query that asks Daraja whether it is real.
    conversation_id = models.CharField(max_length=64, blank=True, db_index=True)
    mpesa_receipt = models.CharField(_("M-Pesa receipt"), max_length=32, unique=True, null=True, blank=True)
    # The caller's idempotency key: a retried request returns the same payment.
    client_id = models.UUIDField(unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.account_reference} {self.amount_kes} KES {self.state}"


class DarajaCallback(models.Model):
    """Every payload Daraja sent, stored raw before it is parsed: the evidence when anything goes wrong."""

    class Kind(models.TextChoices):
        STK = "stk", "STK"
        C2B_VALIDATION = "c2b_validation", "C2B validation"
        C2B_CONFIRMATION = "c2b_confirmation", "C2B confirmation"
        STATUS_RESULT = "status_result", "Transaction Status result"
        STATUS_TIMEOUT = "status_timeout", "Transaction Status timeout"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    raw = models.BinaryField()
    # CheckoutRequestID (STK), TransID (C2B) or ConversationID (Transaction Status) once parsed; empty when
    # the body could not be read.
    key = models.CharField(max_length=64, blank=True, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.key or '?'} {self.received_at:%Y-%m-%d %H:%M:%S}"
