"""Reads of the deployment records: the readiness board and a candidate's vetting record.

Both go through here: they check the reader's role, write the access events in the same request and
return views with nothing more than the reader may see. The board is computed in a fixed number of
set-based queries, however many candidates the contingent has.
"""

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core.errors import NotFound, NotPermitted
from daftari.custody import other_registers
from daftari.custody.models import CustodyEvent
from daftari.custody.queries import CustodyView, evidence_custody
from daftari.deployments import criteria, records
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
    TourRecord,
    TrainingCertificate,
    TrainingResult,
    VettingDecision,
)
from daftari.deployments.rules import (
    CODE_LENGTH,
    MATTER_BODY_NAMES,
    TOUR_STEP_NAMES,
    CandidateFacts,
    Course,
    DocumentAlert,
    DocumentFlag,
    DocumentRule,
    HeldDocument,
    Judgement,
    MatterBody,
    Module,
    Readiness,
    TourStep,
    Vetting,
    allegation_open,
    allegation_state,
    allegation_state_name,
    document_flags,
    judge,
    matter_pending,
    matter_state,
    matter_state_name,
    may_certify_training,
    modules_passed,
    names_service_number,
    normalise_code,
    whole_years,
)
from daftari.ledger.proofs import RecordProof, prove_record
from daftari.occurrences import entry_types, other_books
from daftari.occurrences.entry_types import SUSPECTED_OFFICER
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.queries import EntryView, evidence_entry
from daftari.occurrences.rules import (
    NAIROBI,
    as_corrected,
    crime_rules,
    format_ob_number,
    parts_as_corrected,
    suspected_officer_of,
)
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import can_record_fitness, sees_readiness_board, sees_vetting_record
from daftari.stations.services import count_public_read, log_access, log_accesses

Purpose = AccessEvent.Purpose
Outcome = AccessEvent.Outcome
CANDIDATE = "candidate"
BOARD_REFUSED = gettext_lazy(
    "The readiness board is for those who prepare, assess and vet the contingent, and for commanders."
)
VETTING = "vetting"
DISCIPLINARY = "disciplinary"  # a candidate's disciplinary and IPOA matters, read on their page
DISCIPLINARY_MATTER = "disciplinary_matter"  # one matter, read as a vetting finding or its history


# --- The readiness board --------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    candidate_id: uuid.UUID
    service_number: str
    name: str
    rank: str
    station: str
    age: int
    years_of_service: int
    judgement: Judgement
    modules_passed: int
    certificate: str  # the training certificate's number, once issued
    document_flags: tuple[DocumentFlag, ...]
    letter_id: uuid.UUID | None  # the certification letter, once issued
    tour: tuple[tuple[str, date], ...] = ()  # departure, return, debrief, return medical: (name, date)

    @property
    def lapsing_in_mission(self) -> list[DocumentFlag]:
        """The alerts the reasons do not already carry: documents lapsing during the deployment."""
        return [f for f in self.document_flags if f.alert == DocumentAlert.DURING_DEPLOYMENT]


BOARD_PAGE = 50  # candidates a page: the page stays well under 100 KB on a slow link


@dataclass(frozen=True)
class Board:
    """One page of the contingent's board (``rows``, the candidates shown and logged) and the counts
    of the whole contingent."""

    contingent: Contingent
    criteria_version: str
    rows: list[BoardRow]
    course: Course
    counts: dict[str, int]  # readiness -> candidates, for the whole contingent
    readiness: str  # the state listed: "" for every candidate
    page: "Page[BoardRow]"
    letter: ContingentLetter | None = None  # the contingent's certification letter in force, if any

    def count(self, readiness: str) -> int:
        return self.counts.get(readiness, 0)

    @property
    def candidates(self) -> int:
        return sum(self.counts.values())

    @property
    def ready(self) -> int:
        return self.count(Readiness.READY)

    @property
    def not_yet(self) -> int:
        return self.count(Readiness.NOT_YET)

    @property
    def excluded(self) -> int:
        return self.count(Readiness.EXCLUDED)


def _latest_by_code(rows: Iterable[tuple[uuid.UUID, str, bool]]) -> dict[uuid.UUID, dict[str, bool]]:
    """Each candidate's latest outcome per test or module, from rows in the order recorded."""
    latest: dict[uuid.UUID, dict[str, bool]] = {}
    for candidate_id, code, passed in rows:
        latest.setdefault(candidate_id, {})[code] = passed  # a later result replaces an earlier one
    return latest


def _latest_results(contingent: Contingent) -> dict[uuid.UUID, dict[str, bool]]:
    return _latest_by_code(
        CriterionResult.objects.filter(candidate__contingent=contingent)
        .order_by("recorded_at", "id")
        .values_list("candidate_id", "criterion", "passed")
    )


def _latest_vetting(contingent: Contingent) -> dict[uuid.UUID, Vetting]:
    rows = (
        VettingDecision.objects.filter(candidate__contingent=contingent)
        .order_by("decided_at", "id")
        .values_list("candidate_id", "decision")
    )
    return {candidate_id: Vetting(decision) for candidate_id, decision in rows}


def _latest_training(contingent: Contingent) -> dict[uuid.UUID, dict[str, bool]]:
    return _latest_by_code(
        TrainingResult.objects.filter(candidate__contingent=contingent)
        .order_by("recorded_at", "id")
        .values_list("candidate_id", "module", "passed")
    )


def _latest_documents(candidates: Any) -> dict[uuid.UUID, dict[str, HeldDocument]]:
    """Each candidate's latest record of each kind of document (``candidates`` a filter on Candidate)."""
    latest: dict[uuid.UUID, dict[str, HeldDocument]] = {}
    rows = (
        CandidateDocument.objects.filter(candidate__in=candidates)
        .order_by("recorded_at", "id")
        .values_list("candidate_id", "kind", "expires_on")
    )
    for candidate_id, kind, expires_on in rows:
        latest.setdefault(candidate_id, {})[kind] = HeldDocument(expires_on)
    return latest


