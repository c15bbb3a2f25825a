""" "Check my report" at the hub for a report recorded at a station node: once the node has sent it,
the public finds it by station, OB number and the last four digits of the phone given, and reads
where the case stands from the node's case updates, as for a report recorded at the hub."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from daftari.nodes import mirror
from daftari.nodes.models import EnrolledNode
from daftari.occurrences.rules import ob_date_of
from daftari.portal.models import PortalLookup
from daftari.stations.models import Station
from tests.nodes.test_handover import join
from tests.nodes.test_hub import Book, send
from tests.nodes.test_national_search import node_record

pytestmark = pytest.mark.django_db

URL = "/public/status"


def today_ob(seq: int) -> str:
    day = ob_date_of(timezone.now())
    return f"OB {seq}/{day.day}/{day.month}/{day.year}"


def case_update(entry_id: str, status: str, *, hours_ago: int = 0) -> dict[str, object]:
    """A case update as the node's casework records it (occurrences.casework.update_record)."""
    return {
        "type": "case_update",
        "id": str(uuid.uuid4()),
        "occurrence": entry_id,
        "status": status,
        "investigator": "SN2002",
        "note": "",
        "reason": "",
        "recorded_by": "SN2001",
        "recorded_at": (timezone.now() - timedelta(hours=hours_ago)).isoformat(),
    }


@pytest.fixture
def node(station: Station) -> tuple[EnrolledNode, Book]:
    book = Book(origin=f"daftari.local/ob/{station.code}")
    return join(station, book), book


def ask(client: Client, ob_number: str, last4: str = "1222", *, status: int = 200) -> str:
    response = client.post(URL, {"station": "CENTRAL-NBI", "ob_number": ob_number, "phone_last4": last4})
    assert response.status_code == status
    return response.content.decode()


def test_a_report_recorded_at_the_node_and_sent_is_found_with_where_its_case_stands(
    public_client: Client, node: tuple[EnrolledNode, Book]
) -> None:
    enrolled, book = node
    record = node_record(enrolled.station, ob=today_ob(1))
    book.record(record=record)
    book.record(record=case_update(record["id"], "assigned", hours_ago=1), kind="case_update")
    book.record(record=case_update(record["id"], "suspect_arrested"), kind="case_update")
    send(enrolled, book.push(0, 3))
    mirror.index_new()
    page = ask(public_client, today_ob(1))
    assert "Suspect arrested" in page and "Central Police Station" in page and today_ob(1) in page
    assert "Achieng" not in page and "handbag" not in page
    assert PortalLookup.objects.get().outcome == PortalLookup.Outcome.FOUND


def test_a_report_from_the_node_with_no_case_update_yet_says_it_is_not_yet_assigned(
    public_client: Client, node: tuple[EnrolledNode, Book]
) -> None:
    enrolled, book = node
    book.record(record=node_record(enrolled.station, ob=today_ob(1)))
    send(enrolled, book.push(0, 1))
    mirror.index_new()
    assert "not yet assigned" in ask(public_client, today_ob(1))


def test_wrong_digits_or_a_report_the_node_has_not_sent_get_the_same_not_found(
    public_client: Client, node: tuple[EnrolledNode, Book]
) -> None:
    enrolled, book = node
    book.record(record=node_record(enrolled.station, ob=today_ob(1)))
    book.record(record=node_record(enrolled.station, ob=today_ob(2)))
    send(enrolled, book.push(0, 1))  # the second is still waiting at the node
    mirror.index_new()
    wrong_digits = ask(public_client, today_ob(1), last4="9999", status=404)
    not_sent = ask(public_client, today_ob(2), status=404)
    assert "We could not find a report" in wrong_digits and "We could not find a report" in not_sent
    assert list(PortalLookup.objects.values_list("outcome", flat=True)) == [PortalLookup.Outcome.NOT_FOUND] * 2


def test_an_entry_from_the_node_that_is_not_public_facing_is_never_found(
    public_client: Client, node: tuple[EnrolledNode, Book]
) -> None:
    enrolled, book = node
    book.record(record=node_record(enrolled.station, ob=today_ob(1), entry_type="ARREST"))
    send(enrolled, book.push(0, 1))
    mirror.index_new()
    assert "We could not find a report" in ask(public_client, today_ob(1), status=404)
    assert PortalLookup.objects.get().outcome == PortalLookup.Outcome.NOT_FOUND


def test_the_status_of_a_report_from_the_node_reads_in_kiswahili(
    public_client: Client, node: tuple[EnrolledNode, Book]
) -> None:
    enrolled, book = node
    record = node_record(enrolled.station, ob=today_ob(1))
    book.record(record=record)
    book.record(record=case_update(record["id"], "in_court"), kind="case_update")
    send(enrolled, book.push(0, 2))
    mirror.index_new()
    response = public_client.post(
        URL,
        {"station": "CENTRAL-NBI", "ob_number": today_ob(1), "phone_last4": "1222"},
        headers={"Accept-Language": "sw"},
    )
    assert "mahakamani" in response.content.decode()
