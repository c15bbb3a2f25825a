"""Every change to the refugee register, one function each: register a person (and their
household), change a household's members, merge or split households, record a status step, issue a
document, report it lost or revoke it, open and decide a status-correction case. Each is atomic,
checks the actor's role, and appends the step, document, event, merge or split (with its moves),
case or decision as a leaf of the register's signed log in the same transaction.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.core import codes
from daftari.core.errors import InvalidInput, NotPermitted
from daftari.core.identifiers import normalise_id_number
from daftari.core.phones import normalise_phone
from daftari.refugees import records, register_log, rules
from daftari.refugees.models import (
    CorrectionCase,
    CorrectionDecision,
    DocumentCode,
    DocumentEvent,
    Household,
    HouseholdChange,
    HouseholdChangeMove,
    Membership,
    Person,
    PersonNameWord,
    RefugeeDocument,
    StatusStep,
)
from daftari.refugees.rules import DocumentEventKind, DocumentKind, Relationship, StatusKind
from daftari.stations.models import scope_of
from daftari.stations.rules import (
    can_issue_refugee_document,
    can_record_status_step,
    can_register_refugees,
    can_report_refugee_document_lost,
    can_revoke_refugee_document,
)


def _save_with_leaf(
    row: StatusStep | RefugeeDocument | DocumentEvent | HouseholdChange | CorrectionCase | CorrectionDecision,
    *,
    kind: str,
    record: dict[str, Any],
    by: str,
    at: datetime,
) -> None:
    """Appends ``record`` as the row's leaf of the register's log, then inserts the row with its index."""
    leaf = register_log.append(kind=kind, record_id=str(row.pk), record=record, by=by, at=at)
    row.ledger_index = leaf.index
    row.save(force_insert=True)


def _check_office(office: str) -> None:
    if office not in rules.OFFICES:
        raise InvalidInput(fields={"office": _("Choose a DRS office.")})


def _new_household(*, office: str, by: str, now: datetime) -> Household:
    """A household numbered next in its office and year (HH-KAK-26-000001)."""
    prefix = rules.household_number(office, now.year, 0)[:-6]
    for _attempt in range(3):
        last = Household.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
        serial = int(last[0][-6:]) + 1 if last else 1
        try:
            with transaction.atomic():
                return Household.objects.create(
                    number=rules.household_number(office, now.year, serial),
                    office=office,
                    registered_at=now,
                    registered_by=by,
                )
        except IntegrityError:
            continue  # another desk took the number: the next one
    raise InvalidInput(_("The household number could not be allocated; try again."))


def _relationships_on(household: Household, day: date) -> dict[str, Relationship]:
    """Each member on ``day`` and their relationship to the principal applicant."""
    latest: dict[str, Membership] = {}
    for m in household.memberships.filter(on__lte=day).order_by("on", "recorded_at"):
        latest[str(m.person_id)] = m
    return {p: Relationship(m.relationship) for p, m in latest.items() if m.kind == Membership.Kind.JOINED}


def _members_on(household: Household, day: date) -> set[str]:
    return set(_relationships_on(household, day))


@transaction.atomic
def register_person(
    *,
    actor: User,
    draft: rules.PersonDraft,
    office: str,
    registered_on: date,
    household: Household | None = None,
    relationship: Relationship = Relationship.PRINCIPAL,
    case_reference: str = "",
) -> Person:
    """Registers an asylum seeker: the person, their household (a new one, with them as principal
    applicant, unless ``household`` is given) and the first status step, with its ledger leaf."""
    if not can_register_refugees(scope_of(actor)):
        raise NotPermitted(_("Only a DRS registration officer or supervisor registers people."))
    _check_office(office)
    today = timezone.localdate()
    problems = rules.person_problems(draft, today=today)
    phone = ""
    if draft.phone.strip():
        phone = normalise_phone(draft.phone) or ""
        if not phone:
            problems["phone"] = _("Enter a phone number like 0712 345 678 or +254 712 345 678.")
    if registered_on > today:
        problems["registered_on"] = _("The registration date cannot be in the future.")
    if household is None and relationship != Relationship.PRINCIPAL:
        problems["relationship"] = _("A new household starts with its principal applicant.")
    if problems:
        raise InvalidInput(fields=problems)
    now, by = timezone.now(), actor.get_username()
    person = Person.objects.create(
        given_names=draft.given_names.strip(),
        family_name=draft.family_name.strip(),
        aliases=draft.aliases.strip(),
        name_key=rules.name_key(draft.given_names, draft.family_name, draft.aliases),
        sex=draft.sex,
        date_of_birth=draft.date_of_birth,
        date_of_birth_estimated=draft.date_of_birth_estimated,
        nationality=draft.nationality.strip(),
        languages=draft.languages.strip(),
        specific_needs=draft.specific_needs.strip(),
        phone=phone,
        ethnicity=draft.ethnicity.strip(),
        religion=draft.religion.strip(),
        biometric_ref=draft.biometric_ref.strip(),
        office=office,
        registered_at=now,
        registered_by=by,
    )
    # The register search's index of the names (queries.search): one row a word, aliases included.
    PersonNameWord.objects.bulk_create(
        PersonNameWord(person=person, word=word, family_name=person.family_name, given_names=person.given_names)
        for word in rules.search_words(person.given_names, person.family_name, person.aliases)
    )
    if household is None:
        household = _new_household(office=office, by=by, now=now)
    Membership.objects.create(
        household=household,
        person=person,
        kind=Membership.Kind.JOINED,
        relationship=relationship,
        on=registered_on,
        reason=_("registered"),
        recorded_at=now,
        recorded_by=by,
    )
    _append_step(person=person, step=StatusKind.ASYLUM_SEEKER, on=registered_on, reference=case_reference, by=by)
    return person


@transaction.atomic
def record_membership(
    *,
    actor: User,
    person: Person,
    household: Household,
    kind: Membership.Kind,
    relationship: Relationship,
    on: date,
    reason: str,
) -> Membership:
    """A person joins or leaves a household as of ``on`` (a birth, a marriage, a reunification, a departure)."""
    if not can_register_refugees(scope_of(actor)):
        raise NotPermitted(_("Only a DRS registration officer or supervisor changes a household."))
    is_member = str(person.pk) in _members_on(household, on)
    if kind == Membership.Kind.JOINED and is_member:
        raise InvalidInput(fields={"household": _("The person is already a member of this household.")})
    if kind == Membership.Kind.LEFT and not is_member:
        raise InvalidInput(fields={"household": _("The person is not a member of this household on that date.")})
    if not reason.strip():
        raise InvalidInput(fields={"reason": _("Say why the household changes.")})
    return Membership.objects.create(
        household=household,
        person=person,
        kind=kind,
        relationship=relationship,
        on=on,
        reason=reason.strip(),
        recorded_at=timezone.now(),
        recorded_by=actor.get_username(),
    )


def _check_change_date(on: date, *households: Household) -> None:
    if on > timezone.localdate():
        raise InvalidInput(fields={"on": _("The date cannot be in the future.")})
    last = Membership.objects.filter(household__in=households).order_by("-on").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise InvalidInput(fields={"on": _("The date is before the household's last change.")})


def _record_change(
    *,
    change: HouseholdChange,
    members: dict[str, Relationship],
    moves: dict[str, Relationship],
    now: datetime,
) -> HouseholdChange:
    """Each person in ``moves`` leaves the change's source and joins its target on its date; the
    change, with those moves, is a leaf of the register's log, appended before its row is saved."""
    pairs: list[tuple[Membership, Membership]] = []
    for person_id, relationship in moves.items():
        left = Membership.objects.create(
            household=change.source,
            person_id=person_id,
            kind=Membership.Kind.LEFT,
            relationship=members[person_id],
            on=change.on,
            reason=change.reason,
            recorded_at=now,
            recorded_by=change.recorded_by,
        )
        # A microsecond later, so that on the same day the person's latest event is joining.
        joined = Membership.objects.create(
            household=change.target,
            person_id=person_id,
            kind=Membership.Kind.JOINED,
            relationship=relationship,
            on=change.on,
            reason=change.reason,
            recorded_at=now + timedelta(microseconds=1),
            recorded_by=change.recorded_by,
        )
        pairs.append((left, joined))
    _save_with_leaf(
        change,
        kind=records.KIND_HOUSEHOLD_CHANGE,
        record=records.household_change_record(change, pairs),
        by=change.recorded_by,
        at=now,
    )
    for left, joined in pairs:
        HouseholdChangeMove.objects.create(change=change, left=left, joined=joined)
    return change


