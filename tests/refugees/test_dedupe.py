"""The de-duplication pass (issue 14): the register against the national ID list proposes the people
who look like a national ID holder, for DRS review; it opens no case and changes no record."""

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from daftari.refugees import dedupe, rules
from daftari.refugees.models import CorrectionCase, MatchProposal, Person
from daftari.refugees.rules import MatchReason, NationalIdRecord, RegisterEntry
from daftari.stations.models import AccessEvent

# --- The rules -------------------------------------------------------------------------------


def entry(names: str, born: date, *, sex: str = "F", estimated: bool = False, aliases: str = "") -> RegisterEntry:
    return RegisterEntry(
        key=1, names=rules.name_words(names), aliases=rules.name_words(aliases), sex=sex, date_of_birth=born,
        estimated=estimated,
    )  # fmt: skip


def holder(names: str, born: date, *, sex: str = "F") -> NationalIdRecord:
    return NationalIdRecord(id_number="23456789", names=names, sex=sex, date_of_birth=born)


BORN = date(1988, 3, 14)


def test_names_are_compared_as_words_without_case_accents_punctuation_or_initials() -> None:
    assert rules.name_words("ABDÍ  H. Mohamed-Ali", "o'brien") == {"abdi", "mohamed", "ali", "obrien"}


def test_the_same_names_in_another_order_with_the_same_birth_date_and_sex_are_proposed() -> None:
    finding = rules.match(entry("Amina Hassan Abdi", BORN), holder("ABDI Amina Hassan", BORN))
    assert finding is not None and finding.score == 100
    assert finding.reasons == (MatchReason.SAME_NAMES, MatchReason.SAME_DATE)


def test_a_same_named_holder_born_in_another_year_is_not_proposed() -> None:
    assert rules.match(entry("Amina Hassan Abdi", BORN), holder("Amina Hassan Abdi", BORN.replace(year=1989))) is None
    assert rules.match(entry("Amina Hassan Abdi", BORN), holder("Amina Hassan Abdi", BORN + timedelta(days=1))) is None


def test_an_estimated_birth_date_matches_within_a_year_and_no_further() -> None:
    estimated = entry("Amina Hassan Abdi", date(1988, 1, 1), estimated=True)
    near = rules.match(estimated, holder("Amina Hassan Abdi", date(1989, 6, 30)))
    assert near is not None and MatchReason.ESTIMATED_DATE in near.reasons and near.score < 100
    assert rules.match(estimated, holder("Amina Hassan Abdi", date(1990, 1, 1))) is None


def test_the_other_sex_one_shared_word_or_names_of_neither_within_the_other_are_not_proposed() -> None:
    assert rules.match(entry("Amina Hassan Abdi", BORN), holder("Amina Hassan Abdi", BORN, sex="M")) is None
    assert rules.match(entry("Amina Hassan Abdi", BORN), holder("Amina Wanjiru", BORN)) is None
    assert rules.match(entry("Amina Hassan Abdi", BORN), holder("Amina Hassan Kamau", BORN)) is None


def test_names_found_through_an_alias_or_a_holder_with_an_extra_name_are_proposed_with_a_lower_score() -> None:
    through_alias = rules.match(
        entry("Amina Hassan Abdi", BORN, aliases="Amina Xasan"), holder("Amina Xasan Abdi", BORN)
    )
    assert through_alias is not None and MatchReason.THROUGH_ALIAS in through_alias.reasons
    extra = rules.match(entry("Amina Abdi", BORN), holder("Amina Hassan Abdi", BORN))
    assert extra is not None and extra.reasons[0] == MatchReason.NAMES_WITHIN and extra.score < 100


