"""The permission matrix as pure rules: who sees and records at which station."""

import pytest

from daftari.stations.rules import (
    NO_SCOPE,
    Role,
    Scope,
    can_record_at,
    can_see_station,
    can_view_access_log,
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
        if role is not Role.ANALYST:
            assert sees_personal_data(scope(role)), role


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
