"""Every read of the refugee register's people: scoped by role, and each read logged in the access log.

Only the registration officers and their supervisor read people (stations.rules.reads_refugee_register);
a police officer or the UNHCR liaison asking for a person is refused, and the refusal is logged too.
Ethnicity and religion are withheld from everyone but the supervisor.
"""

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from daftari.core import codes, hub_copy
from daftari.core.errors import NotFound, NotPermitted
from daftari.ledger.verification import LeafProof, prove_record
from daftari.occurrences.rules import crime_rules
from daftari.refugees import node_copy, records, rules, services
from daftari.refugees.models import (
    CorrectionCase,
    DocumentCode,
    DocumentEvent,
    Household,
    HouseholdChange,
    MatchProposal,
    Membership,
    Person,
    PersonNameWord,
    RefugeeDocument,
    StatusStep,
)
from daftari.stations.models import AccessEvent, scope_of
from daftari.stations.rules import (
    can_check_refugee_document,
    can_record_status_step,
    can_report_refugee_document_lost,
    can_revoke_refugee_document,
    reads_refugee_register,
    sees_refugee_figures,
    sees_refugee_sensitive_fields,
)
from daftari.stations.services import count_public_read, log_accesses

RECORD_TYPE = "refugee_person"
MAX_RESULTS = 50


@dataclass(frozen=True)
class StepView:
    sequence: int
    step: str
    name: str
    on: date
    reference: str
    recorded_by: str
    ledger_index: int


@dataclass(frozen=True)
class DocumentView:
    id: uuid.UUID
    kind: str
    kind_name: str
    number: str
    office: str
    issued_on: date
    expires_on: date | None
    state: str
    state_name: str
    may_report_lost: bool
    may_revoke: bool
    code: str  # the verification code as printed, ABCDE-FGHJK


@dataclass(frozen=True)
class MemberView:
    id: uuid.UUID
    name: str
    relationship: str
    relationship_code: str = ""


@dataclass(frozen=True)
class PersonView:
    id: uuid.UUID
    given_names: str
    family_name: str
    aliases: str
    sex: str
    date_of_birth: date
    date_of_birth_estimated: bool
    nationality: str
    languages: str
    specific_needs: str
    phone: str
    biometric_ref: str
    office: str
    # None when withheld from the reader's role.
    ethnicity: str | None
    religion: str | None
    status: str
    status_name: str
    steps: tuple[StepView, ...]
    documents: tuple[DocumentView, ...]
    household_number: str
    members: tuple[MemberView, ...]
    # Status-correction cases: (id, reference, state name).
    corrections: tuple[tuple[uuid.UUID, str, str], ...] = ()

    @property
    def name(self) -> str:
        return f"{self.given_names} {self.family_name}"


@dataclass(frozen=True)
class PersonLine:
    """One search result."""

    id: uuid.UUID
    name: str
    aliases: str
    date_of_birth: date
    date_of_birth_estimated: bool
    nationality: str
    status_name: str
    household_number: str


def _refuse(reader: User, person_id: str, purpose: AccessEvent.Purpose, channel: str) -> None:
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, person_id, None, AccessEvent.Outcome.DENIED)],
        purpose=purpose,
        channel=channel,
    )
    raise NotPermitted()


def household_of(person: Person, *, on: date | None = None) -> Household | None:
    """The household the person belongs to on ``on`` (today): their latest membership event then."""
    day = on or timezone.localdate()
    last = person.memberships.filter(on__lte=day).select_related("household").order_by("-on", "-recorded_at").first()
    if last is None or last.kind != Membership.Kind.JOINED:
        return None
    return last.household


def members_of(household: Household, *, on: date | None = None) -> list[Membership]:
    """Who is in the household on ``on`` (today), each with the event that brought them in."""
    day = on or timezone.localdate()
    latest: dict[uuid.UUID, Membership] = {}
    for m in household.memberships.filter(on__lte=day).select_related("person").order_by("on", "recorded_at"):
        latest[m.person_id] = m
    return [m for m in latest.values() if m.kind == Membership.Kind.JOINED]


def _status_name(step: str | None) -> str:
    return str(rules.STATUS_NAMES[rules.StatusKind(step)]) if step else ""


def _document_view(document: RefugeeDocument, reader: User) -> DocumentView:
    state = services.state_of(document)
    scope = scope_of(reader)
    kind = rules.DocumentKind(document.kind)
    return DocumentView(
        id=document.pk,
        kind=document.kind,
        kind_name=str(rules.DOCUMENT_NAMES[kind]),
        number=document.number,
        office=document.office,
        issued_on=document.issued_on,
        expires_on=document.expires_on,
        state=state.value,
        state_name=str(rules.DOCUMENT_STATE_NAMES[state]),
        may_report_lost=rules.may_record_event(state, rules.DocumentEventKind.LOST)
        and can_report_refugee_document_lost(scope),
        may_revoke=rules.may_record_event(state, rules.DocumentEventKind.REVOKED)
        and can_revoke_refugee_document(scope),
        # A document issued before codes existed was given one by the migration; the guard is for a half-made one.
        code=codes.display_code(document.verification.code) if hasattr(document, "verification") else "",
    )


