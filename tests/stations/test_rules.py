"""The permission matrix as pure rules: who sees and records at which station."""

from functools import partial

import pytest

from daftari.stations import rules
from daftari.stations.rules import (
    NO_SCOPE,
    STATION_ROLES,
    Role,
    Scope,
    can_amend_entry,
    can_record_at,
    can_revoke_api_token,
    can_see_station,
    can_update_case,
    can_view_access_log,
    menu_for,
    sees_personal_data,
    station_filter,
)

HOME = "CENTRAL-NBI"
NEIGHBOUR = "KILIMANI"  # same county (47)
ELSEWHERE = "KISUMU-CTL"  # county 42


def scope(*roles: Role, station: str | None = HOME, county: int | None = 47) -> Scope:
    return Scope(roles=frozenset(roles), station_code=station, county_code=county)


def sees(s: Scope, station_code: str) -> bool:
    county = 42 if station_code == ELSEWHERE else 47
    return can_see_station(s, station_code=station_code, county_code=county)


@pytest.mark.parametrize("role", [Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC])
def test_a_station_officer_sees_and_records_only_at_their_own_station(role: Role) -> None:
    s = scope(role)
    assert sees(s, HOME) and can_record_at(s, station_code=HOME)
    assert not sees(s, NEIGHBOUR) and not can_record_at(s, station_code=NEIGHBOUR)
    assert not sees(s, ELSEWHERE) and not can_record_at(s, station_code=ELSEWHERE)
    assert station_filter(s) == {"station__code": HOME}


def test_a_station_officers_records_are_filtered_by_station_id_when_it_is_known() -> None:
    s = Scope(roles=frozenset({Role.DESK}), station_code=HOME, county_code=47, station_id=7)
    assert station_filter(s) == {"station_id": 7}


def test_a_station_officer_without_a_station_sees_nothing() -> None:
    s = scope(Role.DESK, station=None, county=None)
    assert not sees(s, HOME)
    assert station_filter(s) is None


def test_a_commander_sees_every_station_of_the_county_but_records_nowhere() -> None:
    s = scope(Role.COMMANDER)
    assert sees(s, HOME) and sees(s, NEIGHBOUR)
    assert not sees(s, ELSEWHERE)
    assert not any(can_record_at(s, station_code=code) for code in (HOME, NEIGHBOUR, ELSEWHERE))
    assert station_filter(s) == {"station__county_id": 47}


def test_an_analyst_sees_every_station_but_no_personal_data() -> None:
    s = scope(Role.ANALYST, station=None, county=None)
    assert sees(s, HOME) and sees(s, ELSEWHERE)
    assert not sees_personal_data(s)
    assert not can_record_at(s, station_code=HOME)
    assert station_filter(s) == {}


def test_every_other_role_sees_personal_data() -> None:
    for role in Role:
        if role not in (Role.ANALYST, Role.UNHCR_LIAISON):
            assert sees_personal_data(scope(role)), role


def test_the_unhcr_liaison_sees_no_personal_data() -> None:
    assert not sees_personal_data(scope(Role.UNHCR_LIAISON, station=None, county=None))


def test_oversight_sees_every_station_and_records_nowhere() -> None:
    s = scope(Role.OVERSIGHT, station=None, county=None)
    assert sees(s, HOME) and sees(s, ELSEWHERE)
    assert not can_record_at(s, station_code=HOME)
    assert station_filter(s) == {}


def test_an_admin_sees_every_station() -> None:
    s = scope(Role.ADMIN, station=None, county=None)
    assert sees(s, HOME) and sees(s, NEIGHBOUR) and sees(s, ELSEWHERE)
    assert station_filter(s) == {}


def test_the_access_log_is_open_to_the_stations_ocs_oversight_and_admin_only() -> None:
    assert can_view_access_log(scope(Role.OCS), station_code=HOME)
    assert not can_view_access_log(scope(Role.OCS), station_code=ELSEWHERE)
    assert can_view_access_log(scope(Role.OVERSIGHT, station=None), station_code=ELSEWHERE)
    assert can_view_access_log(scope(Role.ADMIN, station=None), station_code=ELSEWHERE)
    for role in (Role.DESK, Role.INVESTIGATOR, Role.TRAFFIC, Role.COMMANDER, Role.ANALYST):
        assert not can_view_access_log(scope(role), station_code=HOME), role


