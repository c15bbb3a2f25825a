"""The access log narrowed by officer, station, date range and record, from the query string."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.stations.models import AccessEvent, Station
from daftari.stations.queries import NAIROBI
from tests.conftest import OfficerFactory


def read(*, by: User, station: Station, record_id: str, at: datetime, record_type: str = "occurrence") -> AccessEvent:
    officer = by.officer  # type: ignore[attr-defined]
    return AccessEvent.objects.create(
        at=at,
        user=by,
        username=by.username,
        roles="desk",
        officer_station=officer.station,
        record_type=record_type,
        record_id=record_id,
        record_station=station,
        purpose=AccessEvent.Purpose.DESK_VIEW,
        outcome=AccessEvent.Outcome.SHOWN,
    )


ENTRY_A = "0a4f6a3c-1111-4c5e-9a53-5e0d0b1f0001"
ENTRY_B = "0a4f6a3c-2222-4c5e-9a53-5e0d0b1f0002"


@pytest.fixture
def log(
    desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station
) -> dict[str, AccessEvent]:
    return {
        "desk_monday": read(
            by=desk_officer, station=station, record_id=ENTRY_A, at=datetime(2026, 11, 30, 9, 0, tzinfo=NAIROBI)
        ),
        "desk_tuesday": read(
            by=desk_officer, station=station, record_id=ENTRY_B, at=datetime(2026, 12, 1, 23, 30, tzinfo=NAIROBI)
        ),
        "elsewhere_tuesday": read(
            by=officer_elsewhere,
            station=other_station,
            record_id="FN2X4K7QAB",
            record_type="fine_notice",
            at=datetime(2026, 12, 1, 8, 0, tzinfo=NAIROBI),
        ),
    }


def shown(client: Client, query: str) -> set[str]:
    response = client.get(f"/access-log?{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    return {event.record_id for event in response.context["page"].object_list}


def test_oversight_narrows_the_log_to_one_officer_by_username_or_service_number(
    client: Client, oversight: User, desk_officer: User, log: dict[str, AccessEvent]
) -> None:
    client.force_login(oversight)
    assert shown(client, "officer=desk") == {ENTRY_A, ENTRY_B}
    service_number = desk_officer.officer.service_number  # type: ignore[attr-defined]
    assert shown(client, f"officer={service_number.lower()}") == {ENTRY_A, ENTRY_B}


def test_oversight_narrows_the_log_to_one_station(client: Client, oversight: User, log: dict[str, AccessEvent]) -> None:
    client.force_login(oversight)
    assert shown(client, "station=kisumu-ctl") == {"FN2X4K7QAB"}


def test_a_date_range_counts_whole_nairobi_days(client: Client, oversight: User, log: dict[str, AccessEvent]) -> None:
    client.force_login(oversight)
    # 23:30 in Nairobi on 1 December is 20:30 UTC: still the 1st.
    assert shown(client, "date_from=2026-12-01&date_to=2026-12-01") == {ENTRY_B, "FN2X4K7QAB"}
    assert shown(client, "date_to=2026-11-30") == {ENTRY_A}


def test_the_log_is_narrowed_to_one_record_whatever_the_case_typed(
    client: Client, oversight: User, log: dict[str, AccessEvent]
) -> None:
    client.force_login(oversight)
    assert shown(client, f"record={ENTRY_A.upper()}") == {ENTRY_A}
    assert shown(client, "record=fn2x4k7qab") == {"FN2X4K7QAB"}


def test_filters_combine(client: Client, oversight: User, log: dict[str, AccessEvent]) -> None:
    client.force_login(oversight)
    assert shown(client, "officer=desk&date_from=2026-12-01&station=CENTRAL-NBI") == {ENTRY_B}


def test_the_ocs_cannot_widen_the_log_past_their_own_station(
    client: Client, ocs: User, log: dict[str, AccessEvent]
) -> None:
    client.force_login(ocs)
    assert shown(client, "station=KISUMU-CTL") == {ENTRY_A, ENTRY_B}
    assert shown(client, "officer=elsewhere") == set()
    assert 'name="station"' not in client.get("/access-log").content.decode()


def test_bad_dates_and_an_unknown_station_are_named_beside_their_fields_all_at_once(
    client: Client, oversight: User, log: dict[str, AccessEvent]
) -> None:
    client.force_login(oversight)
    response = client.get("/access-log?date_from=2026-13-45&date_to=yesterday&station=NOWHERE")
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count("Enter a real date, for example 2026-12-05.") >= 2
    assert "Enter the code of a police station, such as CENTRAL-NBI." in body
    assert 'href="#id_date_from"' in body and 'href="#id_station"' in body
    assert 'value="NOWHERE"' in body


def test_an_end_date_before_the_start_is_refused(client: Client, oversight: User, log: dict[str, AccessEvent]) -> None:
    client.force_login(oversight)
    response = client.get("/access-log?date_from=2026-12-02&date_to=2026-12-01")
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date." in response.content.decode()


def test_the_pages_keep_the_filters(
    client: Client, oversight: User, make_officer: OfficerFactory, station: Station
) -> None:
    reader = make_officer("busy", [], station)
    start = datetime(2026, 12, 1, 8, 0, tzinfo=NAIROBI)
    for i in range(55):
        read(by=reader, station=station, record_id=f"rec{i}", at=start + timedelta(minutes=i))
    client.force_login(oversight)
    first = client.get("/access-log?officer=busy")
    assert len(first.context["page"].object_list) == 50
    assert "?officer=busy&amp;page=2" in first.content.decode()
    second = client.get("/access-log?officer=busy&page=2")
    assert len(second.context["page"].object_list) == 5


def test_each_record_in_the_log_links_to_its_page(client: Client, oversight: User, log: dict[str, AccessEvent]) -> None:
    client.force_login(oversight)
    body = client.get("/access-log").content.decode()
    assert f'href="/entries/{ENTRY_A}"' in body and 'href="/fines/notices/FN2X4K7QAB"' in body


@pytest.mark.parametrize("persona", ["desk_officer", "investigator", "traffic_officer", "commander", "analyst"])
def test_roles_without_an_access_log_are_refused_even_with_filters(
    db: None, client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/access-log?station=CENTRAL-NBI").status_code == 403