def person_for(*, reader: User, person_id: uuid.UUID | str, purpose: AccessEvent.Purpose, channel: str) -> PersonView:
    """The one read of a person: refused (and logged) outside the register's roles, else logged as shown."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, str(person_id), purpose, channel)
    try:
        person = Person.objects.get(pk=uuid.UUID(str(person_id)))
    except (ValueError, Person.DoesNotExist):
        raise NotFound() from None
    sensitive = sees_refugee_sensitive_fields(scope_of(reader))
    steps = tuple(
        StepView(
            sequence=s.sequence,
            step=s.step,
            name=_status_name(s.step),
            on=s.on,
            reference=s.reference,
            recorded_by=s.recorded_by,
            ledger_index=s.ledger_index,
        )
        for s in person.status_steps.order_by("sequence")
    )
    household = household_of(person)
    members = members_of(household) if household is not None else []
    reads = [(RECORD_TYPE, str(person.pk), None, AccessEvent.Outcome.SHOWN)]
    # The other members' names are shown too: each is a read of that person.
    reads += [
        (RECORD_TYPE, str(m.person_id), None, AccessEvent.Outcome.SHOWN) for m in members if m.person_id != person.pk
    ]
    log_accesses(actor=reader, reads=reads, purpose=purpose, channel=channel)
    return PersonView(
        id=person.pk,
        given_names=person.given_names,
        family_name=person.family_name,
        aliases=person.aliases,
        sex=person.get_sex_display(),
        date_of_birth=person.date_of_birth,
        date_of_birth_estimated=person.date_of_birth_estimated,
        nationality=person.nationality,
        languages=person.languages,
        specific_needs=person.specific_needs,
        phone=person.phone,
        biometric_ref=person.biometric_ref,
        office=person.get_office_display(),
        ethnicity=person.ethnicity if sensitive else None,
        religion=person.religion if sensitive else None,
        status=steps[-1].step if steps else "",
        status_name=steps[-1].name if steps else "",
        steps=steps,
        documents=tuple(
            _document_view(d, reader)
            for d in person.documents.select_related("verification").order_by("-issued_on", "kind")
        ),
        household_number=household.number if household is not None else "",
        members=tuple(
            MemberView(
                id=m.person_id,
                name=f"{m.person.given_names} {m.person.family_name}",
                relationship=m.get_relationship_display(),
            )
            for m in members
        ),
        corrections=tuple(
            (c.pk, c.reference, str(rules.CORRECTION_STATE_NAMES[services.correction_state_of(c)]))
            for c in person.correction_cases.order_by("opened_at")
        ),
    )


@dataclass(frozen=True)
class HouseholdChangeView:
    kind: str
    kind_name: str
    on: date
    source_number: str
    target_number: str
    reason: str
    recorded_by: str
    people: int


@dataclass(frozen=True)
class HouseholdView:
    id: uuid.UUID
    number: str
    office: str
    members: tuple[MemberView, ...]
    changes: tuple[HouseholdChangeView, ...]


def household_for(*, reader: User, number: str, purpose: AccessEvent.Purpose, channel: str) -> HouseholdView:
    """A household with its members today (each shown name a logged read) and its merges and splits."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, number[:64], purpose, channel)
    household = household_by_number(number)
    if household is None:
        raise NotFound()
    members = members_of(household)
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(m.person_id), None, AccessEvent.Outcome.SHOWN) for m in members],
        purpose=purpose,
        channel=channel,
    )
    changes = (
        HouseholdChange.objects.filter(Q(source=household) | Q(target=household))
        .select_related("source", "target")
        .annotate(people=Count("moves"))
        .order_by("on", "recorded_at")
    )
    return HouseholdView(
        id=household.pk,
        number=household.number,
        office=household.get_office_display(),
        members=tuple(
            MemberView(
                id=m.person_id,
                name=f"{m.person.given_names} {m.person.family_name}",
                relationship=m.get_relationship_display(),
                relationship_code=m.relationship,
            )
            for m in members
        ),
        changes=tuple(
            HouseholdChangeView(
                kind=c.kind,
                kind_name=str(rules.HOUSEHOLD_CHANGE_NAMES[rules.HouseholdChangeKind(c.kind)]),
                on=c.on,
                source_number=c.source.number,
                target_number=c.target.number,
                reason=c.reason,
                recorded_by=c.recorded_by,
                people=c.people,
            )
            for c in changes
        ),
    )


