"""The refugee register: households, people, membership, status steps and documents.

Every table here is append-only (database guards, see database.py): a person's status changes by a
new StatusStep, a household's members by a new Membership event, a document's state by a new
DocumentEvent. Who recorded a row is kept as the username, as words, like the alerts register.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.refugees.rules import (
    DOCUMENT_NAMES,
    HOUSEHOLD_CHANGE_NAMES,
    OFFICES,
    RELATIONSHIP_NAMES,
    SEX_NAMES,
    STATUS_NAMES,
    DocumentEventKind,
    DocumentKind,
    DocumentState,
    HouseholdChangeKind,
    Relationship,
    Sex,
    StatusKind,
)

OFFICE_CHOICES = [(code, name) for code, name in OFFICES.items()]


class Household(models.Model):
    """A registration group: the principal applicant and those registered with them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=20, unique=True)
    office = models.CharField(max_length=3, choices=OFFICE_CHOICES)
    registered_at = models.DateTimeField()
    registered_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    given_names = models.CharField(max_length=120)
    family_name = models.CharField(max_length=120)
    aliases = models.CharField(max_length=300, blank=True, help_text=_("Other names used, separated by commas."))
    # Names and aliases as rules.name_key makes them: what the register search compares words to.
    name_key = models.CharField(max_length=600, db_index=True)
    sex = models.CharField(max_length=1, choices=[(s.value, SEX_NAMES[s]) for s in Sex])
    date_of_birth = models.DateField()
    date_of_birth_estimated = models.BooleanField(default=False)
    nationality = models.CharField(max_length=60)
    languages = models.CharField(max_length=200, blank=True)
    specific_needs = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Sensitive: read back only by roles that need them (stations.rules.sees_refugee_sensitive_fields).
    ethnicity = models.CharField(max_length=60, blank=True)
    religion = models.CharField(max_length=60, blank=True)
    # Biometrics stay in the biometric system: only the id of the person's template there.
    biometric_ref = models.CharField(max_length=64, blank=True)
    office = models.CharField(max_length=3, choices=OFFICE_CHOICES)
    registered_at = models.DateTimeField()
    registered_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["family_name", "given_names"]

    def __str__(self) -> str:
        return f"person {self.pk}"


class PersonNameWord(models.Model):
    """One word of a person's names and aliases (rules.search_words), with the names the register
    search orders by: the search's index (queries.search). Written with the person, in the same
    transaction, by services.register_person; a person's names never change, so neither do these.

    The index on (word, family name, given names, person) gives a word's people already in the
    order of the results page, so a word held by a quarter of the register (Mohamed) gives its first
    page without reading the others; the one on (person, word) answers "does this person also hold
    that word" for the other words of the question."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="name_words")
    word = models.CharField(max_length=60)
    family_name = models.CharField(max_length=120)
    given_names = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "word"], name="one_name_word_per_person")]
        indexes = [
            models.Index(fields=["word", "family_name", "given_names", "person"], name="refugees_name_word_order"),
        ]

    def __str__(self) -> str:
        return f"name word of {self.person_id}"


class Membership(models.Model):
    """A person joins or leaves a household as of a date; the members on a day follow from these events."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    relationship = models.CharField(max_length=10, choices=[(r.value, RELATIONSHIP_NAMES[r]) for r in Relationship])
    on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.household_id} on {self.on}"


class StatusStep(models.Model):
    """One step of a person's legal status; ``sequence`` numbers them from 1, so two desks cannot
    both record a step after the same one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="status_steps")
    sequence = models.PositiveIntegerField()
    step = models.CharField(max_length=20, choices=[(s.value, STATUS_NAMES[s]) for s in StatusKind])
    on = models.DateField(help_text=_("The date of the registration, decision or appeal."))
    reference = models.CharField(max_length=80, blank=True, help_text=_("Case file, decision or appeal reference."))
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    # The leaf of the register's own signed log that carries it.
    ledger_index = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["person", "sequence"]
        constraints = [models.UniqueConstraint(fields=["person", "sequence"], name="one_status_step_per_sequence")]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.sequence} {self.step}"


class RefugeeDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=24, choices=[(k.value, DOCUMENT_NAMES[k]) for k in DocumentKind])
    number = models.CharField(max_length=20)
    office = models.CharField(max_length=3, choices=OFFICE_CHOICES)
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=150)
    ledger_index = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-issued_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="one_refugee_document_per_number")]
        indexes = [
            # What the hub publishes to station nodes is found by the register's leaves past the last published.
            models.Index(fields=["ledger_index"], name="refugees_document_leaf"),
            # The register search finds a person by a document number of any kind.
            models.Index(fields=["number"], name="refugees_document_number"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class DocumentEvent(models.Model):
    """A document revoked, reported lost or replaced (by ``replaced_by``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(RefugeeDocument, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=[(k.value, k.value) for k in DocumentEventKind])
    on = models.DateField()
    reason = models.CharField(max_length=300)
    replaced_by = models.ForeignKey(
        RefugeeDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    ledger_index = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["ledger_index"], name="refugees_docevent_leaf")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.kind}"