def test_an_agreement_many_other_registered_people_would_show_by_chance_is_not_proposed() -> None:
    common = {"mohamed": 0.3, "abdi": 0.3, "hassan": 0.3}
    stats = rules.NameStats(
        word_share={**common, "warsame": 0.001, "guled": 0.001}, born_in={1989: 9000, 1990: 9000, 1991: 9000}
    )
    about_1990 = date(1990, 1, 1)

    assert (
        rules.match(
            entry("Mohamed Abdi Hassan", about_1990, estimated=True),
            holder("Mohamed Abdi Hassan", BORN.replace(year=1990)),
            stats=stats,
        )
        is None
    )
    assert (
        rules.match(
            entry("Guled Warsame Hassan", about_1990, estimated=True),
            holder("Guled Warsame Hassan", BORN.replace(year=1990)),
            stats=stats,
        )
        is not None
    )
    # On the day itself, names one person in ten bears are still evidence: few of 9,000 share the day.
    exact = BORN.replace(year=1990)
    amina = rules.NameStats(word_share={"amina": 0.1, "farah": 0.1, "nur": 0.1}, born_in=stats.born_in)
    assert rules.match(entry("Amina Farah Nur", exact), holder("Nur Amina Farah", exact), stats=amina) is not None
    # Names three in ten bear are not, even on the day: most such agreements are two people.
    assert rules.match(entry("Mohamed Abdi Hassan", exact), holder("Mohamed Abdi Hassan", exact), stats=stats) is None


def test_records_that_could_match_share_a_blocking_key_and_a_near_miss_shares_none() -> None:
    person = entry("Amina Hassan Abdi", BORN)
    same = set(rules.register_blocking_keys(person)) & set(
        rules.national_id_blocking_keys(rules.name_words("Abdi Amina"), BORN)
    )
    other_year = set(rules.register_blocking_keys(person)) & set(
        rules.national_id_blocking_keys(rules.name_words("Amina Hassan Abdi"), BORN.replace(year=1990))
    )
    assert same and not other_year


def test_a_holder_two_people_match_equally_well_names_neither_and_a_single_best_match_stands() -> None:
    tie = [rules.Candidate("p1", "11111111", 85), rules.Candidate("p2", "11111111", 85)]
    best = [rules.Candidate("p3", "22222222", 100), rules.Candidate("p4", "22222222", 85)]
    person_twice = [rules.Candidate("p5", "33333333", 90), rules.Candidate("p5", "44444444", 90)]

    kept, left_out = rules.unambiguous([*tie, *best, *person_twice])

    assert kept == [best[0]] and left_out == 5


def test_a_row_holding_a_maisha_namba_is_read_with_its_14_digits_as_printed_in_groups_or_not() -> None:
    for printed in ("20241234567890", "2024 1234 5678 90", "2024-1234-5678-90"):
        record = rules.national_id_row([printed, "Amina Abdi", "F", "1988-03-14"])
        assert record == NationalIdRecord("20241234567890", "Amina Abdi", "F", BORN), printed
    for wrong in ("2024123456789", "202412345678901", "123456789"):  # 13, 15 and 9 digits
        assert rules.national_id_row([wrong, "Amina Abdi", "F", "1988-03-14"]) is None, wrong


def test_a_row_of_the_list_is_read_or_skipped() -> None:
    record = rules.national_id_row(["12345678", " Amina Abdi ", "female", "1988-03-14"])
    assert record == NationalIdRecord("12345678", "Amina Abdi", "F", BORN)
    assert rules.national_id_row(["1234567", "Amina Abdi", "F", "1988-03-14"]) is not None
    assert rules.national_id_row(["1234", "Amina Abdi", "F", "1988-03-14"]) is None
    assert rules.national_id_row(["12345678", "Amina Abdi", "F", "14/03/1988"]) is None
    assert rules.national_id_row(["12345678", "Amina Abdi"]) is None


# --- A seeded test set: the true matches known ------------------------------------------------

GIVEN = (
    "Amina", "Fatuma", "Halima", "Hodan", "Ayan", "Nyibol", "Achol", "Furaha", "Neema", "Zawadi", "Sahra", "Deqa",
    "Abdi", "Hassan", "Mohamed", "Ahmed", "Deng", "Garang", "Kuol", "Bahati", "Jean", "Pierre", "Musa", "Yusuf",
    "Ibrahim", "Omar", "Ali", "Nasra", "Khadija", "Mariam", "Akech", "Mabior", "Kiza", "Riziki", "Ismail", "Idris",
)  # fmt: skip
FAMILY = (
    "Abdi", "Hassan", "Mohamed", "Farah", "Warsame", "Osman", "Deng", "Garang", "Majok", "Lual", "Mugisha", "Habimana",
    "Ndayishimiye", "Bizimana", "Kabila", "Mutombo", "Nkurunziza", "Adan", "Hussein", "Ibrahim", "Gedi", "Jama",
)  # fmt: skip
KENYAN = (
    "Wanjiru", "Kamau", "Otieno", "Achieng", "Kiptoo", "Chebet", "Mwangi", "Njeri", "Odhiambo", "Wafula", "Nafula",
    "Mutua", "Mueni", "Kibet", "Jepkosgei", "Abdi", "Hassan", "Mohamed", "Adan", "Gedi", "Farah", "Omar", "Halima",
)  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    rows: list[list[str]]
    truth: set[tuple[uuid.UUID, str]]  # (person, national ID) pairs that are the same human
    near_misses: set[tuple[uuid.UUID, str]]