def household_to_change(*, reader: User, number: str) -> Household:
    """The household a merge or split changes: the register's roles only, else refused and logged."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, number[:64], AccessEvent.Purpose.RECORD, "desk")
    household = household_by_number(number)
    if household is None:
        raise NotFound()
    return household


# --- The register search -------------------------------------------------------------------------
# A name is searched through models.PersonNameWord, one row a word of each person's names and aliases
# with the names the results are ordered by. Every word asked must be among the person's, or be the
# start of one ("moham" finds Mohamed). The words asked are counted first, each up to RARE_WORD_ROWS
# rows: the rarest leads. A rare one's people are few and are all read; a common one (Mohamed is a
# quarter of the country's register) is read word by word in the order of the results page, the
# other words checked person by person, and each stops at the page's end, so the first page comes
# without reading the other hundred thousand. A page holds MAX_RESULTS; one more found says "narrow".

RARE_WORD_ROWS = 2_000
# A word asked that starts more than this many different words on the register ("a") is not read
# word by word: its people are sorted whole, which is slower and still right.
MAX_WORDS_STARTED = 40


@dataclass(frozen=True)
class SearchResult:
    lines: list[PersonLine]
    # More people match than the page shows: the reader is asked to narrow the search.
    more: bool = False


def _range(word: str) -> tuple[str, str]:
    """The words ``word`` starts, as a range of the index (the code-point order of the search words,
    rules.search_words, which hold letters and digits only)."""
    return word, word[:-1] + chr(ord(word[-1]) + 1)


def _matching(word: str, started: list[str] | None) -> Q:
    """The rows of the words ``word`` starts: the list of them when it is known, so the planner
    estimates each by its own statistics (it estimates a range of a few very common values badly),
    else the range."""
    if started is not None:
        return Q(word__in=started)
    low, high = _range(word)
    return Q(word__gte=low, word__lt=high)


def _words_started(words: list[str]) -> dict[str, list[str] | None]:
    """The register's different words each of ``words`` starts ("moham": mohamed, mohamud), found in one
    statement by stepping along the index from one to the next, not by reading their rows; None for a
    word that starts more than MAX_WORDS_STARTED."""
    table = connection.ops.quote_name(PersonNameWord._meta.db_table)
    first = " UNION ALL ".join(
        f"SELECT {n}, (SELECT MIN(word) FROM {table} WHERE word >= %s AND word < %s), %s, 1"  # noqa: S608
        for n in range(len(words))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE started(n, word, high, steps) AS ({first} "  # noqa: S608 - the table's name, quoted
            f"UNION ALL SELECT s.n, (SELECT MIN(t.word) FROM {table} t WHERE t.word > s.word AND t.word < s.high), "
            "s.high, s.steps + 1 FROM started s WHERE s.word IS NOT NULL AND s.steps <= %s) "
            "SELECT n, word FROM started WHERE word IS NOT NULL ORDER BY n, word",
            [*(v for w in words for v in (*_range(w), _range(w)[1])), MAX_WORDS_STARTED],
        )
        found: dict[str, list[str] | None] = {w: [] for w in words}
        for n, word in cursor.fetchall():
            found[words[n]].append(word)  # type: ignore[union-attr]
    return {w: (started if len(started or []) <= MAX_WORDS_STARTED else None) for w, started in found.items()}


def _rows_of_each(words: list[str], up_to: int) -> dict[str, int]:
    """How many rows of the index each word starts, counted up to ``up_to``: one statement, a short
    walk along the index for each word, however common."""
    table = connection.ops.quote_name(PersonNameWord._meta.db_table)
    counted = ", ".join(
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE word >= %s AND word < %s LIMIT %s) AS c{n})"  # noqa: S608
        for n in range(len(words))
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counted}", [v for w in words for v in (*_range(w), up_to)])
        row = cursor.fetchone()
    return dict(zip(words, row, strict=True))


@dataclass(frozen=True)
class _WordStatistics:
    shares: dict[str, float]  # the share of the index's rows each of its commonest words holds
    words_a_person: float  # rows of the index per person
    people: float

    def holding(self, words: list[str]) -> float:
        """The share of the people who hold one of ``words`` (the words a question's word starts)."""
        return min(1.0, sum(self.shares.get(w, 0.0) for w in words) * self.words_a_person)


def _commonest_words() -> _WordStatistics:
    """PostgreSQL's statistics of the index's commonest words (pg_stats, refreshed by autovacuum's
    ANALYZE); none on SQLite, whose registers are small.

    They decide which of several common words leads: Gedi's people, each checked for Mohamed, give
    a page in a few hundred rows, where Mohamed's, read in the page's order (by family name) and each
    checked for Gedi, would need every Mohamed whose family name comes before Gedi."""
    if connection.vendor != "postgresql":
        return _WordStatistics(shares={}, words_a_person=1.0, people=0.0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_vals::text::text[], most_common_freqs, "
            "(SELECT reltuples FROM pg_class WHERE relname = %s), (SELECT reltuples FROM pg_class WHERE relname = %s) "
            "FROM pg_stats WHERE tablename = %s AND attname = 'word'",
            [PersonNameWord._meta.db_table, Person._meta.db_table, PersonNameWord._meta.db_table],
        )
        row = cursor.fetchone()
    if row is None or not row[0]:
        return _WordStatistics(shares={}, words_a_person=1.0, people=0.0)
    people = max(float(row[3]), 1.0)
    return _WordStatistics(
        shares=dict(zip(row[0], row[1], strict=True)), words_a_person=max(float(row[2]) / people, 1.0), people=people
    )


def _first_page(word: str, others: list[Exists]) -> QuerySet[PersonNameWord, uuid.UUID]:
    """The people of one word of the register who hold the ``others`` too, in the page's order, as far
    as the page and one more: read along the (word, names) index and stopping there."""
    return (
        PersonNameWord.objects.filter(*others, word=word)
        .order_by("family_name", "given_names", "person_id")
        .values_list("person_id", flat=True)[: MAX_RESULTS + 1]
    )


def _named(words: list[str]) -> QuerySet[Person]:
    """The people holding every one of ``words`` (each as a word or the start of one), as a set small
    enough to sort: at most MAX_RESULTS + 1 of a common word's people, in the page's order."""
    started = _words_started(words)
    if any(found == [] for found in started.values()):
        return Person.objects.none()  # a word nobody on the register has
    rows = _rows_of_each(words, RARE_WORD_ROWS)
    leading = min(words, key=rows.__getitem__)
    few_together = False
    if len(words) > 1 and rows[leading] >= RARE_WORD_ROWS:
        # Every word is common: the least common by the database's statistics leads (one not among
        # its commonest words is less common than all of them).
        statistics = _commonest_words()
        leading = min(words, key=lambda w: statistics.holding(started[w] or [w]))
        # How many people would hold every word, the words taken as independent: under two pages
        # (Deqa Garang Tesfaye: a few people), the page is not found early in the leading word's
        # order, so its people are all read and the database joins the words as it sees fit.
        together = statistics.people
        for word in words:
            together *= statistics.holding(started[word] or [word])
        few_together = together < 2 * (MAX_RESULTS + 1)
    others = [
        Exists(PersonNameWord.objects.filter(_matching(w, started[w]), person=OuterRef("person")))
        for w in words
        if w != leading
    ]
    read_whole = rows[leading] < RARE_WORD_ROWS or started[leading] is None or few_together
    if read_whole:
        holders = PersonNameWord.objects.filter(_matching(leading, started[leading]), *others)
        return Person.objects.filter(pk__in=holders.values("person_id"))
    pages = started[leading] or []
    if len(pages) == 1:  # the usual case: the page read inside the query that reads the people
        return Person.objects.filter(pk__in=_first_page(pages[0], others))
    # Each word's first page: the people of the whole page are among them.
    page: set[uuid.UUID] = set()
    for word in pages:
        page.update(_first_page(word, others))
    return Person.objects.filter(pk__in=page)


def _holds(word: str, person: OuterRef) -> Exists:
    """Whether the person (``person``, of the outer query) holds ``word`` or a word it starts."""
    return Exists(PersonNameWord.objects.filter(_matching(word, None), person=person))


def _found(words: list[str], number: str, household: str) -> list[Any]:  # Person, annotated
    """The people of a search (at most MAX_RESULTS + 1), each with their status and household."""
    if number or household:
        # A document or a household names a person or a few: the words are checked person by person.
        people = Person.objects.filter(*(_holds(w, OuterRef("pk")) for w in words))
    else:
        people = _named(words)
    if number:
        people = people.filter(pk__in=RefugeeDocument.objects.filter(number=number).values("person_id"))
    if household:
        joined = Membership.objects.filter(household__number=household, kind=Membership.Kind.JOINED)
        people = people.filter(pk__in=joined.values("person_id"))
    # Each line's status and household (as household_of tells it) in the same query, not two more a line.
    today = timezone.localdate()
    latest = Membership.objects.filter(person=OuterRef("pk"), on__lte=today).order_by("-on", "-recorded_at")
    # The filters are semi-joins (no duplicate rows), so no DISTINCT: the server works out the
    # annotations of the page of lines only, after the sort and the limit.
    return list(
        people.annotate(
            status=Subquery(StatusStep.objects.filter(person=OuterRef("pk")).order_by("-sequence").values("step")[:1]),
            home_kind=Subquery(latest.values("kind")[:1]),
            home_number=Subquery(latest.values("household__number")[:1]),
        ).order_by("family_name", "given_names", "pk")[: MAX_RESULTS + 1]
    )


def search(
    *, reader: User, name: str = "", document_number: str = "", household_number: str = "", channel: str = "desk"
) -> SearchResult:
    """People matching every term given: all the words of ``name`` among their names and aliases, a
    document number of theirs, their household's number; at most MAX_RESULTS of them, in the order of
    their names, and whether there were more. Each person listed is a logged read."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, "search", AccessEvent.Purpose.SEARCH, channel)
    words = rules.search_words(name)
    number = rules.normalise_number(document_number)
    household = household_number.strip().upper()
    if not (words or number or household):
        return SearchResult(lines=[])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A search is a short read that stops at a page: starting parallel workers for it costs
            # more than they save, and on a busy two-core hub it tripled the slowest searches.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        found = _found(words, number, household)
    lines = [
        PersonLine(
            id=person.pk,
            name=f"{person.given_names} {person.family_name}",
            aliases=person.aliases,
            date_of_birth=person.date_of_birth,
            date_of_birth_estimated=person.date_of_birth_estimated,
            nationality=person.nationality,
            status_name=_status_name(person.status),
            household_number=person.home_number if person.home_kind == Membership.Kind.JOINED else "",
        )
        for person in found[:MAX_RESULTS]
    ]
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(line.id), None, AccessEvent.Outcome.SHOWN) for line in lines],
        purpose=AccessEvent.Purpose.SEARCH,
        channel=channel,
    )
    return SearchResult(lines=lines, more=len(found) > MAX_RESULTS)


def person_to_change(*, reader: User, person_id: uuid.UUID | str) -> Person:
    """The person a form changes (a status step, a document): the register's roles only, else refused and logged."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, str(person_id), AccessEvent.Purpose.RECORD, "desk")
    try:
        return Person.objects.get(pk=uuid.UUID(str(person_id)))
    except (ValueError, Person.DoesNotExist):
        raise NotFound() from None


def document_to_change(*, reader: User, document_id: uuid.UUID | str) -> RefugeeDocument:
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, str(document_id), AccessEvent.Purpose.RECORD, "desk")
    try:
        return RefugeeDocument.objects.select_related("person").get(pk=uuid.UUID(str(document_id)))
    except (ValueError, RefugeeDocument.DoesNotExist):
        raise NotFound() from None