@transaction.atomic
def merge_households(
    *,
    actor: User,
    household: Household,
    into: Household,
    on: date,
    reason: str,
    relationships: dict[str, Relationship] | None = None,
) -> HouseholdChange:
    """Every member of ``household`` leaves it and joins ``into`` as of ``on`` (a family reunified).

    ``relationships`` gives each moving person's relationship to the principal applicant of
    ``into``; by default their own, a principal becoming another relative."""
    if not can_register_refugees(scope_of(actor)):
        raise NotPermitted(_("Only a DRS registration officer or supervisor changes a household."))
    _check_change_date(on, household, into)
    members = _relationships_on(household, on)
    moves = {p: rules.relationship_after_merge(r) for p, r in members.items()}
    moves.update({p: r for p, r in (relationships or {}).items() if p in moves})
    problems = rules.merge_problems(
        same_household=household.pk == into.pk,
        members=members,
        target_members=_relationships_on(into, on),
        moves=moves,
        reason=reason,
    )
    if problems:
        raise InvalidInput(fields=problems)
    now = timezone.now()
    change = HouseholdChange(
        kind=rules.HouseholdChangeKind.MERGE,
        source=household,
        target=into,
        on=on,
        reason=reason.strip(),
        recorded_at=now,
        recorded_by=actor.get_username(),
    )
    return _record_change(change=change, members=members, moves=moves, now=now)


