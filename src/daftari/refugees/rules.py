"""The refugee register's rules, as pure functions: which status step may follow which, the
document number formats, and a document's state from its events.

The Refugees Act 2021 and the Refugees (General) Regulations 2024 give the steps (registration,
the Commissioner's decision, the appeal to the Refugee Status Appeals Committee and then the High
Court); no public source gives the documents' number formats, so those below are the register's
own design: a prefix naming the kind, the issuing DRS office, the year and a serial.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class StatusKind(StrEnum):
    ASYLUM_SEEKER = "asylum_seeker"
    REFUGEE = "refugee"
    REJECTED = "rejected"
    APPEAL_RSAC = "appeal_rsac"
    APPEAL_HIGH_COURT = "appeal_high_court"
    CLOSED = "closed"


STATUS_NAMES = {
    StatusKind.ASYLUM_SEEKER: _("Asylum seeker registered"),
    StatusKind.REFUGEE: _("Refugee recognised"),
    StatusKind.REJECTED: _("Rejected"),
    StatusKind.APPEAL_RSAC: _("Appeal pending (RSAC)"),
    StatusKind.APPEAL_HIGH_COURT: _("Appeal pending (High Court)"),
    StatusKind.CLOSED: _("Closed"),
}

# What may follow what. A person's history starts with registration (Form 1, case file opened);
# the Commissioner recognises or rejects; a rejection is appealed to the RSAC, whose refusal goes to
# the High Court; a case closes (withdrawn, durable solution, cessation) from any open step.
NEXT_STEPS: dict[StatusKind | None, frozenset[StatusKind]] = {
    None: frozenset({StatusKind.ASYLUM_SEEKER}),
    StatusKind.ASYLUM_SEEKER: frozenset({StatusKind.REFUGEE, StatusKind.REJECTED, StatusKind.CLOSED}),
    StatusKind.REJECTED: frozenset({StatusKind.APPEAL_RSAC, StatusKind.CLOSED}),
    StatusKind.APPEAL_RSAC: frozenset({StatusKind.REFUGEE, StatusKind.APPEAL_HIGH_COURT, StatusKind.CLOSED}),
    StatusKind.APPEAL_HIGH_COURT: frozenset({StatusKind.REFUGEE, StatusKind.CLOSED}),
    StatusKind.REFUGEE: frozenset({StatusKind.CLOSED}),
    StatusKind.CLOSED: frozenset(),
}

# Steps that are a decision on the case, recorded only by the supervisor (stations.rules).
DECISIONS = frozenset({StatusKind.REFUGEE, StatusKind.REJECTED, StatusKind.CLOSED})


def may_follow(previous: StatusKind | None, step: StatusKind) -> bool:
    return step in NEXT_STEPS[previous]


def next_steps(previous: StatusKind | None) -> list[StatusKind]:
    """The steps that may be recorded next, in the order of the enumeration (for the form)."""
    return [step for step in StatusKind if step in NEXT_STEPS[previous]]


# --- Documents -----------------------------------------------------------------------------


class DocumentKind(StrEnum):
    PROOF_OF_REGISTRATION = "proof_of_registration"
    ASYLUM_SEEKER_PASS = "asylum_seeker_pass"  # noqa: S105 - a document, not a password
    RECOGNITION_LETTER = "recognition_letter"
    REFUGEE_ID = "refugee_id"
    MOVEMENT_PASS = "movement_pass"  # noqa: S105 - a document, not a password
    TRAVEL_DOCUMENT = "travel_document"
    CLASS_M_PERMIT = "class_m_permit"


DOCUMENT_NAMES = {
    DocumentKind.PROOF_OF_REGISTRATION: _("Proof of registration"),
    DocumentKind.ASYLUM_SEEKER_PASS: _("Asylum-seeker pass"),
    DocumentKind.RECOGNITION_LETTER: _("Recognition letter"),
    DocumentKind.REFUGEE_ID: _("Refugee ID card"),
    DocumentKind.MOVEMENT_PASS: _("Movement pass"),
    DocumentKind.TRAVEL_DOCUMENT: _("Convention travel document"),
    DocumentKind.CLASS_M_PERMIT: _("Class M work permit"),
}

# The prefix each kind's number starts with.
DOCUMENT_PREFIXES = {
    DocumentKind.PROOF_OF_REGISTRATION: "POR",
    DocumentKind.ASYLUM_SEEKER_PASS: "ASP",
    DocumentKind.RECOGNITION_LETTER: "RRL",
    DocumentKind.REFUGEE_ID: "RID",
    DocumentKind.MOVEMENT_PASS: "MVP",
    DocumentKind.TRAVEL_DOCUMENT: "CTD",
    DocumentKind.CLASS_M_PERMIT: "CLM",
}

# The DRS offices that register and issue (UNHCR Kenya's RSD page, plus Kalobeyei settlement).
OFFICES = {
    "DAD": "Dadaab",
    "KAK": "Kakuma",
    "KAL": "Kalobeyei",
    "NBI": "Nairobi",
    "ELD": "Eldoret",
    "NKR": "Nakuru",
    "MSA": "Mombasa",
}

# Which documents follow from which status: a pass while the claim is open, the recognition
# letter, ID card, travel document and Class M permit only for a recognised refugee.
ISSUED_WITH = {
    DocumentKind.PROOF_OF_REGISTRATION: frozenset(StatusKind) - {StatusKind.CLOSED},
    DocumentKind.ASYLUM_SEEKER_PASS: frozenset(
        {StatusKind.ASYLUM_SEEKER, StatusKind.REJECTED, StatusKind.APPEAL_RSAC, StatusKind.APPEAL_HIGH_COURT}
    ),
    DocumentKind.MOVEMENT_PASS: frozenset(StatusKind) - {StatusKind.CLOSED},
    DocumentKind.RECOGNITION_LETTER: frozenset({StatusKind.REFUGEE}),
    DocumentKind.REFUGEE_ID: frozenset({StatusKind.REFUGEE}),
    DocumentKind.TRAVEL_DOCUMENT: frozenset({StatusKind.REFUGEE}),
    DocumentKind.CLASS_M_PERMIT: frozenset({StatusKind.REFUGEE}),
}

_NUMBER = re.compile(r"^(?P<prefix>[A-Z]{3})-(?P<office>[A-Z]{3})-(?P<year>\d{2})-(?P<serial>\d{6})$")
HOUSEHOLD_NUMBER = re.compile(r"^HH-(?P<office>[A-Z]{3})-(?P<year>\d{2})-(?P<serial>\d{6})$")


_COMPACT_NUMBER = re.compile(r"^([A-Z]{3})([A-Z]{3})(\d{2})(\d{6})$")


def normalise_number(raw: str) -> str:
    """Capitals, hyphens between the parts: " por kak 24 000123 " → "POR-KAK-24-000123"; also a number
    as the OB desk keeps ID numbers, without separators ("PORKAK24000123")."""
    compact = _COMPACT_NUMBER.match(raw.strip().upper())
    if compact is not None:
        return "-".join(compact.groups())
    return "-".join(re.split(r"[\s\-/]+", raw.strip().upper())) if raw.strip() else ""


def number_example(kind: DocumentKind, office: str = "KAK") -> str:
    return f"{DOCUMENT_PREFIXES[kind]}-{office}-24-000123"


def number_problem(kind: DocumentKind, number: str, *, office: str) -> str | None:
    """Why ``number`` (normalised) is not a number of ``kind`` issued at ``office``; None when it is."""
    match = _NUMBER.match(number)
    if match is None or match["prefix"] != DOCUMENT_PREFIXES[kind]:
        return str(_("A %(kind)s number looks like %(example)s.")) % {
            "kind": DOCUMENT_NAMES[kind],
            "example": number_example(kind, office if office in OFFICES else "KAK"),
        }
    if match["office"] != office:
        return str(_("The number names office %(named)s, but the document is issued at %(office)s.")) % {
            "named": match["office"],
            "office": office,
        }
    return None


def household_number(office: str, year: int, serial: int) -> str:
    return f"HH-{office}-{year % 100:02d}-{serial:06d}"


class DocumentEventKind(StrEnum):
    REVOKED = "revoked"
    LOST = "lost"
    REPLACED = "replaced"


class DocumentState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOST = "lost"
    REPLACED = "replaced"


DOCUMENT_STATE_NAMES = {
    DocumentState.VALID: _("Valid"),
    DocumentState.EXPIRED: _("Expired"),
    DocumentState.REVOKED: _("Revoked"),
    DocumentState.LOST: _("Reported lost"),
    DocumentState.REPLACED: _("Replaced"),
}

# From a state, the events that may be recorded: a revoked or replaced document is finished; a lost
# one may still be revoked, or replaced by a new document.
EVENTS_FROM = {
    DocumentState.VALID: frozenset({DocumentEventKind.REVOKED, DocumentEventKind.LOST}),
    DocumentState.EXPIRED: frozenset({DocumentEventKind.REVOKED, DocumentEventKind.LOST}),
    DocumentState.LOST: frozenset({DocumentEventKind.REVOKED, DocumentEventKind.REPLACED}),
    DocumentState.REVOKED: frozenset(),
    DocumentState.REPLACED: frozenset(),
}


def document_state(events: Sequence[DocumentEventKind], *, expires_on: date | None, today: date) -> DocumentState:
    """The state from the document's events in the order recorded, then its expiry date."""
    return state_on(recorded_state(events), expires_on=expires_on, today=today)