def _certificates(contingent: Contingent, version: str) -> dict[uuid.UUID, str]:
    rows = TrainingCertificate.objects.filter(candidate__contingent=contingent, course_version=version)
    return dict(rows.values_list("candidate_id", "number"))


def _latest_tour(contingent: Contingent) -> dict[uuid.UUID, dict[str, tuple[str, date]]]:
    """Each candidate's latest record of each tour step, in the steps' order (one query). The return
    medical's pass or fail is not shown here: only that it was done, and when."""
    rows = (
        TourRecord.objects.filter(candidate__contingent=contingent)
        .order_by("recorded_at", "id")
        .values_list("candidate_id", "step", "on")
    )
    latest: dict[uuid.UUID, dict[str, date]] = {}
    for candidate_id, step, on in rows:
        latest.setdefault(candidate_id, {})[step] = on
    return {
        candidate_id: {
            step.value: (str(TOUR_STEP_NAMES[step]), steps[step.value]) for step in TourStep if step.value in steps
        }
        for candidate_id, steps in latest.items()
    }


def judge_candidate(candidate: Candidate) -> tuple[Judgement, str, VettingDecision | None]:
    """One candidate judged as the board judges them, with their training certificate's number and
    the vetting decision in force (for the certification letter). No read is logged: the caller's is."""
    in_force, course, required = criteria.current(), criteria.course(), criteria.documents()
    contingent = candidate.contingent
    results = _latest_by_code(
        CriterionResult.objects.filter(candidate=candidate)
        .order_by("recorded_at", "id")
        .values_list("candidate_id", "criterion", "passed")
    )
    training = _latest_by_code(
        TrainingResult.objects.filter(candidate=candidate)
        .order_by("recorded_at", "id")
        .values_list("candidate_id", "module", "passed")
    )
    decision = VettingDecision.objects.filter(candidate=candidate).order_by("decided_at", "id").last()
    certificate = TrainingCertificate.objects.filter(candidate=candidate, course_version=course.version).first()
    facts = CandidateFacts(
        date_of_birth=candidate.date_of_birth,
        joined_service_on=candidate.joined_service_on,
        results=results.get(candidate.pk, {}),
        vetting=Vetting(decision.decision) if decision is not None else Vetting.PENDING,
        training=training.get(candidate.pk, {}),
        documents=_latest_documents(Candidate.objects.filter(pk=candidate.pk).values("pk")).get(candidate.pk, {}),
    )
    judgement = judge(
        in_force,
        facts,
        departs_on=contingent.departs_on,
        course=course,
        documents=required,
        returns_on=contingent.returns_on,
    )
    return judgement, certificate.number if certificate is not None else "", decision


