"""Every change to missions, contingents, candidates, results and vetting goes through here."""

import secrets
from datetime import date

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments import criteria, queries, records
from daftari.deployments.models import (
    Allegation,
    AllegationEvent,
    Candidate,
    CandidateDocument,
    CertificationLetter,
    Contingent,
    ContingentLetter,
    CriterionResult,
    DisciplinaryMatter,
    DisciplinaryStep,
    Mission,
    TourRecord,
    TrainingCertificate,
    TrainingResult,
    VettingDecision,
)
from daftari.deployments.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Kind,
    Readiness,
    certificate_number,
    contingent_letter_number,
    letter_number,
    may_add_step,
    may_certify_training,
    same_certification,
    tour_date_error,
)
from daftari.ledger import services as ledger
from daftari.stations.models import Officer, scope_of
from daftari.stations.rules import (
    can_decide_vetting,
    can_manage_deployments,
    can_record_allegation,
    can_record_assessment,
    can_record_disciplinary_matter,
    can_record_fitness,
    can_record_training,
)


def _officer(actor: User) -> Officer:
    officer = getattr(actor, "officer", None)
    if officer is None:
        raise NotPermitted()
    return officer


def _must_manage(actor: User) -> Officer:
    if not can_manage_deployments(scope_of(actor)):
        raise NotPermitted(_("Only the deployment officer opens missions and contingents and nominates candidates."))
    return _officer(actor)


@transaction.atomic
def open_mission(*, actor: User, code: str, name: str, mandate: str = "") -> Mission:
    officer = _must_manage(actor)
    if Mission.objects.filter(code=code).exists():
        raise InvalidInput(fields={"code": _("A mission with this code exists already.")})
    return Mission.objects.create(code=code, name=name, mandate=mandate, created_at=timezone.now(), created_by=officer)


@transaction.atomic
def open_contingent(
    *, actor: User, mission: Mission, number: int, departs_on: date, returns_on: date, size: int, units: str
) -> Contingent:
    officer = _must_manage(actor)
    if returns_on <= departs_on:
        raise InvalidInput(fields={"returns_on": _("The return date must come after the departure date.")})
    if Contingent.objects.filter(mission=mission, number=number).exists():
        raise InvalidInput(fields={"number": _("This mission already has a contingent with this number.")})
    return Contingent.objects.create(
        mission=mission,
        number=number,
        departs_on=departs_on,
        returns_on=returns_on,
        size=size,
        units=units,
        created_at=timezone.now(),
        created_by=officer,
    )


def nominate_candidate(
    *, actor: User, contingent: Contingent, service_number: str, date_of_birth: date, joined_service_on: date
) -> Candidate:
    """Draws the candidate from Daftari's officers by service number; the dates are as entered."""
    officer = _must_manage(actor)
    nominee = Officer.objects.filter(service_number=service_number.strip()).first()
    if nominee is None:
        raise InvalidInput(fields={"service_number": _("No officer has this service number.")})
    if joined_service_on <= date_of_birth:
        raise InvalidInput(fields={"joined_service_on": _("The date joined must come after the date of birth.")})
    try:
        with transaction.atomic():
            return Candidate.objects.create(
                contingent=contingent,
                officer=nominee,
                date_of_birth=date_of_birth,
                joined_service_on=joined_service_on,
                nominated_at=timezone.now(),
                nominated_by=officer,
            )
    except IntegrityError:
        raise InvalidInput(
            fields={"service_number": _("This officer is already a candidate for this contingent.")}
        ) from None


@transaction.atomic
def record_result(
    *, actor: User, candidate: Candidate, criterion: str, passed: bool, assessed_on: date, assessed_by: str
) -> CriterionResult:
    """A test's result from the trainer, or a fitness pass or fail from the medical officer. A retake is
    a new result; the latest counts."""
    in_force = criteria.current()
    found = next((c for c in in_force.criteria if c.code == criterion), None)
    if found is None or found.kind not in (Kind.ASSESSMENT, Kind.FITNESS):
        raise InvalidInput(fields={"criterion": _("Not a test or examination of the criteria in force.")})
    scope = scope_of(actor)
    allowed = can_record_assessment(scope) if found.kind == Kind.ASSESSMENT else can_record_fitness(scope)
    if not allowed:
        raise NotPermitted(
            _("Only a trainer records test results.")
            if found.kind == Kind.ASSESSMENT
            else _("Only the medical officer records medical and mental fitness.")
        )
    if assessed_on > timezone.localdate():
        raise InvalidInput(fields={"assessed_on": _("The date cannot be in the future.")})
    if not assessed_by.strip():
        raise InvalidInput(fields={"assessed_by": _("Name the assessor or examining officer.")})
    return CriterionResult.objects.create(
        candidate=candidate,
        criterion=criterion,
        criteria_version=in_force.version,
        passed=passed,
        assessed_on=assessed_on,
        assessed_by=assessed_by.strip(),
        recorded_at=timezone.now(),
        recorded_by=_officer(actor),
    )


