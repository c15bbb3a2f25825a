"""Lawful erasure in the refugee register (``daftari ledger redact``).

The register's records in its signed log are status steps, documents, document events, household
merges and splits, and status-correction cases and their decisions; the person, the household and
the memberships are not leaves themselves. A redaction is appended to
the register's own log, beside the leaf it redacts (ledger.redaction), so that log alone shows
that something was erased, when, on what authority and by whom. Field by field:

Status step: its reference (case file, decision or appeal number) -> "[redacted]". The step, its
date and who recorded it stay, so the person's status and the figures still hold. The person's
first step is their registration: an order about a person names that step, and it also erases the
person:
- given names, family name, aliases -> "[redacted]", and the search words built from them are
  blanked (``name_key``) or deleted (their rows of the search index, models.PersonNameWord);
- the date of birth -> 1 January of its year, marked estimated (the age figures keep the year);
- phone, languages, specific needs, ethnicity, religion, the biometric record id -> blank;
- the reasons of their household memberships, and of the merges and splits that moved them (free
  text about the family) -> "[redacted]";
- a status-correction case's national ID number -> blank, its evidence -> "[redacted]", and the
  notes of the decisions on it -> "[redacted]";
- a de-duplication proposal's national ID number -> blank, the holder's names -> "[redacted]".
  Sex, nationality, the office and the household stay: the register's figures count them.
  The merges, splits, cases and decisions so blanked are leaves of their own: their leaves are
  redacted with the registration step's, on the same order (``followers_of_step``), so the log
  still verifies. Those recorded before they became leaves are blanked all the same.

Document: nothing in the row names the holder but the person it points at; the kind, number,
office and dates stay so the public verify page still answers for the number (it never showed
personal details). Its redaction deletes the salt, so the record can no longer be reopened.

Document event: its reason -> "[redacted]" (free text that may name the holder); the document
stays lost, revoked or replaced.

Household merge or split: its reason, and that of the memberships it moved, -> "[redacted]"; who
moved, from where to where and when stay.

Status-correction case: its national ID number -> blank, its evidence -> "[redacted]"; its
decision: its note -> "[redacted]". The case's outcome stays.
"""

import uuid
from datetime import date

from daftari.refugees.models import (
    CorrectionCase,
    CorrectionDecision,
    DocumentEvent,
    HouseholdChange,
    HouseholdChangeMove,
    MatchProposal,
    Membership,
    Person,
    PersonNameWord,
    StatusStep,
)

MARKER = "[redacted]"
STEP_TABLES = [
    "refugees_statusstep",
    "refugees_person",
    "refugees_personnameword",
    "refugees_membership",
    "refugees_householdchange",
    "refugees_correctioncase",
    "refugees_correctiondecision",
    "refugees_matchproposal",
]
DOCUMENT_TABLES: list[str] = []
EVENT_TABLES = ["refugees_documentevent"]
CHANGE_TABLES = ["refugees_householdchange", "refugees_membership"]
CASE_TABLES = ["refugees_correctioncase"]
DECISION_TABLES = ["refugees_correctiondecision"]


def _text(value: str) -> str:
    return MARKER if value else ""


def erase_step(record_id: str) -> None:
    """Replaces the step's reference; the registration step takes the person's personal data with it."""
    step = StatusStep.objects.get(pk=record_id)
    StatusStep.objects.filter(pk=step.pk).update(reference=_text(step.reference))
    if step.sequence == 1:
        _erase_person(step.person_id)


def _erase_person(person_id: uuid.UUID) -> None:
    person = Person.objects.get(pk=person_id)
    Person.objects.filter(pk=person.pk).update(
        given_names=MARKER,
        family_name=MARKER,
        aliases=_text(person.aliases),
        name_key="",
        date_of_birth=date(person.date_of_birth.year, 1, 1),
        date_of_birth_estimated=True,
        languages="",
        specific_needs="",
        phone="",
        ethnicity="",
        religion="",
        biometric_ref="",
    )
    # The search's words of their names go with the names: the person is no longer found by name.
    PersonNameWord.objects.filter(person=person).delete()
    for membership in Membership.objects.filter(person=person):
        Membership.objects.filter(pk=membership.pk).update(reason=_text(membership.reason))
    # The reason of a merge or split that moved them is free text about the family too, copied
    # onto every membership it moved.
    for change_id in _changes_moving(person.pk):
        erase_change(str(change_id))
    # A status-correction case holds a national ID number and the evidence of the match.
    CorrectionCase.objects.filter(person=person).update(national_id="", evidence=MARKER)
    CorrectionDecision.objects.filter(case__person=person).exclude(note="").update(note=MARKER)
    # A de-duplication proposal holds a national ID holder's number and names matched to them.
    MatchProposal.objects.filter(person=person).update(national_id="", holder_names=MARKER)


def _changes_moving(person_id: uuid.UUID) -> list[uuid.UUID]:
    return list(HouseholdChangeMove.objects.filter(joined__person_id=person_id).values_list("change_id", flat=True))


def followers_of_step(record_id: str) -> list[str]:
    """The records with leaves of their own that erasing the registration step ``record_id`` blanks."""
    step = StatusStep.objects.filter(pk=record_id).first()
    if step is None or step.sequence != 1:
        return []
    person_id = step.person_id
    cases = [str(pk) for pk in CorrectionCase.objects.filter(person_id=person_id).values_list("pk", flat=True)]
    decisions = CorrectionDecision.objects.filter(case__person_id=person_id).values_list("pk", flat=True)
    return [str(pk) for pk in _changes_moving(person_id)] + cases + [str(pk) for pk in decisions]


def erase_change(record_id: str) -> None:
    """The merge's or split's reason, and that of the memberships it moved, copied from it."""
    change = HouseholdChange.objects.get(pk=record_id)
    HouseholdChange.objects.filter(pk=change.pk).update(reason=_text(change.reason))
    moved = HouseholdChangeMove.objects.filter(change=change).values_list("left_id", "joined_id")
    memberships = [pk for pair in moved for pk in pair]
    Membership.objects.filter(pk__in=memberships).exclude(reason="").update(reason=MARKER)


def erase_case(record_id: str) -> None:
    CorrectionCase.objects.filter(pk=record_id).update(national_id="", evidence=MARKER)


def erase_decision(record_id: str) -> None:
    CorrectionDecision.objects.filter(pk=record_id).exclude(note="").update(note=MARKER)


def erase_document(record_id: str) -> None:
    """Nothing to replace: the redaction's deleted salt is the erasure (see the module's text)."""


def erase_event(record_id: str) -> None:
    event = DocumentEvent.objects.get(pk=record_id)
    DocumentEvent.objects.filter(pk=event.pk).update(reason=_text(event.reason))
