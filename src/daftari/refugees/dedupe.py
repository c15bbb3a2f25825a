"""The de-duplication pass: the register against the National Registration Bureau's ID list (issue 14).

One service function, ``run_pass``: it files every registered person under their blocking keys
(rules.register_blocking_keys: a pair of name words with the date of birth), streams the list,
compares each holder only with the people filed under the holder's keys (rules.match, which drops an
agreement other people on the register would show by chance: NameStats from this filing), keeps the
unambiguous matches (rules.unambiguous: a holder two people match equally well names neither), and
records the pass and its proposals append-only in one transaction at the end. It opens no case: a DRS
officer reviews each proposal and opens a status-correction case from it with the existing service.

The register is held in memory while the list streams past it: the bench's pass over the country's
800,000 people peaked at 1.3 GB, and its comparisons are the pairs that share a key (9.8 million
against 1,000,000 holders), not people times holders.
"""

import csv
import io
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from daftari.refugees import rules
from daftari.refugees.models import DedupePass, MatchProposal, Person

# The share of the pass's proposals that are true on the seeded test set (tests/refugees/test_dedupe.py:
# 500 people, 100 double registrations, half under a Maisha Namba and half under an older ID number,
# 100 same-named near misses born another year, 1,500 other Kenyans). Measured 1.000 there and on the
# bench's 800,000 people (bench/refugees.py); the test fails if the pass falls below it, and the
# command states it with every pass, since a real list carries no truth to measure against.
SEEDED_PRECISION = 0.95

Progress = Callable[[int], None]
PROGRESS_EVERY = 10_000
WRITE_BATCH = 5_000


@dataclass
class RegisterIndex:
    entries: list[rules.RegisterEntry]
    by_key: dict[str, list[int]]
    stats: rules.NameStats


def index_register(*, progress: Progress | None = None) -> RegisterIndex:
    """Every registered person as a rules.RegisterEntry, filed under each of their blocking keys."""
    entries: list[rules.RegisterEntry] = []
    by_key: dict[str, list[int]] = {}
    rows = Person.objects.order_by().values_list(
        "pk", "given_names", "family_name", "aliases", "sex", "date_of_birth", "date_of_birth_estimated"
    )
    for pk, given, family, aliases, sex, born, estimated in rows.iterator(chunk_size=20_000):
        entry = rules.RegisterEntry(
            key=pk,
            names=rules.name_words(given, family),
            aliases=rules.name_words(aliases),
            sex=sex,
            date_of_birth=born,
            estimated=estimated,
        )
        at = len(entries)
        entries.append(entry)
        for key in rules.register_blocking_keys(entry):
            by_key.setdefault(key, []).append(at)
        if progress is not None and len(entries) % PROGRESS_EVERY == 0:
            progress(len(entries))
    if progress is not None:
        progress(len(entries))
    words = Counter(w for e in entries for w in e.names | e.aliases)
    stats = rules.NameStats(
        word_share={w: n / len(entries) for w, n in words.items()},
        born_in=Counter(e.date_of_birth.year for e in entries),
    )
    return RegisterIndex(entries=entries, by_key=by_key, stats=stats)


def read_national_ids(stream: TextIO) -> Iterator[Sequence[str]]:
    """The rows of the bureau's CSV after its header (id_number, names, sex, date_of_birth)."""
    reader = csv.reader(stream)
    header = [cell.strip().casefold() for cell in next(reader, [])]
    if tuple(header[: len(rules.NATIONAL_ID_COLUMNS)]) != rules.NATIONAL_ID_COLUMNS:
        raise rules.NationalIdFileError(
            f"the header is {','.join(header) or 'missing'}; expected {','.join(rules.NATIONAL_ID_COLUMNS)}"
        )
    return reader


def national_ids_from_text(text: str) -> Iterator[Sequence[str]]:
    return read_national_ids(io.StringIO(text))


@dataclass
class _Found:
    person: uuid.UUID
    record: rules.NationalIdRecord
    finding: rules.MatchFinding


def run_pass(
    *,
    rows: Iterable[Sequence[str]],
    source: str,
    run_by: str,
    index: RegisterIndex | None = None,
    progress: Progress | None = None,
) -> DedupePass:
    """Compares the register with the national ID ``rows`` and records the pass with its new
    proposals. A pair an earlier pass proposed is counted, not proposed again."""
    started = timezone.now()
    register = index if index is not None else index_register()
    found: list[_Found] = []
    read = skipped = compared = 0
    for row in rows:
        read += 1
        if progress is not None and read % PROGRESS_EVERY == 0:
            progress(read)
        record = rules.national_id_row(row)
        if record is None:
            skipped += 1
            continue
        words = record.words
        candidates: set[int] = set()
        for key in rules.national_id_blocking_keys(words, record.date_of_birth):
            candidates.update(register.by_key.get(key, ()))
        compared += len(candidates)
        for at in candidates:
            entry = register.entries[at]
            finding = rules.match(entry, record, words=words, stats=register.stats)
            if finding is not None:
                found.append(_Found(person=entry.key, record=record, finding=finding))  # type: ignore[arg-type]
    if progress is not None:
        progress(read)
    kept, ambiguous = rules.unambiguous(
        [rules.Candidate(person=f.person, id_number=f.record.id_number, score=f.finding.score) for f in found]
    )
    chosen = {(c.person, c.id_number) for c in kept}
    found = [f for f in found if (f.person, f.record.id_number) in chosen]
    counts = (read - skipped, skipped, compared, ambiguous)
    return _record(found, started=started, source=source, run_by=run_by, counts=counts, people=len(register.entries))


def _record(
    found: list[_Found], *, started: datetime, source: str, run_by: str, counts: tuple[int, int, int, int], people: int
) -> DedupePass:
    national_ids, skipped, compared, ambiguous = counts
    with transaction.atomic():
        earlier = set(MatchProposal.objects.values_list("person_id", "national_id"))
        new: list[_Found] = []
        for f in found:
            pair = (f.person, f.record.id_number)
            if pair not in earlier:
                earlier.add(pair)
                new.append(f)
        now = timezone.now()
        dedupe_pass = DedupePass.objects.create(
            source=source[:200],
            national_ids=national_ids,
            skipped_rows=skipped,
            people=people,
            compared=compared,
            ambiguous=ambiguous,
            proposed=len(new),
            already_proposed=len(found) - len(new),
            started_at=started,
            finished_at=now,
            run_by=run_by[:150],
        )
        MatchProposal.objects.bulk_create(
            (
                MatchProposal(
                    dedupe_pass=dedupe_pass,
                    person_id=f.person,
                    national_id=f.record.id_number,
                    holder_names=f.record.names[:300],
                    holder_sex=f.record.sex,
                    holder_date_of_birth=f.record.date_of_birth,
                    score=f.finding.score,
                    reasons=",".join(f.finding.reasons),
                    proposed_at=now,
                )
                for f in new
            ),
            batch_size=WRITE_BATCH,
        )
    return dedupe_pass
