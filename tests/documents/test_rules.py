from daftari.documents.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DocumentKind,
    display_code,
    fee_for,
    format_serial,
    kinds_for,
    new_code,
    normalise_code,
)


def test_an_accident_entry_offers_the_accident_abstract_a_p3_and_an_extract() -> None:
    kinds = kinds_for("TRAFFIC_ACCIDENT", public_facing=True)
    assert DocumentKind.ABSTRACT_ACCIDENT in kinds
    assert DocumentKind.P3_PART1 in kinds
    assert DocumentKind.ABSTRACT_LOST_DOCUMENT not in kinds


def test_a_lost_document_abstract_comes_only_from_a_lost_document_entry() -> None:
    assert DocumentKind.ABSTRACT_LOST_DOCUMENT in kinds_for("LOST_DOC", public_facing=True)
    assert DocumentKind.ABSTRACT_LOST_DOCUMENT not in kinds_for("COMPLAINT", public_facing=True)
    assert DocumentKind.P3_PART1 not in kinds_for("LOST_DOC", public_facing=True)


def test_no_general_abstract_from_an_internal_entry() -> None:
    assert DocumentKind.ABSTRACT_GENERAL not in kinds_for("DUTY_ON_OFF", public_facing=False)
    assert kinds_for("AMENDMENT", public_facing=False) == []


def test_a_p3_form_is_free_even_when_abstracts_cost_money() -> None:
    assert fee_for(DocumentKind.P3_PART1, abstract_fee_kes=100) == 0
    assert fee_for(DocumentKind.ABSTRACT_GENERAL, abstract_fee_kes=100) == 100


def test_serials_are_numbered_per_series_station_and_year() -> None:
    assert format_serial(DocumentKind.ABSTRACT_ACCIDENT, "CENTRAL-NBI", 2026, 123) == "ABS/CENTRAL-NBI/2026/000123"
    assert format_serial(DocumentKind.P3_PART1, "CENTRAL-NBI", 2026, 1) == "P3/CENTRAL-NBI/2026/000001"


def test_a_code_uses_no_look_alike_characters_and_survives_retyping() -> None:
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)
    assert normalise_code(display_code(code).lower()) == code
    assert normalise_code(f" {code[:5]} - {code[5:]} ") == code