@transaction.atomic
def decide_vetting(
    *, actor: User, candidate: Candidate, decision: str, reason: str, findings_seen: list[dict[str, str]]
) -> VettingDecision:
    """The vetting officer clears or excludes, always with a reason; a later decision is a new record."""
    if not can_decide_vetting(scope_of(actor)):
        raise NotPermitted(_("Only the vetting officer clears or excludes a candidate."))
    if decision not in VettingDecision.Decision.values:
        raise InvalidInput(fields={"decision": _("Choose cleared or excluded.")})
    if not reason.strip():
        raise InvalidInput(fields={"reason": _("Give the reason for the decision.")})
    return VettingDecision.objects.create(
        candidate=candidate,
        decision=decision,
        reason=reason.strip(),
        findings_seen=findings_seen,
        decided_at=timezone.now(),
        decided_by=_officer(actor),
    )


# --- Pre-deployment training --------------------------------------------------------------------


def _must_train(actor: User) -> Officer:
    if not can_record_training(scope_of(actor)):
        raise NotPermitted(_("Only a trainer records training and issues its certificate."))
    return _officer(actor)


@transaction.atomic
def record_training(
    *, actor: User, candidate: Candidate, module: str, attended: bool, passed: bool, held_on: date, trainer_name: str
) -> TrainingResult:
    """A module's attendance and assessment, from the trainer. A retake is a new result; the latest counts."""
    officer = _must_train(actor)
    course = criteria.course()
    if course.module(module) is None:
        raise InvalidInput(fields={"module": _("Not a module of the course in force.")})
    if passed and not attended:
        raise InvalidInput(fields={"passed": _("An officer who did not attend cannot have passed.")})
    if held_on > timezone.localdate():
        raise InvalidInput(fields={"held_on": _("The date cannot be in the future.")})
    if not trainer_name.strip():
        raise InvalidInput(fields={"trainer_name": _("Name the trainer who ran the module.")})
    return TrainingResult.objects.create(
        candidate=candidate,
        module=module,
        course_version=course.version,
        attended=attended,
        passed=passed,
        held_on=held_on,
        trainer_name=trainer_name.strip(),
        recorded_at=timezone.now(),
        recorded_by=officer,
    )


@transaction.atomic
def issue_training_certificate(*, actor: User, candidate: Candidate) -> TrainingCertificate:
    """The course certificate: refused until every module is passed, and issued once per course version."""
    officer = _must_train(actor)
    course = criteria.course()
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()  # two trainers, one certificate
    latest: dict[str, TrainingResult] = {}
    for result in TrainingResult.objects.filter(candidate=candidate).order_by("recorded_at", "id"):
        latest[result.module] = result
    if not may_certify_training(course, {code: r.passed for code, r in latest.items()}):
        raise InvalidInput(_("Every module of the course must be passed before the certificate is issued."))
    if TrainingCertificate.objects.filter(candidate=candidate, course_version=course.version).exists():
        raise InvalidInput(_("The certificate for this course has been issued already."))
    today = timezone.localdate()
    contingent = candidate.contingent
    return TrainingCertificate.objects.create(
        candidate=candidate,
        number=certificate_number(contingent.mission.code, contingent.number, candidate.officer.service_number),
        course_version=course.version,
        modules=[[code, latest[code].held_on.isoformat()] for code in course.codes],
        issued_on=today,
        issued_at=timezone.now(),
        issued_by=officer,
    )


# --- Documents ----------------------------------------------------------------------------------