def household_by_number(number: str) -> Household | None:
    return Household.objects.filter(number=number.strip().upper()).first()


# --- Figures: counts only, for the supervisor and the UNHCR liaison ------------------------


@dataclass(frozen=True)
class FigureRow:
    label: str
    office: str
    count: str


@dataclass(frozen=True)
class Figures:
    """The register's figures for the Shirika plan: counts only, small ones suppressed."""

    by_status: list[FigureRow]
    by_document: list[FigureRow]
    expiring: list[FigureRow]  # valid documents whose expiry date falls within EXPIRING_DAYS
    permits: list[FigureRow]  # work and movement permits issued, by year of issue
    expiring_days: int
    incidents: list["IncidentRow"]


@dataclass(frozen=True)
class IncidentRow:
    """OB incidents of one crime category in one settlement: how many involve a refugee, a host."""

    office: str
    category: str
    refugees: str
    hosts: str


@dataclass(frozen=True)
class IncidentCount:
    """What a counter answers: entries of ``category`` whose refugee or host party is registered at ``office``."""

    office: str
    category: str
    refugees: int
    hosts: int


# OB incidents involving refugees and hosts are counted from the crime rollup, above the register in
# the layers: the figures app registers its counter here at start-up (reports.refugee_incidents).
IncidentCounter = Callable[[], Sequence[IncidentCount]]
_incident_counters: list[IncidentCounter] = []


