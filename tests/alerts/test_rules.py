"""The alerts register's pure rules and the predicates of who issues, withdraws and reads it: no database."""

from daftari.alerts.rules import AlertDraft, AlertKind, Sought, clean_alert, clean_reason, name_key
from daftari.stations.rules import (
    Role,
    Scope,
    can_issue_alert,
    can_withdraw_alert,
    is_shown_alert_matches,
    menu_for,
    sees_alerts_register,
)


def scope(*roles: Role, station: str | None = "CENTRAL-NBI") -> Scope:
    return Scope(roles=frozenset(roles), station_code=station, county_code=47 if station else None)


def test_a_name_is_compared_by_its_words_whatever_their_order_and_case() -> None:
    assert name_key("John  KAMAU") == name_key("kamau john") == "john kamau"


def test_one_word_alone_names_too_many_people_to_match() -> None:
    assert name_key("Otieno") == ""
    assert not Sought.of(names=("Otieno",))


def test_a_wanted_person_needs_a_name_or_an_id_number_and_a_description() -> None:
    _draft, errors = clean_alert(AlertDraft(kind=AlertKind.WANTED, description=""))
    assert set(errors) == {"name", "description"}


def test_a_stolen_vehicle_needs_its_plate_and_a_lost_document_its_number() -> None:
    _draft, vehicle = clean_alert(AlertDraft(kind=AlertKind.STOLEN_VEHICLE, description="Silver Probox"))
    _draft, document = clean_alert(AlertDraft(kind=AlertKind.LOST_DOCUMENT, description="ID card", name="Jane Akinyi"))
    assert set(vehicle) == {"plate"}
    assert set(document) == {"id_number"}


def test_every_problem_of_an_alert_is_named_at_once() -> None:
    _draft, errors = clean_alert(
        AlertDraft(kind="ghost", name="1234", id_number="12-@", phone="12", plate="K", description=" ")
    )
    assert set(errors) == {"kind", "name", "id_number", "phone", "plate", "description"}


def test_identifiers_are_stored_as_the_book_stores_them() -> None:
    draft, errors = clean_alert(
        AlertDraft(
            kind=AlertKind.WANTED,
            name=" John   Kamau ",
            id_number="1234 5678",
            phone="0712 345 678",
            plate="kcr 442x",
            description="Armed robbery on Moi Avenue.",
        )
    )
    assert errors == {}
    assert (draft.name, draft.id_number, draft.phone, draft.plate) == (
        "John Kamau",
        "12345678",
        "+254712345678",
        "KCR442X",
    )


def test_the_desks_typing_is_normalised_before_it_is_matched() -> None:
    sought = Sought.of(id_numbers=("1234-5678",), phones=("0712345678",), plates=("KCR 442X",), names=("Kamau John",))
    assert sought == Sought(
        id_numbers=frozenset({"12345678"}),
        phones=frozenset({"+254712345678"}),
        plates=frozenset({"KCR442X"}),
        names=frozenset({"john kamau"}),
    )


def test_a_withdrawal_must_say_why() -> None:
    assert set(clean_reason("  ")[1]) == {"reason"}
    assert clean_reason(" Arrested at Kisumu ") == ("Arrested at Kisumu", {})


def test_the_ocs_a_commander_and_an_administrator_issue_alerts() -> None:
    assert can_issue_alert(scope(Role.OCS))
    assert can_issue_alert(scope(Role.COMMANDER))
    assert can_issue_alert(scope(Role.ADMIN, station=None))


def test_the_desk_traffic_investigators_analysts_and_oversight_never_issue_alerts() -> None:
    for role in (Role.DESK, Role.TRAFFIC, Role.INVESTIGATOR):
        assert not can_issue_alert(scope(role))
    assert not can_issue_alert(scope(Role.ANALYST, station=None))
    assert not can_issue_alert(scope(Role.OVERSIGHT, station=None))
    assert not can_issue_alert(scope(Role.OCS, station=None))


def test_only_the_issuing_stations_ocs_withdraws_among_station_officers() -> None:
    assert can_withdraw_alert(scope(Role.OCS), issued_at_station="CENTRAL-NBI")
    assert not can_withdraw_alert(scope(Role.OCS), issued_at_station="KISUMU-CTL")
    assert not can_withdraw_alert(scope(Role.DESK), issued_at_station="CENTRAL-NBI")
    assert not can_withdraw_alert(scope(Role.OCS), issued_at_station="")


def test_a_commander_and_an_administrator_withdraw_any_alert_and_oversight_none() -> None:
    assert can_withdraw_alert(scope(Role.COMMANDER), issued_at_station="KISUMU-CTL")
    assert can_withdraw_alert(scope(Role.ADMIN, station=None), issued_at_station="")
    assert not can_withdraw_alert(scope(Role.OVERSIGHT, station=None), issued_at_station="CENTRAL-NBI")


def test_officers_and_oversight_read_the_register_and_analysts_do_not() -> None:
    for role in (Role.DESK, Role.OCS, Role.TRAFFIC, Role.INVESTIGATOR, Role.COMMANDER):
        assert sees_alerts_register(scope(role))
    assert sees_alerts_register(scope(Role.OVERSIGHT, station=None))
    assert not sees_alerts_register(scope(Role.ANALYST, station=None))
    assert menu_for(scope(Role.DESK)).alerts_register
    assert not menu_for(scope(Role.ANALYST, station=None)).alerts_register


def test_matches_are_shown_to_whoever_records_at_the_station() -> None:
    assert is_shown_alert_matches(scope(Role.DESK), station_code="CENTRAL-NBI")
    assert not is_shown_alert_matches(scope(Role.DESK), station_code="KISUMU-CTL")
    assert not is_shown_alert_matches(scope(Role.OVERSIGHT, station=None), station_code="CENTRAL-NBI")
