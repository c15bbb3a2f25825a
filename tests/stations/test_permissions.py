"""The permission matrix through the services and querysets, with three stations' books.

Central and Kilimani are in Nairobi City county (47); Kisumu Central is in Kisumu (42).
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotFound, NotPermittedAtStation
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import find_entry, record_occurrence
from daftari.stations.models import AccessEvent, ApiToken, Station, scope_of
from daftari.stations.queries import officers_who
from daftari.stations.rules import (
    Role,
    Scope,
    can_view_access_log,
    is_texted_deaths_and_injuries_in_custody,
    sees_personal_data,
)
from daftari.stations.services import create_officer, hash_token, log_access, user_for_token
from tests.conftest import PASSWORD, OfficerFactory, complaint

Books = dict[str, Occurrence]


@pytest.fixture
def books(make_officer: OfficerFactory, station: Station, neighbour_station: Station, other_station: Station) -> Books:
    """One entry in each station's book, recorded by that station's desk."""
    entries = {}
    for place in (station, neighbour_station, other_station):
        desk = make_officer(f"desk-{place.code.lower()}", [Role.DESK], place)
        entries[place.code] = record_occurrence(actor=desk, station=place, draft=complaint()).entry
    return entries


def visible_codes(user: User) -> set[str]:
    return set(Occurrence.objects.visible_to(scope_of(user)).values_list("station__code", flat=True))


@pytest.mark.parametrize("persona", ["desk_officer", "ocs", "investigator", "traffic_officer"])
def test_a_station_officer_sees_only_their_own_stations_book(
    persona: str, request: pytest.FixtureRequest, books: Books
) -> None:
    user = request.getfixturevalue(persona)
    assert visible_codes(user) == {"CENTRAL-NBI"}


@pytest.mark.parametrize("persona", ["desk_officer", "ocs", "investigator", "traffic_officer"])
def test_a_station_officer_records_at_their_own_station_and_nowhere_else(
    persona: str, request: pytest.FixtureRequest, station: Station, neighbour_station: Station
) -> None:
    user = request.getfixturevalue(persona)
    assert record_occurrence(actor=user, station=station, draft=complaint()).entry.station == station
    with pytest.raises(NotPermittedAtStation):
        record_occurrence(actor=user, station=neighbour_station, draft=complaint())
    assert not Occurrence.objects.filter(station=neighbour_station).exists()


def test_another_stations_entry_is_not_found_by_id_or_ob_number(
    officer_elsewhere: User, station: Station, books: Books
) -> None:
    central = books["CENTRAL-NBI"]
    with pytest.raises(NotFound):
        find_entry(scope=scope_of(officer_elsewhere), reference=str(central.pk))
    with pytest.raises(NotFound):
        find_entry(scope=scope_of(officer_elsewhere), reference=central.ob_number, station=station)


def test_an_officer_finds_their_own_stations_entry_by_ob_number(
    desk_officer: User, station: Station, books: Books
) -> None:
    central = books["CENTRAL-NBI"]
    assert find_entry(scope=scope_of(desk_officer), reference=central.ob_number, station=station) == central


def test_a_commander_sees_the_countys_books_but_records_in_none(
    commander: User, station: Station, books: Books
) -> None:
    assert visible_codes(commander) == {"CENTRAL-NBI", "KILIMANI"}
    assert find_entry(scope=scope_of(commander), reference=str(books["KILIMANI"].pk)) == books["KILIMANI"]
    with pytest.raises(NotFound):
        find_entry(scope=scope_of(commander), reference=str(books["KISUMU-CTL"].pk))
    with pytest.raises(NotPermittedAtStation):
        record_occurrence(actor=commander, station=station, draft=complaint())


def test_an_analyst_sees_every_book_without_personal_data_and_records_in_none(
    analyst: User, station: Station, books: Books
) -> None:
    assert visible_codes(analyst) == set(books)
    assert not sees_personal_data(scope_of(analyst))
    with pytest.raises(NotPermittedAtStation):
        record_occurrence(actor=analyst, station=station, draft=complaint())


def test_oversight_sees_every_book_and_records_in_none(oversight: User, station: Station, books: Books) -> None:
    assert visible_codes(oversight) == set(books)
    assert sees_personal_data(scope_of(oversight))
    with pytest.raises(NotPermittedAtStation):
        record_occurrence(actor=oversight, station=station, draft=complaint())


def test_an_admin_sees_every_book(admin_officer: User, books: Books) -> None:
    assert visible_codes(admin_officer) == set(books)
    assert find_entry(scope=scope_of(admin_officer), reference=str(books["KISUMU-CTL"].pk))


def test_the_access_log_is_open_to_the_ocs_of_the_station_oversight_and_admin(
    ocs: User, desk_officer: User, commander: User, oversight: User, admin_officer: User
) -> None:
    assert can_view_access_log(scope_of(ocs), station_code="CENTRAL-NBI")
    assert not can_view_access_log(scope_of(ocs), station_code="KISUMU-CTL")
    assert can_view_access_log(scope_of(oversight), station_code="KISUMU-CTL")
    assert can_view_access_log(scope_of(admin_officer), station_code="KISUMU-CTL")
    assert not can_view_access_log(scope_of(desk_officer), station_code="CENTRAL-NBI")
    assert not can_view_access_log(scope_of(commander), station_code="CENTRAL-NBI")


def test_a_user_without_an_officer_sees_nothing_and_records_nothing(station: Station, books: Books) -> None:
    user = User.objects.create_user("clerk", password="not-an-officer-1")
    assert visible_codes(user) == set()
    with pytest.raises(NotFound):
        find_entry(scope=scope_of(user), reference=str(books["CENTRAL-NBI"].pk))
    with pytest.raises(NotPermittedAtStation):
        record_occurrence(actor=user, station=station, draft=complaint())


def test_a_deactivated_officer_sees_nothing(desk_officer: User, books: Books) -> None:
    desk_officer.is_active = False
    desk_officer.save()
    assert visible_codes(User.objects.get(pk=desk_officer.pk)) == set()


ADMIN_PAGES = [
    "admin:stations_county_changelist",
    "admin:stations_station_changelist",
    "admin:stations_officer_changelist",
    "admin:stations_apitoken_changelist",
    "admin:stations_accessevent_changelist",
    "admin:occurrences_occurrence_changelist",
    "admin:occurrences_person_changelist",
]


def test_the_admin_pages_open_for_an_admin_and_not_for_a_desk_officer(
    client: Client, admin_officer: User, desk_officer: User, books: Books
) -> None:
    client.force_login(desk_officer)
    for page in ADMIN_PAGES:
        assert client.get(reverse(page)).status_code == 302, page  # to the admin sign-in: not staff
    client.force_login(admin_officer)
    for page in ADMIN_PAGES:
        assert client.get(reverse(page)).status_code == 200, page
    user_page = client.get(reverse("admin:auth_user_change", args=[desk_officer.pk]))
    assert desk_officer.officer.service_number in user_page.content.decode()


def test_an_admin_revokes_a_device_token_and_it_stops_working(
    client: Client, admin_officer: User, desk_officer: User
) -> None:
    token = ApiToken.objects.create(
        user=desk_officer,
        key_hash=hash_token("dft_raw"),
        prefix="dft_raw",
        created_at=timezone.now(),
        password_stamp=desk_officer.get_session_auth_hash(),
    )
    assert user_for_token("dft_raw") == desk_officer
    client.force_login(admin_officer)
    client.post(
        reverse("admin:stations_apitoken_changelist"), {"action": "revoke", "_selected_action": [str(token.pk)]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token("dft_raw") is None


def test_the_access_log_cannot_be_changed_in_the_admin(client: Client, admin_officer: User, books: Books) -> None:
    event = log_access(
        actor=admin_officer,
        record_type="occurrence",
        record_id=str(books["CENTRAL-NBI"].pk),
        record_station=books["CENTRAL-NBI"].station,
        purpose=AccessEvent.Purpose.DESK_VIEW,
        outcome=AccessEvent.Outcome.SHOWN,
    )
    client.force_login(admin_officer)
    assert (
        client.post(reverse("admin:stations_accessevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.get(reverse("admin:stations_accessevent_add")).status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_an_officers_phone_is_kept_in_international_form(station: Station) -> None:
    from daftari.stations.services import create_officer

    officer = create_officer(
        username="ocs_phone",
        password="x" * 12,
        service_number="SN-PHONE",
        rank="CI",
        station=station,
        roles=[Role.OCS],
        phone="0712 345 678",
    )
    assert officer.phone == "+254712345678"


def test_an_officer_with_an_invalid_phone_is_refused(station: Station) -> None:
    from daftari.core.errors import InvalidInput
    from daftari.stations.services import create_officer

    with pytest.raises(InvalidInput) as raised:
        create_officer(
            username="ocs_badphone",
            password="x" * 12,
            service_number="SN-BADPHONE",
            rank="CI",
            station=station,
            roles=[Role.OCS],
            phone="12",
        )
    assert "phone" in raised.value.fields


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DESK, Role.OCS, Role.INVESTIGATOR, Role.TRAFFIC, Role.COMMANDER])
def test_an_officer_in_a_station_or_county_role_is_not_enrolled_without_a_station(role: Role) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_officer(
            username="homeless", password=PASSWORD, service_number="990001", rank="PC", station=None, roles=[role]
        )
    assert "station" in refused.value.fields
    assert not User.objects.filter(username="homeless").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.OVERSIGHT, Role.ANALYST])
def test_only_an_administrator_is_staff_and_superuser_on_the_admin_site(role: Role) -> None:
    officer = create_officer(
        username=f"national-{role}",
        password=PASSWORD,
        service_number=f"99-{role}",
        rank="PC",
        station=None,
        roles=[role],
    )
    assert (officer.user.is_staff, officer.user.is_superuser) == ((role is Role.ADMIN,) * 2)


def test_a_death_in_custody_reaches_exactly_the_officers_its_predicate_allows_where_they_serve(
    make_officer: OfficerFactory, station: Station, neighbour_station: Station, other_station: Station
) -> None:
    reached = {
        make_officer("ocs-here", [Role.OCS], station).username,
        make_officer("commander-next-door", [Role.COMMANDER], neighbour_station).username,
        make_officer("ipoa", [Role.OVERSIGHT], None).username,
        make_officer("ocs-and-commander", [Role.OCS, Role.COMMANDER], station).username,
    }
    make_officer("desk-here", [Role.DESK], station)
    make_officer("ocs-next-door", [Role.OCS], neighbour_station)
    make_officer("commander-kisumu", [Role.COMMANDER], other_station)
    gone = make_officer("ocs-retired", [Role.OCS], station)
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    def texted(scope: Scope) -> bool:
        return is_texted_deaths_and_injuries_in_custody(scope, station_code=station.code, county_code=station.county_id)

    officers = list(officers_who(texted, station=station).values_list("user__username", flat=True))
    assert sorted(officers) == sorted(reached)
    assert sorted(officers_who(texted).values_list("user__username", flat=True)) == ["ipoa"]