def _name(rng: random.Random, pool_a: tuple[str, ...], pool_b: tuple[str, ...]) -> tuple[str, str]:
    given = " ".join(rng.sample(pool_a, 2))
    family = rng.choice([f for f in pool_b if f not in given.split()])
    return given, family


def _born(rng: random.Random) -> date:
    return date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))


def maisha_namba(serial: int) -> str:
    """A 14-digit Maisha Namba for the seeded list (the form only: SOURCES.md)."""
    return f"{10**13 + serial}"


def seed_register_and_list(*, people: int, seed: int = 14) -> Seeded:
    """``people`` registered; a list holding a variant of one in five of them (the double registrations),
    a same-named holder born another year for one in five, and 3x ``people`` other Kenyans; half of
    the double registrations and of the Kenyans hold a Maisha Namba, the others an older ID number."""
    rng = random.Random(seed)
    now = timezone.now()
    registered = []
    for _ in range(people):
        given, family = _name(rng, GIVEN, FAMILY)
        estimated = rng.random() < 0.4
        born = _born(rng)
        registered.append(
            Person(
                given_names=given,
                family_name=family,
                aliases=rng.choice(["", "", "", f"{given.split()[0]}a"]),
                name_key=rules.name_key(given, family),
                sex=rng.choice("FM"),
                date_of_birth=date(born.year, 1, 1) if estimated else born,
                date_of_birth_estimated=estimated,
                nationality="Somali",
                office="DAD",
                registered_at=now,
                registered_by="seed",
            )
        )
    Person.objects.bulk_create(registered)
    numbers = iter(rng.sample(range(10_000_000, 39_999_999), people * 5))
    rows: list[list[str]] = []
    truth: set[tuple[uuid.UUID, str]] = set()
    near: set[tuple[uuid.UUID, str]] = set()
    for i, person in enumerate(registered):
        words = [*person.given_names.split(), person.family_name]
        if i % 5 == 0:  # a double registration: the same human in the bureau's list, written their way
            rng.shuffle(words)
            names = " ".join(w.upper() if rng.random() < 0.3 else w for w in words)
            born = person.date_of_birth
            if person.date_of_birth_estimated:  # the bureau holds the real date, within a year of the estimate
                born = date(person.date_of_birth.year + rng.choice([-1, 0, 0, 1]), 1, 1) + timedelta(rng.randrange(365))
            # Every other one under a 14-digit Maisha Namba, the rest under an older ID number.
            number = maisha_namba(next(numbers)) if i % 10 == 5 else str(next(numbers))
            rows.append([number, names, person.sex, born.isoformat()])
            truth.add((person.pk, number))
        elif i % 5 == 1:  # a near miss: a Kenyan of the same names born in another year
            gap = rng.choice([-3, -2, 2, 3]) if person.date_of_birth_estimated else rng.choice([-2, -1, 1, 2])
            born = person.date_of_birth.replace(year=person.date_of_birth.year + gap, day=1)
            number = maisha_namba(next(numbers)) if i % 10 == 6 else str(next(numbers))
            rows.append([number, " ".join(words), person.sex, born.isoformat()])
            near.add((person.pk, number))
    for k in range(people * 3):
        given, family = _name(rng, KENYAN, KENYAN)
        number = maisha_namba(next(numbers)) if k % 2 else str(next(numbers))
        rows.append([number, f"{given} {family}", rng.choice("FM"), _born(rng).isoformat()])
    rows.append(["not an id", "Bad Row", "F", "1990-01-01"])
    rng.shuffle(rows)
    return Seeded(rows=rows, truth=truth, near_misses=near)


