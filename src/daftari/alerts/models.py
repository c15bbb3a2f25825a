"""The national alerts register: alerts and their withdrawals, both append-only.

An alert is never changed: it is withdrawn by a new record, and it is active while it has none.
Who issued it is kept as words (service number, rank and name, station code), not as links to the
officers' table, so the same rows travel unchanged to station nodes, where the issuer is unknown.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.alerts.rules import KIND_NAMES, AlertKind


class Alert(models.Model):
    class Kind(models.TextChoices):
        WANTED = AlertKind.WANTED.value, KIND_NAMES[AlertKind.WANTED]
        MISSING = AlertKind.MISSING.value, KIND_NAMES[AlertKind.MISSING]
        STOLEN_VEHICLE = AlertKind.STOLEN_VEHICLE.value, KIND_NAMES[AlertKind.STOLEN_VEHICLE]
        LOST_DOCUMENT = AlertKind.LOST_DOCUMENT.value, KIND_NAMES[AlertKind.LOST_DOCUMENT]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120, blank=True)
    # The words of the name, sorted and case-folded (rules.name_key): what the desk's names are compared to.
    name_key = models.CharField(max_length=120, blank=True, db_index=True)
    id_number = models.CharField(max_length=20, blank=True, db_index=True)
    phone = models.CharField(max_length=20, blank=True, db_index=True)
    plate = models.CharField(max_length=12, blank=True, db_index=True)
    description = models.TextField()
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=20, help_text=_("The issuing officer's service number."))
    issued_by_name = models.CharField(max_length=200)
    station_code = models.CharField(max_length=20, blank=True, help_text=_("The issuing officer's station."))
    station_name = models.CharField(max_length=120, blank=True)
    # The leaf of the hub's own log that carries it (None on a node, which only mirrors the register).
    hub_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_at:%Y-%m-%d}"


class AlertWithdrawal(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.OneToOneField(Alert, on_delete=models.PROTECT, related_name="withdrawal")
    reason = models.CharField(max_length=500)
    withdrawn_at = models.DateTimeField()
    withdrawn_by = models.CharField(max_length=20)
    withdrawn_by_name = models.CharField(max_length=200)
    hub_index = models.PositiveBigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"withdrawal of {self.alert_id}"
