"""Station nodes and the hub (NODES.md).

At the hub: each enrolled node (its pinned key, its station, its one-time enrolment code), the
book it mirrors (leaves and records exactly as the node sent them, append-only), the checkpoints
it accepted and cosigned, and every refusal with the refused batch kept as evidence.
At a node: its one link to the hub (where, whose cosignatures to trust, how far the hub has the
book) and the hub's cosignatures it received.
"""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext_lazy as _

from daftari.stations.models import Station


class EnrolledNode(models.Model):
    """A station node as the hub knows it. ``size``, ``edge`` and the contact times are the mirror's
    head (a projection, updated in the transaction that appends the leaves); the leaves are the truth."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="nodes")
    code_hash = models.CharField(max_length=64, unique=True)
    code_expires_at = models.DateTimeField()
    enrolled_at = models.DateTimeField()
    enrolled_by = models.CharField(max_length=150, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    # The node's Ed25519 verifier key string, pinned when the code was used; never replaced.
    public_key = models.CharField(max_length=200, blank=True)
    origin = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    edge = models.BinaryField(default=b"\x00" * 8)
    witnessed_size = models.PositiveBigIntegerField(default=0)
    # National search reads the book up to here: the hub worker indexes what was accepted after it
    # (mirror.index_new), so that the accept itself only verifies and stores.
    indexed_size = models.PositiveBigIntegerField(default=0)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    halted_at = models.DateTimeField(null=True, blank=True)
    # When the book was handed back to the hub (a Handover): the node writes it no more, and the
    # hub refuses its pushes from then on. Its mirrored book stays, closed at ``size``.
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One node keeps a station's book at a time; after a handover back, another may join.
            models.UniqueConstraint(
                fields=["origin"],
                condition=~models.Q(origin="") & models.Q(left_at__isnull=True),
                name="one_node_per_log_origin",
            )
        ]

    def __str__(self) -> str:
        return f"node of {self.station.code} ({self.size} leaves)"


class _LeafExpression(models.Func):
    """An expression of a mirrored leaf's kind and record with its keys written into the SQL, never passed as
    parameters, as ``CustodyMoment``: the index on it and the query's filter are then the same expression, and
    SQLite, which matches an indexed expression only to the same text, uses the index too."""

    output_field = models.TextField()

    def __init__(self) -> None:
        super().__init__(models.F("kind"), models.F("record"))

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **kwargs: Any
    ) -> tuple[str, list[Any]]:
        kind, kind_params = compiler.compile(self.source_expressions[0])
        record, record_params = compiler.compile(self.source_expressions[1])
        assert not kind_params and not record_params, "two columns"
        if connection.vendor == "postgresql":
            return self.text(kind, lambda key: f"({record} ->> '{key}')", postgresql=True), []
        return self.text(kind, lambda key: f"json_extract({record}, '$.{key}')", postgresql=False), []

    def text(self, kind: str, key: Callable[[str], str], *, postgresql: bool) -> str:
        raise NotImplementedError


class CustodyMoment(_LeafExpression):
    """The moment the hub's custody figures place a mirrored custody record on, as its ISO text: a
    booking's ``booked_in_at``, an event's ``at``; NULL for any other leaf (issues 12, 13).

    Its keys are written into the SQL, never passed as parameters, so the index on it (``MirroredLeaf``)
    and the figures' day filter (``figures.custody_rows``) are the same expression and both engines use
    the index: SQLite matches an indexed expression only to the same text, parameters unbound. On
    PostgreSQL the text is compared in byte order, whatever the database's collation."""

    def text(self, kind: str, key: Callable[[str], str], *, postgresql: bool) -> str:
        moment = f"(CASE WHEN {key('type')} = 'book_in' THEN {key('booked_in_at')} ELSE {key('at')} END)"
        found = f"(CASE WHEN {kind} = 'custody' THEN {moment} END)"
        return f'({found} COLLATE "C")' if postgresql else found


