"""A search that finds an entry by a value a later correction replaced says so: the correcting entry,
when, and the value now, so the desk never relies on a superseded phone, name, ID number or plate."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.occurrences import queries
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartCorrection, PartsCorrection, PartyInput, VehicleInput
from daftari.occurrences.search import SearchQuery, search_occurrences
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import AccessEvent, Station, scope_of
from tests.conftest import complaint
from tests.occurrences.test_api import Api


@pytest.fixture
def theft(desk_officer: User, station: Station) -> Occurrence:
    draft = complaint(
        narrative="Phone snatched near the stage by a rider in a red jacket.",
        parties=(
            PartyInput(role="complainant", name="Wanjiku Kamau", id_number="12345678", phone="0712345678"),
            PartyInput(role="witness", name="Otieno Juma", phone="0722000111"),
        ),
        vehicles=(VehicleInput(plate="KMDA 123A", make_model="Boxer motorcycle"),),
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


def correct(actor: User, entry: Occurrence, *changes: PartCorrection, **fields: str) -> Occurrence:
    parties = tuple(c for c in changes if c.value is None or isinstance(c.value, PartyInput))
    vehicles = tuple(c for c in changes if isinstance(c.value, VehicleInput))
    return amend_occurrence(
        actor=actor,
        occurrence=entry,
        reason="Checked against the documents",
        changes=fields,
        parts=PartsCorrection(parties=parties, vehicles=vehicles),
    ).entry


def complainant(**fields: str) -> PartyInput:
    base = {"role": "complainant", "name": "Wanjiku Kamau", "id_number": "12345678", "phone": "0712345678"}
    base.update(fields)
    return PartyInput(**base)  # type: ignore[arg-type]


def results(user: User, query: SearchQuery) -> dict[str, queries.EntryView]:
    found = search_occurrences(scope=scope_of(user), query=query)
    return {v.ob_number: v for v in queries.search_results(reader=user, found=found, channel="desk")}


def test_a_hit_on_a_corrected_phone_names_the_correction_and_the_phone_now(
    desk_officer: User, theft: Occurrence
) -> None:
    fix = correct(desk_officer, theft, PartCorrection(of=0, value=complainant(phone="0733999888")))
    hits = results(desk_officer, SearchQuery(phone="0712 345 678"))
    assert list(hits) == [theft.ob_number]
    [match] = hits[theft.ob_number].corrected_matches
    assert (match.label, match.was, match.now) == ("Phone number", "+254712345678", "+254733999888")
    assert (match.correction_id, match.correction_ob_number, match.corrected_at) == (
        fix.pk,
        fix.ob_number,
        fix.recorded_at,
    )


def test_a_hit_on_the_value_now_carries_no_mark(desk_officer: User, theft: Occurrence) -> None:
    fix = correct(desk_officer, theft, PartCorrection(of=0, value=complainant(id_number="12345679")))
    hits = results(desk_officer, SearchQuery(id_number="12345679"))
    assert set(hits) == {theft.ob_number, fix.ob_number}
    assert all(not v.corrected_matches for v in hits.values())
    assert not results(desk_officer, SearchQuery(phone="0722000111"))[theft.ob_number].corrected_matches


def test_a_value_corrected_twice_is_marked_on_the_entry_and_on_the_correction_that_wrote_it(
    desk_officer: User, theft: Occurrence
) -> None:
    first = correct(desk_officer, theft, PartCorrection(of=0, value=complainant(id_number="22222222")))
    second = correct(desk_officer, theft, PartCorrection(of=0, value=complainant(id_number="33333333")))
    hits = results(desk_officer, SearchQuery(id_number="22222222"))
    assert set(hits) == {theft.ob_number, first.ob_number}
    for hit in hits.values():
        [match] = hit.corrected_matches
        assert (match.was, match.now, match.correction_ob_number) == ("22222222", "33333333", second.ob_number)
    [original] = results(desk_officer, SearchQuery(id_number="12345678"))[theft.ob_number].corrected_matches
    assert (original.now, original.correction_ob_number) == ("33333333", first.ob_number)


def test_a_person_struck_out_as_entered_in_error_is_marked_so(desk_officer: User, theft: Occurrence) -> None:
    correct(desk_officer, theft, PartCorrection(of=1, in_error=True))
    [match] = results(desk_officer, SearchQuery(phone="0722000111"))[theft.ob_number].corrected_matches
    assert (match.was, match.now) == ("+254722000111", None)


def test_a_corrected_plate_and_a_name_or_narrative_found_by_words_are_marked(
    desk_officer: User, theft: Occurrence
) -> None:
    correct(
        desk_officer,
        theft,
        PartCorrection(of=0, value=complainant(name="Wanjiru Kamau")),
        PartCorrection(of=0, value=VehicleInput(plate="KMDB 123A")),
        narrative="Phone snatched near the stage by a rider in a blue jacket.",
    )
    [plate] = results(desk_officer, SearchQuery(plate="KMDA123A"))[theft.ob_number].corrected_matches
    assert (plate.label, plate.was, plate.now) == ("Number plate", "KMDA123A", "KMDB123A")
    [name] = results(desk_officer, SearchQuery(text="Wanjiku"))[theft.ob_number].corrected_matches
    assert (name.label, name.was, name.now) == ("Name", "Wanjiku Kamau", "Wanjiru Kamau")
    [told] = results(desk_officer, SearchQuery(text="red jacket"))[theft.ob_number].corrected_matches
    assert told.label == "What happened" and told.now is not None and "blue jacket" in told.now
    # "Kamau" is still in the name now: nothing to warn of.
    assert not results(desk_officer, SearchQuery(text="Kamau"))[theft.ob_number].corrected_matches


def test_the_desk_search_page_links_the_correction_and_logs_each_read(
    desk_client: Client, desk_officer: User, theft: Occurrence
) -> None:
    fix = correct(desk_officer, theft, PartCorrection(of=0, value=complainant(phone="0733999888")))
    page = desk_client.get("/search", {"q": "0712345678"}).content.decode()
    assert (f'Phone number +254712345678 was corrected by <a href="/entries/{fix.pk}">{fix.ob_number}</a> on ') in page
    assert ": now +254733999888" in page
    logged = AccessEvent.objects.filter(purpose=AccessEvent.Purpose.SEARCH, username=desk_officer.username)
    assert list(logged.values_list("record_id", flat=True)) == [str(theft.pk)]
    page = desk_client.get("/search", {"q": "0712345678"}, headers={"accept-language": "sw"}).content.decode()
    assert "ilirekebishwa na" in page and "sasa ni +254733999888" in page


def test_a_reader_who_sees_figures_only_is_told_no_corrected_values(
    analyst: User, desk_officer: User, theft: Occurrence
) -> None:
    correct(desk_officer, theft, PartCorrection(of=0, value=VehicleInput(plate="KMDB 123A")))
    [hit] = results(analyst, SearchQuery(plate="KMDA123A")).values()
    assert hit.corrected_matches == () and hit.vehicles[0].plate is None


def test_the_api_search_result_carries_the_corrected_value_too(
    client: Client, desk_officer: User, theft: Occurrence
) -> None:
    fix = correct(desk_officer, theft, PartCorrection(of=0, value=complainant(id_number="12345679")))
    body = Api(client, desk_officer).get("/occurrences", id_number="12345678").json()
    [hit] = body["results"]
    assert hit["corrected_matches"] == [
        {
            "label": "ID number",
            "was": "12345678",
            "now": "12345679",
            "in_error": False,
            "correction_id": str(fix.pk),
            "correction_ob_number": fix.ob_number,
            "corrected_at": hit["corrected_matches"][0]["corrected_at"],
        }
    ]
    assert hit["corrections"][0]["ob_number"] == fix.ob_number