def recorded_state(events: Sequence[DocumentEventKind]) -> DocumentState:
    """The state the register's events give, before the expiry date is looked at: what the hub sends
    station nodes, so a document's copy changes when the register records something, not at midnight."""
    return DocumentState(events[-1].value) if events else DocumentState.VALID


def state_on(recorded: DocumentState, *, expires_on: date | None, today: date) -> DocumentState:
    """The state on ``today`` of a document whose events give ``recorded``."""
    if recorded == DocumentState.VALID and expires_on is not None and today > expires_on:
        return DocumentState.EXPIRED
    return recorded


def may_record_event(state: DocumentState, event: DocumentEventKind) -> bool:
    return event in EVENTS_FROM[state]


# --- People --------------------------------------------------------------------------------


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"


SEX_NAMES = {Sex.FEMALE: _("Female"), Sex.MALE: _("Male"), Sex.OTHER: _("Other or not stated")}


class Relationship(StrEnum):
    PRINCIPAL = "principal"
    SPOUSE = "spouse"
    CHILD = "child"
    SIBLING = "sibling"
    OTHER = "other"


RELATIONSHIP_NAMES = {
    Relationship.PRINCIPAL: _("Principal applicant"),
    Relationship.SPOUSE: _("Spouse"),
    Relationship.CHILD: _("Child"),
    Relationship.SIBLING: _("Sibling"),
    Relationship.OTHER: _("Other relative or dependant"),
}


