"""Who is ready to deploy: the selection criteria as data, and the pure functions that judge a candidate.

The criteria come from ``data/criteria.json`` (versioned, each with its sources); the functions here
take plain values, touch no database, and return every failing reason, not the first.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    AGE = "age"
    SERVICE = "service"
    ASSESSMENT = "assessment"  # run by a trainer (AMS-like)
    FITNESS = "fitness"  # pass or fail from the medical officer, nothing more


class Readiness(StrEnum):
    READY = "ready"
    NOT_YET = "not_yet"
    EXCLUDED = "excluded"


class Vetting(StrEnum):
    PENDING = "pending"
    CLEARED = "cleared"
    EXCLUDED = "excluded"


READINESS_NAMES = {
    Readiness.READY: _("Ready"),
    Readiness.NOT_YET: _("Not yet"),
    Readiness.EXCLUDED: _("Excluded"),
}

# What each test is called on screens; a criterion the file adds without a name here shows its code.
CRITERION_NAMES: dict[str, Promise] = {
    "age": _("Age"),
    "service": _("Years of service"),
    "language_english": _("English language test"),
    "firearms": _("Firearms qualification"),
    "driving": _("Driving test"),
    "computer": _("Computer test"),
    "medical_fitness": _("Medical fitness"),
    "mental_fitness": _("Mental fitness"),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    kind: Kind
    sources: tuple[str, ...]
    min_years: int | None = None
    max_years: int | None = None

    @property
    def name(self) -> str:
        return str(CRITERION_NAMES.get(self.code, self.code))


@dataclass(frozen=True)
class Criteria:
    version: str
    criteria: tuple[Criterion, ...]

    def of_kind(self, *kinds: Kind) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.kind in kinds)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.criteria)


def parse_criteria(text: str) -> Criteria:
    """The criteria file read: refuses a criterion without a source, so none is adopted unexplained."""
    data: dict[str, Any] = json.loads(text)
    criteria = []
    for item in data["criteria"]:
        if not item.get("sources"):
            raise ValueError(f"criterion {item['code']!r} has no source")
        criteria.append(
            Criterion(
                code=item["code"],
                kind=Kind(item["kind"]),
                sources=tuple(item["sources"]),
                min_years=item.get("min_years"),
                max_years=item.get("max_years"),
            )
        )
    return Criteria(version=str(data["version"]), criteria=tuple(criteria))


def whole_years(since: date, on: date) -> int:
    """Completed years between two dates (an age; a 29 February birthday turns over on 1 March)."""
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return years


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    # A reason that no retake can change before departure (too young, too old, too short a service).
    final: bool = False


@dataclass(frozen=True)
class CandidateFacts:
    date_of_birth: date
    joined_service_on: date
    # The latest result of each test by criterion code: True passed, False failed; absent not taken.
    results: Mapping[str, bool] = field(default_factory=dict)
    vetting: Vetting = Vetting.PENDING
    # The latest outcome of each training module by code: True passed; False attended or missed but
    # not passed; absent not yet recorded.
    training: Mapping[str, bool] = field(default_factory=dict)
    # The latest record of each kind of document, by code; absent not recorded.
    documents: Mapping[str, "HeldDocument"] = field(default_factory=dict)


def _age_reasons(criterion: Criterion, born: date, on: date) -> list[Reason]:
    age = whole_years(born, on)
    low, high = criterion.min_years, criterion.max_years
    if (low is not None and age < low) or (high is not None and age > high):
        message = _("Aged %(age)s on the departure date: the call is for officers aged %(low)s to %(high)s.") % {
            "age": age,
            "low": low,
            "high": high,
        }
        return [Reason(criterion.code, str(message), final=True)]
    return []


def _service_reasons(criterion: Criterion, joined: date, on: date) -> list[Reason]:
    years = whole_years(joined, on)
    if criterion.min_years is not None and years < criterion.min_years:
        message = _("%(years)s years of service on the departure date: at least %(least)s are needed.") % {
            "years": years,
            "least": criterion.min_years,
        }
        return [Reason(criterion.code, str(message), final=True)]
    return []


def _result_reasons(criterion: Criterion, results: Mapping[str, bool]) -> list[Reason]:
    result = results.get(criterion.code)
    if result is None:
        return [Reason(criterion.code, str(_("%(test)s: no result recorded yet.") % {"test": criterion.name}))]
    if not result:
        return [Reason(criterion.code, str(_("%(test)s: not passed.") % {"test": criterion.name}))]
    return []


def failing_reasons(criteria: Criteria, facts: CandidateFacts, *, departs_on: date) -> list[Reason]:
    """Every criterion the candidate does not (yet) meet, in the file's order."""
    reasons: list[Reason] = []
    for criterion in criteria.criteria:
        if criterion.kind == Kind.AGE:
            reasons += _age_reasons(criterion, facts.date_of_birth, departs_on)
        elif criterion.kind == Kind.SERVICE:
            reasons += _service_reasons(criterion, facts.joined_service_on, departs_on)
        else:
            reasons += _result_reasons(criterion, facts.results)
    return reasons