def register_incident_counter(counter: IncidentCounter) -> None:
    if counter not in _incident_counters:
        _incident_counters.append(counter)


def _incidents(threshold: int) -> list[IncidentRow]:
    names = dict(crime_rules().categories)  # in the crime figures' order
    order = {code: n for n, code in enumerate(names)}
    counts = [count for counter in _incident_counters for count in counter()]
    counts.sort(key=lambda c: (c.office, order.get(c.category, len(order))))
    return [
        IncidentRow(
            office=rules.OFFICES.get(count.office, count.office),
            category=names.get(count.category, count.category),
            refugees=_shown_count(count.refugees, threshold),
            hosts=_shown_count(count.hosts, threshold),
        )
        for count in counts
    ]


# A valid document expiring within this many days is counted as expiring: time for a renewal visit.
EXPIRING_DAYS = 90
# The register's permits: the Class M work permit (employment, trade, business or profession) and
# the movement pass. County business permits are not issued by the register (reference 1.2, a gap).
PERMITS = (rules.DocumentKind.CLASS_M_PERMIT, rules.DocumentKind.MOVEMENT_PASS)


def _shown_count(n: int, threshold: int) -> str:
    """Counts from 1 to threshold-1 read "<threshold": a small number can name a person."""
    return f"<{threshold}" if 0 < n < threshold else str(n)


def _document_figure_label(kind: str, state: str) -> str:
    name = rules.DOCUMENT_NAMES[rules.DocumentKind(kind)]
    return f"{name}: {rules.DOCUMENT_STATE_NAMES[rules.DocumentState(state)]}"


def _people_by_status() -> Counter[tuple[str, str]]:
    """(office, status) -> people: each person's last status step, found as the step no later step of
    theirs follows (an anti-join the database does in one pass, where a subquery per person would
    probe 800,000 times); a person with no step yet counts under ""."""
    later = StatusStep.objects.filter(person=OuterRef("person"), sequence__gt=OuterRef("sequence"))
    last_steps = StatusStep.objects.filter(~Exists(later)).values("person__office", "step").annotate(n=Count("id"))
    counts = Counter({(row["person__office"], row["step"]): row["n"] for row in last_steps})
    stepless = Person.objects.filter(~Exists(StatusStep.objects.filter(person=OuterRef("pk"))))
    for row in stepless.values("office").annotate(n=Count("id")):
        counts[(row["office"], "")] += row["n"]
    return counts


def _documents_with_no_event() -> QuerySet[RefugeeDocument]:
    return RefugeeDocument.objects.filter(~Exists(DocumentEvent.objects.filter(document=OuterRef("pk"))))


def _documents_by_state(today: date) -> Counter[tuple[str, str, str]]:
    """(office, kind, state) -> documents on ``today``, as rules.document_state gives each: a document
    with events is in the state of its last one (revoked, lost, replaced), found as the event no later
    event of the document follows; one with none is expired after its expiry date, else valid. Two
    GROUP BYs in the database; no document row is read into Python."""
    by_expiry = Case(
        When(expires_on__lt=today, then=Value(rules.DocumentState.EXPIRED.value)),
        default=Value(rules.DocumentState.VALID.value),
        output_field=CharField(),
    )
    quiet = _documents_with_no_event().annotate(state=by_expiry).values("office", "kind", "state")
    counts = Counter({(row["office"], row["kind"], row["state"]): row["n"] for row in quiet.annotate(n=Count("id"))})
    later = DocumentEvent.objects.filter(document=OuterRef("document")).filter(
        Q(recorded_at__gt=OuterRef("recorded_at"))
        | Q(recorded_at=OuterRef("recorded_at"), ledger_index__gt=OuterRef("ledger_index"))
    )
    last_events = (
        DocumentEvent.objects.filter(~Exists(later))
        .values("document__office", "document__kind", "kind")
        .annotate(n=Count("id"))
    )
    for row in last_events:
        counts[(row["document__office"], row["document__kind"], row["kind"])] += row["n"]
    return counts


