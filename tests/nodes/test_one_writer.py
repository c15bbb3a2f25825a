"""One writer per log (NODES.md rule 1): once a station's node has joined, the hub records nothing
into that station's book, whichever way it is asked to; the node keeps it and the hub mirrors it."""

import pytest
from daftari_verify import note
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from daftari.custody.services import book_in
from daftari.ledger import services as ledger
from daftari.ledger.models import Leaf
from daftari.nodes import hub
from daftari.nodes.models import EnrolledNode
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer
from tests.occurrences.test_api import Api, complaint_body
from tests.occurrences.test_views import complaint_form

pytestmark = pytest.mark.django_db

KEPT_AT_NODE = "This station&#x27;s book is kept at its station node; record there."


def kinds_in_the_book(station: Station) -> list[str]:
    return list(Leaf.objects.filter(log__station=station).order_by("index").values_list("kind", flat=True))


def join_node(station: Station) -> EnrolledNode:
    _enrolled, code = hub.enrol(station=station)
    signer = note.Signer.generate(f"daftari.local/ob/{station.code}")
    return hub.join(code=code, public_key=str(signer.verifier()))


def test_the_desk_at_the_hub_cannot_open_or_post_a_new_entry_for_a_station_its_node_keeps(
    desk_client: Client, station: Station
) -> None:
    join_node(station)
    opened = desk_client.get("/entries/new")
    posted = desk_client.post("/entries/new", complaint_form())
    assert opened.status_code == posted.status_code == 403
    assert KEPT_AT_NODE in opened.content.decode() and KEPT_AT_NODE in posted.content.decode()
    assert not Occurrence.objects.exists()


def test_the_api_at_the_hub_refuses_an_entry_for_a_station_its_node_keeps_with_403_and_a_reason(
    client: Client, desk_officer: User, station: Station
) -> None:
    api = Api(client, desk_officer)
    join_node(station)
    response = api.post("/occurrences", complaint_body())
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "book_kept_at_node"
    assert body["message"] == "This station's book is kept at its station node; record there."
    assert not Occurrence.objects.exists()
    assert kinds_in_the_book(station) == ["handover"]  # the hub's last leaf, at the join


def test_an_invalid_entry_for_a_station_its_node_keeps_is_refused_for_the_book_before_its_errors(
    client: Client, desk_officer: User, station: Station
) -> None:
    api = Api(client, desk_officer)
    join_node(station)
    response = api.post("/occurrences", complaint_body(place=""))
    assert response.status_code == 403
    assert response.json()["error"] == "book_kept_at_node"


def test_the_refusal_reads_in_kiswahili_for_a_kiswahili_desk(
    client: Client, desk_officer: User, station: Station
) -> None:
    api = Api(client, desk_officer)
    join_node(station)
    response = client.post(
        "/api/v1/occurrences",
        data=complaint_body(),
        content_type="application/json",
        headers={**api.headers, "Accept-Language": "sw"},
    )
    assert response.status_code == 403
    assert "kituo kidogo" in response.json()["message"]


def test_booking_into_the_cells_at_the_hub_is_refused_once_the_node_keeps_the_book(
    desk_officer: User, station: Station
) -> None:
    enrol_arresting_officer(station)
    # Recorded at the hub while it still kept the book; the node joins before the booking.
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    join_node(station)
    with pytest.raises(ledger.BookKeptAtNode):
        book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest)
    assert Occurrence.objects.filter(station=station).count() == 1
    assert kinds_in_the_book(station) == ["occurrence", "handover"]


def test_any_service_that_appends_to_the_book_of_a_node_station_is_refused_at_the_log_itself(
    station: Station,
) -> None:
    join_node(station)
    with pytest.raises(ledger.BookKeptAtNode), transaction.atomic():
        ledger.append(
            station=station,
            kind="occurrence",
            record_id="a-record-written-behind-the-services",
            record={"narrative": "written behind the desk"},
            by="SN1001",
            ob=None,
            prev=None,
            at=timezone.now(),
        )
    assert kinds_in_the_book(station) == ["handover"]  # the hub's last leaf, at the join


def test_the_hub_keeps_recording_for_a_station_until_its_node_has_joined_and_for_every_other_station(
    desk_officer: User, officer_elsewhere: User, station: Station, other_station: Station
) -> None:
    hub.enrol(station=station)  # a code issued, not yet used: the book is still the hub's
    assert record_occurrence(actor=desk_officer, station=station, draft=complaint()).created
    join_node(station)
    assert record_occurrence(actor=officer_elsewhere, station=other_station, draft=complaint()).created
    assert ledger.kept_at_node(station) and not ledger.kept_at_node(other_station)
