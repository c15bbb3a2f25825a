from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daftari.core.errors import InvalidInput
from daftari.occurrences.models import Occurrence
from daftari.occurrences.queries import as_corrected, person_lookup
from daftari.occurrences.rules import PartyInput, VehicleInput
from daftari.occurrences.search import SearchQuery, search_occurrences
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station, scope_of
from tests.conftest import complaint


@pytest.fixture
def book(desk_officer: User, station: Station) -> list[Occurrence]:
    entries = [
        complaint(),
        complaint(
            narrative="Burglary at a shop on Biashara Street; a television was stolen.",
            parties=(PartyInput(role="complainant", name="Juma Mwangi", id_number="23456789", phone="0722000111"),),
            vehicles=(VehicleInput(plate="KDA 123B"),),
        ),
    ]
    return [record_occurrence(actor=desk_officer, station=station, draft=d).entry for d in entries]


def found(user: User, query: SearchQuery) -> list[Occurrence]:
    return search_occurrences(scope=scope_of(user), query=query).entries


def test_an_entry_is_found_by_its_ob_number(desk_officer: User, book: list[Occurrence]) -> None:
    assert found(desk_officer, SearchQuery(ob_number=book[1].ob_number)) == [book[1]]


def test_an_entry_is_found_by_an_id_number_phone_or_plate(desk_officer: User, book: list[Occurrence]) -> None:
    assert found(desk_officer, SearchQuery(id_number="23456789")) == [book[1]]
    assert found(desk_officer, SearchQuery(phone="+254 722 000 111")) == [book[1]]
    assert found(desk_officer, SearchQuery(plate="kda123b")) == [book[1]]


def test_words_of_the_narrative_and_name_prefixes_find_the_entry(desk_officer: User, book: list[Occurrence]) -> None:
    assert found(desk_officer, SearchQuery(text="television stolen")) == [book[1]]
    assert found(desk_officer, SearchQuery(text="wanj")) == [book[0]]
    assert found(desk_officer, SearchQuery(name="Juma")) == [book[1]]
    assert found(desk_officer, SearchQuery(text="elephant")) == []


def test_the_desk_search_box_recognises_what_was_typed() -> None:
    assert SearchQuery.from_box("OB 3/29/11/2026").ob_number
    assert SearchQuery.from_box("12345678").id_number == "12345678"
    assert SearchQuery.from_box("0712 345 678").phone
    assert SearchQuery.from_box("KCR 442X").plate
    assert SearchQuery.from_box("stolen phone").text == "stolen phone"


def test_another_stations_entries_are_never_found(officer_elsewhere: User, book: list[Occurrence]) -> None:
    assert found(officer_elsewhere, SearchQuery(id_number="23456789")) == []
    assert found(officer_elsewhere, SearchQuery(ob_number=book[0].ob_number)) == []


def test_filters_by_type_and_date_narrow_the_results(desk_officer: User, book: list[Occurrence]) -> None:
    today = timezone.localdate()
    assert len(found(desk_officer, SearchQuery(entry_type="COMPLAINT", date_from=today, date_to=today))) == 2
    assert found(desk_officer, SearchQuery(date_from=today + timedelta(days=1))) == []
    assert found(desk_officer, SearchQuery(entry_type="ARREST")) == []


def test_a_malformed_query_is_refused_with_field_errors(desk_officer: User) -> None:
    with pytest.raises(InvalidInput) as raised:
        search_occurrences(
            scope=scope_of(desk_officer),
            query=SearchQuery(ob_number="OB twelve", phone="12", entry_type="NOPE"),
        )
    assert set(raised.value.fields) == {"ob_number", "phone", "type"}


def test_results_are_paged_newest_first(desk_officer: User, station: Station, book: list[Occurrence]) -> None:
    first = search_occurrences(scope=scope_of(desk_officer), query=SearchQuery(), per_page=1)
    second = search_occurrences(scope=scope_of(desk_officer), query=SearchQuery(), page=2, per_page=1)
    assert first.entries == [book[1]] and first.has_next
    assert second.entries == [book[0]] and not second.has_next


def test_the_desk_is_told_how_often_an_id_number_appeared_in_its_own_book(
    desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station, book: list[Occurrence]
) -> None:
    assert person_lookup(reader=desk_officer, station=station, id_number="12345678") == 1
    assert person_lookup(reader=officer_elsewhere, station=other_station, id_number="12345678") == 0


def test_the_corrected_reading_applies_each_correction(desk_officer: User, book: list[Occurrence]) -> None:
    amend_occurrence(actor=desk_officer, occurrence=book[0], reason="wrong street", changes={"place": "Kencom"})
    assert as_corrected(book[0])["place"] == "Kencom"
    assert as_corrected(book[0])["narrative"] == book[0].narrative