class DocumentCode(models.Model):
    """The verification code printed on a document (with a QR code of the public verify page's
    address): random, so a forged or altered code finds nothing and numbers cannot be counted through.
    A row of its own, beside the document's committed record, so documents issued before codes
    existed get one without changing what was recorded."""

    document = models.OneToOneField(RefugeeDocument, on_delete=models.PROTECT, related_name="verification")
    code = models.CharField(max_length=10, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"code of {self.document_id}"


class HouseholdChange(models.Model):
    """A household merged into another, or members split off to form a new one, as of ``on``.

    The memberships it moved (each person leaving ``source`` and joining ``target``) are recorded
    with it and point back to it (``HouseholdChangeMove``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=5, choices=[(k.value, HOUSEHOLD_CHANGE_NAMES[k]) for k in HouseholdChangeKind])
    source = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes_from")
    target = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes_into")
    on = models.DateField()
    reason = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()
    recorded_by = models.CharField(max_length=150)
    # The leaf of the register's own signed log that carries it; none for a row recorded before
    # these were leaves (history is not rewritten to give it one).
    ledger_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} -> {self.target_id} on {self.on}"


class HouseholdChangeMove(models.Model):
    """One person moved by a household change: the membership that left and the one that joined."""

    change = models.ForeignKey(HouseholdChange, on_delete=models.PROTECT, related_name="moves")
    left = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="+")
    joined = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"move of {self.change_id}"


class CorrectionCase(models.Model):
    """A person on the register matched to a Kenyan national ID: the double-registration case.

    The national ID number is held here, with the evidence, and nowhere on the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="correction_cases")
    national_id = models.CharField(max_length=14)  # rules.NATIONAL_ID: up to a Maisha Namba
    evidence = models.CharField(max_length=1000)
    opened_at = models.DateTimeField()
    opened_by = models.CharField(max_length=150)
    # The leaf of the register's own signed log that carries it; none for a row recorded before
    # these were leaves (history is not rewritten to give it one).
    ledger_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"SCC-{self.pk.hex[:8].upper()}"


class CorrectionDecision(models.Model):
    """One supervisor's approval or rejection of a correction case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CorrectionCase, on_delete=models.PROTECT, related_name="decisions")
    approve = models.BooleanField()
    note = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.CharField(max_length=150)
    # The leaf of the register's own signed log that carries it; none for a row recorded before
    # these were leaves (history is not rewritten to give it one).
    ledger_index = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "decided_by"], name="one_decision_per_supervisor_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {'approved' if self.approve else 'rejected'} by {self.decided_by}"


class DedupePass(models.Model):
    """One de-duplication pass of the register against a national ID list (rules.match), recorded
    with its proposals when it ends: what was compared and how many were proposed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(max_length=200, help_text=_("The national ID list compared, as its file was named."))
    national_ids = models.PositiveIntegerField()
    skipped_rows = models.PositiveIntegerField()
    people = models.PositiveIntegerField()
    compared = models.PositiveBigIntegerField()  # the pairs that shared a blocking key and were compared
    # Matches left out: another as good or better named the same holder or the same person (rules.unambiguous).
    ambiguous = models.PositiveIntegerField(default=0)
    proposed = models.PositiveIntegerField()
    already_proposed = models.PositiveIntegerField()  # pairs an earlier pass proposed: not proposed again
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    run_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"dedupe pass {self.pk} of {self.source}"


class MatchProposal(models.Model):
    """A registered person who may be a national ID holder: a candidate for a DRS officer to review.

    Never a case by itself: the officer opens a status-correction case from it (services.open_correction_case)
    or leaves it. The holder's names, sex and date of birth are kept as the list gave them: the evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dedupe_pass = models.ForeignKey(DedupePass, on_delete=models.PROTECT, related_name="proposals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="match_proposals")
    national_id = models.CharField(max_length=14)  # rules.NATIONAL_ID: up to a Maisha Namba
    holder_names = models.CharField(max_length=300)
    holder_sex = models.CharField(max_length=1)
    holder_date_of_birth = models.DateField()
    score = models.PositiveSmallIntegerField()
    reasons = models.CharField(max_length=200)  # rules.MatchReason codes, comma-separated
    proposed_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "proposed_at"]
        indexes = [models.Index(fields=["person", "national_id"], name="refugees_proposal_pair")]

    def __str__(self) -> str:
        return f"proposal {self.pk}"


class DocumentCopy(models.Model):
    """On a station node: a document's state as the hub last sent it in its signed down-log (NODES.md
    rule 5), so the desk checks a refugee document with no link. Only what a check needs, nothing of
    the holder; each version the hub publishes is a row of its own, the latest (``hub_index``) counts."""

    kind = models.CharField(max_length=24, choices=[(k.value, DOCUMENT_NAMES[k]) for k in DocumentKind])
    number = models.CharField(max_length=20)
    office = models.CharField(max_length=3, choices=OFFICE_CHOICES)
    # The state the register's events give (rules.recorded_state); expiry is judged on the day asked.
    state = models.CharField(max_length=10, choices=[(s.value, s.value) for s in DocumentState])
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    # The leaf of the hub's log that carried it.
    hub_index = models.PositiveBigIntegerField(unique=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["number", "-hub_index"]
        indexes = [models.Index(fields=["number", "kind"], name="refugees_doccopy_number")]

    def __str__(self) -> str:
        return f"copy of {self.kind} {self.number} @ {self.hub_index}"
