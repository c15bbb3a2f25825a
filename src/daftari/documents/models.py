import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.documents.rules import KIND_NAMES, DocumentKind, FeeState
from daftari.occurrences.models import Occurrence
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Scope, station_filter


class IssuedDocumentQuerySet(models.QuerySet["IssuedDocument"]):
    def visible_to(self, scope: Scope) -> "IssuedDocumentQuerySet":
        lookup = station_filter(scope)
        if lookup is None:
            return self.none()
        return self.filter(**lookup)


class IssuedDocument(models.Model):
    """A police abstract, P3 form or certified extract handed out from an OB entry. Never updated."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=30, choices=[(k.value, KIND_NAMES[k]) for k in DocumentKind])
    serial = models.CharField(max_length=60, unique=True)
    code = models.CharField(max_length=20, unique=True, help_text=_("The verification code printed with the QR code."))
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="issued_documents")
    # The ABSTRACT_ISSUED / P3_ISSUED entry that records the hand-out (none for an extract).
    issue_entry = models.ForeignKey(Occurrence, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="issued_documents")
    issued_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="issued_documents")
    issued_at = models.DateTimeField()
    applicant_name = models.CharField(max_length=120, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    fee_kes = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["station", "-issued_at"]
        indexes = [models.Index(fields=["station", "-issued_at"], name="doc_station_issued")]

    def __str__(self) -> str:
        return self.serial

    @property
    def kind_name(self) -> str:
        return str(KIND_NAMES[DocumentKind(self.kind)])


class DocumentRevocation(models.Model):
    """A document withdrawn by the OCS: the verify page shows it as revoked from then on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, related_name="revocations")
    reason = models.CharField(max_length=300)
    by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.document_id} revoked {self.at:%Y-%m-%d}"


class DocumentFee(models.Model):
    """A request to pay an abstract's fee by M-Pesa before it is issued. Never updated (see DocumentFeeState)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="document_fees")
    kind = models.CharField(max_length=30, choices=[(k.value, KIND_NAMES[k]) for k in DocumentKind])
    applicant_name = models.CharField(max_length=120)
    purpose = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=32, help_text=_("E.164, the phone the M-Pesa prompt goes to."))
    amount_kes = models.PositiveIntegerField()
    # The M-Pesa account reference ("AB" + 7 + a check character), also typed as the paybill account number.
    reference = models.CharField(max_length=12, unique=True)
    supersedes = models.ForeignKey(IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return self.reference


class DocumentFeeState(models.Model):
    """Where a fee request stands: pending until M-Pesa confirms, paid, then issued (the projection)."""

    fee = models.OneToOneField(DocumentFee, on_delete=models.PROTECT, primary_key=True, related_name="projection")
    state = models.CharField(max_length=10, choices=[(s.value, s.value) for s in FeeState], default=FeeState.PENDING)
    payment_id = models.UUIDField(null=True, blank=True)
    mpesa_receipt = models.CharField(max_length=32, blank=True)
    document = models.OneToOneField(
        IssuedDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="fee_request"
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.fee_id} {self.state}"