def precision_and_recall(
    proposed: set[tuple[uuid.UUID, str]], truth: set[tuple[uuid.UUID, str]]
) -> tuple[float, float]:
    hits = len(proposed & truth)
    return hits / max(1, len(proposed)), hits / max(1, len(truth))


@pytest.mark.django_db
def test_on_a_seeded_set_the_pass_finds_double_registrations_under_either_id_with_the_precision_it_states() -> None:
    seeded = seed_register_and_list(people=500)

    done = dedupe.run_pass(rows=seeded.rows, source="seeded.csv", run_by="test")

    proposed = set(MatchProposal.objects.values_list("person_id", "national_id"))
    precision, recall = precision_and_recall(proposed, seeded.truth)
    assert len(seeded.truth) == 100
    assert precision >= dedupe.SEEDED_PRECISION, (precision, len(proposed))
    assert recall >= 0.95, recall
    # Holders of a Maisha Namba are matched as well as holders of an older ID number.
    maisha = {pair for pair in seeded.truth if len(pair[1]) == 14}
    assert len(maisha) == 50 and len(proposed & maisha) >= 48, len(proposed & maisha)
    assert not proposed & seeded.near_misses
    assert (done.national_ids, done.skipped_rows, done.people, done.proposed) == (
        len(seeded.rows) - 1, 1, 500, len(proposed),
    )  # fmt: skip
    # Blocking: far fewer comparisons than people times holders.
    assert done.compared < done.people * done.national_ids / 100


@pytest.mark.django_db
def test_the_pass_opens_no_case_and_a_second_pass_proposes_nothing_twice() -> None:
    seeded = seed_register_and_list(people=100)
    first = dedupe.run_pass(rows=seeded.rows, source="seeded.csv", run_by="test")

    second = dedupe.run_pass(rows=seeded.rows, source="seeded.csv", run_by="test")

    assert CorrectionCase.objects.count() == 0
    assert first.proposed > 0 and (second.proposed, second.already_proposed) == (0, first.proposed)
    assert MatchProposal.objects.count() == first.proposed