def test_a_user_without_an_officer_sees_nothing_and_records_nowhere() -> None:
    assert not sees(NO_SCOPE, HOME)
    assert not can_record_at(NO_SCOPE, station_code=HOME)
    assert not sees_personal_data(NO_SCOPE)
    assert not can_view_access_log(NO_SCOPE, station_code=HOME)
    assert station_filter(NO_SCOPE) is None


@pytest.mark.real_password_hashing
@pytest.mark.django_db
def test_officers_passwords_are_stored_as_argon2_hashes(make_officer) -> None:  # type: ignore[no-untyped-def]
    user = make_officer("hashed", [Role.ANALYST], None)
    assert user.password.startswith("argon2$")
    assert user.check_password("correct horse battery staple")


# --- The permission matrix, one row per predicate ---------------------------------------------
#
# For each named predicate: the roles it allows at their own station (or, for the predicates
# without a station, anywhere). Every role is tried against every row, so a role added to a
# predicate without its row changing fails here.

ALL_ROLES = list(Role)
STATION_SCOPED: dict[str, frozenset[Role]] = {
    "can_record_entry": frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC}),
    "can_assign_investigator": frozenset({Role.OCS}),
    "can_book_into_cells": frozenset({Role.DESK, Role.OCS}),
    "can_record_custody_event": frozenset({Role.DESK, Role.OCS}),
    "can_issue_notice": frozenset({Role.TRAFFIC}),
    "can_cancel_notice": frozenset({Role.OCS}),
    "can_take_notice_to_court": frozenset({Role.TRAFFIC, Role.OCS, Role.DESK}),
    "can_record_court_outcome": frozenset({Role.TRAFFIC, Role.OCS, Role.DESK}),
    "can_issue_document": frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR}),
    "can_revoke_document": frozenset({Role.OCS}),
    "can_view_access_log": frozenset({Role.OCS, Role.OVERSIGHT, Role.ADMIN}),
    "can_send_payment_prompt": frozenset({Role.TRAFFIC, Role.DESK, Role.OCS}),
    "can_be_assigned_cases": frozenset({Role.INVESTIGATOR}),
    "is_texted_court_deadlines": frozenset({Role.OCS}),
}
UNSCOPED: dict[str, frozenset[Role]] = {
    "sees_personal_data": frozenset(set(Role) - {Role.ANALYST, Role.UNHCR_LIAISON}),
    "sees_fines_figures": frozenset({Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN, Role.ANALYST}),
    "sees_custody_compliance": frozenset({Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN, Role.ANALYST}),
    "can_reconcile_payments": frozenset({Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN}),
    "can_look_up_repeat_offenders": frozenset({Role.TRAFFIC, Role.OCS, Role.COMMANDER, Role.OVERSIGHT, Role.ADMIN}),
    "sees_cells_board": frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC, Role.COMMANDER}),
    "is_alerted_to_court_deadlines": frozenset({Role.DESK, Role.OCS}),
    "follows_cases": frozenset({Role.INVESTIGATOR}),
    "sees_station_dashboard": frozenset({Role.OCS}),
    "issues_notices": frozenset({Role.TRAFFIC}),
    "sees_an_access_log": frozenset({Role.OCS, Role.OVERSIGHT, Role.ADMIN}),
    "sees_every_stations_access_log": frozenset({Role.OVERSIGHT, Role.ADMIN}),
    "can_erase_personal_data": frozenset({Role.ADMIN}),
    "can_deactivate_officer": frozenset({Role.ADMIN}),
    "commands_a_county": frozenset({Role.COMMANDER}),
    "needs_a_station": frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC, Role.COMMANDER}),
    "reads_only_to_review": frozenset({Role.OVERSIGHT}),
    "runs_the_admin_site": frozenset({Role.ADMIN}),
    "is_alerted_to_node_refusals": frozenset({Role.OVERSIGHT, Role.ADMIN}),
    # The refugee register: DRS staff only, and no police role (issue 14).
    "reads_refugee_register": frozenset({Role.DRS_OFFICER, Role.DRS_SUPERVISOR}),
    "sees_refugee_sensitive_fields": frozenset({Role.DRS_SUPERVISOR}),
    "can_register_refugees": frozenset({Role.DRS_OFFICER, Role.DRS_SUPERVISOR}),
    "can_issue_refugee_document": frozenset({Role.DRS_OFFICER, Role.DRS_SUPERVISOR}),
    "can_report_refugee_document_lost": frozenset({Role.DRS_OFFICER, Role.DRS_SUPERVISOR}),
    "can_revoke_refugee_document": frozenset({Role.DRS_SUPERVISOR}),
    "sees_refugee_figures": frozenset({Role.DRS_SUPERVISOR, Role.UNHCR_LIAISON}),
    # The police check a refugee document shown as identity: its state, nobody's details.
    "can_check_refugee_document": frozenset(
        {
            Role.DESK,
            Role.OCS,
            Role.INVESTIGATOR,
            Role.TRAFFIC,
            Role.COMMANDER,
            Role.OVERSIGHT,
            Role.ADMIN,
            Role.DRS_OFFICER,
            Role.DRS_SUPERVISOR,
        }
    ),
    "can_manage_deployments": frozenset({Role.DEPLOYMENT}),
    "sees_readiness_board": frozenset({Role.DEPLOYMENT, Role.VETTING, Role.MEDICAL, Role.TRAINER, Role.COMMANDER}),
    "can_record_assessment": frozenset({Role.TRAINER}),
    "can_record_fitness": frozenset({Role.MEDICAL}),
    "sees_vetting_record": frozenset({Role.VETTING, Role.OVERSIGHT}),
    "can_decide_vetting": frozenset({Role.VETTING}),
}


