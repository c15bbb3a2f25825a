import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    KISWAHILI = "sw", _("Kiswahili")


class Recipient(models.Model):
    """A phone number and the language its owner last chose; their next SMS is in that language."""

    phone = models.CharField(max_length=20, unique=True, help_text=_("E.164"))
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.phone} ({self.language})"


class SmsMessage(models.Model):
    """One SMS for one event. ``event_key`` is unique: an event never sends two messages."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        # Claimed by a job and handed to the gateway. A crash here leaves the message in this state
        # rather than risk sending it twice.
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        DELIVERED = "delivered", _("delivered")
        # Taken back before it was sent: what it said no longer holds (a cancelled fine notice). Kept, never deleted.
        WITHDRAWN = "withdrawn", _("withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.CharField(max_length=20, help_text=_("E.164"))
    template = models.CharField(max_length=60)
    language = models.CharField(max_length=2, choices=Language.choices)
    body = models.TextField()
    event_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # Indexes of Meta rather than db_index, which on PostgreSQL adds a twin in pattern order (for
        # LIKE) that nothing reads. Only event_key is read by prefix: its unique index keeps the twin.
        indexes = [
            models.Index(fields=["to"], name="sms_to"),
            models.Index(fields=["status"], name="sms_status"),
            models.Index(fields=["provider_message_id"], name="sms_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.status})"
