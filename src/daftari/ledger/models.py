"""Each station's book as an RFC 6962 Merkle log: leaves, complete-subtree hashes, signed checkpoints."""

import uuid

from django.db import models

from daftari.stations.models import Station


class Log(models.Model):
    """The head of one station's log (or of the hub's own): how many leaves it holds, and how far its tree is built.

    An append only numbers its leaf (``size``), in the transaction of the record it describes;
    the subtree hashes and the right edge of the tree (a TreeState) are built up to ``integrated``
    later, in batches, before a checkpoint is signed or a proof is served. The row is locked while
    appending or integrating, which serialises both on one log.
    """

    # None for the hub's own log (origin ``<DAFTARI_LOG_ORIGIN>/hub``): what it sends down to nodes.
    station = models.OneToOneField(Station, on_delete=models.PROTECT, related_name="ledger_log", null=True)
    origin = models.CharField(max_length=200, unique=True)
    size = models.PositiveBigIntegerField(default=0)
    integrated = models.PositiveBigIntegerField(default=0)
    edge = models.BinaryField(default=b"\x00" * 8)
    # At the hub: when the station's node joined and took the book over (NODES.md rule 1, one
    # writer per log). From then on the hub mirrors the node's book and appends nothing here.
    kept_at_node_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.origin} ({self.size} leaves)"


class Leaf(models.Model):
    """The exact bytes that were hashed into the log, and what they stand for."""

    # Read through one_leaf_per_index, which leads with the log.
    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="leaves", db_index=False)
    index = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    record_id = models.CharField(max_length=64)
    data = models.BinaryField()
    appended_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "index"], name="one_leaf_per_index")]
        # Here rather than db_index, which on PostgreSQL adds a twin for LIKE that nothing reads (issue 10).
        indexes = [models.Index(fields=["record_id"], name="leaf_record_id")]

    def __str__(self) -> str:
        return f"{self.log.origin} #{self.index} {self.kind}"


class TreeNode(models.Model):
    """The hash of a complete subtree: level 0 is a leaf hash; (level, index) as in C2SP tlog-tiles.

    Appending stores one leaf hash plus the subtrees it completes (two rows on average), and any
    proof needs at most 2·log2(n) of these rows, read in one query.
    """

    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="nodes")
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "level", "index"], name="one_hash_per_subtree")]

    def __str__(self) -> str:
        return f"{self.log_id} ({self.level}, {self.index})"


class Commitment(models.Model):
    """The salt of a leaf's commitment. Deleted only by a lawful erasure, with the personal data."""

    leaf = models.OneToOneField(Leaf, on_delete=models.PROTECT, related_name="commitment")
    salt = models.BinaryField()

    def __str__(self) -> str:
        return f"salt of leaf {self.leaf_id}"


class Checkpoint(models.Model):
    log = models.ForeignKey(Log, on_delete=models.PROTECT, related_name="checkpoints")
    size = models.PositiveBigIntegerField()
    root = models.BinaryField()
    signed_note = models.TextField()
    signed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["log", "size"], name="one_checkpoint_per_size")]
        ordering = ["log", "size"]

    def __str__(self) -> str:
        return f"{self.log.origin} @ {self.size}"


class Redaction(models.Model):
    """A lawful erasure: the personal data of the record behind ``leaf`` was deleted, on this authority.

    It is the record of the ``redaction`` leaf that announces it (that leaf's ``record`` is this id).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    leaf = models.OneToOneField(Leaf, on_delete=models.PROTECT, related_name="redaction")
    authority = models.CharField(max_length=300)
    by = models.CharField(max_length=150)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"redaction of leaf {self.leaf_id}"