def posted(role: Role) -> Scope:
    """The role as it is given: station and county roles with their station, national ones without."""
    if role in (Role.ANALYST, Role.OVERSIGHT, Role.ADMIN, *REGISTER_ROLES):
        return scope(role, station=None, county=None)
    return scope(role)


REGISTER_ROLES = (Role.DRS_OFFICER, Role.DRS_SUPERVISOR, Role.UNHCR_LIAISON)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_drs_supervisor_records_a_decision_and_drs_staff_the_other_steps(role: Role) -> None:
    assert rules.can_record_status_step(posted(role), decision=True) == (role is Role.DRS_SUPERVISOR)
    assert rules.can_record_status_step(posted(role), decision=False) == (
        role in (Role.DRS_OFFICER, Role.DRS_SUPERVISOR)
    )


@pytest.mark.parametrize("role", REGISTER_ROLES)
def test_refugee_register_roles_reach_no_station_and_record_in_no_book(role: Role) -> None:
    s = posted(role)
    assert rules.station_filter(s) is None
    assert not rules.can_record_entry(s, station_code=HOME)
    assert not rules.sees_alerts_register(s)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("predicate", sorted(STATION_SCOPED))
def test_each_station_predicate_allows_exactly_its_roles_at_their_own_station(predicate: str, role: Role) -> None:
    allowed = getattr(rules, predicate)(posted(role), station_code=HOME)
    assert allowed == (role in STATION_SCOPED[predicate]), (predicate, role)


@pytest.mark.parametrize("role", sorted(set(STATION_ROLES) | {Role.COMMANDER}))
@pytest.mark.parametrize("predicate", sorted(set(STATION_SCOPED) - {"can_view_access_log"}))
def test_no_station_predicate_allows_anything_at_another_station(predicate: str, role: Role) -> None:
    check = getattr(rules, predicate)
    assert not check(scope(role), station_code=NEIGHBOUR), (predicate, role)
    assert not check(scope(role), station_code=ELSEWHERE), (predicate, role)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("predicate", sorted(UNSCOPED))
def test_each_predicate_without_a_station_allows_exactly_its_roles(predicate: str, role: Role) -> None:
    assert getattr(rules, predicate)(posted(role)) == (role in UNSCOPED[predicate]), (predicate, role)


@pytest.mark.parametrize(
    "predicate",
    [
        *sorted(set(STATION_SCOPED) - {"can_view_access_log"}),
        "sees_cells_board",
        "is_alerted_to_court_deadlines",
        "follows_cases",
        "sees_station_dashboard",
        "issues_notices",
        "sees_an_access_log",
    ],
)
def test_a_station_role_without_a_station_is_allowed_nothing_at_a_station(predicate: str) -> None:
    check = getattr(rules, predicate)
    for role in STATION_ROLES:
        homeless = scope(role, station=None, county=None)
        allowed = check(homeless, station_code=HOME) if predicate in STATION_SCOPED else check(homeless)
        assert not allowed, (predicate, role)


def test_a_national_alert_reaches_every_role_its_predicate_allows_and_no_other() -> None:
    assert rules.roles_that(rules.is_alerted_to_node_refusals) == [Role.OVERSIGHT, Role.ADMIN]
    assert rules.roles_that(rules.sees_every_stations_access_log) == [Role.OVERSIGHT, Role.ADMIN]


