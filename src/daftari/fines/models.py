"""Instant traffic fines: the versioned offence catalogue, notices, their events and their state.

Catalogue versions, notices, their lines and their events are recorded once and never changed
(database guards, see database.py); ``NoticeState`` is the projection the services update in the
same transaction as the event that changed it.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.fines.rules import CourtOutcome, RowStatus, State
from daftari.stations.models import Officer, Station


class OffenceCatalogue(models.Model):
    """One version of the schedule of minor offences. A new version never edits an old one."""

    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField()
    source_file = models.CharField(max_length=300)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from:%Y-%m-%d})"


class ScheduledOffence(models.Model):
    class Status(models.TextChoices):
        CROSS_CHECKED = RowStatus.CROSS_CHECKED.value, _("Cross-checked")
        UNCERTAIN = RowStatus.UNCERTAIN.value, _("Uncertain")

    catalogue = models.ForeignKey(OffenceCatalogue, on_delete=models.PROTECT, related_name="offences")
    code = models.CharField(max_length=12)
    offence = models.TextField()
    fine_kes = models.PositiveIntegerField()
    legal_reference = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["catalogue", "code"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="one_offence_per_code_per_version")]

    def __str__(self) -> str:
        return f"{self.code} KES {self.fine_kes}"


class NoticeSerial(models.Model):
    """Handed out the serials of notices numbered in sequence. New numbers are random
    (``rules.new_notice_number``); the table stays with the serials already used."""

    id = models.BigAutoField(primary_key=True)

    def __str__(self) -> str:
        return str(self.pk)


class FineNotice(models.Model):
    """A Police Notification of a Traffic Offence, as issued at the roadside. Never updated or deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=12, unique=True)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="fine_notices")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="fine_notices")
    catalogue = models.ForeignKey(OffenceCatalogue, on_delete=models.PROTECT, related_name="notices")
    plate = models.CharField(max_length=12, db_index=True)
    plate_unusual = models.BooleanField(default=False)
    driver_name = models.CharField(max_length=120)
    driver_id_number = models.CharField(max_length=20, blank=True)
    driver_licence = models.CharField(max_length=20, blank=True, db_index=True)
    driver_phone = models.CharField(max_length=20, blank=True)
    place = models.CharField(max_length=200)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    issued_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    due_at = models.DateTimeField()
    total_kes = models.PositiveIntegerField()
    warning_only = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["station", "-issued_at"], name="fines_notice_station_issued")]

    def __str__(self) -> str:
        return self.number


class NoticeOffence(models.Model):
    """One offence on a notice, with the fine as it was issued (the catalogue may change later)."""

    notice = models.ForeignKey(FineNotice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=12)
    offence = models.TextField()
    fine_kes = models.PositiveIntegerField()
    measured_speed = models.PositiveSmallIntegerField(null=True, blank=True)
    speed_limit = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["notice", "position"]
        constraints = [models.UniqueConstraint(fields=["notice", "position"], name="one_notice_line_per_position")]

    def __str__(self) -> str:
        return f"{self.code} KES {self.fine_kes}"


class NoticeEvent(models.Model):
    """Something that happened to a notice. Never updated, never deleted."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Paid")
        PARTIALLY_PAID = "partially_paid", _("Partly paid")
        OVERPAID = "overpaid", _("Overpaid")
        CONTESTED = "contested", _("Contested in court")
        COURT_OUTCOME = "court_outcome", _("Court outcome")
        CANCELLED = "cancelled", _("Cancelled")
        OVERDUE = "overdue", _("Overdue")
        ESCALATED = "escalated", _("Notice to Attend Court")

    class Outcome(models.TextChoices):
        CONVICTED_AND_PAID = CourtOutcome.CONVICTED_AND_PAID.value, _("Convicted and paid")
        ACQUITTED = CourtOutcome.ACQUITTED.value, _("Acquitted")
        WITHDRAWN = CourtOutcome.WITHDRAWN.value, _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    notice = models.ForeignKey(FineNotice, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount_kes = models.PositiveIntegerField(null=True, blank=True)
    # The payment this event settles (daftari.payments' Payment id), once per payment.
    payment_id = models.UUIDField(null=True, blank=True, unique=True)
    mpesa_receipt = models.CharField(max_length=32, blank=True)
    late = models.BooleanField(default=False)
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["notice", "at"]
        indexes = [models.Index(fields=["notice", "at"], name="fines_event_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def outcome_label(self) -> str:
        """Which court outcome this event records (empty for any other event)."""
        value = (self.details or {}).get("outcome") if self.kind == self.Kind.COURT_OUTCOME else None
        return str(self.Outcome(value).label) if value in self.Outcome.values else ""


class NoticeState(models.Model):
    """Where a notice stands now. A projection of its events, updated with each of them."""

    notice = models.OneToOneField(FineNotice, on_delete=models.PROTECT, primary_key=True, related_name="projection")

    class StateChoice(models.TextChoices):
        ISSUED = State.ISSUED.value, _("Issued")
        PAID = State.PAID.value, _("Paid")
        CONTESTED = State.CONTESTED.value, _("Contested")
        CANCELLED = State.CANCELLED.value, _("Cancelled")
        OVERDUE = State.OVERDUE.value, _("Overdue")
        ESCALATED = State.ESCALATED.value, _("Notice to Attend Court")
        CLOSED = State.CLOSED.value, _("Closed")

    state = models.CharField(max_length=10, choices=StateChoice.choices, default=State.ISSUED, db_index=True)
    paid_kes = models.PositiveIntegerField(default=0)
    late = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.state}"


class NoticePhoto(models.Model):
    """The roadside photo taken with a notice, as evidence. Never updated or deleted.

    Its sha256 is in the notice's ledger record, so the signed book covers the photo too.
    """

    class ContentType(models.TextChoices):
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"
        WEBP = "image/webp", "WebP"

    notice = models.ForeignKey(FineNotice, on_delete=models.PROTECT, related_name="photos")
    content = models.BinaryField()
    content_type = models.CharField(max_length=16, choices=ContentType.choices)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    taken_at = models.DateTimeField()
    added_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["notice", "taken_at"]

    def __str__(self) -> str:
        return f"{self.content_type} {self.size_bytes} B"