def figures(*, reader: User, threshold: int, today: date | None = None) -> Figures:
    """People by status and office; documents by kind, state and office; valid documents expiring
    soon; permits issued by year; OB incidents involving refugees and hosts. Counted in the database;
    no name, no read of a person."""
    if not sees_refugee_figures(scope_of(reader)):
        raise NotPermitted()
    today = today or timezone.localdate()
    by_status = [
        FigureRow(label=_status_name(status or None), office=rules.OFFICES[office], count=_shown_count(n, threshold))
        for (office, status), n in sorted(_people_by_status().items())
    ]
    by_document = [
        FigureRow(
            label=_document_figure_label(kind, state),
            office=rules.OFFICES[office],
            count=_shown_count(n, threshold),
        )
        for (office, kind, state), n in sorted(_documents_by_state(today).items())
    ]
    # Only a document with no event can be valid: any event leaves it revoked, lost or replaced.
    soon = (
        _documents_with_no_event()
        .filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=EXPIRING_DAYS))
        .values("office", "kind")
        .annotate(n=Count("id"))
        .order_by("office", "kind")
    )
    expiring = [
        FigureRow(
            label=str(rules.DOCUMENT_NAMES[rules.DocumentKind(row["kind"])]),
            office=rules.OFFICES[row["office"]],
            count=_shown_count(row["n"], threshold),
        )
        for row in soon
    ]
    issued = (
        RefugeeDocument.objects.filter(kind__in=[kind.value for kind in PERMITS])
        .annotate(year=ExtractYear("issued_on"))
        .values("office", "kind", "year")
        .annotate(n=Count("id"))
        .order_by("office", "-year", "kind")
    )
    permits = [
        FigureRow(
            label=f"{rules.DOCUMENT_NAMES[rules.DocumentKind(row['kind'])]}, {row['year']}",
            office=rules.OFFICES[row["office"]],
            count=_shown_count(row["n"], threshold),
        )
        for row in issued
    ]
    return Figures(by_status, by_document, expiring, permits, EXPIRING_DAYS, _incidents(threshold))


# --- The public verify page: a document by its code, no personal details --------------------

DOCUMENT_RECORD_TYPE = "refugee_document"


@dataclass(frozen=True)
class DocumentVerification:
    """What anyone scanning a document's QR code is told: whether it is genuine and in force, its
    kind, number, office and dates. Never the holder's name, photo, status or anything else of theirs."""

    state: str  # a rules.DocumentState value, or "not_found"
    kind_name: str = ""
    number: str = ""
    office: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    changed_on: date | None = None  # revoked, reported lost or replaced on
    proof: LeafProof | None = None

    @property
    def found(self) -> bool:
        return self.state != "not_found"


def is_document_code(code: str) -> bool:
    """Whether a register document carries this (normalised) code; it only routes the /verify form."""
    return DocumentCode.objects.filter(code=code).exists()


def verify_document(*, code: str, actor: User | AnonymousUser) -> DocumentVerification:
    """The public answer for a scanned or typed code; every look-up is logged (an officer) or counted."""
    normalised = codes.normalise_code(code)
    found = (
        DocumentCode.objects.select_related("document").filter(code=normalised).first()
        if len(normalised) == codes.CODE_LENGTH
        else None
    )
    outcome = AccessEvent.Outcome.SHOWN if found is not None else AccessEvent.Outcome.DENIED
    if actor.is_authenticated:
        log_accesses(
            actor=actor,
            reads=[(DOCUMENT_RECORD_TYPE, str(found.document_id) if found else normalised[:64] or "-", None, outcome)],
            purpose=AccessEvent.Purpose.PUBLIC_VERIFY,
            channel="public",
        )
    else:
        # Nobody is identified and nothing personal is shown: a daily count, not a row per request.
        count_public_read(record_type=DOCUMENT_RECORD_TYPE, outcome=outcome)
    if found is None:
        return DocumentVerification(state="not_found")
    document = found.document
    state = services.state_of(document)
    last_event = document.events.order_by("-recorded_at").first()
    return DocumentVerification(
        state=state.value,
        kind_name=str(rules.DOCUMENT_NAMES[rules.DocumentKind(document.kind)]),
        number=document.number,
        office=rules.OFFICES[document.office],
        issued_on=document.issued_on,
        expires_on=document.expires_on,
        changed_on=last_event.on if last_event is not None else None,
        proof=prove_record(str(document.pk), records.document_record(document)),
    )


def code_of(document: RefugeeDocument) -> str:
    """The document's verification code as printed (``ABCDE-FGHJK``); empty if it has none."""
    row = DocumentCode.objects.filter(document=document).values_list("code", flat=True).first()
    return codes.display_code(row) if row else ""


# --- Status-correction cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionView:
    by: str
    approve: bool
    note: str
    at: datetime


@dataclass(frozen=True)
class CorrectionView:
    id: uuid.UUID
    reference: str
    person_id: uuid.UUID
    person_name: str
    date_of_birth: date
    national_id: str
    evidence: str
    opened_at: datetime
    opened_by: str
    state: str
    state_name: str
    decisions: tuple[DecisionView, ...]
    may_decide: bool
    decided_at: datetime | None  # when the case was approved or rejected