@transaction.atomic
def split_household(
    *, actor: User, household: Household, on: date, reason: str, moves: dict[str, Relationship]
) -> HouseholdChange:
    """The people in ``moves`` leave ``household`` as of ``on`` and form a new household of the same
    office, with the relationship given to its one principal applicant (also among them)."""
    if not can_register_refugees(scope_of(actor)):
        raise NotPermitted(_("Only a DRS registration officer or supervisor changes a household."))
    _check_change_date(on, household)
    members = _relationships_on(household, on)
    problems = rules.split_problems(members=members, moves=moves, reason=reason)
    if problems:
        raise InvalidInput(fields=problems)
    now, by = timezone.now(), actor.get_username()
    change = HouseholdChange(
        kind=rules.HouseholdChangeKind.SPLIT,
        source=household,
        target=_new_household(office=household.office, by=by, now=now),
        on=on,
        reason=reason.strip(),
        recorded_at=now,
        recorded_by=by,
    )
    return _record_change(change=change, members=members, moves=moves, now=now)


def current_status(person: Person) -> StatusKind | None:
    last = person.status_steps.order_by("-sequence").values_list("step", flat=True).first()
    return StatusKind(last) if last else None


def _append_step(*, person: Person, step: StatusKind, on: date, reference: str, by: str) -> StatusStep:
    previous = person.status_steps.order_by("-sequence").first()
    previous_kind = StatusKind(previous.step) if previous is not None else None
    if not rules.may_follow(previous_kind, step):
        raise InvalidInput(
            fields={
                "step": _("%(step)s cannot follow %(previous)s.")
                % {
                    "step": rules.STATUS_NAMES[step],
                    "previous": rules.STATUS_NAMES[previous_kind] if previous_kind else _("no status"),
                }
            }
        )
    if previous is not None and on < previous.on:
        raise InvalidInput(fields={"on": _("The date is before the date of the previous step.")})
    now = timezone.now()
    row = StatusStep(
        person=person,
        sequence=(previous.sequence if previous is not None else 0) + 1,
        step=step,
        on=on,
        reference=reference.strip(),
        recorded_at=now,
        recorded_by=by,
    )
    _save_with_leaf(row, kind=records.KIND_STATUS_STEP, record=records.status_step_record(row), by=by, at=now)
    return row


@transaction.atomic
def record_status_step(*, actor: User, person: Person, step: StatusKind, on: date, reference: str = "") -> StatusStep:
    """The next step of the person's legal status, if it may follow the last one."""
    if not can_record_status_step(scope_of(actor), decision=step in rules.DECISIONS):
        raise NotPermitted(_("Only the DRS supervisor records a decision on a case."))
    if on > timezone.localdate():
        raise InvalidInput(fields={"on": _("The date cannot be in the future.")})
    return _append_step(person=person, step=step, on=on, reference=reference, by=actor.get_username())