def name_key(*names: str) -> str:
    """The words of every name and alias, case-folded, sorted and unique: what a search matches."""
    words = {w for name in names for w in re.split(r"[\s,;]+", name.casefold()) if w}
    return " ".join(sorted(words))


SEARCH_WORD_LENGTH = 60  # longer words are cut (models.PersonNameWord.word): no name word is that long


def search_words(*names: str) -> list[str]:
    """The words of names as the register search keeps and compares them: case-folded, accents
    dropped, split at anything not a letter or digit ("Abdí-Hassan" gives "abdi" and "hassan"),
    unique, in order. A person's words are written with them; a question is split the same way."""
    words: dict[str, None] = {}
    for name in names:
        plain = unicodedata.normalize("NFKD", name.casefold())
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        for word in re.findall(r"[^\W_]+", plain):
            words[word[:SEARCH_WORD_LENGTH]] = None
    return list(words)


@dataclass(frozen=True)
class DateOfBirth:
    on: date
    estimated: bool


def date_of_birth_problem(dob: DateOfBirth, *, today: date) -> str | None:
    if dob.on > today:
        return str(_("The date of birth cannot be in the future."))
    if today.year - dob.on.year > 120:
        return str(_("The date of birth is more than 120 years ago."))
    return None


@dataclass(frozen=True)
class PersonDraft:
    """What the registration officer typed for one person."""

    given_names: str
    family_name: str
    sex: str
    date_of_birth: date
    date_of_birth_estimated: bool
    nationality: str
    aliases: str = ""
    languages: str = ""
    specific_needs: str = ""
    phone: str = ""
    ethnicity: str = ""
    religion: str = ""
    biometric_ref: str = ""


