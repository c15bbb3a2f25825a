"""Missions abroad, their contingents, the candidates and what was recorded about them.

Every table here is append-only (database guards, see database.py): a retaken test is a new
result, a changed vetting decision a new decision; the latest one counts.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.deployments.rules import (
    ALLEGATION_CATEGORY_NAMES,
    ALLEGATION_STEP_NAMES,
    MATTER_BODY_NAMES,
    MATTER_OUTCOME_NAMES,
    AllegationCategory,
    AllegationStep,
    MatterBody,
    MatterOutcome,
    TourStep,
)
from daftari.stations.models import Officer


class Mission(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=30, unique=True, help_text=_("Short code, e.g. MSS-HAITI"))
    name = models.CharField(max_length=200)
    mandate = models.CharField(max_length=300, blank=True, help_text=_("e.g. UNSC Resolution 2699 (2023)"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Contingent(models.Model):
    """One rotation sent to a mission: its dates, planned size and units (sources disagree, so data)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="contingents")
    number = models.PositiveSmallIntegerField()
    departs_on = models.DateField()
    returns_on = models.DateField()
    size = models.PositiveIntegerField()
    units = models.CharField(max_length=200, help_text=_("e.g. GSU, AP-RDU, ASTU, BPU"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["mission", "number"]
        constraints = [models.UniqueConstraint(fields=["mission", "number"], name="one_contingent_number_per_mission")]

    def __str__(self) -> str:
        return f"{self.mission.code} #{self.number}"


class Candidate(models.Model):
    """An officer nominated for a contingent. The officers' table has no date of birth or date joined:
    they are kept here as the deployment officer entered them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contingent = models.ForeignKey(Contingent, on_delete=models.PROTECT, related_name="candidates")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="deployment_candidacies")
    date_of_birth = models.DateField()
    joined_service_on = models.DateField()
    nominated_at = models.DateTimeField()
    nominated_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contingent", "officer__service_number"]
        constraints = [models.UniqueConstraint(fields=["contingent", "officer"], name="one_candidacy_per_contingent")]

    def __str__(self) -> str:
        return f"{self.officer.service_number} for {self.contingent_id}"


class CriterionResult(models.Model):
    """One test or examination result. For medical and mental fitness only the pass or fail, its
    date and the examining officer: no medical detail is kept here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="results")
    criterion = models.CharField(max_length=30)
    criteria_version = models.CharField(max_length=30)
    passed = models.BooleanField()
    assessed_on = models.DateField()
    assessed_by = models.CharField(max_length=120, help_text=_("The assessor or examining officer"))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "criterion", "recorded_at"]
        indexes = [models.Index(fields=["candidate", "criterion", "recorded_at"], name="deploy_result_latest")]

    def __str__(self) -> str:
        return f"{self.criterion} {'pass' if self.passed else 'fail'} {self.assessed_on}"


class VettingDecision(models.Model):
    class Decision(models.TextChoices):
        CLEAR = "cleared", _("Cleared")
        EXCLUDE = "excluded", _("Excluded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="vetting_decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    # The findings the vetting officer had before them, as references (kind, record id, OB number).
    findings_seen = models.JSONField(default=list)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "decided_at"]

    def __str__(self) -> str:
        return f"{self.decision} {self.decided_at:%Y-%m-%d}"