def correction_for(*, reader: User, case_id: uuid.UUID | str, purpose: AccessEvent.Purpose) -> CorrectionView:
    """A status-correction case with the person's name and national ID: a logged read of the person."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, str(case_id), purpose, "desk")
    try:
        case = CorrectionCase.objects.select_related("person").get(pk=uuid.UUID(str(case_id)))
    except (ValueError, CorrectionCase.DoesNotExist):
        raise NotFound() from None
    log_accesses(
        actor=reader,
        reads=[(RECORD_TYPE, str(case.person_id), None, AccessEvent.Outcome.SHOWN)],
        purpose=purpose,
        channel="desk",
    )
    decisions = tuple(
        DecisionView(by=d.decided_by, approve=d.approve, note=d.note, at=d.decided_at)
        for d in case.decisions.order_by("decided_at")
    )
    plain = [rules.Decision(by=d.by, approve=d.approve) for d in decisions]
    state = rules.correction_state(plain)
    by = reader.get_username()
    return CorrectionView(
        id=case.pk,
        reference=case.reference,
        person_id=case.person_id,
        person_name=f"{case.person.given_names} {case.person.family_name}",
        date_of_birth=case.person.date_of_birth,
        national_id=case.national_id,
        evidence=case.evidence,
        opened_at=case.opened_at,
        opened_by=case.opened_by,
        state=state.value,
        state_name=str(rules.CORRECTION_STATE_NAMES[state]),
        decisions=decisions,
        may_decide=can_record_status_step(scope_of(reader), decision=True)
        and rules.decision_problem(opened_by=case.opened_by, decisions=plain, by=by) is None,
        decided_at=decisions[-1].at if state != rules.CorrectionState.OPEN and decisions else None,
    )


def correction_to_decide(*, reader: User, case_id: uuid.UUID | str) -> CorrectionCase:
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, str(case_id), AccessEvent.Purpose.RECORD, "desk")
    try:
        return CorrectionCase.objects.get(pk=uuid.UUID(str(case_id)))
    except (ValueError, CorrectionCase.DoesNotExist):
        raise NotFound() from None


# --- The police desk: a refugee document shown as identity ---------------------------------------


@dataclass(frozen=True)
class DocumentCheck:
    """What the desk learns of a refugee document it is shown: whether the register issued it and
    its state. Never a name: the officer compares the photo and the name on the card themselves."""

    number: str
    state: str  # a rules.DocumentState value, "not_found", or "not_a_register_number"
    state_name: str = ""
    kind_name: str = ""
    office: str = ""
    issued_on: date | None = None
    expires_on: date | None = None
    # On a station node: when the hub signed the copy of the register the answer comes from
    # (state "no_copy" when none has reached the node yet); None at the hub, which asks the register.
    as_of: datetime | None = None

    @property
    def in_force(self) -> bool:
        return self.state == rules.DocumentState.VALID


def check_document(*, reader: User, number: str) -> DocumentCheck:
    """The register's answer for a document number typed at the desk; every check is logged."""
    if not can_check_refugee_document(scope_of(reader)):
        raise NotPermitted()
    normalised = rules.normalise_number(number)
    kind = rules.kind_of_number(normalised)
    if settings.DAFTARI_ROLE == "node":
        return _check_copy(reader, normalised, kind)
    document = RefugeeDocument.objects.filter(kind=kind, number=normalised).first() if kind is not None else None
    log_accesses(
        actor=reader,
        reads=[
            (
                DOCUMENT_RECORD_TYPE,
                str(document.pk) if document is not None else normalised[:64] or "-",
                None,
                AccessEvent.Outcome.SHOWN if document is not None else AccessEvent.Outcome.DENIED,
            )
        ],
        purpose=AccessEvent.Purpose.SEARCH,
        channel="desk",
    )
    if kind is None:
        return DocumentCheck(number=normalised, state="not_a_register_number")
    if document is None:
        return DocumentCheck(number=normalised, state="not_found", kind_name=str(rules.DOCUMENT_NAMES[kind]))
    state = services.state_of(document)
    return DocumentCheck(
        number=normalised,
        state=state.value,
        state_name=str(rules.DOCUMENT_STATE_NAMES[state]),
        kind_name=str(rules.DOCUMENT_NAMES[kind]),
        office=rules.OFFICES[document.office],
        issued_on=document.issued_on,
        expires_on=document.expires_on,
    )


def _check_copy(reader: User, number: str, kind: rules.DocumentKind | None) -> DocumentCheck:
    """On a station node, which holds no register: the answer from its last verified copy of the
    documents' states (refugees.node_copy), saying when the hub signed it."""
    as_of = hub_copy.as_of()
    copy = node_copy.latest_copy(kind, number) if kind is not None and as_of is not None else None
    log_accesses(
        actor=reader,
        reads=[
            (
                DOCUMENT_RECORD_TYPE,
                number[:64] or "-",
                None,
                AccessEvent.Outcome.SHOWN if copy is not None else AccessEvent.Outcome.DENIED,
            )
        ],
        purpose=AccessEvent.Purpose.SEARCH,
        channel="desk",
    )
    if kind is None:
        return DocumentCheck(number=number, state="not_a_register_number")
    kind_name = str(rules.DOCUMENT_NAMES[kind])
    if as_of is None:
        return DocumentCheck(number=number, state="no_copy", kind_name=kind_name)
    if copy is None:
        return DocumentCheck(number=number, state="not_found", kind_name=kind_name, as_of=as_of)
    state = rules.state_on(rules.DocumentState(copy.state), expires_on=copy.expires_on, today=timezone.localdate())
    return DocumentCheck(
        number=number,
        state=state.value,
        state_name=str(rules.DOCUMENT_STATE_NAMES[state]),
        kind_name=kind_name,
        office=rules.OFFICES[copy.office],
        issued_on=copy.issued_on,
        expires_on=copy.expires_on,
        as_of=as_of,
    )