def person_problems(draft: PersonDraft, *, today: date) -> dict[str, str]:
    """Every problem with the draft at once, by field."""
    problems: dict[str, str] = {}
    if not draft.given_names.strip():
        problems["given_names"] = str(_("Enter the given names."))
    if not draft.family_name.strip():
        problems["family_name"] = str(_("Enter the family name."))
    if draft.sex not in Sex.__members__.values():
        problems["sex"] = str(_("Choose the sex."))
    if not draft.nationality.strip():
        problems["nationality"] = str(_("Enter the nationality."))
    dob = date_of_birth_problem(DateOfBirth(draft.date_of_birth, draft.date_of_birth_estimated), today=today)
    if dob is not None:
        problems["date_of_birth"] = dob
    return problems


# --- Households merged and split -----------------------------------------------------------
# A registration group changes as a whole: two households become one (a family reunified, as in
# UNHCR Kenya's story of a mother asking for her children's case to be combined with hers), or some
# members leave to form a household of their own. Each is one append-only step with its reason;
# every member moved leaves one household and joins the other on the step's date.


class HouseholdChangeKind(StrEnum):
    MERGE = "merge"
    SPLIT = "split"


HOUSEHOLD_CHANGE_NAMES = {
    HouseholdChangeKind.MERGE: _("Merged"),
    HouseholdChangeKind.SPLIT: _("Split"),
}


def merge_problems(
    *,
    same_household: bool,
    members: dict[str, Relationship],
    target_members: dict[str, Relationship],
    moves: dict[str, Relationship],
    reason: str,
) -> dict[str, str]:
    """Every problem with merging the household of ``members`` into that of ``target_members``:
    everyone moves, and the household merged into keeps its principal applicant."""
    problems: dict[str, str] = {}
    if same_household:
        problems["target"] = str(_("A household cannot be merged into itself."))
    elif not target_members:
        problems["target"] = str(_("The household to merge into has no members on that date."))
    if not members:
        problems["members"] = str(_("This household has no members on that date."))
    elif set(moves) != set(members):
        problems["members"] = str(_("Every member moves when households are merged."))
    elif Relationship.PRINCIPAL in moves.values():
        problems["members"] = str(
            _("The household merged into keeps its principal applicant: give each person's relationship to them.")
        )
    if not reason.strip():
        problems["reason"] = str(_("Say why the households are merged."))
    return problems


def split_problems(*, members: dict[str, Relationship], moves: dict[str, Relationship], reason: str) -> dict[str, str]:
    """Every problem with ``moves`` leaving the household of ``members`` to form a new one: the
    principal applicant stays, someone stays with them, and the new household has one principal."""
    problems: dict[str, str] = {}
    if not moves:
        problems["members"] = str(_("Choose who leaves to form the new household."))
    elif set(moves) - set(members):
        problems["members"] = str(_("Only members of the household on that date can leave it."))
    elif any(members[p] == Relationship.PRINCIPAL for p in moves):
        problems["members"] = str(_("The principal applicant stays; split the others off."))
    elif list(moves.values()).count(Relationship.PRINCIPAL) != 1:
        problems["members"] = str(_("Choose one principal applicant for the new household."))
    if not reason.strip():
        problems["reason"] = str(_("Say why the household is split."))
    return problems


def relationship_after_merge(relationship: Relationship) -> Relationship:
    """What the form proposes for a member moving in a merge: the same, but a principal becomes a relative."""
    return Relationship.OTHER if relationship == Relationship.PRINCIPAL else relationship


