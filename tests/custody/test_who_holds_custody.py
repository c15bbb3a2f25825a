"""Only the officers who hold the cells (the desk and the OCS) book people in and record their events.

A traffic officer or an investigator of the same station, or a commander, is refused on the page,
on the API and in the service itself; nothing is recorded.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.core.errors import NotPermitted
from daftari.custody.models import CustodyEvent, CustodyRecord
from daftari.custody.services import book_in, record_event, release
from daftari.ledger.models import Leaf
from daftari.occurrences.models import Occurrence
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.custody.conftest import booking
from tests.custody.test_api import booking_body
from tests.occurrences.test_api import Api

NOT_HOLDING_CELLS = [Role.TRAFFIC, Role.INVESTIGATOR, Role.COMMANDER]


def book_in_form() -> dict[str, str]:
    return {
        "name": "Otieno Ouma",
        "sex": "M",
        "age": "27",
        "arrested_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "arresting_officer": "SN2001",
        "cell": "male",
        "offence_description": "Stealing",
        "punishable_by": "more_than_6_months",
    }


@pytest.mark.parametrize("role", NOT_HOLDING_CELLS)
def test_an_officer_who_does_not_hold_the_cells_cannot_book_in_on_the_page(
    client: Client, make_officer: OfficerFactory, station: Station, arrest: Occurrence, role: Role
) -> None:
    client.force_login(make_officer("cheat", [role], station))
    assert client.get(f"/custody/book-in/{arrest.pk}").status_code == 403
    assert client.post(f"/custody/book-in/{arrest.pk}", book_in_form()).status_code == 403
    assert not CustodyRecord.objects.exists()


@pytest.mark.parametrize("role", NOT_HOLDING_CELLS)
def test_an_officer_who_does_not_hold_the_cells_cannot_book_in_on_the_api(
    client: Client, make_officer: OfficerFactory, station: Station, arrest: Occurrence, role: Role
) -> None:
    api = Api(client, make_officer("cheat", [role], station))
    response = api.post("/custody", booking_body(occurrence=str(arrest.pk)))
    assert response.status_code == 403, response.content
    assert response.json()["error"].startswith("not_permitted")
    inline = api.post("/custody", booking_body(arrest={"place": "Tom Mboya Street", "reason": "Snatched a phone"}))
    assert inline.status_code == 403, inline.content
    assert not CustodyRecord.objects.exists()
    # Nor does the refused inline booking leave its ARREST entry behind.
    assert Occurrence.objects.filter(entry_type="ARREST").count() == 1


def test_a_traffic_officer_cannot_book_in_through_the_service(
    traffic_officer: User, station: Station, arrest: Occurrence
) -> None:
    leaves = Leaf.objects.count()
    with pytest.raises(NotPermitted):
        book_in(actor=traffic_officer, station=station, booking=booking(), arrest=arrest)
    assert not CustodyRecord.objects.exists()
    assert Leaf.objects.count() == leaves


@pytest.mark.parametrize("role", NOT_HOLDING_CELLS)
def test_an_officer_who_does_not_hold_the_cells_cannot_record_a_custody_event_on_the_page(
    client: Client, make_officer: OfficerFactory, station: Station, detainee: CustodyRecord, role: Role
) -> None:
    client.force_login(make_officer("cheat", [role], station))
    assert client.post(f"/custody/{detainee.pk}/events", {"kind": "meal"}).status_code == 403
    released = client.post(f"/custody/{detainee.pk}/events", {"kind": "release", "release_on": "police_bond"})
    assert released.status_code == 403
    returned = client.post(f"/custody/{detainee.pk}/property", {"outcome-0": "returned", "acknowledged-0": "on"})
    assert returned.status_code == 403
    assert not CustodyEvent.objects.filter(custody=detainee).exists()


@pytest.mark.parametrize("role", NOT_HOLDING_CELLS)
def test_an_officer_who_does_not_hold_the_cells_cannot_record_a_custody_event_on_the_api(
    client: Client, make_officer: OfficerFactory, station: Station, detainee: CustodyRecord, role: Role
) -> None:
    api = Api(client, make_officer("cheat", [role], station))
    response = api.post(f"/custody/{detainee.pk}/events", {"kind": "release", "details": {"release_on": "free"}})
    assert response.status_code == 403, response.content
    assert not CustodyEvent.objects.filter(custody=detainee).exists()


def test_a_traffic_officer_cannot_release_a_detainee_through_the_service(
    traffic_officer: User, detainee: CustodyRecord
) -> None:
    with pytest.raises(NotPermitted):
        release(actor=traffic_officer, custody=detainee, on="free")
    with pytest.raises(NotPermitted):
        record_event(actor=traffic_officer, custody=detainee, kind="meal", details={"note": "Lunch"})
    assert not CustodyEvent.objects.filter(custody=detainee).exists()


def test_the_ocs_books_in_and_records_events(ocs: User, station: Station, arrest: Occurrence) -> None:
    record = book_in(actor=ocs, station=station, booking=booking(), arrest=arrest).record
    release(actor=ocs, custody=record, on="free")
    assert record.projection.state == "released"


@pytest.mark.parametrize("role", NOT_HOLDING_CELLS)
def test_the_pages_offer_no_booking_or_event_form_to_who_may_not_use_them(
    client: Client, make_officer: OfficerFactory, station: Station, detainee: CustodyRecord, role: Role
) -> None:
    client.force_login(make_officer("cheat", [role], station))
    entry = client.get(f"/entries/{detainee.arrest_id}").content.decode()
    assert f"/custody/book-in/{detainee.arrest_id}" not in entry
    record = client.get(f"/custody/{detainee.pk}").content.decode()
    assert f'action="/custody/{detainee.pk}/events"' not in record