VETTING_PENDING = _("Vetting: not yet decided.")
VETTING_EXCLUDED = _("Excluded at vetting.")


@dataclass(frozen=True)
class Judgement:
    readiness: Readiness
    reasons: tuple[Reason, ...]

    @property
    def readiness_name(self) -> str:
        return str(READINESS_NAMES[self.readiness])


def judge(
    criteria: Criteria,
    facts: CandidateFacts,
    *,
    departs_on: date,
    course: "Course | None" = None,
    documents: "DocumentRules | None" = None,
    returns_on: date | None = None,
) -> Judgement:
    """Ready when every criterion is met, every module of the course passed and every document held
    and valid on departure (when the course and the document rules are given) and vetting cleared;
    excluded when vetting excluded them or a criterion no retake can change fails; not yet otherwise.
    The reasons are all of them."""
    reasons = failing_reasons(criteria, facts, departs_on=departs_on)
    if course is not None:
        reasons += training_reasons(course, facts.training)
    if documents is not None:
        flags = document_flags(documents, facts.documents, departs_on=departs_on, returns_on=returns_on or departs_on)
        reasons += document_reasons(flags)
    if facts.vetting == Vetting.EXCLUDED:
        reasons.append(Reason("vetting", str(VETTING_EXCLUDED), final=True))
    elif facts.vetting == Vetting.PENDING:
        reasons.append(Reason("vetting", str(VETTING_PENDING)))
    if any(r.final for r in reasons):
        return Judgement(Readiness.EXCLUDED, tuple(reasons))
    return Judgement(Readiness.NOT_YET if reasons else Readiness.READY, tuple(reasons))


# --- Vetting cross-checks -----------------------------------------------------------------------


def names_service_number(text: str, service_number: str) -> bool:
    """Whether free text (an OB entry's "officers on duty") names this service number as a whole word."""
    if not service_number.strip():
        return False
    return re.search(rf"(?<![\w/-]){re.escape(service_number.strip())}(?![\w/-])", text, re.IGNORECASE) is not None


def who_may_record(criterion: Criterion) -> str:
    """Which role records a criterion's result: 'trainer' for the tests, 'medical' for fitness, '' for facts."""
    return {Kind.ASSESSMENT: "trainer", Kind.FITNESS: "medical"}.get(criterion.kind, "")


# --- Pre-deployment training ----------------------------------------------------------------------


class ModuleGroup(StrEnum):
    CPTM = "cptm"  # the UN core pre-deployment training materials
    STM = "stm"  # the UN Police specialised training materials
    MISSION = "mission"  # mission-specific courses


MODULE_GROUP_NAMES = {
    ModuleGroup.CPTM: _("UN core pre-deployment training"),
    ModuleGroup.STM: _("UN Police specialised training"),
    ModuleGroup.MISSION: _("Mission-specific training"),
}

MODULE_NAMES: dict[str, Promise] = {
    "conduct_discipline": _("Conduct and discipline"),
    "sea_prevention": _("Prevention of sexual exploitation and abuse"),
    "human_rights": _("Human rights"),
    "protection_of_civilians": _("Protection of civilians"),
    "arrest_detention_force": _("Human rights in arrest, detention and the use of force"),
    "haiti_context": _("Haiti: its gangs, history and people"),
    "french_creole": _("French and Haitian Creole"),
}