# --- Status correction: a Kenyan on the refugee register ---------------------------------------
# The double-registration lesson (about 40,000 Kenyans found in the refugee database in 2016, who
# then could not get national IDs): a refugee record never holds a Kenyan ID number silently. A
# match is a case with its evidence; two DRS supervisors, neither the one who opened it, approve it
# before the record is corrected, and the person gets a letter saying so.

APPROVALS_NEEDED = 2
# A Kenyan national ID number (SOURCES.md): the older card's 7 or 8 digits, or the 14-digit Maisha
# Namba of the Maisha card, as the OB takes them (occurrences.rules). Both name a Kenyan, so both
# are matched and both can open a case.
NATIONAL_ID = re.compile(r"^(\d{7,8}|\d{14})$")


class CorrectionState(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"


CORRECTION_STATE_NAMES = {
    CorrectionState.OPEN: _("Open: awaiting approval"),
    CorrectionState.APPROVED: _("Approved: the record is corrected"),
    CorrectionState.REJECTED: _("Rejected"),
}


@dataclass(frozen=True)
class Decision:
    by: str
    approve: bool


def correction_state(decisions: Sequence[Decision]) -> CorrectionState:
    if any(not d.approve for d in decisions):
        return CorrectionState.REJECTED
    if len({d.by for d in decisions if d.approve}) >= APPROVALS_NEEDED:
        return CorrectionState.APPROVED
    return CorrectionState.OPEN


def correction_problems(*, national_id: str, evidence: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not NATIONAL_ID.match(national_id):
        problems["national_id"] = str(_("Enter the national ID number: 7 or 8 digits, or the 14 of a Maisha Namba."))
    if not evidence.strip():
        problems["evidence"] = str(_("Describe the evidence of the match (IPRS record, chief's letter, vetting)."))
    return problems


def decision_problem(*, opened_by: str, decisions: Sequence[Decision], by: str) -> str | None:
    """Why ``by`` may not decide the case now; None when they may."""
    if correction_state(decisions) != CorrectionState.OPEN:
        return str(_("This case is already decided."))
    if by == opened_by:
        return str(_("The officer who opened the case does not approve it."))
    if any(d.by == by for d in decisions):
        return str(_("A second approval comes from another supervisor."))
    return None


def office_of_number(raw: str) -> str | None:
    """The DRS office a refugee document number names (as typed, or as the desk keeps ID numbers);
    None when it is no register document's number."""
    number = normalise_number(raw)
    match = _NUMBER.match(number)
    if match is None or kind_of_number(number) is None:
        return None
    return str(match["office"])


def kind_of_number(number: str) -> DocumentKind | None:
    """The kind a (normalised) document number names by its prefix; None if it is no register number."""
    match = _NUMBER.match(number)
    if match is None:
        return None
    return next((kind for kind, prefix in DOCUMENT_PREFIXES.items() if prefix == match["prefix"]), None)


# --- De-duplication against the national ID list ------------------------------------------------
# The double-registration lesson (reference 1.5): Kenyans sit in the refugee register. A pass over
# the National Registration Bureau's list (id_number, names, sex, date_of_birth) proposes the people
# who look like a national ID holder; a DRS officer reviews each proposal and opens a
# status-correction case from it, or does not. Nothing here changes a record.
#
# A proposal needs all three: the names (at least two words, and every word of one side's names
# among the other's, aliases counting); the sex (equal, or either not stated); the date of birth
# (the same day, or for a date the register marks estimated, a year at most ESTIMATED_YEARS away).
# A same-named holder born in another year is not proposed: a common name is not evidence.

ESTIMATED_YEARS = 1
MIN_SHARED_WORDS = 2
MAX_NAME_WORDS = 8  # the words of a record that form its blocking keys; names longer are rare
# An agreement this many other registered people would show by chance is not evidence (see match).
CHANCE_LIMIT = 0.05


class MatchReason(StrEnum):
    SAME_NAMES = "same_names"
    NAMES_WITHIN = "names_within"
    THROUGH_ALIAS = "through_alias"
    SAME_DATE = "same_date"
    ESTIMATED_DATE = "estimated_date"
    SEX_NOT_STATED = "sex_not_stated"


MATCH_REASON_NAMES = {
    MatchReason.SAME_NAMES: _("the same names"),
    MatchReason.NAMES_WITHIN: _("every name of one among the other's"),
    MatchReason.THROUGH_ALIAS: _("matched through an alias"),
    MatchReason.SAME_DATE: _("the same date of birth"),
    MatchReason.ESTIMATED_DATE: _("an estimated date of birth within a year"),
    MatchReason.SEX_NOT_STATED: _("sex not stated on one side"),
}


def name_words(*names: str) -> frozenset[str]:
    """The words of names for matching: case-folded, accents and punctuation dropped, one-letter
    initials left out ("Abdi H. Mohamed", "ABDI  MOHAMED" and "Abdí Mohamed" share "abdi", "mohamed")."""
    words: set[str] = set()
    for name in names:
        plain = unicodedata.normalize("NFKD", name.casefold())
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        words.update(w for w in re.split(r"[^a-z0-9']+", plain.replace("'", "")) if len(w) > 1)
    return frozenset(words)


@dataclass(frozen=True)
class RegisterEntry:
    """What the pass compares of a registered person."""

    key: object  # the person's id, carried through
    names: frozenset[str]  # given and family names
    aliases: frozenset[str]
    sex: str
    date_of_birth: date
    estimated: bool


@dataclass(frozen=True)
class NationalIdRecord:
    id_number: str
    names: str
    sex: str
    date_of_birth: date

    @property
    def words(self) -> frozenset[str]:
        return name_words(self.names)


@dataclass(frozen=True)
class MatchFinding:
    score: int  # 0-100: how much of the evidence agrees; the page orders by it
    reasons: tuple[MatchReason, ...]


def _pairs(words: frozenset[str]) -> list[tuple[str, str]]:
    ordered = sorted(words)[:MAX_NAME_WORDS]
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


def register_blocking_keys(entry: RegisterEntry) -> list[str]:
    """The keys a registered person is filed under: a pair of their name words with the exact date
    of birth, or, for an estimated date, with each year in the tolerance. Two records that could
    match share a key, so the pass compares only records that share one and never every pair."""
    if entry.estimated:
        years = range(entry.date_of_birth.year - ESTIMATED_YEARS, entry.date_of_birth.year + ESTIMATED_YEARS + 1)
        dates = [f"Y{y}" for y in years]
    else:
        dates = [f"D{entry.date_of_birth.isoformat()}"]
    pairs = _pairs(entry.names | entry.aliases)
    return [f"{d}|{a}|{b}" for d in dates for a, b in pairs]


def national_id_blocking_keys(words: frozenset[str], date_of_birth: date) -> list[str]:
    """The keys a national ID record looks up: its exact date and its year, each with a pair of its name words."""
    dates = (f"D{date_of_birth.isoformat()}", f"Y{date_of_birth.year}")
    return [f"{d}|{a}|{b}" for d in dates for a, b in _pairs(words)]


@dataclass(frozen=True)
class NameStats:
    """How common each name word is on the register (the share of people whose names or aliases hold
    it) and how many people were born in each year: what says whether an agreement is evidence."""

    word_share: Mapping[str, float]
    born_in: Mapping[int, int]


def chance_of_another(shared: frozenset[str], stats: NameStats, *, born: date, estimated: bool) -> float:
    """How many other people on the register would share these name words and the birth date (the
    years of the tolerance, for an estimated one) by chance alone, the words taken as independent."""
    others = stats.born_in.get(born.year, 0) - 1  # the person themself is no other
    if estimated:
        years = range(born.year - ESTIMATED_YEARS, born.year + ESTIMATED_YEARS + 1)
        expected = float(max(0, others + sum(stats.born_in.get(y, 0) for y in years if y != born.year)))
    else:
        expected = max(0, others) / 365
    for word in shared:
        expected *= stats.word_share.get(word, 0.0)
    return expected


def match(
    entry: RegisterEntry,
    record: NationalIdRecord,
    *,
    words: frozenset[str] | None = None,
    stats: NameStats | None = None,
) -> MatchFinding | None:
    """Whether the registered person may be the national ID holder, and why; None when not.

    With the register's ``stats``, an agreement that CHANCE_LIMIT or more other people would show
    by chance (Mohamed Abdi Hassan, born about 1990) is no evidence and is not proposed either."""
    held = record.words if words is None else words
    reasons: list[MatchReason] = []
    score = 100
    if entry.sex != record.sex:
        if Sex.OTHER not in (entry.sex, record.sex):
            return None
        reasons.append(MatchReason.SEX_NOT_STATED)
        score -= 10
    if entry.estimated:
        if abs(entry.date_of_birth.year - record.date_of_birth.year) > ESTIMATED_YEARS:
            return None
        if entry.date_of_birth != record.date_of_birth:
            reasons.append(MatchReason.ESTIMATED_DATE)
            score -= 15
        else:
            reasons.append(MatchReason.SAME_DATE)
    elif entry.date_of_birth != record.date_of_birth:
        return None
    else:
        reasons.append(MatchReason.SAME_DATE)
    all_words = entry.names | entry.aliases
    shared = held & all_words
    if len(shared) < MIN_SHARED_WORDS:
        return None
    if held == entry.names:
        reasons.insert(0, MatchReason.SAME_NAMES)
    elif held <= all_words or entry.names <= held:
        reasons.insert(0, MatchReason.NAMES_WITHIN)
        score -= 10
    else:
        return None
    if (held - entry.names) & entry.aliases:
        reasons.append(MatchReason.THROUGH_ALIAS)
        score -= 5
    if (
        stats is not None
        and chance_of_another(shared, stats, born=entry.date_of_birth, estimated=entry.estimated) >= CHANCE_LIMIT
    ):
        return None
    return MatchFinding(score=max(score, 0), reasons=tuple(reasons))


def match_reason_text(codes: str) -> str:
    """The stored reasons (comma-separated codes) as words for the page."""
    names = []
    for code in codes.split(","):
        try:
            names.append(str(MATCH_REASON_NAMES[MatchReason(code)]))
        except ValueError:
            names.append(code)
    return "; ".join(names)


class NationalIdFileError(ValueError):
    """The national ID file cannot be read as the bureau's list: its header is wrong."""


NATIONAL_ID_COLUMNS = ("id_number", "names", "sex", "date_of_birth")
_SEXES = {"f": Sex.FEMALE, "female": Sex.FEMALE, "m": Sex.MALE, "male": Sex.MALE}


def national_id_row(row: Sequence[str]) -> NationalIdRecord | None:
    """One row of the list as a record, or None when it cannot be (a malformed row is counted and skipped)."""
    if len(row) < len(NATIONAL_ID_COLUMNS):
        return None
    id_number, names, sex, born = (cell.strip() for cell in row[:4])
    id_number = re.sub(r"[\s-]", "", id_number)  # as core.identifiers keeps ID numbers
    if not NATIONAL_ID.match(id_number) or not names:
        return None
    try:
        date_of_birth = date.fromisoformat(born)
    except ValueError:
        return None
    return NationalIdRecord(id_number, names, _SEXES.get(sex.casefold(), Sex.OTHER), date_of_birth)


@dataclass(frozen=True)
class Candidate:
    person: object
    id_number: str
    score: int


def unambiguous(candidates: Sequence[Candidate]) -> tuple[list[Candidate], int]:
    """The matches a reviewer can act on, and how many were left out as ambiguous.

    A holder whose best score is shared by two registered people (two Mohamed Abdi Hassans born in
    1990, estimated) names neither of them: a common name is not evidence. Likewise a person whose
    best score is shared by two holders. A single best match stands, and lesser ones beside it go."""
    kept = _best_of(candidates, lambda c: c.id_number)
    kept = _best_of(kept, lambda c: c.person)
    return kept, len(candidates) - len(kept)


def _best_of(candidates: Sequence[Candidate], group: Callable[[Candidate], object]) -> list[Candidate]:
    groups: dict[object, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(group(c), []).append(c)
    kept = []
    for members in groups.values():
        top = max(c.score for c in members)
        best = [c for c in members if c.score == top]
        if len(best) == 1:
            kept.append(best[0])
    return kept
