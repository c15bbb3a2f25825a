"""Who may see and record what: the permission matrix, as pure functions."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    DESK = "desk"
    OCS = "ocs"
    INVESTIGATOR = "investigator"
    TRAFFIC = "traffic"
    COMMANDER = "commander"
    ANALYST = "analyst"
    OVERSIGHT = "oversight"
    ADMIN = "admin"


STATION_ROLES = frozenset({Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC})
NATIONAL_ROLES = frozenset({Role.ANALYST, Role.OVERSIGHT, Role.ADMIN})


@dataclass(frozen=True)
class Scope:
    """An officer's reach: their roles, their station and that station's county."""

    roles: frozenset[Role]
    station_code: str | None
    county_code: int | None
    station_id: int | None = None

    @property
    def is_national(self) -> bool:
        return bool(self.roles & NATIONAL_ROLES)


NO_SCOPE = Scope(roles=frozenset(), station_code=None, county_code=None)


def can_see_station(scope: Scope, *, station_code: str, county_code: int) -> bool:
    if scope.is_national:
        return True
    if Role.COMMANDER in scope.roles and scope.county_code == county_code:
        return True
    return bool(scope.roles & STATION_ROLES) and scope.station_code == station_code


def can_record_at(scope: Scope, *, station_code: str) -> bool:
    """Only officers of the station record in its book; nobody records in another's."""
    return bool(scope.roles & STATION_ROLES) and scope.station_code == station_code


def sees_personal_data(scope: Scope) -> bool:
    """Analysts work on figures: names, ID numbers, phones and narratives are withheld."""
    return bool(scope.roles - {Role.ANALYST})


def can_view_access_log(scope: Scope, *, station_code: str) -> bool:
    if scope.roles & {Role.OVERSIGHT, Role.ADMIN}:
        return True
    return Role.OCS in scope.roles and scope.station_code == station_code


def station_filter(scope: Scope) -> dict[str, object] | None:
    """The lookup that limits a query of records to what the scope may see.

    ``None`` means nothing may be seen; an empty dict means everything.
    """
    if scope.is_national:
        return {}
    if Role.COMMANDER in scope.roles and scope.county_code is not None:
        return {"station__county_id": scope.county_code}
    if scope.roles & STATION_ROLES and scope.station_id is not None:
        return {"station_id": scope.station_id}
    if scope.roles & STATION_ROLES and scope.station_code:
        return {"station__code": scope.station_code}
    return None