def identity_note(reader: User, id_number: str) -> str | None:
    """The desk's person hint for an ID number that is a refugee document's: its state in the register
    (core.identity). A mismatch is said, and the report is recorded all the same."""
    if rules.kind_of_number(rules.normalise_number(id_number)) is None:
        return None
    if not can_check_refugee_document(scope_of(reader)):
        return None
    check = check_document(reader=reader, number=id_number)
    if check.state == "no_copy":
        return str(
            _(
                "%(kind)s %(number)s: no copy of the refugee register has reached this station yet. "
                "Compare the photo and name on the card with the person."
            )
        ) % {"kind": check.kind_name, "number": check.number}
    if check.state == rules.DocumentState.VALID:
        note = str(_("%(kind)s %(number)s: valid in the refugee register.")) % {
            "kind": check.kind_name,
            "number": check.number,
        }
    elif check.state == "not_found":
        note = str(_("Mismatch: the refugee register has issued no %(kind)s numbered %(number)s.")) % {
            "kind": check.kind_name,
            "number": check.number,
        }
    else:
        note = str(_("Mismatch: %(kind)s %(number)s is %(state)s in the refugee register.")) % {
            "kind": check.kind_name,
            "number": check.number,
            "state": check.state_name.lower(),
        }
    if check.as_of is not None:
        # A station node's answer is its last verified copy: the officer is told how old it is.
        note += " " + str(_("(As the register stood at %(time)s.)")) % {"time": register_time(check.as_of)}
    return note


def register_time(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "j M Y H:i")


# --- De-duplication proposals (dedupe.run_pass): for DRS review ---------------------------------

PROPOSALS_SHOWN = 200


@dataclass(frozen=True)
class ProposalLine:
    id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    aliases: str
    sex: str
    date_of_birth: date
    date_of_birth_estimated: bool
    national_id: str
    holder_names: str
    holder_sex: str
    holder_date_of_birth: date
    score: int
    reasons: str
    proposed_at: datetime
    source: str
    case_id: uuid.UUID | None  # a status-correction case on this person for this national ID
    case_reference: str


def match_proposals(*, reader: User, limit: int = PROPOSALS_SHOWN) -> list[ProposalLine]:
    """The de-duplication pass's proposals, strongest first, those not yet taken up as a case before
    those that were; each person shown is a logged read."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, "match_proposals", AccessEvent.Purpose.LIST, "desk")
    rows = list(
        MatchProposal.objects.select_related("person", "dedupe_pass").order_by("-score", "-proposed_at")[: limit * 2]
    )
    cases = {
        (c.person_id, c.national_id): c
        for c in CorrectionCase.objects.filter(person_id__in={r.person_id for r in rows}).order_by("opened_at")
    }
    lines = []
    for r in rows:
        case = cases.get((r.person_id, r.national_id))
        lines.append(
            ProposalLine(
                id=r.pk,
                person_id=r.person_id,
                person_name=f"{r.person.given_names} {r.person.family_name}",
                aliases=r.person.aliases,
                sex=r.person.get_sex_display(),
                date_of_birth=r.person.date_of_birth,
                date_of_birth_estimated=r.person.date_of_birth_estimated,
                national_id=r.national_id,
                holder_names=r.holder_names,
                holder_sex=str(rules.SEX_NAMES.get(rules.Sex(r.holder_sex), r.holder_sex)),
                holder_date_of_birth=r.holder_date_of_birth,
                score=r.score,
                reasons=rules.match_reason_text(r.reasons),
                proposed_at=r.proposed_at,
                source=r.dedupe_pass.source,
                case_id=case.pk if case is not None else None,
                case_reference=case.reference if case is not None else "",
            )
        )
    lines.sort(key=lambda line: line.case_id is not None)  # stable: the score order holds within each
    lines = lines[:limit]
    log_accesses(
        actor=reader,
        reads=[
            (RECORD_TYPE, str(pid), None, AccessEvent.Outcome.SHOWN)
            for pid in dict.fromkeys(line.person_id for line in lines)
        ],
        purpose=AccessEvent.Purpose.LIST,
        channel="desk",
    )
    return lines


def proposal_evidence(*, reader: User, proposal_id: uuid.UUID | str, person_id: uuid.UUID) -> dict[str, str]:
    """What the case form starts from when an officer opens a case from a proposal: the national ID
    number and the evidence the pass found, for the officer to check and add to. Empty if none."""
    if not reads_refugee_register(scope_of(reader)):
        _refuse(reader, str(proposal_id), AccessEvent.Purpose.RECORD, "desk")
    try:
        proposal = MatchProposal.objects.select_related("dedupe_pass").get(
            pk=uuid.UUID(str(proposal_id)), person_id=person_id
        )
    except (ValueError, MatchProposal.DoesNotExist):
        return {}
    evidence = str(
        _(
            "De-duplication pass of %(day)s against %(source)s: national ID holder %(names)s, %(sex)s, born "
            "%(born)s (%(reasons)s)."
        )
    ) % {
        "day": proposal.dedupe_pass.finished_at.date().isoformat(),
        "source": proposal.dedupe_pass.source,
        "names": proposal.holder_names,
        "sex": rules.SEX_NAMES.get(rules.Sex(proposal.holder_sex), proposal.holder_sex),
        "born": proposal.holder_date_of_birth.isoformat(),
        "reasons": rules.match_reason_text(proposal.reasons),
    }
    return {"national_id": proposal.national_id, "evidence": evidence}
