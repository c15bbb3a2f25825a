"""The register search by name at the country's size (issue 14): the words of every name and alias are
indexed one a row, the rarest word asked leads, and a common word gives its first page and says to narrow."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from daftari.refugees import queries, rules, services
from daftari.refugees.models import Person, PersonNameWord
from daftari.stations.models import AccessEvent
from tests.refugees.conftest import days_ago, draft

pytestmark = pytest.mark.django_db


def register(officer: User, given: str, family: str, aliases: str = "") -> Person:
    return services.register_person(
        actor=officer,
        draft=draft(given_names=given, family_name=family, aliases=aliases, phone="", biometric_ref=""),
        office="DAD",
        registered_on=days_ago(5),
    )


def names(result: queries.SearchResult) -> list[str]:
    return [line.name for line in result.lines]


@pytest.fixture(params=["rare", "common"])
def word_rows(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each search test runs twice: with every word rare (its people read whole) and with every word
    common (read word by word in the page's order), as a word held by thousands would be."""
    if request.param == "common":
        monkeypatch.setattr(queries, "RARE_WORD_ROWS", 1)
    return str(request.param)


def test_the_search_words_are_case_folded_without_accents_and_split_at_hyphens_and_apostrophes() -> None:
    assert rules.search_words("Abdí-Hassan O'Brien", "ABDI, Nyakuoth") == ["abdi", "hassan", "o", "brien", "nyakuoth"]


def test_registering_a_person_writes_a_search_word_for_each_word_of_their_names_and_aliases(
    drs_officer: User,
) -> None:
    person = register(drs_officer, "Nyakuoth Mary", "Gatluak", aliases="Nyakwoth, Mary G.")

    rows = PersonNameWord.objects.filter(person=person)

    assert sorted(rows.values_list("word", flat=True)) == ["g", "gatluak", "mary", "nyakuoth", "nyakwoth"]
    assert set(rows.values_list("family_name", "given_names")) == {("Gatluak", "Nyakuoth Mary")}


def test_a_person_is_found_by_a_word_of_an_alias_alone_and_with_a_word_of_their_names(
    drs_officer: User, word_rows: str
) -> None:
    person = register(drs_officer, "Nyakuoth Mary", "Gatluak", aliases="Nyakwoth")
    register(drs_officer, "Mary", "Deng")

    for asked in ("nyakwoth", "NYAKW", "gatluak nyakwoth", "mary nyakwoth"):
        assert [line.id for line in queries.search(reader=drs_officer, name=asked).lines] == [person.pk], asked
    assert queries.search(reader=drs_officer, name="nyakwoth deng").lines == []


def test_every_word_asked_must_be_held_and_each_may_be_the_start_of_a_name(drs_officer: User, word_rows: str) -> None:
    register(drs_officer, "Mohamed Abdi", "Hassan")
    register(drs_officer, "Mohamud Ali", "Hassan")
    register(drs_officer, "Mohamed", "Farah")

    assert names(queries.search(reader=drs_officer, name="moham hassan")) == [
        "Mohamed Abdi Hassan",
        "Mohamud Ali Hassan",
    ]
    assert names(queries.search(reader=drs_officer, name="mohamed")) == ["Mohamed Farah", "Mohamed Abdi Hassan"]
    assert names(queries.search(reader=drs_officer, name="mohamed ali")) == []


def test_a_word_starting_more_different_words_than_are_read_one_by_one_still_finds_them_all(
    drs_officer: User, word_rows: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_WORDS_STARTED", 1)
    register(drs_officer, "Mohamed", "Hassan")
    register(drs_officer, "Mohamud", "Farah")

    assert names(queries.search(reader=drs_officer, name="moh")) == ["Mohamud Farah", "Mohamed Hassan"]
    assert names(queries.search(reader=drs_officer, name="moh far")) == ["Mohamud Farah"]


def test_a_common_word_returns_the_first_page_in_name_order_and_says_to_narrow_the_search(
    drs_officer: User, word_rows: str
) -> None:
    families = [f"Family{n:02d}" for n in range(queries.MAX_RESULTS + 5)]
    for n, family in enumerate(reversed(families)):
        register(drs_officer, "Mohamed" if n % 2 else "Mohamud", family)
    register(drs_officer, "Amina", "Aaa")  # holds neither word: never on the page

    result = queries.search(reader=drs_officer, name="moham")

    assert result.more
    assert [line.name.split()[-1] for line in result.lines] == families[: queries.MAX_RESULTS]
    # Only the people shown are logged as read.
    assert AccessEvent.objects.filter(purpose=AccessEvent.Purpose.SEARCH).count() == queries.MAX_RESULTS
    assert not queries.search(reader=drs_officer, name="mohamed").more  # 27 of them fit one page


def test_the_search_page_asks_to_narrow_a_search_that_matches_more_than_a_page_in_english_and_kiswahili(
    drs_officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "MAX_RESULTS", 2)
    for family in ("Abdi", "Farah", "Hassan"):
        register(drs_officer, "Mohamed", family)
    client = Client()
    client.force_login(drs_officer)

    english = client.get("/refugees", {"name": "mohamed"}).content.decode()
    kiswahili = client.get("/refugees", {"name": "mohamed"}, headers={"accept-language": "sw"}).content.decode()
    one_page = client.get("/refugees", {"name": "mohamed hassan"}).content.decode()

    assert "More than 2 people match: only the first 2 are shown. Narrow the search" in english
    assert "Zaidi ya watu 2 wanalingana" in kiswahili and "Punguza utafutaji" in kiswahili
    assert "Mohamed Farah" in english and "Mohamed Hassan" not in english
    assert "Narrow the search" not in one_page and "Mohamed Hassan" in one_page


def test_a_name_with_a_document_or_household_number_must_match_both(drs_officer: User) -> None:
    person = register(drs_officer, "Halima", "Nur")
    household = person.memberships.get().household.number

    assert [
        line.id for line in queries.search(reader=drs_officer, name="halima", household_number=household).lines
    ] == [person.pk]
    assert queries.search(reader=drs_officer, name="amina", household_number=household).lines == []


def test_a_search_word_row_is_never_changed_or_deleted(drs_officer: User) -> None:
    row = PersonNameWord.objects.filter(person=register(drs_officer, "Halima", "Nur")).first()
    assert row is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonNameWord.objects.filter(pk=row.pk).update(word="amina")
    with pytest.raises(DatabaseError), transaction.atomic():
        PersonNameWord.objects.filter(pk=row.pk).delete()


def test_the_migration_writes_the_search_words_of_the_people_already_registered_but_not_of_the_erased(
    drs_officer: User,
) -> None:
    before = {"sex": "F", "date_of_birth": days_ago(9000), "office": "DAD", "registered_at": timezone.now()}
    earlier = Person.objects.create(
        given_names="Achol", family_name="Deng", aliases="Acol", name_key="achol acol deng", **before
    )
    Person.objects.create(given_names="[redacted]", family_name="[redacted]", name_key="", **before)
    migration = import_module("daftari.refugees.migrations.0010_name_words_for_the_register_search")

    migration._fill(apps, None)

    assert sorted(PersonNameWord.objects.values_list("person_id", "word")) == sorted(
        (earlier.pk, w) for w in ("achol", "deng", "acol")
    )
    assert [line.id for line in queries.search(reader=drs_officer, name="acol").lines] == [earlier.pk]