@dataclass(frozen=True)
class Module:
    code: str
    group: ModuleGroup
    sources: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(MODULE_NAMES.get(self.code, self.code))

    @property
    def group_name(self) -> str:
        return str(MODULE_GROUP_NAMES[self.group])


@dataclass(frozen=True)
class Course:
    version: str
    modules: tuple[Module, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.modules)

    def module(self, code: str) -> Module | None:
        return next((m for m in self.modules if m.code == code), None)


def parse_course(text: str) -> Course:
    """The training file read: a module without a source is refused, like a criterion."""
    data: dict[str, Any] = json.loads(text)
    modules = []
    for item in data["modules"]:
        if not item.get("sources"):
            raise ValueError(f"module {item['code']!r} has no source")
        modules.append(Module(code=item["code"], group=ModuleGroup(item["group"]), sources=tuple(item["sources"])))
    if len({m.code for m in modules}) != len(modules):
        raise ValueError("a module code appears twice")
    return Course(version=str(data["version"]), modules=tuple(modules))


def modules_passed(course: Course, training: Mapping[str, bool]) -> int:
    return sum(1 for code in course.codes if training.get(code) is True)


def training_reasons(course: Course, training: Mapping[str, bool]) -> list[Reason]:
    """One reason naming every module not yet passed (a candidate starts with all of them)."""
    missing = [m.name for m in course.modules if training.get(m.code) is not True]
    if not missing:
        return []
    message = _("Pre-deployment training: %(passed)s of %(total)s modules passed; still to pass: %(modules)s.") % {
        "passed": len(course.modules) - len(missing),
        "total": len(course.modules),
        "modules": ", ".join(missing),
    }
    return [Reason("training", str(message))]


def may_certify_training(course: Course, training: Mapping[str, bool]) -> bool:
    """The course certificate is issued once every module of the course is passed."""
    return modules_passed(course, training) == len(course.modules)


def certificate_number(mission_code: str, contingent_number: int, service_number: str) -> str:
    """e.g. MSS-HAITI/6/PDT/SN12345: the mission, the contingent and the officer (one each per course)."""
    return f"{mission_code.upper()}/{contingent_number}/PDT/{service_number.strip().upper()}"


# --- Documents and their expiry -------------------------------------------------------------------


class DocumentAlert(StrEnum):
    MISSING = "missing"
    BEFORE_DEPARTURE = "before_departure"  # not valid on the departure date: the officer is not ready
    DURING_DEPLOYMENT = "during_deployment"  # lapses before the planned return (plus its margin)


DOCUMENT_NAMES: dict[str, Promise] = {
    "passport": _("Passport"),
    "visa": _("Visa or entry document"),
    "mission_id": _("Mission ID card"),
    "yellow_fever": _("Yellow fever vaccination"),
    "cholera": _("Cholera vaccination"),
    "medical_clearance": _("Medical clearance"),
}


@dataclass(frozen=True)
class DocumentRule:
    code: str
    recorded_by: str  # "deployment" or "medical"
    expires: bool
    sources: tuple[str, ...]
    margin_months: int = 0

    @property
    def name(self) -> str:
        return str(DOCUMENT_NAMES.get(self.code, self.code))

    @property
    def medical(self) -> bool:
        return self.recorded_by == "medical"


@dataclass(frozen=True)
class DocumentRules:
    version: str
    documents: tuple[DocumentRule, ...]

    def rule(self, code: str) -> DocumentRule | None:
        return next((d for d in self.documents if d.code == code), None)


def parse_documents(text: str) -> DocumentRules:
    data: dict[str, Any] = json.loads(text)
    documents = []
    for item in data["documents"]:
        if not item.get("sources"):
            raise ValueError(f"document {item['code']!r} has no source")
        if item["recorded_by"] not in ("deployment", "medical"):
            raise ValueError(f"document {item['code']!r}: recorded by whom?")
        documents.append(
            DocumentRule(
                code=item["code"],
                recorded_by=item["recorded_by"],
                expires=bool(item["expires"]),
                sources=tuple(item["sources"]),
                margin_months=int(item.get("margin_months", 0)),
            )
        )
    return DocumentRules(version=str(data["version"]), documents=tuple(documents))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 August + 6 months = 28/29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class HeldDocument:
    """The latest record of one kind of document: held, and until when (None: it does not lapse)."""

    expires_on: date | None