class ArrestMoment(_LeafExpression):
    """When an ARREST entry of a node's book says the arrest happened (its ``occurred_at``, ISO text), NULL for
    any other leaf: the hub's custody figures count a node station's arrests of a day by it (issue 13). On
    PostgreSQL the text is compared in byte order, whatever the database's collation."""

    def text(self, kind: str, key: Callable[[str], str], *, postgresql: bool) -> str:
        found = f"(CASE WHEN {kind} = 'occurrence' AND {key('entry_type')} = 'ARREST' THEN {key('occurred_at')} END)"
        return f'({found} COLLATE "C")' if postgresql else found


class CustodyEventType(_LeafExpression):
    """The type of a custody record of a node's book (``book_in``, ``release``, ``death``...), NULL for any
    other leaf."""

    def text(self, kind: str, key: Callable[[str], str], *, postgresql: bool) -> str:
        return f"(CASE WHEN {kind} = 'custody' THEN {key('type')} END)"


class CustodyEventBooking(_LeafExpression):
    """The booking a custody event of a node's book is of (its ``custody``), NULL for any other leaf."""

    def text(self, kind: str, key: Callable[[str], str], *, postgresql: bool) -> str:
        return f"(CASE WHEN {kind} = 'custody' THEN {key('custody')} END)"


class MirroredLeaf(models.Model):
    """One leaf of a node's book and its record, as accepted: the record is the node's canonical
    JSON of it (what ``commit`` commits to) and its salt; both empty only for a record the node
    erased lawfully, which a ``redaction`` leaf of the same book names (erased before it was sent,
    or at the hub too when that leaf arrives)."""

    node = models.ForeignKey(EnrolledNode, on_delete=models.PROTECT, related_name="leaves")
    index = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    record_id = models.CharField(max_length=64, db_index=True)
    data = models.BinaryField()
    record = models.JSONField(null=True)
    salt = models.BinaryField(null=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "index"], name="one_mirrored_leaf_per_index")]
        # The custody figures recount a node station's days from its custody records of those days.
        indexes = [
            models.Index(models.F("node"), CustodyMoment(), name="mirrored_custody_moment"),
            # ... and its arrests of those days; the events that ended a booking, and (vetting) the deaths
            # and serious injuries in custody, by the type of the event and the booking it is of.
            models.Index(models.F("node"), ArrestMoment(), name="mirrored_arrest_moment"),
            models.Index(CustodyEventType(), CustodyEventBooking(), name="mirrored_custody_event"),
        ]

    def __str__(self) -> str:
        return f"{self.node.origin} #{self.index} {self.kind}"


class MirroredEntry(models.Model):
    """At the hub: an entry of a node's book as national search finds it (rules.findable of its
    mirrored leaf's record, written by the worker after the leaf was accepted, mirror.index_new).
    An index, not evidence: the leaf is the entry; this row and its mentions go when the node
    erases the record lawfully."""

    leaf = models.OneToOneField(MirroredLeaf, on_delete=models.PROTECT, related_name="entry")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    entry_id = models.UUIDField(unique=True)
    ob_date = models.DateField(null=True)
    ob_seq = models.PositiveIntegerField(null=True)
    entry_type = models.CharField(max_length=20)
    recorded_at = models.DateTimeField()
    names = models.TextField(blank=True)
    words = models.TextField(blank=True)
    # The entry a correction or follow-up refers to: an entry is read back with every correction of it.
    refers_to = models.UUIDField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["station", "-recorded_at"], name="mirrored_station_recorded"),
            models.Index(fields=["ob_date", "ob_seq"], name="mirrored_ob_number"),
            models.Index(fields=["refers_to"], name="mirrored_refers_to"),
            # Vetting reads every death in custody entry of the mirrored books (few nationwide).
            models.Index(fields=["entry_type"], name="mirrored_entry_type"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}: {self.entry_id}"


