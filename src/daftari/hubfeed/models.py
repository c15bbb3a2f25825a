"""The hub's signed down-log (NODES.md rule 5): what the hub has published, and what a node has verified.

At the hub, ``PublishedRecord`` keeps each version of reference data written into the hub's own log
(a station, an officer with the password hash, a version of the offence schedule, the gazetted
holidays); a new version is published only when the data changed. Alerts are their own records
(daftari.alerts) and leaves of the same log.

On a node, ``VerifiedHubData`` keeps every hub checkpoint the node verified and applied, with the
right edge of the hub's tree at that size, so the next feed is checked against it: "hub data as of".
"""

import uuid

from django.db import models


class PublishedRecord(models.Model):
    class Kind(models.TextChoices):
        STATION = "station"
        OFFICER = "officer"
        OFFENCES = "offences"
        HOLIDAYS = "holidays"
        # What a desk's check of a refugee document needs, nothing of its holder (refugees.node_copy).
        REFUGEE_DOCUMENT = "refugee_doc_state"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the record is of: a station code, "<service number>@<station code>", a schedule version, "holidays",
    # "<document kind>/<number>".
    key = models.CharField(max_length=80, db_index=True)
    # The station whose node alone receives the record (officers); blank for every node.
    station_code = models.CharField(max_length=20, blank=True)
    record = models.JSONField()
    hub_index = models.PositiveBigIntegerField()
    published_at = models.DateTimeField()
    # A refugee document's version: the refugee register's last leaf it reflects, so the next
    # publish looks only at the register's leaves after it (a delta, not a rescan of every document).
    register_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["hub_index"]
        indexes = [models.Index(fields=["kind", "register_index"], name="hubfeed_published_register")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} @ {self.hub_index}"


class VerifiedHubData(models.Model):
    size = models.PositiveBigIntegerField()
    root = models.BinaryField()
    edge = models.BinaryField()
    signed_note = models.TextField()
    as_of = models.DateTimeField(help_text="When the hub signed the checkpoint.")
    applied_at = models.DateTimeField()

    class Meta:
        ordering = ["-size", "-applied_at"]

    def __str__(self) -> str:
        return f"hub data @ {self.size}"