class TrainingResult(models.Model):
    """A module of the pre-deployment course as the trainer recorded it: attended or not, passed its
    assessment or not. A retake is a new result; the latest counts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="training_results")
    module = models.CharField(max_length=40)
    course_version = models.CharField(max_length=30)
    attended = models.BooleanField()
    passed = models.BooleanField()
    held_on = models.DateField()
    trainer_name = models.CharField(max_length=120)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "module", "recorded_at"]
        indexes = [models.Index(fields=["candidate", "module", "recorded_at"], name="deploy_training_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attended=True) | models.Q(passed=False), name="passed_only_if_attended"
            )
        ]

    def __str__(self) -> str:
        return f"{self.module} {'pass' if self.passed else 'not passed'} {self.held_on}"


class TrainingCertificate(models.Model):
    """The course certificate, issued by a trainer once every module is passed; one per course version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="training_certificates")
    number = models.CharField(max_length=80, unique=True)
    course_version = models.CharField(max_length=30)
    # The modules passed, as (code, date held) pairs: what the certificate attests.
    modules = models.JSONField(default=list)
    issued_on = models.DateField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "course_version"], name="one_certificate_per_course")
        ]

    def __str__(self) -> str:
        return self.number


class CandidateDocument(models.Model):
    """A passport, visa, mission ID, vaccination or medical clearance as recorded for a candidate.
    A renewal or a correction is a new record; the latest of each kind counts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30)
    number = models.CharField(max_length=40, blank=True)
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "kind", "recorded_at"]
        indexes = [models.Index(fields=["candidate", "kind", "recorded_at"], name="deploy_document_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("issued_on")),
                name="document_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.issued_on}"


class CertificationLetter(models.Model):
    """The member state's note certifying a candidate ready to deploy: issued once, when the board
    judged them ready, and a leaf of the deployments' signed log. What it attests is kept with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="certification_letter")
    number = models.CharField(max_length=80, unique=True)
    code = models.CharField(max_length=16, unique=True, help_text=_("The verification code printed on the letter"))
    criteria_version = models.CharField(max_length=30)
    course_version = models.CharField(max_length=30)
    documents_version = models.CharField(max_length=30)
    training_certificate = models.CharField(max_length=80)
    vetting_decided_at = models.DateTimeField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return self.number