class MirroredMention(models.Model):
    """An ID number, phone number or plate a mirrored entry names, as search normalises it; or the
    police officer suspected it names (kind "officer", rules.officer_suspected), for vetting."""

    entry = models.ForeignKey(MirroredEntry, on_delete=models.CASCADE, related_name="mentions")
    kind = models.CharField(max_length=10)
    value = models.CharField(max_length=40)

    # For notifications.erasure: the value of a "phone" mention is a phone number, so a number that
    # a mirrored entry still names stays in use (its remembered SMS language is kept).
    phone_rows = ("value", models.Q(kind="phone"))

    class Meta:
        # In pattern order on PostgreSQL, so a prefix (a register document number's kind, "RID...") is read from
        # it whatever the database's collation; equality too. SQLite has no operator classes: a plain index.
        indexes = [
            models.Index(
                fields=["kind", "value"],
                name="mirrored_mention",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.entry_id}"


class AcceptedCheckpoint(models.Model):
    """A checkpoint of a node's book the hub verified, with the hub's cosignature added to it."""

    node = models.ForeignKey(EnrolledNode, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.PositiveBigIntegerField()
    root = models.BinaryField()
    cosigned_note = models.TextField()
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "size"], name="one_accepted_checkpoint_per_size")]

    def __str__(self) -> str:
        return f"{self.node.origin} @ {self.size}"


class Refusal(models.Model):
    """A batch the hub refused as a possible rewrite of the book, kept whole as evidence."""

    node = models.ForeignKey(EnrolledNode, on_delete=models.PROTECT, related_name="refusals")
    at = models.DateTimeField()
    index = models.PositiveBigIntegerField(null=True)
    reason = models.TextField()
    batch = models.TextField(help_text=_("The refused request body, exactly as received."))
    signature = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"refusal of {self.node.origin} at {self.at:%Y-%m-%d %H:%M}"


class Handover(models.Model):
    """At the hub: the station's book moving to its node (at join) or back to the hub, as recorded
    by the ``handover`` leaf of the station's book (NODES.md rule 1, one writer through the move).

    Going back, it names the node's book as the hub holds it then (its size and root, with the
    hub's cosignature of that checkpoint): what the node sends after it is refused.
    """

    class Direction(models.TextChoices):
        TO_NODE = "to_node", _("To the station node")
        TO_HUB = "to_hub", _("Back to the hub")

    id = models.UUIDField(primary_key=True)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(EnrolledNode, on_delete=models.PROTECT, related_name="handovers")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    node_key = models.CharField(max_length=200)
    node_size = models.PositiveBigIntegerField()
    node_root = models.CharField(max_length=64, blank=True)
    cosigned_note = models.TextField(blank=True)
    by = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.station_id} {self.direction} at {self.at:%Y-%m-%d %H:%M}"


class HubLink(models.Model):
    """On a node: the hub it joined, and how far the hub holds its book. One row."""

    hub_url = models.CharField(max_length=300)
    # The hub's cosigner key (C2SP tlog-cosignature, type 0x04), received at join.
    hub_key = models.CharField(max_length=200)
    # The key the hub signs its own log with (its data and the national alerts), received at join.
    feed_key = models.CharField(max_length=200, blank=True)
    station = models.OneToOneField(Station, on_delete=models.PROTECT, related_name="hub_link")
    origin = models.CharField(max_length=200)
    joined_at = models.DateTimeField()
    sent_size = models.PositiveBigIntegerField(default=0)
    witnessed_size = models.PositiveBigIntegerField(default=0)
    witnessed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    hub_data_as_of = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.station.code} -> {self.hub_url}"


class Cosignature(models.Model):
    """On a node: a checkpoint of its book as the hub returned it, cosigned (the hub's receipt)."""

    size = models.PositiveBigIntegerField(unique=True)
    cosigned_note = models.TextField()
    cosigned_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"witnessed @ {self.size}"