def events_of(document: RefugeeDocument) -> list[DocumentEventKind]:
    return [DocumentEventKind(k) for k in document.events.order_by("recorded_at").values_list("kind", flat=True)]


def state_of(document: RefugeeDocument, *, today: date | None = None) -> rules.DocumentState:
    return rules.document_state(
        events_of(document), expires_on=document.expires_on, today=today or timezone.localdate()
    )


def _append_event(
    *,
    document: RefugeeDocument,
    kind: DocumentEventKind,
    on: date,
    reason: str,
    by: str,
    replaced_by: RefugeeDocument | None = None,
) -> DocumentEvent:
    state = state_of(document)
    if not rules.may_record_event(state, kind):
        raise InvalidInput(
            fields={
                "reason": _("A document that is %(state)s cannot be %(event)s.")
                % {"state": str(rules.DOCUMENT_STATE_NAMES[state]).lower(), "event": kind.value}
            }
        )
    if not reason.strip():
        raise InvalidInput(fields={"reason": _("Give the reason.")})
    now = timezone.now()
    event = DocumentEvent(
        document=document,
        kind=kind,
        on=on,
        reason=reason.strip(),
        replaced_by=replaced_by,
        recorded_at=now,
        recorded_by=by,
    )
    _save_with_leaf(event, kind=records.KIND_DOCUMENT_EVENT, record=records.document_event_record(event), by=by, at=now)
    return event


def _unused_code() -> str:
    """A verification code no register document carries yet (a clash is all but impossible; checked anyway)."""
    while True:
        code = codes.new_code()
        if not DocumentCode.objects.filter(code=code).exists():
            return code


@transaction.atomic
def issue_document(
    *,
    actor: User,
    person: Person,
    kind: DocumentKind,
    number: str,
    office: str,
    issued_on: date,
    expires_on: date | None,
    replaces: RefugeeDocument | None = None,
) -> RefugeeDocument:
    """A document for the person, numbered in its kind's format; a replacement marks the lost one replaced."""
    if not can_issue_refugee_document(scope_of(actor)):
        raise NotPermitted(_("Only a DRS registration officer or supervisor issues documents."))
    _check_office(office)
    number = rules.normalise_number(number)
    problems: dict[str, str] = {}
    problem = rules.number_problem(kind, number, office=office)
    if problem is not None:
        problems["number"] = problem
    elif RefugeeDocument.objects.filter(kind=kind, number=number).exists():
        problems["number"] = _("A document of this kind with this number was already issued.")
    status = current_status(person)
    if status is None or status not in rules.ISSUED_WITH[kind]:
        problems["kind"] = _("A %(kind)s is not issued to a person whose status is %(status)s.") % {
            "kind": rules.DOCUMENT_NAMES[kind],
            "status": str(rules.STATUS_NAMES[status]).lower() if status else _("no status"),
        }
    if issued_on > timezone.localdate():
        problems["issued_on"] = _("The issue date cannot be in the future.")
    if expires_on is not None and expires_on <= issued_on:
        problems["expires_on"] = _("The expiry date must be after the issue date.")
    if replaces is not None and (replaces.person_id != person.pk or replaces.kind != kind):
        problems["kind"] = _("A replacement is of the same kind and for the same person.")
    if problems:
        raise InvalidInput(fields=problems)
    now, by = timezone.now(), actor.get_username()
    document = RefugeeDocument(
        person=person,
        kind=kind,
        number=number,
        office=office,
        issued_on=issued_on,
        expires_on=expires_on,
        issued_at=now,
        issued_by=by,
    )
    _save_with_leaf(document, kind=records.KIND_DOCUMENT, record=records.document_record(document), by=by, at=now)
    DocumentCode.objects.create(document=document, code=_unused_code(), created_at=now)
    if replaces is not None:
        _append_event(
            document=replaces,
            kind=DocumentEventKind.REPLACED,
            on=issued_on,
            reason=_("replaced by %(number)s") % {"number": number},
            by=by,
            replaced_by=document,
        )
    return document


