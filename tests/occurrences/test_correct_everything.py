"""A correction corrects everything an entry holds: its people, offences, property and vehicles, not
only place, time and narrative. The original stays as recorded; the entry reads as corrected."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

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
