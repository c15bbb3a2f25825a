"""The desk pages of the cell register: thin checks of status codes, scoping and what the page says."""

import re
from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState
from daftari.custody.services import book_in
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, Station
from tests.custody.conftest import ARRESTING_OFFICER, HELD_ELSEWHERE, booking


def test_the_board_shows_who_is_in_the_cells_with_words_for_the_colour(
    desk_client: Client, detainee: CustodyRecord
) -> None:
    page = desk_client.get("/custody").content.decode()
    assert "Otieno Ouma" in page and "More than 12 hours left" in page and "Tecno phone" in page
    assert 'hx-trigger="every 30s"' in page
    assert AccessEvent.objects.filter(record_type="custody_board").exists()


def test_the_board_refreshes_as_a_fragment(desk_client: Client, detainee: CustodyRecord) -> None:
    fragment = desk_client.get("/custody", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="cells"') and "<html" not in fragment


def test_a_breached_deadline_comes_first_and_says_so(
    desk_officer: User, desk_client: Client, station: Station, detainee: CustodyRecord, arrest: Occurrence
) -> None:
    late = booking(
        detainee=booking().detainee.__class__(name="Kamau Njoroge", sex="M", age=40),
        arrested_at=timezone.now() - timedelta(days=4),
        late=True,
        late_reason=HELD_ELSEWHERE,
    )
    book_in(actor=desk_officer, station=station, booking=late, arrest=arrest)
    page = desk_client.get("/custody").content.decode()
    assert page.index("Kamau Njoroge") < page.index("Otieno Ouma")
    assert "Deadline passed" in page
    assert "record the reason for continued detention" in page


def test_another_stations_detainee_is_404_at_the_desk(
    client: Client, officer_elsewhere: User, detainee: CustodyRecord
) -> None:
    client.force_login(officer_elsewhere)
    assert client.get(f"/custody/{detainee.pk}").status_code == 404
    assert client.get(f"/custody/{detainee.pk}/receipt").status_code == 404
    assert client.post(f"/custody/{detainee.pk}/events", {"kind": "meal"}).status_code == 404
    assert "Otieno" not in client.get("/custody").content.decode()


def test_the_arrest_entry_offers_book_in_and_the_form_books_in(
    desk_client: Client, arrest: Occurrence, station: Station
) -> None:
    entry_page = desk_client.get(f"/entries/{arrest.pk}").content.decode()
    assert f"/custody/book-in/{arrest.pk}" in entry_page
    form = desk_client.get(f"/custody/book-in/{arrest.pk}").content.decode()
    assert 'value="Otieno Ouma"' in form
    arrested = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "name": "Otieno Ouma",
        "sex": "M",
        "age": "27",
        "arrested_at": arrested,
        "arresting_officer": ARRESTING_OFFICER,
        "cell": "male",
        "offence_description": "Stealing",
        "punishable_by": "more_than_6_months",
        "property_items": "1, Tecno phone, 12000\nLeather belt",
    }
    response = desk_client.post(f"/custody/book-in/{arrest.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    record = CustodyRecord.objects.get()
    assert [(i.quantity, i.description, i.value_kes) for i in record.property_items.all()] == [
        (1, "Tecno phone", 12000),
        (1, "Leather belt", None),
    ]


def test_the_form_refuses_a_juvenile_in_the_male_cell(desk_client: Client, arrest: Occurrence) -> None:
    arrested = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "name": "Brian Kip",
        "sex": "M",
        "age": "15",
        "arrested_at": arrested,
        "arresting_officer": ARRESTING_OFFICER,
        "cell": "male",
        "offence_description": "Stealing",
        "punishable_by": "unknown",
    }
    response = desk_client.post(f"/custody/book-in/{arrest.pk}", data)
    assert response.status_code == 200
    assert "only be held in the juvenile cell" in response.content.decode()
    assert not CustodyRecord.objects.exists()