class ContingentLetter(models.Model):
    """The member state's certification letter for a whole contingent: the candidates the board judged
    ready when it was issued (as they stood), and how many were not yet ready or excluded, without the
    reasons. Issued once for each state of the contingent; a later one supersedes it, both are kept.
    A leaf of the deployments' signed log."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contingent = models.ForeignKey(Contingent, on_delete=models.PROTECT, related_name="letters")
    sequence = models.PositiveSmallIntegerField()
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    number = models.CharField(max_length=80, unique=True)
    code = models.CharField(max_length=16, unique=True, help_text=_("The verification code printed on the letter"))
    # The candidates certified: service number, name, rank, unit (station) and training certificate.
    certified = models.JSONField(default=list)
    not_yet = models.PositiveIntegerField()
    excluded = models.PositiveIntegerField()
    criteria_version = models.CharField(max_length=30)
    course_version = models.CharField(max_length=30)
    documents_version = models.CharField(max_length=30)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["contingent", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contingent", "sequence"], name="one_letter_per_contingent_sequence")
        ]

    def __str__(self) -> str:
        return self.number


class Allegation(models.Model):
    """Misconduct alleged against a deployed officer in the mission, sexual exploitation and abuse
    included. Never changed: what happens next, and any correction, are steps."""

    class Category(models.TextChoices):
        SEA = AllegationCategory.SEA.value, ALLEGATION_CATEGORY_NAMES[AllegationCategory.SEA]
        FORCE = AllegationCategory.FORCE.value, ALLEGATION_CATEGORY_NAMES[AllegationCategory.FORCE]
        OTHER = AllegationCategory.OTHER.value, ALLEGATION_CATEGORY_NAMES[AllegationCategory.OTHER]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="allegations")
    category = models.CharField(max_length=10, choices=Category.choices)
    reported_on = models.DateField()
    source = models.CharField(max_length=200, help_text=_("Who reported it, e.g. the mission's conduct unit"))
    # What was alleged, without the name of a complainant or victim (they are referred to, not named).
    summary = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "reported_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.category} {self.reported_on}"


class AllegationEvent(models.Model):
    class Step(models.TextChoices):
        REFERRED = AllegationStep.REFERRED.value, ALLEGATION_STEP_NAMES[AllegationStep.REFERRED]
        INVESTIGATING = AllegationStep.INVESTIGATING.value, ALLEGATION_STEP_NAMES[AllegationStep.INVESTIGATING]
        SUBSTANTIATED = AllegationStep.SUBSTANTIATED.value, ALLEGATION_STEP_NAMES[AllegationStep.SUBSTANTIATED]
        UNSUBSTANTIATED = AllegationStep.UNSUBSTANTIATED.value, ALLEGATION_STEP_NAMES[AllegationStep.UNSUBSTANTIATED]
        CLOSED = AllegationStep.CLOSED.value, ALLEGATION_STEP_NAMES[AllegationStep.CLOSED]
        CORRECTION = AllegationStep.CORRECTION.value, ALLEGATION_STEP_NAMES[AllegationStep.CORRECTION]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    allegation = models.ForeignKey(Allegation, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=20, choices=Step.choices)
    on = models.DateField()
    note = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["allegation", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.step} {self.on}"


class TourRecord(models.Model):
    """A candidate's departure, return, debrief or return medical (a pass or fail and its date only:
    no medical detail). Never changed: a correction is a new record, the latest of each step counts."""

    class Step(models.TextChoices):
        DEPARTED = TourStep.DEPARTED.value, _("Departed")
        RETURNED = TourStep.RETURNED.value, _("Returned")
        DEBRIEFED = TourStep.DEBRIEFED.value, _("Debriefed")
        RETURN_MEDICAL = TourStep.RETURN_MEDICAL.value, _("Return medical")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="tour_records")
    step = models.CharField(max_length=20, choices=Step.choices)
    on = models.DateField()
    passed = models.BooleanField(null=True, blank=True, help_text=_("The return medical only"))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["candidate", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.step} {self.on}"


class DisciplinaryMatter(models.Model):
    """A disciplinary matter (NPS Internal Affairs Unit or a service board) or an IPOA complaint or
    investigation against an officer, as the vetting officer recorded it from that body's file. Never
    changed: its outcome, and any correction of one, are steps; the latest counts."""

    class Body(models.TextChoices):
        INTERNAL = MatterBody.INTERNAL.value, MATTER_BODY_NAMES[MatterBody.INTERNAL]
        IPOA = MatterBody.IPOA.value, MATTER_BODY_NAMES[MatterBody.IPOA]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="disciplinary_matters")
    body = models.CharField(max_length=10, choices=Body.choices)
    reference = models.CharField(max_length=60, help_text=_("The body's own reference number"))
    opened_on = models.DateField()
    # What is alleged, without the name of a complainant or victim (they are referred to, not named).
    allegation = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["officer", "opened_on", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["body", "reference"], name="one_matter_per_reference")]

    def __str__(self) -> str:
        return f"{self.body} {self.reference}"


class DisciplinaryStep(models.Model):
    """A matter concluded with its outcome, or opened again; a correction of an outcome is a later step."""

    class Outcome(models.TextChoices):
        PENDING = MatterOutcome.PENDING.value, MATTER_OUTCOME_NAMES[MatterOutcome.PENDING]
        SANCTIONED = MatterOutcome.SANCTIONED.value, MATTER_OUTCOME_NAMES[MatterOutcome.SANCTIONED]
        NOT_SUBSTANTIATED = (
            MatterOutcome.NOT_SUBSTANTIATED.value,
            MATTER_OUTCOME_NAMES[MatterOutcome.NOT_SUBSTANTIATED],
        )
        WITHDRAWN = MatterOutcome.WITHDRAWN.value, MATTER_OUTCOME_NAMES[MatterOutcome.WITHDRAWN]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    matter = models.ForeignKey(DisciplinaryMatter, on_delete=models.PROTECT, related_name="steps")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    on = models.DateField()
    note = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["matter", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.on}"
