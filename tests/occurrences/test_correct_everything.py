"""A correction corrects everything an entry holds: its people, offences, property and vehicles, not
only place, time and narrative. The original stays as recorded; the entry reads as corrected."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.core.errors import InvalidInput
from daftari.ledger import keys
from daftari.ledger.models import Leaf
from daftari.occurrences import queries, rules
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.rules import (
    OffenceInput,
    PartCorrection,
    PartsCorrection,
    PartyInput,
    PropertyInput,
    VehicleInput,
)
from daftari.occurrences.search import SearchQuery, search_occurrences
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station, scope_of
from tests.conftest import complaint
from tests.occurrences.test_api import Api


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


@pytest.fixture
def theft(desk_officer: User, station: Station) -> Occurrence:
    draft = complaint(
        parties=(
            PartyInput(role="complainant", name="Wanjiku Kamau", id_number="12345678", phone="0712345678", sex="F"),
            PartyInput(role="witness", name="Otieno Juma", phone="0722000111"),
        ),
        offences=(OffenceInput(section="Penal Code s. 268", description="Stealing"),),
        property_items=(
            PropertyInput(description="Phone, Tecno Spark 10", serial_number="IMEI 3512", value_kes=15000),
        ),
        vehicles=(VehicleInput(plate="KMDA 123A", make_model="Boxer motorcycle"),),
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


def _party(name: str = "Wanjiku Kamau", **fields: str) -> PartyInput:
    base = {"role": "complainant", "name": name, "id_number": "12345678", "phone": "0712345678", "sex": "F"}
    base.update(fields)
    return PartyInput(**base)  # type: ignore[arg-type]


def test_correcting_a_partys_id_number_keeps_the_original_and_reads_as_corrected(
    desk_officer: User, theft: Occurrence
) -> None:
    recorded = amend_occurrence(
        actor=desk_officer,
        occurrence=theft,
        reason="ID number mistyped; checked against her ID card",
        changes={},
        parts=PartsCorrection(parties=(PartCorrection(of=0, value=_party(id_number="12345679")),)),
    ).entry
    assert recorded.entry_type == "AMENDMENT" and recorded.refers_to_id == theft.pk
    assert list(Party.objects.filter(occurrence=theft).values_list("id_number", flat=True)) == ["12345678", ""]
    [corrected_row] = recorded.parties.all()
    assert corrected_row.id_number == "12345679" and corrected_row.person is not None
    assert recorded.details["parts"] == {"parties": [{"of": 0, "row": 0}]}
    assert "person 1 corrected" in recorded.narrative and "12345679" not in recorded.narrative
    parts = queries.corrected_parts(theft)
    assert [(p.value.id_number, p.corrected) for p in parts["parties"]] == [("12345679", True), ("", False)]
    assert Leaf.objects.filter(record_id=str(recorded.pk), kind="amendment").exists()


def test_a_party_is_added_another_marked_in_error_and_vehicles_offences_and_property_corrected(
    desk_officer: User, theft: Occurrence
) -> None:
    amend_occurrence(
        actor=desk_officer,
        occurrence=theft,
        reason="Witness belonged to another report; a second suspect named; plate and value corrected",
        changes={},
        parts=PartsCorrection(
            parties=(
                PartCorrection(of=1, in_error=True),
                PartCorrection(value=PartyInput(role="suspect", name="Kevin Mwangi", sex="M")),
            ),
            offences=(PartCorrection(of=0, value=OffenceInput(section="Penal Code s. 296", description="Robbery")),),
            property_items=(
                PartCorrection(of=0, value=PropertyInput(description="Phone, Tecno Spark 10", value_kes=18000)),
            ),
            vehicles=(PartCorrection(of=0, value=VehicleInput(plate="KMDB 123A", make_model="Boxer motorcycle")),),
        ),
    )
    parts = queries.corrected_parts(theft)
    assert [(p.value.name, p.in_error, p.corrected) for p in parts["parties"]] == [
        ("Wanjiku Kamau", False, False),
        ("Otieno Juma", True, False),
        ("Kevin Mwangi", False, True),
    ]
    assert parts["offences"][0].value.description == "Robbery"
    assert parts["property_items"][0].value.value_kes == 18000
    assert parts["vehicles"][0].value.plate == "KMDB123A"


def test_a_second_correction_corrects_a_person_the_first_one_added(desk_officer: User, theft: Occurrence) -> None:
    added = PartyInput(role="suspect", name="Kevin Mwangi")
    amend_occurrence(
        actor=desk_officer,
        occurrence=theft,
        reason="A suspect named",
        changes={},
        parts=PartsCorrection(parties=(PartCorrection(value=added),)),
    )
    amend_occurrence(
        actor=desk_officer,
        occurrence=theft,
        reason="His name is Kelvin",
        changes={},
        parts=PartsCorrection(parties=(PartCorrection(of=2, value=PartyInput(role="suspect", name="Kelvin Mwangi")),)),
    )
    names = [p.value.name for p in queries.corrected_parts(theft)["parties"]]
    assert names == ["Wanjiku Kamau", "Otieno Juma", "Kelvin Mwangi"]


def test_corrected_values_go_through_the_same_rules_as_a_new_entry_all_errors_at_once(
    desk_officer: User, theft: Occurrence
) -> None:
    with pytest.raises(InvalidInput) as refused:
        amend_occurrence(
            actor=desk_officer,
            occurrence=theft,
            reason="Corrections",
            changes={},
            parts=PartsCorrection(
                parties=(
                    PartCorrection(of=0, value=_party(name="😀😀", id_number="abc!!", phone="12")),
                    PartCorrection(of=7, value=_party()),
                ),
                vehicles=(PartCorrection(of=0, value=VehicleInput(plate="hello")),),
            ),
        )
    fields = refused.value.fields
    assert {"parties.0.name", "parties.0.id_number", "parties.0.phone", "parties.1.of", "vehicles.0.plate"} <= set(
        fields
    )
    assert Occurrence.objects.filter(entry_type="AMENDMENT").count() == 0


def test_an_unusual_id_number_or_plate_is_recorded_only_when_confirmed_and_then_flagged(
    desk_officer: User, theft: Occurrence
) -> None:
    parts = PartsCorrection(
        parties=(PartCorrection(of=0, value=_party(id_number="RF123")),),
        vehicles=(PartCorrection(of=0, value=VehicleInput(plate="UAB 123X")),),
    )
    with pytest.raises(InvalidInput) as refused:
        amend_occurrence(actor=desk_officer, occurrence=theft, reason="Foreign ID", changes={}, parts=parts)
    assert {"parties.0.id_number", "vehicles.0.plate"} <= set(refused.value.fields)
    confirmed = PartsCorrection(parties=parts.parties, vehicles=parts.vehicles, confirm_unusual=True)
    entry = amend_occurrence(
        actor=desk_officer, occurrence=theft, reason="Foreign ID", changes={}, parts=confirmed
    ).entry
    assert entry.parties.get().id_number_unusual and entry.vehicles.get().plate_unusual


def test_marking_in_error_needs_an_existing_person(desk_officer: User, theft: Occurrence) -> None:
    with pytest.raises(InvalidInput) as refused:
        amend_occurrence(
            actor=desk_officer,
            occurrence=theft,
            reason="Wrong",
            changes={},
            parts=PartsCorrection(parties=(PartCorrection(in_error=True),)),
        )
    assert "parties.0.of" in refused.value.fields


def test_search_finds_the_entry_by_its_corrected_id_and_still_by_the_old_one(
    desk_officer: User, theft: Occurrence
) -> None:
    amend_occurrence(
        actor=desk_officer,
        occurrence=theft,
        reason="ID mistyped",
        changes={},
        parts=PartsCorrection(parties=(PartCorrection(of=0, value=_party(id_number="12345679")),)),
    )
    scope = scope_of(desk_officer)
    by_new = search_occurrences(scope=scope, query=SearchQuery(id_number="12345679")).entries
    by_old = search_occurrences(scope=scope, query=SearchQuery(id_number="12345678")).entries
    assert theft in by_new and theft in by_old


def test_the_rules_apply_part_corrections_in_order() -> None:
    result = rules.parts_as_corrected(
        ["a", "b"],
        [([{"of": 0, "row": 0}, {"of": None, "row": 1}], ["A", "c"]), ([{"of": 2, "in_error": True}], [])],
    )
    assert [(p.value, p.corrected, p.in_error, p.added) for p in result] == [
        ("A", True, False, False),
        ("b", False, False, False),
        ("c", True, True, True),
    ]


# --- On the API ------------------------------------------------------------------------------


def test_the_api_corrects_a_partys_id_and_answers_the_entry_as_corrected(
    client: Client, desk_officer: User, theft: Occurrence
) -> None:
    api = Api(client, desk_officer)
    body = {
        "id": "0b5a4c55-2f7e-4d2a-9a55-5c0f2a7d1e01",
        "reason": "ID number mistyped",
        "parties": [
            {"of": 0, "value": {"role": "complainant", "name": "Wanjiku Kamau", "id_number": "12345679"}},
            {"of": 1, "in_error": True},
        ],
    }
    answer = api.post(f"/occurrences/{theft.pk}/amendments", body)
    assert answer.status_code == 201, answer.content
    again = api.post(f"/occurrences/{theft.pk}/amendments", body)
    assert again.status_code == 200 and again.json()["id"] == answer.json()["id"]
    entry = api.get(f"/occurrences/{theft.pk}").json()
    assert [p["id_number"] for p in entry["parties"]] == ["12345678", ""], "the entry as recorded"
    assert [(p["id_number"], p["corrected"], p["in_error"]) for p in entry["parties_as_corrected"]] == [
        ("12345679", True, False),
        ("", False, True),
    ]
    assert entry["corrections"][0]["reason"] == "ID number mistyped"
    assert entry["vehicles_as_corrected"] == [
        {"plate": "KMDA123A", "make_model": "Boxer motorcycle", "colour": "", "corrected": False, "in_error": False}
    ]


def test_the_api_refuses_a_corrected_id_of_letters_and_signs_and_an_unusual_plate_until_confirmed(
    client: Client, desk_officer: User, theft: Occurrence
) -> None:
    api = Api(client, desk_officer)
    refused = api.post(
        f"/occurrences/{theft.pk}/amendments",
        {
            "reason": "Corrections",
            "parties": [{"of": 0, "value": {"role": "complainant", "name": "Wanjiku", "id_number": "abc!!"}}],
            "vehicles": [{"of": 0, "value": {"plate": "hello"}}],
        },
    )
    assert refused.status_code == 422
    assert {"parties.0.id_number", "vehicles.0.plate"} <= set(refused.json()["fields"])
    confirmed = api.post(
        f"/occurrences/{theft.pk}/amendments",
        {"reason": "Old plate", "vehicles": [{"of": 0, "value": {"plate": "hello"}}], "confirm_unusual": True},
    )
    assert confirmed.status_code == 201, confirmed.content
    assert api.get(f"/occurrences/{theft.pk}").json()["vehicles_as_corrected"][0]["plate"] == "HELLO"


def test_a_correction_that_changes_nothing_is_422_on_the_api(
    client: Client, desk_officer: User, theft: Occurrence
) -> None:
    answer = Api(client, desk_officer).post(f"/occurrences/{theft.pk}/amendments", {"reason": "Nothing"})
    assert answer.status_code == 422 and "changes" in answer.json()["fields"]


# --- At the desk -----------------------------------------------------------------------------


def _form_of(page: str) -> dict[str, str]:
    """The correction form's fields as the page fills them in (a browser would send these)."""
    import re

    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = value.group(1) if value else ""
    for select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[1])
        values[select[0]] = chosen.group(1) if chosen else ""
    for area in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[area[0]] = area[1].strip()
    return values