def test_the_record_page_records_events(desk_client: Client, detainee: CustodyRecord) -> None:
    assert desk_client.post(f"/custody/{detainee.pk}/events", {"kind": "continued_detention"}).status_code == 422
    response = desk_client.post(f"/custody/{detainee.pk}/events", {"kind": "release", "release_on": "police_bond"})
    assert response.status_code == 302
    assert CustodyState.objects.get(custody=detainee).state == "released"
    page = desk_client.get(f"/custody/{detainee.pk}").content.decode()
    assert "Release" in page
    returned = desk_client.post(f"/custody/{detainee.pk}/property", {"outcome-0": "returned", "acknowledged-0": "on"})
    assert returned.status_code == 302
    assert CustodyEvent.objects.filter(kind="property_returned").count() == 1


def test_the_property_receipt_has_the_signature_lines(desk_client: Client, detainee: CustodyRecord) -> None:
    page = desk_client.get(f"/custody/{detainee.pk}/receipt").content.decode()
    assert "Tecno phone" in page and "Signed by officer" in page and "Acknowledged by detainee" in page
    # The print styles are in the stylesheet the page links (no inline style under the CSP).
    stylesheet = re.search(r'href="(/static/daftari/daftari[^"]*\.css)"', page)
    assert stylesheet is not None
    css = b"".join(desk_client.get(stylesheet.group(1)).streaming_content).decode()
    assert "@media print" in css and ".signature" in css


def test_the_ocs_sees_the_compliance_figure_and_the_desk_does_not(
    client: Client, ocs: User, desk_officer: User, detainee: CustodyRecord
) -> None:
    client.force_login(ocs)
    page = client.get("/custody/compliance").content.decode()
    assert "No breaches." in page
    client.force_login(desk_officer)
    assert client.get("/custody/compliance").status_code == 403


def test_an_admin_adds_a_gazetted_holiday_and_cannot_change_a_booking(
    client: Client, admin_officer: User, detainee: CustodyRecord
) -> None:
    admin_officer.is_staff = True
    admin_officer.is_superuser = True
    admin_officer.save()
    client.force_login(admin_officer)
    response = client.post(
        "/admin/custody/gazettedholiday/add/",
        {"date": "2026-05-27", "name": "Idd ul-Adha", "gazette_notice": "Gazette Notice No. 6521 of 2026"},
    )
    assert response.status_code == 302
    from daftari.custody.models import GazettedHoliday

    assert GazettedHoliday.objects.filter(name="Idd ul-Adha").exists()
    assert client.get(f"/admin/custody/custodyrecord/{detainee.pk}/delete/").status_code == 403


def test_the_board_speaks_kiswahili(desk_client: Client, detainee: CustodyRecord) -> None:
    desk_client.cookies["daftari_language"] = "sw"
    page = desk_client.get("/custody").content.decode()
    assert "Mahabusu" in page and "Zimebaki zaidi ya saa 12" in page


def test_reading_the_list_of_breaches_is_logged_for_each_detainee_named(
    client: Client, ocs: User, desk_officer: User, station: Station, arrest: Occurrence
) -> None:
    late = book_in(
        actor=desk_officer,
        station=station,
        booking=booking(arrested_at=timezone.now() - timedelta(days=4), late=True, late_reason=HELD_ELSEWHERE),
        arrest=arrest,
    ).record
    client.force_login(ocs)
    page = client.get("/custody/compliance").content.decode()
    assert "Otieno Ouma" in page
    logged = AccessEvent.objects.filter(record_type="custody", record_id=str(late.pk), purpose=AccessEvent.Purpose.LIST)
    assert list(logged.values_list("username", "outcome")) == [("ocs", "shown")]


def test_the_record_page_shows_each_events_details_by_name_after_property_is_returned(
    desk_client: Client, detainee: CustodyRecord
) -> None:
    desk_client.post(f"/custody/{detainee.pk}/events", {"kind": "visit", "visitor": "Mama Atieno"})
    desk_client.post(f"/custody/{detainee.pk}/events", {"kind": "release", "release_on": "police_bond"})
    desk_client.post(f"/custody/{detainee.pk}/property", {"outcome-0": "returned", "acknowledged-0": "on"})
    response = desk_client.get(f"/custody/{detainee.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Visitor: Mama Atieno" in page
    assert "Released on: Police bond" in page
    assert "release_on" not in page