@transaction.atomic
def record_document(
    *,
    actor: User,
    candidate: Candidate,
    kind: str,
    number: str,
    issued_on: date,
    expires_on: date | None,
) -> CandidateDocument:
    """A travel document from the deployment officer, a vaccination or the medical clearance from the
    medical officer. A renewal or a correction is a new record; the latest of its kind counts."""
    rule = criteria.documents().rule(kind)
    if rule is None:
        raise InvalidInput(fields={"kind": _("Not a document the mission requires.")})
    scope = scope_of(actor)
    if not (can_record_fitness(scope) if rule.medical else can_manage_deployments(scope)):
        raise NotPermitted(
            _("Only the medical officer records vaccinations and the medical clearance.")
            if rule.medical
            else _("Only the deployment officer records passports, visas and mission ID cards.")
        )
    errors: dict[str, str] = {}
    if not rule.medical and not number.strip():
        errors["number"] = _("Give the document's number.")
    if issued_on > timezone.localdate():
        errors["issued_on"] = _("The date cannot be in the future.")
    if rule.expires and expires_on is None:
        errors["expires_on"] = _("Give the date it expires.")
    elif expires_on is not None and expires_on <= issued_on:
        errors["expires_on"] = _("The expiry date must come after the date of issue.")
    if errors:
        raise InvalidInput(fields=errors)
    return CandidateDocument.objects.create(
        candidate=candidate,
        kind=kind,
        number=number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        recorded_at=timezone.now(),
        recorded_by=_officer(actor),
    )


# --- The certification letter -------------------------------------------------------------------


class NotReady(InvalidInput):
    code = "not_ready"


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not (
            CertificationLetter.objects.filter(code=code).exists()
            or ContingentLetter.objects.filter(code=code).exists()
        ):
            return code


@transaction.atomic
def certify_candidate(*, actor: User, candidate: Candidate) -> CertificationLetter:
    """The member state's certification letter for a candidate the board judges ready, once; written
    with its leaf in the deployments' signed log (``<origin>/deployments``) in one transaction."""
    officer = _must_manage(actor)
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()  # one letter, however many clicks
    if CertificationLetter.objects.filter(candidate=candidate).exists():
        raise InvalidInput(_("This candidate's certification letter has been issued already."))
    judgement, training_certificate, decision = queries.judge_candidate(candidate)
    if judgement.readiness != Readiness.READY or decision is None or not training_certificate:
        reasons = " ".join(r.message for r in judgement.reasons) or _(
            "The training certificate has not been issued yet."
        )
        raise NotReady(_("Only a candidate judged ready is certified: %(reasons)s") % {"reasons": reasons})
    contingent = candidate.contingent
    letter = CertificationLetter.objects.create(
        candidate=candidate,
        number=letter_number(contingent.mission.code, contingent.number, candidate.officer.service_number),
        code=_new_code(),
        criteria_version=criteria.current().version,
        course_version=criteria.course().version,
        documents_version=criteria.documents().version,
        training_certificate=training_certificate,
        vetting_decided_at=decision.decided_at,
        issued_at=timezone.now(),
        issued_by=officer,
    )
    ledger.append_to_log_named(
        name=records.LOG_NAME,
        kind=records.KIND_LETTER,
        record_id=str(letter.pk),
        record=records.letter_record(letter),
        by=officer.service_number,
        at=letter.issued_at,
    )
    return letter