@transaction.atomic
def report_document_lost(*, actor: User, document: RefugeeDocument, on: date, reason: str) -> DocumentEvent:
    if not can_report_refugee_document_lost(scope_of(actor)):
        raise NotPermitted(_("Only a DRS registration officer or supervisor records a lost document."))
    return _append_event(document=document, kind=DocumentEventKind.LOST, on=on, reason=reason, by=actor.get_username())


@transaction.atomic
def revoke_document(*, actor: User, document: RefugeeDocument, on: date, reason: str) -> DocumentEvent:
    if not can_revoke_refugee_document(scope_of(actor)):
        raise NotPermitted(_("Only the DRS supervisor revokes a document."))
    return _append_event(
        document=document, kind=DocumentEventKind.REVOKED, on=on, reason=reason, by=actor.get_username()
    )


# --- Status correction (double registration) ----------------------------------------------------


@transaction.atomic
def open_correction_case(*, actor: User, person: Person, national_id: str, evidence: str) -> CorrectionCase:
    """A match of ``person`` against a Kenyan national ID, with its evidence, for two supervisors to decide."""
    if not can_register_refugees(scope_of(actor)):
        raise NotPermitted(_("Only DRS registration staff open a status-correction case."))
    national_id = normalise_id_number(national_id)
    problems = rules.correction_problems(national_id=national_id, evidence=evidence)
    if problems:
        raise InvalidInput(fields=problems)
    open_cases = [c for c in person.correction_cases.all() if correction_state_of(c) == rules.CorrectionState.OPEN]
    if open_cases:
        raise InvalidInput(fields={"national_id": _("This person already has an open status-correction case.")})
    now, by = timezone.now(), actor.get_username()
    case = CorrectionCase(
        person=person, national_id=national_id, evidence=evidence.strip(), opened_at=now, opened_by=by
    )
    _save_with_leaf(case, kind=records.KIND_CORRECTION_CASE, record=records.correction_case_record(case), by=by, at=now)
    return case


def _decisions(case: CorrectionCase) -> list[rules.Decision]:
    return [rules.Decision(by=d.decided_by, approve=d.approve) for d in case.decisions.order_by("decided_at")]


def correction_state_of(case: CorrectionCase) -> rules.CorrectionState:
    return rules.correction_state(_decisions(case))


@transaction.atomic
def decide_correction_case(*, actor: User, case: CorrectionCase, approve: bool, note: str = "") -> CorrectionDecision:
    """One supervisor's approval or rejection. The second approval corrects the record: the person's
    case on the register is closed (a status step in the signed log) and every document still in
    force is revoked, each naming the case."""
    if not can_record_status_step(scope_of(actor), decision=True):
        raise NotPermitted(_("Only a DRS supervisor approves a status-correction case."))
    case = CorrectionCase.objects.select_for_update().get(pk=case.pk)  # one decision at a time
    by = actor.get_username()
    problem = rules.decision_problem(opened_by=case.opened_by, decisions=_decisions(case), by=by)
    if problem is not None:
        raise InvalidInput(fields={"approve": problem})
    if not approve and not note.strip():
        raise InvalidInput(fields={"note": _("Say why the case is rejected.")})
    now = timezone.now()
    decision = CorrectionDecision(case=case, approve=approve, note=note.strip(), decided_at=now, decided_by=by)
    _save_with_leaf(
        decision,
        kind=records.KIND_CORRECTION_DECISION,
        record=records.correction_decision_record(decision),
        by=by,
        at=now,
    )
    if correction_state_of(case) == rules.CorrectionState.APPROVED:
        _correct_record(case, by=by)
    return decision


def _correct_record(case: CorrectionCase, *, by: str) -> None:
    person, today = case.person, timezone.localdate()
    reason = _("status corrected: %(case)s") % {"case": case.reference}
    if rules.may_follow(current_status(person), StatusKind.CLOSED):
        _append_step(person=person, step=StatusKind.CLOSED, on=today, reference=case.reference, by=by)
    for document in person.documents.all():
        if rules.may_record_event(state_of(document), DocumentEventKind.REVOKED):
            _append_event(document=document, kind=DocumentEventKind.REVOKED, on=today, reason=reason, by=by)
