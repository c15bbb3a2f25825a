"""Worked examples of the crime classification and the counting rule (issue 12)."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import (
    COUNTING_RULE,
    CRIME_RULES_PATH,
    categorise_offence,
    crime_rules,
    derive_crime_category,
    parse_offence_section,
    suspected_officer_of,
)
from daftari.stations.models import Station


def test_the_rules_table_is_versioned_names_its_sources_and_holds_the_seventeen_published_categories() -> None:
    raw = json.loads(CRIME_RULES_PATH.read_text(encoding="utf-8"))
    assert raw["version"]
    assert raw["counting_rule"] == COUNTING_RULE
    assert len(raw["categories"]) == 17
    assert len(raw["iccs_sections"]) == 11
    codes = {code for code, _name in raw["categories"]}
    iccs = {code for code, _name in raw["iccs_sections"]}
    for rule in raw["rules"]:
        assert rule["category"] in codes
        assert rule["iccs"] in iccs
        assert rule["source"] in raw["sources"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Penal Code s.268 and s.275", ("PC", 268, "")),
        ("s.251 Penal Code", ("PC", 251, "")),
        ("Sexual Offences Act s.8(1)", ("SOA", 8, "")),
        ("Penal Code section 278A", ("PC", 278, "A")),
        ("Traffic Act s.46", ("TRAFFIC", 46, "")),
        ("stealing", (None, None, "")),
    ],
)
def test_an_offence_section_is_read_for_its_act_and_section(text: str, expected: tuple[object, ...]) -> None:
    assert parse_offence_section(text) == expected


@pytest.mark.parametrize(
    ("section", "category", "iccs"),
    [
        ("Penal Code s.203", "HOMICIDE", "01"),
        ("Penal Code s.205", "HOMICIDE", "01"),
        ("Penal Code s.220", "PERSONS", "02"),
        ("Penal Code s.251", "PERSONS", "02"),
        ("Penal Code s.95", "PERSONS", "08"),
        ("Penal Code s.296", "ROBBERY", "04"),
        ("Penal Code s.306", "BREAKINGS", "05"),
        ("Penal Code s.278", "STOCK_THEFT", "05"),
        ("Penal Code s.278A", "VEHICLE_THEFT", "05"),
        ("Penal Code s.281", "SERVANT_THEFT", "05"),
        ("Penal Code s.268 and s.275", "STEALING", "05"),
        ("Penal Code s.279", "STEALING", "05"),
        ("Penal Code s.313", "ECONOMIC", "07"),
        ("Penal Code s.339", "DAMAGE", "05"),
        ("Penal Code s.322", "OTHER_PENAL", "05"),
        ("Penal Code s.60", "OTHER_PENAL", "11"),
        ("Sexual Offences Act s.3", "MORALITY", "03"),
        ("Narcotic Drugs and Psychotropic Substances (Control) Act s.3", "DRUGS", "06"),
        ("Anti-Corruption and Economic Crimes Act s.46", "CORRUPTION", "07"),
        ("Traffic Act s.46", "TRAFFIC", "09"),
    ],
)
def test_each_offence_falls_in_its_published_category_and_iccs_section(section: str, category: str, iccs: str) -> None:
    found = categorise_offence(section)
    assert found is not None
    assert (found.code, found.iccs) == (category, iccs)
    assert found.rule_version == crime_rules().version


def test_an_offence_under_no_known_act_has_no_category() -> None:
    assert categorise_offence("Wildlife Act s.92") is None
    assert categorise_offence("") is None


def test_an_entry_with_several_offences_counts_once_under_its_principal_offence() -> None:
    # A robbery in which the victim was killed: one incident, counted as homicide (the first in
    # the published order), not as a homicide and a robbery.
    found = derive_crime_category("COMPLAINT", ["Penal Code s.296", "Penal Code s.203"])
    assert found is not None and found.code == "HOMICIDE"
    found = derive_crime_category("ARREST", ["Penal Code s.339", "Penal Code s.306"])
    assert found is not None and found.code == "BREAKINGS"


def test_entries_that_record_no_crime_have_no_category_whatever_they_mention() -> None:
    assert derive_crime_category("LOST_DOC", ["Penal Code s.268"]) is None
    assert derive_crime_category("DUTY_ON_OFF", []) is None
    assert derive_crime_category("AMENDMENT", ["Penal Code s.203"]) is None


def test_a_gbv_report_without_a_section_yet_counts_as_an_offence_against_morality() -> None:
    found = derive_crime_category("GBV", [])
    assert found is not None and (found.code, found.iccs) == ("MORALITY", "03")


def test_an_offence_in_which_a_police_officer_is_suspected_counts_under_police_whatever_the_offence() -> None:
    # NPS and KNBS count offences in which police officers are the accused or accomplices apart.
    found = derive_crime_category("COMPLAINT", ["Penal Code s.296"], suspected_officer="SN1001")
    assert found is not None and (found.code, found.name, found.iccs) == (
        "POLICE",
        "Offences involving police officers",
        "04",
    )
    found = derive_crime_category("ARREST", [], suspected_officer="SN1001")
    assert found is not None and (found.code, found.iccs) == ("POLICE", "11")
    assert derive_crime_category("LOST_DOC", [], suspected_officer="SN1001") is None


def test_a_correction_saying_no_officer_is_suspected_names_none() -> None:
    assert suspected_officer_of({"suspected_officer": "SN1001 PC Kamau Officer"}) == "SN1001"
    assert suspected_officer_of({"suspected_officer": "None"}) == ""
    assert suspected_officer_of({"suspected_officer": "hakuna"}) == ""
    assert suspected_officer_of({}) == ""


def test_a_complaint_without_a_known_section_is_left_unclassified_for_the_desk_to_complete() -> None:
    assert derive_crime_category("COMPLAINT", ["stealing"]) is None
    assert derive_crime_category("COMPLAINT", []) is None


@pytest.mark.django_db
def test_the_entry_page_shows_the_desk_the_category_its_offence_falls_in(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    from daftari.occurrences.rules import OffenceInput
    from daftari.occurrences.services import record_occurrence
    from tests.conftest import complaint

    draft = complaint(offences=(OffenceInput("Penal Code s.296", "Robbery"),))
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    body = desk_client.get(f"/entries/{entry.pk}").content.decode()
    assert "Crime statistics category" in body
    assert "<strong>Robbery</strong>" in body and "ICCS 04" in body


@pytest.mark.django_db
def test_the_entry_page_asks_the_desk_for_the_section_when_a_complaint_cannot_be_classified(
    desk_client: Client, recorded_complaint: Occurrence
) -> None:
    body = desk_client.get(f"/entries/{recorded_complaint.pk}").content.decode()
    assert "<strong>not classified</strong>" in body
    assert "by an amendment" in body


@pytest.mark.django_db
def test_an_amendment_of_the_offence_moves_the_entry_to_its_new_category_and_is_not_counted_itself(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    from daftari.occurrences import queries
    from daftari.occurrences.rules import OffenceInput, PartCorrection, PartsCorrection
    from daftari.occurrences.services import amend_occurrence, record_occurrence
    from tests.conftest import complaint

    draft = complaint(offences=(OffenceInput("Penal Code s.268", "Stealing"),))
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    before = queries.crime_category_of(entry)
    assert before is not None and before.code == "STEALING"
    correction = amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="The phone was taken with violence: robbery, not stealing",
        changes={},
        parts=PartsCorrection(offences=(PartCorrection(of=0, value=OffenceInput("Penal Code s.296", "Robbery")),)),
    ).entry
    after = queries.crime_category_of(entry)
    assert after is not None and after.code == "ROBBERY"
    assert queries.crime_category_of(correction) is None
    body = desk_client.get(f"/entries/{entry.pk}").content.decode()
    assert "<strong>Robbery</strong>" in body


@pytest.mark.django_db
def test_an_offence_struck_out_as_entered_in_error_no_longer_decides_the_category(
    desk_officer: User, station: Station
) -> None:
    from daftari.occurrences import queries
    from daftari.occurrences.rules import OffenceInput, PartCorrection, PartsCorrection
    from daftari.occurrences.services import amend_occurrence, record_occurrence
    from tests.conftest import complaint

    draft = complaint(
        offences=(OffenceInput("Penal Code s.203", "Murder"), OffenceInput("Penal Code s.251", "Assault"))
    )
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    found = queries.crime_category_of(entry)
    assert found is not None and found.code == "HOMICIDE"
    amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="The victim survived: no murder",
        changes={},
        parts=PartsCorrection(offences=(PartCorrection(of=0, in_error=True),)),
    )
    found = queries.crime_category_of(entry)
    assert found is not None and found.code == "PERSONS"


@pytest.mark.django_db
def test_a_police_officer_suspected_is_one_of_the_register_and_the_entry_counts_under_police_until_corrected(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    from daftari.core.errors import InvalidInput
    from daftari.occurrences import queries
    from daftari.occurrences.rules import OffenceInput
    from daftari.occurrences.services import amend_occurrence, record_occurrence
    from tests.conftest import complaint

    assault = (OffenceInput("Penal Code s.251", "Assault"),)
    with pytest.raises(InvalidInput) as refused:
        draft = complaint(offences=assault, details={"suspected_officer": "SN999999"})
        record_occurrence(actor=desk_officer, station=station, draft=draft)
    assert "details.suspected_officer" in refused.value.fields
    number = desk_officer.officer.service_number
    draft = complaint(offences=assault, details={"suspected_officer": number})
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    assert entry.details["suspected_officer"] == f"{number} {desk_officer.officer.display_name}"
    found = queries.crime_category_of(entry)
    assert found is not None and (found.code, found.iccs) == ("POLICE", "02")
    assert (
        "<strong>Offences involving police officers</strong>"
        in desk_client.get(f"/entries/{entry.pk}").content.decode()
    )
    amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="The man was a county askari, not a police officer.",
        changes={"suspected_officer": "none"},
    )
    found = queries.crime_category_of(entry)
    assert found is not None and found.code == "PERSONS"
