"""The ledger as a state machine over the real services and database.

Hypothesis drives appends, retried appends, checkpoints, reads of the root (which build the tree),
corrections, lawful erasures and restarts at two stations, and after every step the book must still
prove what it acknowledged.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from daftari_verify import merkle
from daftari_verify.checkpoint import Checkpoint as OpenedCheckpoint
from daftari_verify.checkpoint import ConsistencyProof, InclusionProof, open_checkpoint
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from daftari.core.errors import DuplicateWithDifferentContent
from daftari.ledger import keys
from daftari.ledger.models import Leaf, Log
from daftari.ledger.redaction import AlreadyRedacted, redact
from daftari.ledger.services import consistency_proof, inclusion_proof, root_at, sign_checkpoint
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import EntryDraft, PartyInput
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station

PLACES = ("Moi Avenue", "Kencom bus stage", "Gikomba market", "Kondele roundabout", "Jomo Kenyatta Highway")
NARRATIVES = (
    "Complainant reports that her phone was snatched by a man on a motorcycle.",
    "Reports that his wallet was taken from his jacket in a crowded matatu.",
    "Reports that a shop window was broken during the night and stock taken.",
)
NAMES = ("Wanjiku Kamau", "Otieno Ochieng", "Achieng Atieno", "Kiprotich Kibet")

drafts = st.builds(
    lambda place, narrative, name, hours: EntryDraft(
        entry_type="COMPLAINT",
        occurred_at=timezone.now() - timedelta(hours=hours),
        place=place,
        narrative=narrative,
        parties=(PartyInput(role="complainant", name=name),),
    ),
    st.sampled_from(PLACES),
    st.sampled_from(NARRATIVES),
    st.sampled_from(NAMES),
    st.integers(min_value=1, max_value=23),  # within the late-entry window: no late reason needed
)


@dataclass(frozen=True)
class Sent:
    """An append as the desk sent it: enough to send it again."""

    desk: int
    client_id: uuid.UUID
    draft: EntryDraft


@dataclass
class Book:
    """What the test knows one station's book must hold; the server's state is always read back."""

    station_id: int
    officer_id: int
    records: set[str] = field(default_factory=set)
    redacted: set[str] = field(default_factory=set)
    checked_checkpoints: int = 0
    proven_at: int = 0


class LedgerMachine(RuleBasedStateMachine):
    # Set by the test function, which holds the database fixtures.
    desks: tuple[tuple[Station, User], ...] = ()
    admin_id: int = 0

    sent = Bundle("sent")

    def __init__(self) -> None:
        super().__init__()
        # Each example starts from an empty ledger: everything it writes is rolled back in teardown.
        self.savepoint = transaction.savepoint()
        self.books = [Book(station.pk, user.pk) for station, user in self.desks]
        self.verifier = keys.verifier()

    def teardown(self) -> None:
        try:
            for i in range(len(self.books)):
                # Every acknowledged record is provable once a checkpoint covers it: sign one now.
                sign_checkpoint(station=self.station(i))
                self._check_inclusion(i)
                self._check_checkpoints_consistent(i)
        finally:
            transaction.savepoint_rollback(self.savepoint)

    # --- reading everything back from the database -------------------------------------

    def station(self, desk: int) -> Station:
        return Station.objects.get(pk=self.books[desk].station_id)

    def actor(self, desk: int) -> User:
        return User.objects.select_related("officer").get(pk=self.books[desk].officer_id)

    def log(self, desk: int) -> Log | None:
        return Log.objects.filter(station_id=self.books[desk].station_id).first()

    # --- rules --------------------------------------------------------------------------

    @rule(target=sent, desk=st.sampled_from([0, 1]), draft=drafts)
    def append(self, desk: int, draft: EntryDraft) -> Sent:
        client_id = uuid.uuid4()
        recorded = record_occurrence(
            actor=self.actor(desk), station=self.station(desk), draft=draft, client_id=client_id
        )
        assert recorded.created and recorded.entry.pk == client_id
        self.books[desk].records.add(str(recorded.entry.pk))
        return Sent(desk, client_id, draft)

    @rule(sent=sent)
    def duplicate_append(self, sent: Sent) -> None:
        log = self.log(sent.desk)
        size_before = log.size if log else 0
        resend = {
            "actor": self.actor(sent.desk),
            "station": self.station(sent.desk),
            "draft": sent.draft,
            "client_id": sent.client_id,
        }
        if str(sent.client_id) in self.books[sent.desk].redacted:
            # The stored entry lost the content the retry carries: it is no longer the same entry.
            with pytest.raises(DuplicateWithDifferentContent):
                record_occurrence(**resend)
        else:
            recorded = record_occurrence(**resend)
            assert not recorded.created and recorded.entry.pk == sent.client_id
        assert Log.objects.get(station_id=self.books[sent.desk].station_id).size == size_before

    @rule(desk=st.sampled_from([0, 1]))
    def checkpoint(self, desk: int) -> None:
        log = self.log(desk)
        last = log.checkpoints.order_by("-size").first() if log else None
        signed = sign_checkpoint(station=self.station(desk))
        if log is None or log.size == 0 or (last is not None and last.size == log.size):
            assert signed is None
        else:
            assert signed is not None and signed.size == log.size

    @rule(original=sent, place=st.sampled_from(PLACES))
    def amendment(self, original: Sent, place: str) -> None:
        occurrence = Occurrence.objects.select_related("station").get(pk=original.client_id)
        recorded = amend_occurrence(
            actor=self.actor(original.desk), occurrence=occurrence, reason="wrong place", changes={"place": place}
        )
        assert recorded.created
        self.books[original.desk].records.add(str(recorded.entry.pk))

    @rule(sent=sent)
    def redaction(self, sent: Sent) -> None:
        book, record_id = self.books[sent.desk], str(sent.client_id)
        admin = User.objects.select_related("officer").get(pk=self.admin_id)
        if record_id in book.redacted:
            with pytest.raises(AlreadyRedacted):
                redact(actor=admin, record_id=record_id, authority="High Court order E123 of 2026")
            return
        erased = Leaf.objects.get(record_id=record_id)
        data_before = bytes(erased.data)
        redaction = redact(actor=admin, record_id=record_id, authority="High Court order E123 of 2026")
        book.records.add(str(redaction.pk))
        book.redacted.add(record_id)
        erased.refresh_from_db()
        assert bytes(erased.data) == data_before
        assert "Wanjiku" not in str(Occurrence.objects.get(pk=sent.client_id).narrative)
        book.proven_at = 0  # prove every leaf again, the erased one included, at the next check

    @rule()
    def restart(self) -> None:
        # A new process: no cached key, no model instance carried over; the next steps read the database.
        keys.signer.cache_clear()
        self.verifier = keys.verifier()

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def every_record_is_one_leaf(self) -> None:
        for i, book in enumerate(self.books):
            log = self.log(i)
            leaves = list(Leaf.objects.filter(log=log).values_list("record_id", flat=True)) if log else []
            assert len(leaves) == len(book.records) == (log.size if log else 0)
            assert set(leaves) == book.records

    @rule(desk=st.sampled_from([0, 1]))
    def read_the_root(self, desk: int) -> None:
        """Reading the root of the whole book builds the tree over the leaves not yet in it."""
        log = self.log(desk)
        if log is None:
            return
        data = Leaf.objects.filter(log=log).order_by("index").values_list("data", flat=True)
        assert root_at(log, log.size) == merkle.root_from_leaves(bytes(d) for d in data)
        assert self.log(desk).integrated == log.size  # type: ignore[union-attr]

    @invariant()
    def the_built_tree_is_the_tree_of_the_leaves_it_covers(self) -> None:
        for i in range(len(self.books)):
            log = self.log(i)
            if log is None:
                continue
            assert 0 <= log.integrated <= log.size
            built = Leaf.objects.filter(log=log, index__lt=log.integrated).order_by("index")
            rebuilt = merkle.root_from_leaves(bytes(d) for d in built.values_list("data", flat=True))
            assert merkle.TreeState.from_bytes(bytes(log.edge)).root() == rebuilt

    @invariant()
    def every_two_checkpoints_are_consistent(self) -> None:
        for i in range(len(self.books)):
            self._check_checkpoints_consistent(i)

    @invariant()
    def every_acknowledged_record_is_in_the_latest_checkpoint(self) -> None:
        for i in range(len(self.books)):
            self._check_inclusion(i)

    def _opened(self, log: Log) -> list[OpenedCheckpoint]:
        return [open_checkpoint(c.signed_note, self.verifier, origin=log.origin) for c in log.checkpoints.all()]

    def _check_checkpoints_consistent(self, desk: int) -> None:
        book, log = self.books[desk], self.log(desk)
        if log is None:
            return
        opened = self._opened(log)
        # Each pair is checked once, when the later of the two is new.
        for j in range(book.checked_checkpoints, len(opened)):
            for k in range(j):
                old, new = opened[k], opened[j]
                ConsistencyProof(old.size, new.size, tuple(consistency_proof(log, old.size, new.size))).verify(old, new)
        book.checked_checkpoints = len(opened)

    def _check_inclusion(self, desk: int) -> None:
        book, log = self.books[desk], self.log(desk)
        latest = log.checkpoints.order_by("-size").first() if log else None
        if log is None or latest is None or latest.size == book.proven_at:
            return
        checkpoint = open_checkpoint(latest.signed_note, self.verifier, origin=log.origin)
        covered = Leaf.objects.filter(log=log, index__lt=checkpoint.size, record_id__in=book.records)
        proven = 0
        for leaf in covered:
            proof = InclusionProof(
                leaf.index, checkpoint.size, tuple(inclusion_proof(log, leaf.index, checkpoint.size))
            )
            proof.verify(merkle.leaf_hash(bytes(leaf.data)), checkpoint)
            proven += 1
        assert proven == checkpoint.size  # every leaf it covers is an acknowledged record
        book.proven_at = checkpoint.size


def test_the_book_proves_every_acknowledged_record_whatever_the_desks_do(
    desk_officer: User,
    station: Station,
    officer_elsewhere: User,
    other_station: Station,
    admin_officer: User,
    tmp_path,
    settings,
) -> None:
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()
    LedgerMachine.desks = ((station, desk_officer), (other_station, officer_elsewhere))
    LedgerMachine.admin_id = admin_officer.pk
    run_state_machine_as_test(
        LedgerMachine,
        settings=hypothesis_settings(
            max_examples=20,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