def _page_number(asked: int | str | None) -> int:
    """The page asked for as a number; anything that is not one (missing, "two", "1e3") is the first,
    a number too long to be a page the last."""
    if isinstance(asked, int):
        return asked
    text = (asked or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return int(text) if len(text) <= 9 else 10**9


def contingent_for(*, reader: User, contingent_id: uuid.UUID) -> Contingent:
    if not sees_readiness_board(scope_of(reader)):
        raise NotPermitted(str(BOARD_REFUSED))
    contingent = Contingent.objects.select_related("mission").filter(pk=contingent_id).first()
    if contingent is None:
        raise NotFound()
    return contingent


def judged_rows(contingent: Contingent, *, with_letters: bool = True) -> list[BoardRow]:
    """Every candidate of the contingent judged as the board judges them (eight set-based queries, or
    seven without the candidates' own letters). Nothing is logged: the caller logs what it shows."""
    in_force = criteria.current()
    course = criteria.course()
    required = criteria.documents()
    candidates = list(
        Candidate.objects.filter(contingent=contingent)
        .select_related("officer__user", "officer__station")
        .order_by("officer__service_number")
    )
    results = _latest_results(contingent)
    vetting = _latest_vetting(contingent)
    training = _latest_training(contingent)
    certificates = _certificates(contingent, course.version)
    documents = _latest_documents(Candidate.objects.filter(contingent=contingent).values("pk"))
    letters = letters_of(contingent) if with_letters else {}
    tours = _latest_tour(contingent) if with_letters else {}
    departs_on, returns_on = contingent.departs_on, contingent.returns_on
    rows = []
    for candidate in candidates:
        facts = CandidateFacts(
            date_of_birth=candidate.date_of_birth,
            joined_service_on=candidate.joined_service_on,
            results=results.get(candidate.pk, {}),
            vetting=vetting.get(candidate.pk, Vetting.PENDING),
            training=training.get(candidate.pk, {}),
            documents=documents.get(candidate.pk, {}),
        )
        officer = candidate.officer
        rows.append(
            BoardRow(
                candidate_id=candidate.pk,
                service_number=officer.service_number,
                name=officer.user.get_full_name() or officer.user.username,
                rank=officer.get_rank_display(),
                station=officer.station.name if officer.station else "",
                age=whole_years(candidate.date_of_birth, departs_on),
                years_of_service=whole_years(candidate.joined_service_on, departs_on),
                judgement=judge(
                    in_force, facts, departs_on=departs_on, course=course, documents=required, returns_on=returns_on
                ),
                modules_passed=modules_passed(course, facts.training),
                certificate=certificates.get(candidate.pk, ""),
                document_flags=tuple(
                    document_flags(required, facts.documents, departs_on=departs_on, returns_on=returns_on)
                ),
                letter_id=letters.get(candidate.pk),
                tour=tuple(tours.get(candidate.pk, {}).values()),
            )
        )
    return rows


def readiness_board(
    *,
    reader: User,
    contingent_id: uuid.UUID,
    channel: str = "desk",
    readiness: str = "",
    page: int | str | None = 1,
    per_page: int = BOARD_PAGE,
) -> Board:
    """The contingent's candidates as ready / not yet / excluded with all the reasons, one page of them.

    Every candidate is judged (the counts are the whole contingent's), then those of ``readiness``
    ("" for all) are paged; only the page's candidates are logged as read. A page number that is not
    a number is the first page, one past the last the last. Eleven queries whatever the size
    (contingent, candidates, results, vetting decisions, training results, certificates, documents,
    letters, tour records, the contingent's latest letter, the access log's one insert).
    """
    contingent = contingent_for(reader=reader, contingent_id=contingent_id)
    in_force = criteria.current()
    course = criteria.course()
    rows = judged_rows(contingent)
    counts = {state.value: 0 for state in Readiness}
    for row in rows:
        counts[row.judgement.readiness] += 1
    wanted = readiness if readiness in counts else ""
    listed = [row for row in rows if row.judgement.readiness == wanted] if wanted else rows
    paged = Paginator(listed, per_page)
    shown = paged.page(min(max(_page_number(page), 1), paged.num_pages))
    log_accesses(
        actor=reader,
        reads=[(CANDIDATE, str(row.candidate_id), None, Outcome.SHOWN) for row in shown.object_list],
        purpose=Purpose.LIST,
        channel=channel,
    )
    return Board(
        contingent=contingent,
        criteria_version=in_force.version,
        rows=list(shown.object_list),
        course=course,
        counts=counts,
        readiness=wanted,
        page=shown,
        letter=latest_contingent_letter(contingent),
    )


# --- Vetting: what Daftari's own records say about an officer ------------------------------------


class FindingKind:
    CUSTODY_DEATH = "custody_death"
    CUSTODY_INJURY = "custody_injury"
    OB_DEATH_IN_CUSTODY = "ob_death_in_custody"
    OB_POLICE_OFFENCE = "ob_police_offence"
    MISSION_ALLEGATION = "mission_allegation"
    PENDING_MATTER = "pending_matter"


FINDING_NAMES = {
    FindingKind.CUSTODY_DEATH: gettext_lazy("Death in custody (cell register)"),
    FindingKind.CUSTODY_INJURY: gettext_lazy("Serious injury in custody (cell register)"),
    FindingKind.OB_DEATH_IN_CUSTODY: gettext_lazy("Death or serious injury in custody (OB entry)"),
    FindingKind.OB_POLICE_OFFENCE: gettext_lazy("Offence involving a police officer (OB entry)"),
    FindingKind.MISSION_ALLEGATION: gettext_lazy("Misconduct alleged in an earlier deployment"),
    FindingKind.PENDING_MATTER: gettext_lazy("Pending disciplinary or IPOA matter"),
}
ROLE_IN_FINDING = {
    "arresting": gettext_lazy("arresting officer"),
    "booked_in": gettext_lazy("booked the person into the cells"),
    "on_duty": gettext_lazy("named among the officers on duty"),
    "recorded": gettext_lazy("recorded the entry"),
    "alleged": gettext_lazy("the officer alleged against"),
    "suspected": gettext_lazy("the police officer suspected"),
    "named": gettext_lazy("named among the suspects or in the narrative"),
    MatterBody.INTERNAL.value: gettext_lazy("before the NPS Internal Affairs Unit or a service board"),
    MatterBody.IPOA.value: gettext_lazy("before IPOA"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    role: str
    at: datetime
    station_id: int
    station_name: str
    ob_number: str
    occurrence_id: uuid.UUID | None
    custody_id: uuid.UUID | None
    candidate_id: uuid.UUID | None = None  # an allegation's: its conduct record is the evidence
    matter_id: uuid.UUID | None = None  # a disciplinary or IPOA matter's: its record is the evidence
    matter_reference: str = ""  # and the body's reference number

    @property
    def kind_name(self) -> str:
        return str(FINDING_NAMES[self.kind])

    @property
    def role_name(self) -> str:
        return str(ROLE_IN_FINDING[self.role])

    @property
    def record(self) -> tuple[str, str]:
        """The evidence record as the access log names it."""
        if self.custody_id is not None:
            return ("custody", str(self.custody_id))
        if self.candidate_id is not None:
            return (CONDUCT, str(self.candidate_id))
        if self.matter_id is not None:
            return (DISCIPLINARY_MATTER, str(self.matter_id))
        return ("occurrence", str(self.occurrence_id))

    def reference(self) -> dict[str, str]:
        record_type, record_id = self.record
        seen = {"kind": self.kind, "record_type": record_type, "record_id": record_id, "ob_number": self.ob_number}
        return {**seen, "matter_reference": self.matter_reference} if self.matter_reference else seen


@dataclass(frozen=True)
class _Suspicion:
    """An original entry naming a police officer suspected, as it reads after its corrections."""

    entry_id: uuid.UUID
    at: datetime
    ob_number: str
    station_id: int
    station_name: str
    reads: dict[str, Any]  # its narrative and details as corrected
    suspects: list[str]  # the names of its suspects as corrected, those struck out as in error left out


def _suspicions_here() -> Iterable[_Suspicion]:
    """The entries of this book that name a police officer suspected, as recorded or by a correction;
    four queries at most."""
    key = SUSPECTED_OFFICER.name
    corrected = set(
        Occurrence.objects.filter(entry_type="AMENDMENT", details__changes__has_key=key).values_list(
            "refers_to_id", flat=True
        )
    )
    entries = list(
        Occurrence.objects.filter(entry_type__in=sorted(crime_rules().crime_entry_types), refers_to=None)
        .filter(Q(details__has_key=key) | Q(pk__in=corrected))
        .order_by()  # the model's order would join the stations to sort by name
        .values_list("id", "occurred_at", "ob_seq", "ob_date", "narrative", "details", "station_id", "station__name")
    )
    if not entries:
        return
    corrections: dict[uuid.UUID, list[tuple[uuid.UUID, dict[str, Any]]]] = {}
    for correction_id, refers_to, details in (
        Occurrence.objects.filter(refers_to__in=[e[0] for e in entries], entry_type="AMENDMENT")
        .order_by("recorded_at", "ob_seq")
        .values_list("id", "refers_to_id", "details")
    ):
        corrections.setdefault(refers_to, []).append((correction_id, details or {}))
    people: dict[uuid.UUID, list[tuple[str, str]]] = {}
    read = [e[0] for e in entries] + [c for found in corrections.values() for c, _details in found]
    for occurrence_id, role, name in (
        Party.objects.filter(occurrence__in=read)
        .order_by("occurrence", "position")
        .values_list("occurrence_id", "role", "name")
    ):
        people.setdefault(occurrence_id, []).append((role, name))
    for entry_id, at, seq, day, narrative, details, station_id, station_name in entries:
        mine = corrections.get(entry_id, [])
        reads = as_corrected({"narrative": narrative, **(details or {})}, [d.get("changes", {}) for _c, d in mine])
        parties = parts_as_corrected(
            people.get(entry_id, []), [((d.get("parts") or {}).get("parties", []), people.get(c, [])) for c, d in mine]
        )
        suspects = [p.value[1] for p in parties if not p.in_error and p.value[0] == Party.Role.SUSPECT]
        yield _Suspicion(entry_id, at, format_ob_number(seq, day), station_id, station_name, reads, suspects)


def _suspicions_elsewhere() -> Iterable[_Suspicion]:
    """The same of the other books (at the hub, the station nodes' books it mirrors), read as corrected."""
    counted = crime_rules().crime_entry_types
    for entry, corrections in other_books.officer_suspected():
        if entry.entry_type not in counted or entry.refers_to_id is not None:
            continue
        reads = as_corrected(
            {"narrative": entry.narrative, **(entry.details or {})}, [c.details.get("changes", {}) for c in corrections]
        )
        parties = parts_as_corrected(
            [(p.role, p.name) for p in entry.parties.all()],
            [
                ((c.details.get("parts") or {}).get("parties", []), [(p.role, p.name) for p in c.parties.all()])
                for c in corrections
            ],
        )
        suspects = [p.value[1] for p in parties if not p.in_error and p.value[0] == Party.Role.SUSPECT]
        yield _Suspicion(
            entry.pk, entry.occurred_at, entry.ob_number, entry.station_id, entry.station.name, reads, suspects
        )


def _police_offences(wanted: set[str]) -> Iterable[tuple[str, Finding]]:
    """Each officer suspected in, or named by, an entry counted under offences involving police officers,
    as the entry reads after its corrections, in this book and the other books (at the hub, the entries
    recorded at station nodes); six queries at most, whatever the number of officers.

    An entry counts there exactly when it names a police officer suspected (occurrences.rules
    ``derive_crime_category``): such entries are few nationwide, found by their own indexes, so all of
    them are read and the names matched in Python, like the deaths in custody."""
    for entry in (*_suspicions_here(), *_suspicions_elsewhere()):
        suspected = suspected_officer_of(entry.reads)
        if not suspected:
            continue  # a correction says no police officer is suspected: no longer in the category
        text = "\n".join([str(entry.reads.get("narrative", "")), *entry.suspects])
        for service_number in wanted:
            role = "suspected" if suspected.upper() == service_number.upper() else ""
            role = role or ("named" if names_service_number(text, service_number) else "")
            if role:
                finding = Finding(
                    FindingKind.OB_POLICE_OFFENCE,
                    role,
                    entry.at,
                    entry.station_id,
                    entry.station_name,
                    entry.ob_number,
                    entry.entry_id,
                    None,
                )
                yield service_number, finding


def _pending_matters(wanted: set[str]) -> Iterable[tuple[str, Finding]]:
    """Each officer's disciplinary and IPOA matters still pending (one query: each matter with its
    latest step)."""
    latest = DisciplinaryStep.objects.filter(matter=OuterRef("pk")).order_by("-recorded_at", "-id").values("outcome")
    matters = (
        DisciplinaryMatter.objects.filter(officer__service_number__in=wanted)
        .annotate(state=Subquery(latest[:1]))
        .values_list("pk", "officer__service_number", "body", "reference", "opened_on", "state")
    )
    for matter_id, service_number, body, reference, opened_on, state in matters:
        if matter_pending([state] if state else []):
            opened = datetime.combine(opened_on, time(), tzinfo=NAIROBI)
            name = str(MATTER_BODY_NAMES[MatterBody(body)])
            finding = Finding(
                FindingKind.PENDING_MATTER, body, opened, 0, name, "", None, None, None, matter_id, reference
            )
            yield service_number, finding


def _custody_harms(wanted: set[str]) -> Iterable[tuple[str, Finding]]:
    """Each officer who arrested or booked in a person who died or was seriously injured in custody, in the
    cell register here (one query) and in the other registers (at the hub, the station nodes' cell
    registers: three queries at most, whatever the number of officers)."""
    events = (
        CustodyEvent.objects.filter(kind__in=[CustodyEvent.Kind.DEATH, CustodyEvent.Kind.SERIOUS_INJURY])
        .filter(Q(custody__arresting_officer__in=wanted) | Q(custody__recorded_by__service_number__in=wanted))
        .values_list(
            "kind",
            "at",
            "custody_id",
            "custody__arresting_officer",
            "custody__recorded_by__service_number",
            "custody__arrest_id",
            "custody__arrest__ob_seq",
            "custody__arrest__ob_date",
            "station_id",
            "station__name",
        )
    )
    harms = [
        other_registers.Harm(
            kind, at, str(custody), arresting, booked_by, str(arrest), format_ob_number(seq, day), s, name
        )
        for kind, at, custody, arresting, booked_by, arrest, seq, day, s, name in events
    ]
    for harm in [*harms, *other_registers.harms()]:
        finding_kind = FindingKind.CUSTODY_DEATH if harm.kind == CustodyEvent.Kind.DEATH else FindingKind.CUSTODY_INJURY
        for service_number, role in ((harm.arresting_officer, "arresting"), (harm.booked_by, "booked_in")):
            if service_number in wanted:
                yield (
                    service_number,
                    Finding(
                        finding_kind,
                        role,
                        harm.at,
                        harm.station_id,
                        harm.station_name,
                        harm.ob_number,
                        _uuid(harm.arrest_id),
                        _uuid(harm.custody_id),
                    ),
                )


def _deaths_in_custody_entries(wanted: set[str]) -> Iterable[tuple[str, Finding]]:
    """Each officer on duty at, or who recorded, a DEATH_IN_CUSTODY entry of this book (one query) or of the
    other books (at the hub, the station nodes' books: two queries), as the entry was recorded. The book's
    entries of this kind are few nationwide: read them all, match the names in Python."""
    entries = list(
        Occurrence.objects.filter(entry_type="DEATH_IN_CUSTODY").values_list(
            "id",
            "occurred_at",
            "ob_seq",
            "ob_date",
            "details",
            "recorded_by__service_number",
            "station_id",
            "station__name",
        )
    )
    rows = [
        (pk, at, format_ob_number(seq, day), details, by, s, name) for pk, at, seq, day, details, by, s, name in entries
    ]
    for entry, _corrections in other_books.deaths_in_custody():
        number = entry.recorded_by.service_number
        rows.append(
            (entry.pk, entry.occurred_at, entry.ob_number, entry.details, number, entry.station_id, entry.station.name)
        )
    for entry_id, at, ob_number, details, recorder, station_id, station_name in rows:
        on_duty = str((details or {}).get("officers_on_duty", ""))
        for service_number in wanted:
            role = "on_duty" if names_service_number(on_duty, service_number) else ""
            role = role or ("recorded" if recorder == service_number else "")
            if role:
                finding = Finding(
                    FindingKind.OB_DEATH_IN_CUSTODY, role, at, station_id, station_name, ob_number, entry_id, None
                )
                yield service_number, finding


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def findings_for(service_numbers: Collection[str]) -> dict[str, list[Finding]]:
    """Each officer's part in a death or serious injury in custody (the cell register and the book), in an
    offence involving police officers (the book) and in misconduct alleged in a mission, for many
    officers, and their disciplinary and IPOA matters still pending, in a fixed number of queries
    (sixteen at most, the mirrored books and cell registers of station nodes included at the hub)."""
    wanted = {sn for sn in service_numbers if sn}
    found: dict[str, list[Finding]] = {sn: [] for sn in wanted}
    if not wanted:
        return found
    for service_number, finding in _custody_harms(wanted):
        found[service_number].append(finding)
    for service_number, finding in _deaths_in_custody_entries(wanted):
        found[service_number].append(finding)
    allegations = Allegation.objects.filter(candidate__officer__service_number__in=wanted).values_list(
        "recorded_at", "candidate_id", "candidate__officer__service_number", "candidate__contingent__mission__code"
    )
    for at, candidate_id, service_number, mission in allegations:
        found[service_number].append(
            Finding(FindingKind.MISSION_ALLEGATION, "alleged", at, 0, mission, "", None, None, candidate_id)
        )
    for service_number, finding in _police_offences(wanted):
        found[service_number].append(finding)
    for service_number, finding in _pending_matters(wanted):
        found[service_number].append(finding)
    for findings in found.values():
        findings.sort(key=lambda f: f.at)
    return found


@dataclass(frozen=True)
class VettingRecord:
    candidate: Candidate
    findings: list[Finding]
    decisions: list[VettingDecision]
    history: list["MatterLine"] = field(default_factory=list)  # disciplinary and IPOA matters concluded

    @property
    def current(self) -> VettingDecision | None:
        return self.decisions[-1] if self.decisions else None


def vetting_record(*, reader: User, candidate_id: uuid.UUID) -> VettingRecord:
    """The candidate's findings and decisions, for the vetting officer and IPOA; the read, the evidence
    records read with it, and any refusal are logged."""
    candidate = (
        Candidate.objects.select_related("officer__user", "officer__station", "contingent__mission")
        .filter(pk=candidate_id)
        .first()
    )
    if candidate is None:
        raise NotFound()
    if not sees_vetting_record(scope_of(reader)):
        log_accesses(
            actor=reader, reads=[(VETTING, str(candidate.pk), None, Outcome.DENIED)], purpose=Purpose.DESK_VIEW
        )
        raise NotPermitted(_("A candidate's vetting record is for the vetting officer and IPOA only."))
    findings = findings_for([candidate.officer.service_number])[candidate.officer.service_number]
    decisions = list(
        VettingDecision.objects.filter(candidate=candidate).select_related("decided_by__user").order_by("decided_at")
    )
    history = [line for line in matter_lines(candidate.officer_id) if not line.pending]
    log_accesses(actor=reader, reads=[(VETTING, str(candidate.pk), None, Outcome.SHOWN)], purpose=Purpose.DESK_VIEW)
    log_accesses(
        actor=reader,
        reads=[
            *((*f.record, f.station_id or None, Outcome.SHOWN) for f in findings),
            *((DISCIPLINARY_MATTER, str(line.matter.pk), None, Outcome.SHOWN) for line in history),
        ],
        purpose=Purpose.LOOKUP,
    )
    return VettingRecord(candidate=candidate, findings=findings, decisions=decisions, history=history)


@dataclass(frozen=True)
class VettingEvidence:
    candidate: Candidate
    entry: EntryView
    findings: list[Finding]  # the candidate's findings this entry is the evidence of
    corrected: list[tuple[str, Any]]  # each field a correction changed, as it reads now: (label, value)


def vetting_evidence(*, reader: User, candidate_id: uuid.UUID, entry_id: uuid.UUID) -> VettingEvidence:
    """An OB entry that is the evidence of one of the candidate's findings, in full wherever its station,
    for the vetting officer and IPOA: nothing of it is hidden from them. Any other entry is not found
    here; the read, and any refusal, is logged."""
    candidate = Candidate.objects.select_related("officer__user", "contingent__mission").filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    if not sees_vetting_record(scope_of(reader)):
        log_accesses(actor=reader, reads=[(VETTING, str(candidate.pk), None, Outcome.DENIED)], purpose=Purpose.EVIDENCE)
        raise NotPermitted(_("A candidate's vetting record is for the vetting officer and IPOA only."))
    number = candidate.officer.service_number
    findings = [f for f in findings_for([number])[number] if f.occurrence_id == entry_id]
    if not findings:
        log_accesses(
            actor=reader, reads=[("occurrence", str(entry_id), None, Outcome.DENIED)], purpose=Purpose.EVIDENCE
        )
        raise NotFound()
    view = evidence_entry(reader=reader, entry_id=entry_id)
    spec = entry_types.BY_CODE[view.entry_type]
    labels = {"narrative": _("What happened"), "place": _("Place"), "occurred_at": _("When it happened")}
    labels.update({f.name: str(f.label) for f in spec.fields})
    changed = {name for c in view.corrections for name in c.changes}
    corrected = [(label, view.as_corrected[name]) for name, label in labels.items() if name in changed]
    return VettingEvidence(candidate, view, findings, corrected)


@dataclass(frozen=True)
class VettingCustodyEvidence:
    candidate: Candidate
    custody: CustodyView
    findings: list[Finding]  # the candidate's findings this booking is the evidence of


def vetting_custody_evidence(*, reader: User, candidate_id: uuid.UUID, custody_id: uuid.UUID) -> VettingCustodyEvidence:
    """A booking in the cell register that is the evidence of one of the candidate's findings (a death or
    serious injury in custody), in full wherever its station, for the vetting officer and IPOA. Any other
    booking is not found here; the read, and any refusal, is logged."""
    candidate = Candidate.objects.select_related("officer__user", "contingent__mission").filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    if not sees_vetting_record(scope_of(reader)):
        log_accesses(actor=reader, reads=[(VETTING, str(candidate.pk), None, Outcome.DENIED)], purpose=Purpose.EVIDENCE)
        raise NotPermitted(_("A candidate's vetting record is for the vetting officer and IPOA only."))
    number = candidate.officer.service_number
    findings = [f for f in findings_for([number])[number] if f.custody_id == custody_id]
    if not findings:
        log_accesses(actor=reader, reads=[("custody", str(custody_id), None, Outcome.DENIED)], purpose=Purpose.EVIDENCE)
        raise NotFound()
    return VettingCustodyEvidence(candidate, evidence_custody(reader=reader, custody_id=custody_id), findings)


def candidate_for(*, reader: User, candidate_id: uuid.UUID) -> Candidate:
    """A candidate as the board's readers see them (to record a result against)."""
    if not sees_readiness_board(scope_of(reader)):
        raise NotPermitted()
    candidate = Candidate.objects.select_related("officer__user", "contingent__mission").filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    return candidate


def contingents(*, reader: User) -> list[Contingent]:
    if not sees_readiness_board(scope_of(reader)):
        raise NotPermitted(str(BOARD_REFUSED))
    return list(Contingent.objects.select_related("mission").order_by("-departs_on"))


# --- Pre-deployment training ----------------------------------------------------------------------

TRAINING = "training"


@dataclass(frozen=True)
class ModuleLine:
    module: Module
    results: list[TrainingResult]  # oldest first; the last one counts

    @property
    def latest(self) -> TrainingResult | None:
        return self.results[-1] if self.results else None


@dataclass(frozen=True)
class TrainingRecord:
    candidate: Candidate
    course: Course
    lines: list[ModuleLine]
    certificate: TrainingCertificate | None

    @property
    def passed(self) -> int:
        return sum(1 for line in self.lines if line.latest is not None and line.latest.passed)

    @property
    def may_be_certified(self) -> bool:
        latest = {line.module.code: line.latest.passed for line in self.lines if line.latest is not None}
        return self.certificate is None and may_certify_training(self.course, latest)


def training_record(*, reader: User, candidate_id: uuid.UUID) -> TrainingRecord:
    """A candidate's modules with every result recorded and the certificate, for the board's readers;
    the read is logged."""
    candidate = candidate_for(reader=reader, candidate_id=candidate_id)
    course = criteria.course()
    results: dict[str, list[TrainingResult]] = {}
    for result in (
        TrainingResult.objects.filter(candidate=candidate)
        .select_related("recorded_by__user")
        .order_by("recorded_at", "id")
    ):
        results.setdefault(result.module, []).append(result)
    certificate = TrainingCertificate.objects.filter(candidate=candidate, course_version=course.version).first()
    log_accesses(actor=reader, reads=[(TRAINING, str(candidate.pk), None, Outcome.SHOWN)], purpose=Purpose.DESK_VIEW)
    return TrainingRecord(
        candidate=candidate,
        course=course,
        lines=[ModuleLine(module, results.get(module.code, [])) for module in course.modules],
        certificate=certificate,
    )


# --- Documents and their expiry -------------------------------------------------------------------

DOCUMENTS = "candidate_documents"


@dataclass(frozen=True)
class DocumentLine:
    rule: DocumentRule
    records: list[CandidateDocument]  # oldest first; the last one counts
    detail_shown: bool  # a medical record's number and date of issue are for the medical officer only

    @property
    def latest(self) -> CandidateDocument | None:
        return self.records[-1] if self.records else None


@dataclass(frozen=True)
class DocumentsRecord:
    candidate: Candidate
    lines: list[DocumentLine]
    flags: list[DocumentFlag]


def candidate_documents(*, reader: User, candidate_id: uuid.UUID) -> DocumentsRecord:
    """A candidate's documents with every record and the alerts, for the board's readers; the medical
    ones' detail only to the medical officer. The read is logged."""
    candidate = candidate_for(reader=reader, candidate_id=candidate_id)
    required = criteria.documents()
    medical_reader = can_record_fitness(scope_of(reader))
    records: dict[str, list[CandidateDocument]] = {}
    for document in (
        CandidateDocument.objects.filter(candidate=candidate)
        .select_related("recorded_by__user")
        .order_by("recorded_at", "id")
    ):
        records.setdefault(document.kind, []).append(document)
    held = {kind: HeldDocument(rows[-1].expires_on) for kind, rows in records.items()}
    contingent = candidate.contingent
    flags = document_flags(required, held, departs_on=contingent.departs_on, returns_on=contingent.returns_on)
    log_accesses(actor=reader, reads=[(DOCUMENTS, str(candidate.pk), None, Outcome.SHOWN)], purpose=Purpose.DESK_VIEW)
    return DocumentsRecord(
        candidate=candidate,
        lines=[
            DocumentLine(rule, records.get(rule.code, []), detail_shown=medical_reader or not rule.medical)
            for rule in required.documents
        ],
        flags=flags,
    )


@dataclass(frozen=True)
class ExpiryAlert:
    contingent: Contingent
    candidate_id: uuid.UUID
    service_number: str
    name: str
    flag: DocumentFlag


def expiring_documents(*, reader: User, today: date) -> list[ExpiryAlert]:
    """Every document lapsing before departure or during the deployment, for the contingents not yet
    back (planned return today or later), soonest first. Four queries; the candidates listed are logged."""
    if not sees_readiness_board(scope_of(reader)):
        raise NotPermitted(str(BOARD_REFUSED))
    required = criteria.documents()
    candidates = list(
        Candidate.objects.filter(contingent__returns_on__gte=today)
        .select_related("officer__user", "contingent__mission")
        .order_by("contingent__departs_on", "officer__service_number")
    )
    held = _latest_documents(Candidate.objects.filter(contingent__returns_on__gte=today).values("pk"))
    alerts = []
    for candidate in candidates:
        contingent = candidate.contingent
        for flag in document_flags(
            required, held.get(candidate.pk, {}), departs_on=contingent.departs_on, returns_on=contingent.returns_on
        ):
            if flag.alert == DocumentAlert.MISSING:
                continue  # the board's reasons list what is missing; this page is about dates
            officer = candidate.officer
            alerts.append(
                ExpiryAlert(
                    contingent,
                    candidate.pk,
                    officer.service_number,
                    officer.user.get_full_name() or officer.user.username,
                    flag,
                )
            )
    alerts.sort(key=lambda a: (a.flag.expires_on or today, a.service_number))
    log_accesses(
        actor=reader,
        reads=[(DOCUMENTS, str(c), None, Outcome.SHOWN) for c in dict.fromkeys(a.candidate_id for a in alerts)],
        purpose=Purpose.LIST,
    )
    return alerts


# --- The certification letter ---------------------------------------------------------------------

LETTER = "certification_letter"


def letters_of(contingent: Contingent) -> dict[uuid.UUID, uuid.UUID]:
    """Each certified candidate's letter, for the board's links (one query)."""
    return dict(CertificationLetter.objects.filter(candidate__contingent=contingent).values_list("candidate_id", "pk"))


@dataclass(frozen=True)
class PrintedLetter:
    letter: CertificationLetter
    proof: RecordProof


def _log_print(reader: User, record_type: str, letter: CertificationLetter | ContingentLetter) -> None:
    """A letter's print, or its refusal, logged; refused to anyone outside the board's roles."""
    allowed = sees_readiness_board(scope_of(reader))
    log_access(
        actor=reader,
        record_type=record_type,
        record_id=str(letter.pk),
        record_station=None,
        purpose=Purpose.PRINT,
        outcome=Outcome.SHOWN if allowed else Outcome.DENIED,
    )
    if not allowed:
        raise NotPermitted(str(BOARD_REFUSED))


def letter_for_print(*, reader: User, letter_id: uuid.UUID) -> PrintedLetter:
    """The letter with its place in the signed log, to print; the print (or its refusal) is logged."""
    letter = (
        CertificationLetter.objects.select_related(
            "candidate__officer__user",
            "candidate__officer__station",
            "candidate__contingent__mission",
            "issued_by__user",
        )
        .filter(pk=letter_id)
        .first()
    )
    if letter is None:
        raise NotFound()
    _log_print(reader, LETTER, letter)
    return PrintedLetter(letter, prove_record(str(letter.pk), records.letter_record(letter)))


@dataclass(frozen=True)
class LetterVerification:
    """What the public verify page may say about a letter's code: no name, no personal detail."""

    found: bool
    number: str = ""
    mission: str = ""
    contingent: int = 0
    issued_at: datetime | None = None
    proof: RecordProof | None = None
    certified: int | None = None  # a contingent's letter: how many officers it certifies
    superseded_by: str = ""  # a contingent's letter replaced by a later one: that one's number


def verify_letter(*, code: str, actor: User | AnonymousUser) -> LetterVerification:
    """The public answer for a typed or scanned code; an officer's look-up is logged, anyone else's counted."""
    normalised = normalise_code(code)
    if len(normalised) == CODE_LENGTH and (whole := _verify_contingent_letter(normalised, actor)) is not None:
        return whole
    letter = (
        CertificationLetter.objects.select_related("candidate__contingent__mission").filter(code=normalised).first()
        if len(normalised) == CODE_LENGTH
        else None
    )
    outcome = Outcome.SHOWN if letter is not None else Outcome.DENIED
    if actor.is_authenticated:
        log_access(
            actor=actor,
            record_type=LETTER,
            record_id=str(letter.pk) if letter is not None else normalised[:64] or "-",
            record_station=None,
            purpose=Purpose.PUBLIC_VERIFY,
            outcome=outcome,
            channel="public",
        )
    else:
        count_public_read(record_type=LETTER, outcome=outcome)
    if letter is None:
        return LetterVerification(found=False)
    contingent = letter.candidate.contingent
    return LetterVerification(
        found=True,
        number=letter.number,
        mission=contingent.mission.name,
        contingent=contingent.number,
        issued_at=letter.issued_at,
        proof=prove_record(str(letter.pk), records.stored_letter(str(letter.pk))),
    )


# --- The contingent's certification letter --------------------------------------------------------

CONTINGENT_LETTER = "contingent_letter"


def latest_contingent_letter(contingent: Contingent) -> ContingentLetter | None:
    """The contingent's letter in force: the latest issued (one query)."""
    return ContingentLetter.objects.filter(contingent=contingent).order_by("-sequence").first()


@dataclass(frozen=True)
class PrintedContingentLetter:
    letter: ContingentLetter
    proof: RecordProof
    superseded_by: str  # the number of the letter that replaced this one, if any


def contingent_letter_for_print(*, reader: User, letter_id: uuid.UUID) -> PrintedContingentLetter:
    """The contingent's letter with its place in the signed log, to print; the print (or its refusal)
    is logged, and the candidates it lists as read."""
    letter = (
        ContingentLetter.objects.select_related("contingent__mission", "issued_by__user", "supersedes", "superseded_by")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None:
        raise NotFound()
    _log_print(reader, CONTINGENT_LETTER, letter)
    log_accesses(
        actor=reader,
        reads=[(CANDIDATE, str(entry["candidate"]), None, Outcome.SHOWN) for entry in letter.certified],
        purpose=Purpose.PRINT,
    )
    later = getattr(letter, "superseded_by", None)
    return PrintedContingentLetter(
        letter,
        prove_record(str(letter.pk), records.contingent_letter_record(letter)),
        later.number if later is not None else "",
    )


def _verify_contingent_letter(code: str, actor: User | AnonymousUser) -> "LetterVerification | None":
    letter = ContingentLetter.objects.select_related("contingent__mission", "superseded_by").filter(code=code).first()
    if letter is None:
        return None
    if actor.is_authenticated:
        log_access(
            actor=actor,
            record_type=CONTINGENT_LETTER,
            record_id=str(letter.pk),
            record_station=None,
            purpose=Purpose.PUBLIC_VERIFY,
            outcome=Outcome.SHOWN,
            channel="public",
        )
    else:
        count_public_read(record_type=CONTINGENT_LETTER, outcome=Outcome.SHOWN)
    later = getattr(letter, "superseded_by", None)
    return LetterVerification(
        found=True,
        number=letter.number,
        mission=letter.contingent.mission.name,
        contingent=letter.contingent.number,
        issued_at=letter.issued_at,
        proof=prove_record(str(letter.pk), records.stored_contingent_letter(str(letter.pk))),
        certified=len(letter.certified),
        superseded_by=later.number if later is not None else "",
    )


# --- Misconduct alleged in the mission ------------------------------------------------------------

CONDUCT = "conduct"


@dataclass(frozen=True)
class AllegationLine:
    allegation: Allegation
    events: list[AllegationEvent]

    @property
    def state(self) -> str:
        return allegation_state([e.step for e in self.events])

    @property
    def state_name(self) -> str:
        return allegation_state_name(self.state)

    @property
    def open(self) -> bool:
        return allegation_open([e.step for e in self.events])


@dataclass(frozen=True)
class ConductRecord:
    candidate: Candidate
    allegations: list[AllegationLine]


def conduct_record(*, reader: User, candidate_id: uuid.UUID) -> ConductRecord:
    """Misconduct alleged against a deployed officer with every step, for the vetting officer and IPOA
    only; the read, or its refusal, is logged."""
    candidate = Candidate.objects.select_related("officer__user", "contingent__mission").filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    allowed = sees_vetting_record(scope_of(reader))
    log_accesses(
        actor=reader,
        reads=[(CONDUCT, str(candidate.pk), None, Outcome.SHOWN if allowed else Outcome.DENIED)],
        purpose=Purpose.DESK_VIEW,
    )
    if not allowed:
        raise NotPermitted(_("Misconduct alleged in the mission is for the vetting officer and IPOA only."))
    events: dict[uuid.UUID, list[AllegationEvent]] = {}
    for event in (
        AllegationEvent.objects.filter(allegation__candidate=candidate)
        .select_related("recorded_by__user")
        .order_by("recorded_at", "id")
    ):
        events.setdefault(event.allegation_id, []).append(event)
    allegations = Allegation.objects.filter(candidate=candidate).select_related("recorded_by__user")
    return ConductRecord(
        candidate=candidate,
        allegations=[
            AllegationLine(a, events.get(a.pk, [])) for a in allegations.order_by("reported_on", "recorded_at")
        ],
    )


# --- Disciplinary and IPOA matters at home --------------------------------------------------------


@dataclass(frozen=True)
class MatterLine:
    matter: DisciplinaryMatter
    steps: list[DisciplinaryStep]  # oldest first; the latest counts

    @property
    def state(self) -> str:
        return matter_state([s.outcome for s in self.steps])

    @property
    def state_name(self) -> str:
        return matter_state_name(self.state)

    @property
    def pending(self) -> bool:
        return matter_pending([s.outcome for s in self.steps])


@dataclass(frozen=True)
class DisciplinaryRecord:
    candidate: Candidate
    matters: list[MatterLine]


def matter_lines(officer_id: int) -> list[MatterLine]:
    """An officer's matters with every step, oldest first (two queries). No read is logged: the caller's is."""
    steps: dict[uuid.UUID, list[DisciplinaryStep]] = {}
    for step in (
        DisciplinaryStep.objects.filter(matter__officer_id=officer_id)
        .select_related("recorded_by__user")
        .order_by("recorded_at", "id")
    ):
        steps.setdefault(step.matter_id, []).append(step)
    matters = DisciplinaryMatter.objects.filter(officer_id=officer_id).select_related("recorded_by__user")
    return [MatterLine(m, steps.get(m.pk, [])) for m in matters.order_by("opened_on", "recorded_at")]


def disciplinary_record(*, reader: User, candidate_id: uuid.UUID) -> DisciplinaryRecord:
    """A candidate's disciplinary and IPOA matters with every step, for the vetting officer and IPOA only;
    the read, or its refusal, is logged."""
    candidate = Candidate.objects.select_related("officer__user", "contingent__mission").filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound()
    allowed = sees_vetting_record(scope_of(reader))
    log_accesses(
        actor=reader,
        reads=[(DISCIPLINARY, str(candidate.pk), None, Outcome.SHOWN if allowed else Outcome.DENIED)],
        purpose=Purpose.DESK_VIEW,
    )
    if not allowed:
        raise NotPermitted(_("Disciplinary and IPOA matters are for the vetting officer and IPOA only."))
    return DisciplinaryRecord(candidate=candidate, matters=matter_lines(candidate.officer_id))