@dataclass(frozen=True)
class DocumentFlag:
    code: str
    name: str
    alert: DocumentAlert
    expires_on: date | None

    @property
    def message(self) -> str:
        if self.alert == DocumentAlert.MISSING:
            return str(_("%(document)s: none recorded.") % {"document": self.name})
        day = dateformat.format(self.expires_on, "j M Y") if self.expires_on else ""
        if self.alert == DocumentAlert.BEFORE_DEPARTURE:
            return str(_("%(document)s: expires on %(day)s, before departure.") % {"document": self.name, "day": day})
        return str(_("%(document)s: expires on %(day)s, during the deployment.") % {"document": self.name, "day": day})


def document_flags(
    rules: DocumentRules, held: Mapping[str, HeldDocument], *, departs_on: date, returns_on: date
) -> list[DocumentFlag]:
    """Every required document missing, not valid on the departure date, or lapsing before the planned
    return (plus its margin), in the file's order."""
    flags = []
    for rule in rules.documents:
        document = held.get(rule.code)
        if document is None:
            flags.append(DocumentFlag(rule.code, rule.name, DocumentAlert.MISSING, None))
            continue
        expires_on = document.expires_on
        if expires_on is None or not rule.expires:
            continue
        if expires_on < departs_on:
            flags.append(DocumentFlag(rule.code, rule.name, DocumentAlert.BEFORE_DEPARTURE, expires_on))
        elif expires_on < add_months(returns_on, rule.margin_months):
            flags.append(DocumentFlag(rule.code, rule.name, DocumentAlert.DURING_DEPLOYMENT, expires_on))
    return flags


def document_reasons(flags: list[DocumentFlag]) -> list[Reason]:
    """Missing or lapsed by the departure date keeps the officer not yet ready; lapsing during the
    deployment is an alert, not a reason (it can be renewed on the way)."""
    return [
        Reason(f"document:{f.code}", f.message)
        for f in flags
        if f.alert in (DocumentAlert.MISSING, DocumentAlert.BEFORE_DEPARTURE)
    ]


# --- The certification letter ---------------------------------------------------------------------


def letter_number(mission_code: str, contingent_number: int, service_number: str) -> str:
    """e.g. MSS-HAITI/6/CERT/SN12345: one letter per officer and contingent."""
    return f"{mission_code.upper()}/{contingent_number}/CERT/{service_number.strip().upper()}"


# No 0/O or 1/I/L: the code is read off paper and typed.
def contingent_letter_number(mission_code: str, contingent_number: int, sequence: int) -> str:
    """e.g. MSS-HAITI/6/CERT/C2: the contingent's second letter (superseding the first)."""
    return f"{mission_code.upper()}/{contingent_number}/CERT/C{sequence}"


def same_certification(
    earlier: list[dict[str, str]], earlier_counts: tuple[int, int], now: list[dict[str, str]], counts: tuple[int, int]
) -> bool:
    """Whether a new contingent letter would certify exactly what the last one did (then none is issued)."""
    return counts == earlier_counts and sorted(map(sorted_items, earlier)) == sorted(map(sorted_items, now))