@pytest.mark.django_db
def test_a_proposal_is_never_changed_or_deleted() -> None:
    seeded = seed_register_and_list(people=50)
    dedupe.run_pass(rows=seeded.rows, source="seeded.csv", run_by="test")
    proposal = MatchProposal.objects.first()
    assert proposal is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        MatchProposal.objects.filter(pk=proposal.pk).update(score=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        MatchProposal.objects.filter(pk=proposal.pk).delete()


# --- The command and the page ------------------------------------------------------------------


def _csv(tmp_path: Path, rows: list[list[str]], header: str = "id_number,names,sex,date_of_birth") -> Path:
    path = tmp_path / "nrb.csv"
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_command_runs_the_pass_over_the_bureaus_csv_and_says_what_it_proposed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed_register_and_list(people=100)

    call_command("refugees", "dedupe", "--national-ids", str(_csv(tmp_path, seeded.rows)), "--by", "nrb-import")

    proposals = MatchProposal.objects.count()
    assert proposals >= 19
    out = capsys.readouterr().out
    assert f"{proposals} proposals for review" in out
    assert f"Precision on the seeded test set: at least {dedupe.SEEDED_PRECISION:.2f}" in out
    assert MatchProposal.objects.first().dedupe_pass.run_by == "nrb-import"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_command_refuses_a_file_that_is_not_the_bureaus_list(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="expected id_number,names,sex,date_of_birth"):
        call_command("refugees", "dedupe", "--national-ids", str(_csv(tmp_path, [], header="name,id")))
    assert MatchProposal.objects.count() == 0


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def proposed(asylum_seeker: Person) -> MatchProposal:
    rows = [["23456789", "Abdi Amina Hassan", "F", "1990-07-01"]]  # the fixture person: born 1990, estimated
    dedupe.run_pass(rows=rows, source="nrb-2026-12.csv", run_by="test")
    return MatchProposal.objects.get()


@pytest.mark.django_db
def test_drs_staff_read_the_proposals_each_person_a_logged_read_and_open_a_case_from_one(
    proposed: MatchProposal, drs_officer: User
) -> None:
    client = client_for(drs_officer)

    page = client.get("/refugees/proposals").content.decode()

    assert "Abdi Amina Hassan" in page and "23456789" in page and "nrb-2026-12.csv" in page
    assert AccessEvent.objects.filter(
        record_type="refugee_person", record_id=str(proposed.person_id), purpose=AccessEvent.Purpose.LIST
    ).exists()
    form = client.get(f"/refugees/people/{proposed.person_id}/corrections/new?proposal={proposed.pk}").content.decode()
    assert 'value="23456789"' in form and "nrb-2026-12.csv" in form
    opened = client.post(
        f"/refugees/people/{proposed.person_id}/corrections/new",
        {"national_id": "23456789", "evidence": "IPRS record checked; the pass's proposal"},
    )
    assert opened.status_code == 302
    case = CorrectionCase.objects.get()
    assert case.reference in client.get("/refugees/proposals").content.decode()


@pytest.mark.django_db
def test_a_maisha_namba_holder_matched_by_the_pass_is_a_candidate_the_officer_opens_a_status_correction_case_from(
    asylum_seeker: Person, drs_officer: User
) -> None:
    rows = [["2024 1234 5678 90", "Abdi Amina Hassan", "F", "1990-07-01"]]  # the fixture person, born 1990 (est.)
    dedupe.run_pass(rows=rows, source="nrb-maisha.csv", run_by="test")
    proposal = MatchProposal.objects.get()
    assert (proposal.person_id, proposal.national_id) == (asylum_seeker.pk, "20241234567890")
    assert CorrectionCase.objects.count() == 0  # a candidate, not a case
    client = client_for(drs_officer)

    form = client.get(f"/refugees/people/{asylum_seeker.pk}/corrections/new?proposal={proposal.pk}").content.decode()
    opened = client.post(
        f"/refugees/people/{asylum_seeker.pk}/corrections/new",
        {"national_id": "2024 1234 5678 90", "evidence": "IPRS record of the Maisha Namba checked"},
    )

    assert 'value="20241234567890"' in form
    assert opened.status_code == 302
    assert CorrectionCase.objects.get().national_id == "20241234567890"


@pytest.mark.django_db
def test_a_police_officer_is_refused_the_proposals_and_the_refusal_is_logged(
    proposed: MatchProposal, desk_officer: User
) -> None:
    assert client_for(desk_officer).get("/refugees/proposals").status_code == 403
    assert AccessEvent.objects.filter(record_id="match_proposals", outcome=AccessEvent.Outcome.DENIED).exists()


@pytest.mark.django_db
def test_the_proposals_page_is_in_kiswahili(proposed: MatchProposal, drs_officer: User) -> None:
    page = client_for(drs_officer).get("/refugees/proposals", headers={"accept-language": "sw"}).content.decode()
    assert "Wanaoweza kuwa na kitambulisho cha taifa" in page


@pytest.mark.django_db
def test_a_holder_two_registered_people_match_equally_well_is_counted_ambiguous_and_proposes_neither() -> None:
    now = timezone.now()
    twins = [
        Person(
            given_names="Halima Nur", family_name="Gedi", name_key="gedi halima nur", sex="F",
            date_of_birth=date(1979, 1, 1), date_of_birth_estimated=True, nationality="Somali", office="DAD",
            registered_at=now, registered_by="seed",
        )
        for _ in range(2)
    ]  # fmt: skip
    # Others born the same year under other names: Halima Nur Gedi is a rare name, so an agreement is evidence.
    others = [
        Person(
            given_names=f"Given{i} Second{i}", family_name=f"Family{i}", name_key="", sex="F",
            date_of_birth=date(1979, 1, 1), date_of_birth_estimated=True, nationality="Somali", office="DAD",
            registered_at=now, registered_by="seed",
        )
        for i in range(300)
    ]  # fmt: skip
    Person.objects.bulk_create(twins + others)

    done = dedupe.run_pass(rows=[["12345678", "Halima Nur Gedi", "F", "1979-06-02"]], source="nrb.csv", run_by="t")

    assert (done.proposed, done.ambiguous) == (0, 2)
    assert not MatchProposal.objects.exists()