# A death or serious injury in custody reaches beyond the station: the county's commander, oversight.
TEXTED_DEATHS_AND_INJURIES = {
    HOME: frozenset({Role.OCS, Role.COMMANDER, Role.OVERSIGHT}),
    NEIGHBOUR: frozenset({Role.COMMANDER, Role.OVERSIGHT}),
    ELSEWHERE: frozenset({Role.OVERSIGHT}),
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("station_code", sorted(TEXTED_DEATHS_AND_INJURIES))
def test_a_death_in_custody_is_texted_to_the_stations_ocs_its_countys_commander_and_oversight(
    station_code: str, role: Role
) -> None:
    county = 42 if station_code == ELSEWHERE else 47
    texted = rules.is_texted_deaths_and_injuries_in_custody(posted(role), station_code=station_code, county_code=county)
    assert texted == (role in TEXTED_DEATHS_AND_INJURIES[station_code]), (station_code, role)


def test_a_commander_without_a_county_is_texted_no_death_in_custody() -> None:
    homeless = scope(Role.COMMANDER, station=None, county=None)
    assert not rules.is_texted_deaths_and_injuries_in_custody(homeless, station_code=HOME, county_code=47)


def test_whom_a_predicate_about_a_station_reaches_is_read_from_the_predicate_role_by_role() -> None:
    def at_home(predicate: str) -> dict[Role, rules.Reach]:
        about = {"station_code": HOME}
        if predicate == "is_texted_deaths_and_injuries_in_custody":
            about["county_code"] = 47
        return rules.reach_of(partial(getattr(rules, predicate), **about), station_code=HOME, county_code=47)

    assert at_home("is_texted_deaths_and_injuries_in_custody") == {
        Role.OCS: rules.Reach.STATION,
        Role.COMMANDER: rules.Reach.COUNTY,
        Role.OVERSIGHT: rules.Reach.NATIONAL,
    }
    assert at_home("is_texted_court_deadlines") == {Role.OCS: rules.Reach.STATION}
    assert at_home("can_be_assigned_cases") == {Role.INVESTIGATOR: rules.Reach.STATION}
    assert at_home("can_view_access_log") == {
        Role.OCS: rules.Reach.STATION,
        Role.OVERSIGHT: rules.Reach.NATIONAL,
        Role.ADMIN: rules.Reach.NATIONAL,
    }


@pytest.mark.parametrize("predicate", sorted(STATION_SCOPED))
def test_every_role_a_station_predicate_reaches_is_allowed_where_it_reaches_and_no_wider(predicate: str) -> None:
    check = getattr(rules, predicate)
    reach = rules.reach_of(lambda s: check(s, station_code=HOME), station_code=HOME, county_code=47)
    assert set(reach) == STATION_SCOPED[predicate]
    for role, where in reach.items():
        assert check(scope(role, station=HOME), station_code=HOME)
        assert check(scope(role, station=NEIGHBOUR), station_code=HOME) == (where is not rules.Reach.STATION)
        assert check(scope(role, station=ELSEWHERE, county=42), station_code=HOME) == (where is rules.Reach.NATIONAL)


def test_oversight_holding_another_role_too_reads_for_that_role_not_only_to_review() -> None:
    assert rules.reads_only_to_review(scope(Role.OVERSIGHT, station=None, county=None))
    assert not rules.reads_only_to_review(scope(Role.OVERSIGHT, Role.ADMIN, station=None, county=None))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_desk_and_the_ocs_correct_any_entry_others_only_their_own(role: Role) -> None:
    keeps_the_book = role in (Role.DESK, Role.OCS)
    records = role in STATION_ROLES
    assert can_amend_entry(posted(role), station_code=HOME, recorded_it=False) == keeps_the_book, role
    assert can_amend_entry(posted(role), station_code=HOME, recorded_it=True) == records, role
    assert not can_amend_entry(scope(role), station_code=ELSEWHERE, recorded_it=True), role


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_ocs_updates_any_case_of_the_station_an_investigator_only_those_assigned_to_them(role: Role) -> None:
    assert can_update_case(posted(role), station_code=HOME, assigned_to_them=False) == (role is Role.OCS), role
    assert can_update_case(posted(role), station_code=HOME, assigned_to_them=True) == (
        role in (Role.OCS, Role.INVESTIGATOR)
    ), role
    assert not can_update_case(scope(role), station_code=ELSEWHERE, assigned_to_them=True), role


@pytest.mark.parametrize("role", ALL_ROLES)
def test_an_officer_revokes_their_own_api_token_and_only_an_admin_revokes_anothers(role: Role) -> None:
    assert can_revoke_api_token(posted(role), own_token=True)
    assert can_revoke_api_token(posted(role), own_token=False) == (role is Role.ADMIN)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_menu_offers_what_the_predicates_open(role: Role) -> None:
    s = posted(role)
    menu = menu_for(s)
    assert menu.record_entry == (role in STATION_SCOPED["can_record_entry"])
    assert menu.cells_board == (role in UNSCOPED["sees_cells_board"])
    assert menu.issue_notices == (role is Role.TRAFFIC)
    assert menu.fines_figures == (role in UNSCOPED["sees_fines_figures"])
    assert menu.custody_compliance == (role in UNSCOPED["sees_custody_compliance"])
    assert menu.reconcile_payments == (role in UNSCOPED["can_reconcile_payments"])
    assert menu.access_log == (role in UNSCOPED["sees_an_access_log"])
    assert menu.my_cases == (role is Role.INVESTIGATOR)
    assert menu.station_dashboard == (role is Role.OCS)
    assert menu.my_notices == (role is Role.TRAFFIC)


def test_a_user_without_an_officer_is_offered_nothing() -> None:
    assert not any(vars(menu_for(NO_SCOPE)).values())


def test_a_restricted_entry_is_read_in_full_by_the_ocs_the_assigned_investigator_and_its_recorder() -> None:
    def sees(s: Scope, *, recorded_it: bool = False, assigned: bool = False, station: str = HOME) -> bool:
        return rules.sees_restricted_entry(s, station_code=station, recorded_it=recorded_it, assigned_to_them=assigned)

    assert sees(scope(Role.OCS))
    assert sees(scope(Role.INVESTIGATOR), assigned=True)
    assert sees(scope(Role.DESK), recorded_it=True)
    assert not sees(scope(Role.DESK))
    assert not sees(scope(Role.INVESTIGATOR))
    assert not sees(scope(Role.OCS), station="KISUMU-CTL")
    for outsider in (Role.COMMANDER, Role.ANALYST, Role.OVERSIGHT, Role.ADMIN):
        assert not sees(scope(outsider, station=None))


def test_analyst_and_oversight_see_crime_figures_at_every_level() -> None:
    from daftari.stations.rules import sees_crime_figures

    for who in (Role.ANALYST, Role.OVERSIGHT):
        s = scope(who, station=None, county=None)
        assert sees_crime_figures(s, level="national")
        assert sees_crime_figures(s, level="county", code="1")
        assert sees_crime_figures(s, level="station", code="ANY", county_code=1)


def test_a_commander_sees_crime_figures_of_their_county_and_its_stations_only() -> None:
    from daftari.stations.rules import sees_crime_figures

    s = scope(Role.COMMANDER, county=47)
    assert sees_crime_figures(s, level="county", code="47")
    assert sees_crime_figures(s, level="station", code="KILIMANI", county_code=47)
    assert not sees_crime_figures(s, level="county", code="42")
    assert not sees_crime_figures(s, level="station", code="KISUMU-CTL", county_code=42)
    assert not sees_crime_figures(s, level="national")


def test_an_ocs_sees_crime_figures_of_their_own_station_and_the_desk_sees_none() -> None:
    from daftari.stations.rules import sees_crime_figures

    assert sees_crime_figures(scope(Role.OCS), level="station", code=HOME, county_code=47)
    assert not sees_crime_figures(scope(Role.OCS), level="station", code="ELSEWHERE", county_code=47)
    assert not sees_crime_figures(scope(Role.OCS), level="county", code="47")
    assert not sees_crime_figures(scope(Role.DESK), level="station", code=HOME, county_code=47)
    assert not sees_crime_figures(scope(Role.ANALYST, station=None, county=None), level="planet")


def test_the_menu_offers_crime_figures_to_ocs_commander_analyst_and_oversight_but_not_the_desk() -> None:
    from daftari.stations.rules import menu_for

    assert menu_for(scope(Role.OCS)).crime_figures
    assert menu_for(scope(Role.COMMANDER)).crime_figures
    assert menu_for(scope(Role.ANALYST, station=None, county=None)).crime_figures
    assert menu_for(scope(Role.OVERSIGHT, station=None, county=None)).crime_figures
    assert not menu_for(scope(Role.DESK)).crime_figures
    assert not menu_for(scope(Role.INVESTIGATOR)).crime_figures