@transaction.atomic
def certify_contingent(*, actor: User, contingent: Contingent) -> ContingentLetter:
    """The member state's certification letter for the contingent: every candidate the board judges
    ready (with a training certificate), and how many are not yet ready or excluded, without reasons.
    Once for each state of the contingent: when the list or the counts have changed since the last
    letter, a new one supersedes it (both kept). Written with its leaf in the deployments' signed log."""
    officer = _must_manage(actor)
    Contingent.objects.select_for_update().filter(pk=contingent.pk).first()  # one letter, however many clicks
    rows = queries.judged_rows(contingent, with_letters=False)
    certified = [
        {
            "candidate": str(row.candidate_id),
            "service_number": row.service_number,
            "name": row.name,
            "rank": row.rank,
            "unit": row.station,
            "training_certificate": row.certificate,
        }
        for row in rows
        if row.judgement.readiness == Readiness.READY and row.certificate
    ]
    if not certified:
        raise NotReady(_("No candidate of this contingent is ready: there is nobody to certify."))
    excluded = sum(1 for row in rows if row.judgement.readiness == Readiness.EXCLUDED)
    not_yet = len(rows) - len(certified) - excluded
    earlier = queries.latest_contingent_letter(contingent)
    if earlier is not None and same_certification(
        earlier.certified, (earlier.not_yet, earlier.excluded), certified, (not_yet, excluded)
    ):
        raise InvalidInput(
            _("Letter %(number)s already certifies the contingent as it stands.") % {"number": earlier.number}
        )
    sequence = earlier.sequence + 1 if earlier is not None else 1
    mission = Mission.objects.get(pk=contingent.mission_id)
    letter = ContingentLetter.objects.create(
        contingent=contingent,
        sequence=sequence,
        supersedes=earlier,
        number=contingent_letter_number(mission.code, contingent.number, sequence),
        code=_new_code(),
        certified=certified,
        not_yet=not_yet,
        excluded=excluded,
        criteria_version=criteria.current().version,
        course_version=criteria.course().version,
        documents_version=criteria.documents().version,
        issued_at=timezone.now(),
        issued_by=officer,
    )
    ledger.append_to_log_named(
        name=records.LOG_NAME,
        kind=records.KIND_CONTINGENT_LETTER,
        record_id=str(letter.pk),
        record=records.contingent_letter_record(letter),
        by=officer.service_number,
        at=letter.issued_at,
    )
    return letter


# --- Misconduct alleged in the mission ------------------------------------------------------------


def _must_record_allegations(actor: User) -> Officer:
    if not can_record_allegation(scope_of(actor)):
        raise NotPermitted(_("Only the vetting officer records misconduct alleged in the mission."))
    return _officer(actor)


@transaction.atomic
def record_allegation(
    *, actor: User, candidate: Candidate, category: str, reported_on: date, source: str, summary: str
) -> Allegation:
    """Misconduct alleged against a deployed officer, SEA included; tracked to an outcome by steps."""
    officer = _must_record_allegations(actor)
    errors: dict[str, str] = {}
    if category not in Allegation.Category.values:
        errors["category"] = _("Choose what is alleged.")
    if reported_on > timezone.localdate():
        errors["reported_on"] = _("The date cannot be in the future.")
    elif reported_on < candidate.contingent.departs_on:
        errors["reported_on"] = _("An allegation in the mission is reported after the contingent departed.")
    if not source.strip():
        errors["source"] = _("Say who reported it.")
    if not summary.strip():
        errors["summary"] = _("Say what is alleged.")
    if errors:
        raise InvalidInput(fields=errors)
    return Allegation.objects.create(
        candidate=candidate,
        category=category,
        reported_on=reported_on,
        source=source.strip(),
        summary=summary.strip(),
        recorded_at=timezone.now(),
        recorded_by=officer,
    )


@transaction.atomic
def record_allegation_step(*, actor: User, allegation: Allegation, step: str, on: date, note: str) -> AllegationEvent:
    """The next step of an allegation, or a correction of an earlier record (never an edit of it)."""
    officer = _must_record_allegations(actor)
    Allegation.objects.select_for_update().filter(pk=allegation.pk).first()  # steps in order, one at a time
    if step not in AllegationEvent.Step.values:
        raise InvalidInput(fields={"step": _("Choose the step.")})
    steps = list(
        AllegationEvent.objects.filter(allegation=allegation).order_by("recorded_at").values_list("step", flat=True)
    )
    if not may_add_step(steps, step):
        raise InvalidInput(
            fields={"step": _("An outcome has been recorded; record a correction if a record was wrong.")}
        )
    if on > timezone.localdate() or on < allegation.reported_on:
        raise InvalidInput(fields={"on": _("The date must fall between the report and today.")})
    if not note.strip():
        raise InvalidInput(fields={"note": _("Add a note: what was done or decided, or what the correction is.")})
    return AllegationEvent.objects.create(
        allegation=allegation, step=step, on=on, note=note.strip(), recorded_at=timezone.now(), recorded_by=officer
    )


# --- Disciplinary and IPOA matters at home --------------------------------------------------------


def _must_record_matters(actor: User) -> Officer:
    if not can_record_disciplinary_matter(scope_of(actor)):
        raise NotPermitted(_("Only the vetting officer records disciplinary and IPOA matters."))
    return _officer(actor)


