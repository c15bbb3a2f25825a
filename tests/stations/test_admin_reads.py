"""The admin's lists and pages of personal data are reads like any other: each record shown is logged."""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from daftari.custody.models import CustodyRecord
from daftari.custody.services import book_in
from daftari.fines.models import FineNotice
from daftari.fines.services import issue_notice
from daftari.notifications.models import SmsMessage
from daftari.occurrences.models import Occurrence, Person
from daftari.payments.models import DarajaCallback
from daftari.stations.models import AccessEvent, Station
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer
from tests.fines.conftest import draft as notice_draft


@pytest.fixture
def admin_client(client: Client, admin_officer: User) -> Client:
    client.force_login(admin_officer)
    return client


@pytest.fixture
def detainee(desk_officer: User, station: Station) -> CustodyRecord:
    from daftari.occurrences.services import record_occurrence

    enrol_arresting_officer(station)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    return book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record


@pytest.fixture
def notice(traffic_officer: User, station: Station) -> FineNotice:
    return issue_notice(actor=traffic_officer, station=station, draft=notice_draft()).notice


def _admin_reads(admin: User) -> list[tuple[str, str, str]]:
    return [
        (e.record_type, e.record_id, e.outcome)
        for e in AccessEvent.objects.filter(username=admin.username, channel="admin").order_by("pk")
    ]


def test_the_list_of_persons_logs_each_person_shown(
    admin_client: Client, admin_officer: User, recorded_complaint: Occurrence
) -> None:
    person = Person.objects.get()
    page = admin_client.get("/admin/occurrences/person/")
    assert page.status_code == 200 and person.id_number in page.content.decode()
    assert _admin_reads(admin_officer) == [("person", str(person.pk), "shown")]
    assert AccessEvent.objects.get(channel="admin").purpose == AccessEvent.Purpose.ADMIN


def test_a_custody_record_and_the_list_of_them_are_logged(
    admin_client: Client, admin_officer: User, detainee: CustodyRecord
) -> None:
    assert admin_client.get("/admin/custody/custodyrecord/").status_code == 200
    assert admin_client.get(f"/admin/custody/custodyrecord/{detainee.pk}/change/").status_code == 200
    assert _admin_reads(admin_officer) == [("custody", str(detainee.pk), "shown")] * 2
    assert AccessEvent.objects.filter(channel="admin", record_station=detainee.station).count() == 2


def test_the_list_of_notices_logs_each_notice_shown(
    admin_client: Client, admin_officer: User, notice: FineNotice
) -> None:
    assert notice.plate in admin_client.get("/admin/fines/finenotice/").content.decode()
    assert _admin_reads(admin_officer) == [("fine_notice", notice.number, "shown")]


def test_the_sms_list_logs_each_message_shown(
    admin_client: Client, admin_officer: User, recorded_complaint: Occurrence
) -> None:
    messages = list(SmsMessage.objects.order_by("pk"))
    assert messages, "recording a complaint queues the complainant's SMS"
    assert admin_client.get("/admin/notifications/smsmessage/").status_code == 200
    assert sorted(_admin_reads(admin_officer)) == sorted(("sms", str(m.pk), "shown") for m in messages)


def test_a_daraja_payload_page_is_logged(admin_client: Client, admin_officer: User) -> None:
    callback = DarajaCallback.objects.create(
        kind=DarajaCallback.Kind.C2B_CONFIRMATION,
        key="TK1ABCDEF1",
        received_at=timezone.now(),
        raw=json.dumps({"MSISDN": "254712345678", "FirstName": "KAMAU"}).encode(),
    )
    assert "KAMAU" in admin_client.get(f"/admin/payments/darajacallback/{callback.pk}/change/").content.decode()
    assert _admin_reads(admin_officer) == [("daraja_callback", str(callback.pk), "shown")]