def test_the_desk_corrects_a_partys_id_and_the_entry_page_shows_the_corrected_value(
    desk_client: Client, theft: Occurrence
) -> None:
    page = desk_client.get(f"/entries/{theft.pk}/amend").content.decode()
    assert 'name="parties-0-id_number"' in page and 'value="12345678"' in page
    data = _form_of(page)
    data.update({"reason": "ID number mistyped", "parties-0-id_number": "12345679"})
    done = desk_client.post(f"/entries/{theft.pk}/amend", data)
    assert done.status_code == 302, done.content.decode()[:3000]
    correction = Occurrence.objects.get(entry_type="AMENDMENT")
    assert correction.details["parts"] == {"parties": [{"of": 0, "row": 0}]}, "only what changed is a correction"
    shown = desk_client.get(f"/entries/{theft.pk}").content.decode()
    corrected = shown[shown.index('id="parties-as-corrected"') :]
    assert "12345679" in corrected and "corrected" in corrected


def test_the_desk_form_refuses_a_bad_corrected_id_with_the_error_beside_the_field(
    desk_client: Client, theft: Occurrence
) -> None:
    data = _form_of(desk_client.get(f"/entries/{theft.pk}/amend").content.decode())
    data.update({"reason": "ID", "parties-0-id_number": "abc!!", "vehicles-0-plate": "hello"})
    refused = desk_client.post(f"/entries/{theft.pk}/amend", data)
    body = refused.content.decode()
    assert refused.status_code == 422
    assert 'href="#id_parties-0-id_number"' in body and 'href="#id_vehicles-0-plate"' in body
    assert not Occurrence.objects.filter(entry_type="AMENDMENT").exists()
    data.update({"parties-0-id_number": "12345679", "confirm_unusual": "on"})
    assert desk_client.post(f"/entries/{theft.pk}/amend", data).status_code == 302
    assert Occurrence.objects.get(entry_type="AMENDMENT").vehicles.get().plate_unusual


def test_the_desk_marks_a_person_entered_in_error_and_adds_one(desk_client: Client, theft: Occurrence) -> None:
    data = _form_of(desk_client.get(f"/entries/{theft.pk}/amend").content.decode())
    data.update(
        {
            "reason": "Witness was on another report; the suspect is known",
            "parties-1-in_error": "on",
            "parties-new-role": "suspect",
            "parties-new-name": "Kevin Mwangi",
        }
    )
    assert desk_client.post(f"/entries/{theft.pk}/amend", data).status_code == 302
    shown = desk_client.get(f"/entries/{theft.pk}").content.decode()
    corrected = shown[shown.index('id="parties-as-corrected"') :]
    assert "<del>Otieno Juma</del>" in corrected and "entered in error" in corrected and "Kevin Mwangi" in corrected