def record_disciplinary_matter(
    *, actor: User, service_number: str, body: str, reference: str, opened_on: date, allegation: str
) -> DisciplinaryMatter:
    """A disciplinary matter (NPS Internal Affairs Unit, service board) or an IPOA matter against an
    officer, from that body's file; pending until a step concludes it. Every field error at once."""
    recorder = _must_record_matters(actor)
    errors: dict[str, str] = {}
    subject = Officer.objects.filter(service_number=service_number.strip()).first()
    if subject is None:
        errors["service_number"] = _("No officer has this service number.")
    reference = reference.strip()
    if body not in DisciplinaryMatter.Body.values:
        errors["body"] = _("Choose IPOA, or the NPS Internal Affairs Unit or a service board.")
    if not reference:
        errors["reference"] = _("Give the reference number on the body's file.")
    elif len(reference) > 60:
        errors["reference"] = _("At most 60 characters.")
    elif DisciplinaryMatter.objects.filter(body=body, reference__iexact=reference).exists():
        errors["reference"] = _("A matter with this reference is recorded already.")
    if opened_on > timezone.localdate():
        errors["opened_on"] = _("The date cannot be in the future.")
    if not allegation.strip():
        errors["allegation"] = _("Say what is alleged.")
    if errors or subject is None:
        raise InvalidInput(fields=errors)
    try:
        with transaction.atomic():
            return DisciplinaryMatter.objects.create(
                officer=subject,
                body=body,
                reference=reference,
                opened_on=opened_on,
                allegation=allegation.strip(),
                recorded_at=timezone.now(),
                recorded_by=recorder,
            )
    except IntegrityError:  # recorded at the same moment by someone else
        raise InvalidInput(fields={"reference": _("A matter with this reference is recorded already.")}) from None


@transaction.atomic
def record_matter_step(
    *, actor: User, matter: DisciplinaryMatter, outcome: str, on: date, note: str
) -> DisciplinaryStep:
    """The matter concluded with its outcome, opened again, or an outcome corrected: a new step, never
    an edit; the latest counts."""
    recorder = _must_record_matters(actor)
    DisciplinaryMatter.objects.select_for_update().filter(pk=matter.pk).first()  # steps in order, one at a time
    errors: dict[str, str] = {}
    if outcome not in DisciplinaryStep.Outcome.values:
        errors["outcome"] = _("Choose where the matter stands.")
    if on > timezone.localdate() or on < matter.opened_on:
        errors["on"] = _("The date must fall between the day the matter was opened and today.")
    if not note.strip():
        errors["note"] = _("Add a note: what was decided, by whom, or why the matter was opened again.")
    if errors:
        raise InvalidInput(fields=errors)
    return DisciplinaryStep.objects.create(
        matter=matter, outcome=outcome, on=on, note=note.strip(), recorded_at=timezone.now(), recorded_by=recorder
    )


# --- Departure, return, debrief and return medical ------------------------------------------------


@transaction.atomic
def record_tour(*, actor: User, candidate: Candidate, step: str, on: date, passed: bool | None = None) -> TourRecord:
    """A departure, return or debrief from the deployment officer; the return medical (pass or fail and
    its date, nothing more) from the medical officer. A correction is a new record; the latest counts."""
    if step not in TourRecord.Step.values:
        raise InvalidInput(fields={"step": _("Choose the step.")})
    medical = step == TourRecord.Step.RETURN_MEDICAL
    scope = scope_of(actor)
    if not (can_record_fitness(scope) if medical else can_manage_deployments(scope)):
        raise NotPermitted(
            _("Only the medical officer records the return medical.")
            if medical
            else _("Only the deployment officer records departure, return and debrief.")
        )
    if medical and passed is None:
        raise InvalidInput(fields={"passed": _("Say whether the officer passed the return medical.")})
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    departure = (
        TourRecord.objects.filter(candidate=candidate, step=TourRecord.Step.DEPARTED).order_by("recorded_at").last()
    )
    contingent = candidate.contingent
    error = tour_date_error(
        step,
        on,
        today=timezone.localdate(),
        departs_on=contingent.departs_on,
        returns_on=contingent.returns_on,
        departed_on=departure.on if departure is not None else None,
    )
    if error:
        raise InvalidInput(fields={"on": error})
    return TourRecord.objects.create(
        candidate=candidate,
        step=step,
        on=on,
        passed=passed if medical else None,
        recorded_at=timezone.now(),
        recorded_by=_officer(actor),
    )