def sorted_items(entry: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(entry.items())


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def normalise_code(code: str) -> str:
    """A typed or scanned code as stored: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:32]


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Misconduct alleged in the mission (SEA included), tracked to an outcome -------------------------


class AllegationCategory(StrEnum):
    SEA = "sea"
    FORCE = "force"
    OTHER = "other"


ALLEGATION_CATEGORY_NAMES = {
    AllegationCategory.SEA: _("Sexual exploitation or abuse"),
    AllegationCategory.FORCE: _("Excessive use of force"),
    AllegationCategory.OTHER: _("Other misconduct"),
}


class AllegationStep(StrEnum):
    REFERRED = "referred"
    INVESTIGATING = "investigating"
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    CLOSED = "closed"
    CORRECTION = "correction"  # corrects what an earlier record says; the state is left as it was


ALLEGATION_STEP_NAMES = {
    AllegationStep.REFERRED: _("Referred for investigation"),
    AllegationStep.INVESTIGATING: _("Under investigation"),
    AllegationStep.SUBSTANTIATED: _("Substantiated"),
    AllegationStep.UNSUBSTANTIATED: _("Not substantiated"),
    AllegationStep.CLOSED: _("Closed"),
    AllegationStep.CORRECTION: _("Correction"),
}
OUTCOMES = frozenset({AllegationStep.SUBSTANTIATED, AllegationStep.UNSUBSTANTIATED, AllegationStep.CLOSED})


def allegation_state(steps: list[str]) -> str:
    """Where an allegation stands, from its steps in the order recorded: the last step that is not a
    correction, or 'reported' before any; open until an outcome is recorded."""
    for step in reversed(steps):
        if step != AllegationStep.CORRECTION:
            return step
    return "reported"


def allegation_open(steps: list[str]) -> bool:
    return allegation_state(steps) not in OUTCOMES


def allegation_state_name(state: str) -> str:
    if state == "reported":
        return str(_("Reported"))
    return str(ALLEGATION_STEP_NAMES[AllegationStep(state)])


def may_add_step(steps: list[str], step: str) -> bool:
    """After an outcome only a correction is recorded: a closed allegation is not reopened by a step."""
    return step == AllegationStep.CORRECTION or allegation_open(steps)


# --- Departure, return, debrief and return medical ------------------------------------------------


class TourStep(StrEnum):
    DEPARTED = "departed"
    RETURNED = "returned"
    DEBRIEFED = "debriefed"
    RETURN_MEDICAL = "return_medical"


TOUR_STEP_NAMES = {
    TourStep.DEPARTED: _("Departed"),
    TourStep.RETURNED: _("Returned"),
    TourStep.DEBRIEFED: _("Debriefed"),
    TourStep.RETURN_MEDICAL: _("Return medical"),
}


def tour_date_error(
    step: str, on: date, *, today: date, departs_on: date, returns_on: date, departed_on: date | None
) -> str | None:
    """Why a tour date cannot stand, or None. Dates are bounded by the day they are recorded: nothing
    in the future; a departure within the contingent's planned window; nothing after it before it."""
    if on > today:
        return str(_("The date cannot be in the future."))
    if step == TourStep.DEPARTED:
        if not departs_on <= on <= returns_on:
            return str(_("A departure falls within the contingent's planned dates."))
        return None
    if departed_on is None:
        return str(_("Record the departure first."))
    if on < departed_on:
        return str(_("The date cannot come before the departure."))
    return None


# --- Disciplinary and IPOA matters at home ---------------------------------------------------------


class MatterBody(StrEnum):
    INTERNAL = "internal"  # the NPS Internal Affairs Unit, or a service board
    IPOA = "ipoa"  # the Independent Policing Oversight Authority


MATTER_BODY_NAMES = {
    MatterBody.INTERNAL: _("NPS Internal Affairs Unit or service board"),
    MatterBody.IPOA: _("IPOA"),
}


class MatterOutcome(StrEnum):
    PENDING = "pending"  # open, or opened again (a review, an appeal)
    SANCTIONED = "sanctioned"
    NOT_SUBSTANTIATED = "not_substantiated"
    WITHDRAWN = "withdrawn"


MATTER_OUTCOME_NAMES = {
    MatterOutcome.PENDING: _("Pending"),
    MatterOutcome.SANCTIONED: _("Concluded: sanctioned"),
    MatterOutcome.NOT_SUBSTANTIATED: _("Concluded: not substantiated"),
    MatterOutcome.WITHDRAWN: _("Concluded: withdrawn"),
}


def matter_state(outcomes: list[str]) -> str:
    """Where a disciplinary or IPOA matter stands, from its steps in the order recorded: the latest
    counts (a corrected outcome is a later step); pending before any."""
    return outcomes[-1] if outcomes else MatterOutcome.PENDING


def matter_pending(outcomes: list[str]) -> bool:
    return matter_state(outcomes) == MatterOutcome.PENDING


def matter_state_name(state: str) -> str:
    return str(MATTER_OUTCOME_NAMES[MatterOutcome(state)])
