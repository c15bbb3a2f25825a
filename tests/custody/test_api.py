"""The cell register on the API: book-in, events, listing, and what another station sees."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody.models import CustodyRecord, CustodyState
from daftari.ledger.models import Leaf
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, Station
from tests.custody.conftest import ARRESTING_OFFICER
from tests.occurrences.test_api import Api


def booking_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "arrested_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "arresting_officer": ARRESTING_OFFICER,
        "cell": "male",
        "detainee": {"name": "Otieno Ouma", "sex": "M", "id_number": "23456789", "age": 27},
        "offences": [{"section": "s.268 Penal Code", "description": "Stealing", "punishable_by": "more_than_6_months"}],
        "physical_condition": "No visible injuries",
        "next_of_kin": {"informed": True, "name": "Akinyi Ouma", "informed_at": timezone.now().isoformat()},
        "property": [{"description": "Tecno phone", "quantity": 1, "value_kes": 12000}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def desk_api(client: Client, desk_officer: User) -> Api:
    return Api(client, desk_officer)


def test_booking_in_from_the_arrest_entry_answers_with_the_court_deadline(
    desk_api: Api, arrest: Occurrence, station: Station
) -> None:
    response = desk_api.post("/custody", booking_body(occurrence=str(arrest.pk)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["court_deadline"].endswith("+03:00")
    assert body["remand_warning"] is False
    assert body["state"] == "in_custody" and body["ob_number"] == arrest.ob_number
    assert body["property"][0]["description"] == "Tecno phone"
    record = CustodyRecord.objects.get(pk=body["id"])
    assert AccessEvent.objects.filter(record_type="custody", record_id=str(record.pk), outcome="shown").exists()


def test_booking_in_with_the_arrest_inline_records_both(desk_api: Api, station: Station) -> None:
    body = booking_body(
        arrest={"place": "Tom Mboya Street", "reason": "Snatched a phone"},
        offences=[{"description": "Creating a disturbance", "punishable_by": "fine_only"}],
    )
    response = desk_api.post("/custody", body)
    assert response.status_code == 201, response.content
    assert response.json()["remand_warning"] is True
    assert Occurrence.objects.filter(entry_type="ARREST", station=station).count() == 1
    # The arrest, the booking's OB line (into the cells) and the booking.
    assert Occurrence.objects.filter(entry_type="CELLS", station=station).count() == 1
    assert Leaf.objects.filter(log__station=station).count() == 3


def test_a_juvenile_in_an_adult_cell_answers_422(desk_api: Api, arrest: Occurrence) -> None:
    body = booking_body(occurrence=str(arrest.pk), detainee={"name": "Brian Kip", "sex": "M", "age": 15})
    response = desk_api.post("/custody", body)
    assert response.status_code == 422
    assert "juvenile" in response.json()["fields"]["cell"]


def test_a_retry_with_the_same_id_answers_200_and_a_changed_body_409(desk_api: Api, arrest: Occurrence) -> None:
    body = booking_body(occurrence=str(arrest.pk), id=str(uuid.uuid4()))
    assert desk_api.post("/custody", body).status_code == 201
    assert desk_api.post("/custody", body).status_code == 200
    assert desk_api.post("/custody", {**body, "physical_condition": "Limping"}).status_code == 409


def test_events_release_and_the_list_of_who_is_in_the_cells(desk_api: Api, detainee: CustodyRecord) -> None:
    listed = desk_api.get("/custody", state="in_custody").json()["results"]
    assert [r["id"] for r in listed] == [str(detainee.pk)]
    meal = desk_api.post(f"/custody/{detainee.pk}/events", {"kind": "meal", "details": {"note": "Tea"}})
    assert meal.status_code == 201, meal.content
    refused = desk_api.post(f"/custody/{detainee.pk}/events", {"kind": "continued_detention", "details": {}})
    assert refused.status_code == 422
    assert "details.reason" in refused.json()["fields"]
    released = desk_api.post(f"/custody/{detainee.pk}/events", {"kind": "release", "details": {"release_on": "free"}})
    assert released.status_code == 201
    body = released.json()
    assert body["state"] == "released" and body["brought_within_deadline"] is True
    assert [e["kind"] for e in body["events"]] == ["meal", "release"]
    assert desk_api.get("/custody", state="in_custody").json()["results"] == []
    again = desk_api.post(f"/custody/{detainee.pk}/events", {"kind": "meal", "details": {}})
    assert again.status_code == 409 and again.json()["error"] == "not_in_custody"


def test_another_stations_detainee_is_404(client: Client, officer_elsewhere: User, detainee: CustodyRecord) -> None:
    api = Api(client, officer_elsewhere)
    assert api.get(f"/custody/{detainee.pk}").status_code == 404
    assert api.post(f"/custody/{detainee.pk}/events", {"kind": "meal", "details": {}}).status_code == 404
    assert api.get("/custody").json()["results"] == []
    assert AccessEvent.objects.filter(record_id=str(detainee.pk), outcome="denied").exists()


def test_a_transferred_detainee_is_visible_at_the_receiving_station(
    client: Client, desk_api: Api, officer_elsewhere: User, other_station: Station, detainee: CustodyRecord
) -> None:
    moved = desk_api.post(
        f"/custody/{detainee.pk}/events",
        {"kind": "station_transfer", "details": {"to_station": other_station.code, "to_cell": "male"}},
    )
    assert moved.status_code == 201, moved.content
    elsewhere = Api(Client(), officer_elsewhere)
    body = elsewhere.get(f"/custody/{detainee.pk}").json()
    assert body["current_station"] == other_station.code
    assert [r["id"] for r in elsewhere.get("/custody", state="in_custody").json()["results"]] == [str(detainee.pk)]
    meal = elsewhere.post(f"/custody/{detainee.pk}/events", {"kind": "meal", "details": {}})
    assert meal.status_code == 201
    assert CustodyState.objects.get(custody=detainee).current_station == other_station


def test_an_analyst_reads_the_register_without_names(client: Client, analyst: User, detainee: CustodyRecord) -> None:
    body = Api(client, analyst).get(f"/custody/{detainee.pk}").json()
    assert body["personal_data_withheld"] is True
    assert body["detainee"]["name"] is None and body["court_deadline"].endswith("+03:00")


def test_an_unknown_event_kind_answers_422(desk_api: Api, detainee: CustodyRecord) -> None:
    response = desk_api.post(f"/custody/{detainee.pk}/events", {"kind": "party", "details": {}})
    assert response.status_code == 422
