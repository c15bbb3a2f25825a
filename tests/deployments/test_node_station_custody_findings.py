"""At the hub, vetting finds an officer who arrested or booked in a person who died or was seriously
injured in a node station's cells, and an officer on duty at, or who recorded, a death in custody entry of
a node's book, once the hub holds them, exactly as for the hub's own cell register and book (issue 13)."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from daftari.deployments import queries
from daftari.nodes import mirror
from daftari.nodes.models import EnrolledNode
from daftari.stations.models import Station
from tests.deployments.conftest import Nominate
from tests.nodes.test_hub import Book, send
from tests.nodes.test_national_search import node_record
from tests.nodes.test_node_station_custody_and_follow_up import YESTERDAY, arrest, booking, event
from tests.nodes.test_node_station_figures import held_at_hub, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def joined(other_station: Station) -> tuple[EnrolledNode, Book]:
    return join(other_station)


def findings(vetting_officer: User, candidate_id: uuid.UUID) -> list[tuple[str, str, str, str]]:
    found = queries.vetting_record(reader=vetting_officer, candidate_id=candidate_id).findings
    return [(f.kind, f.role, str(f.custody_id or f.occurrence_id), f.ob_number) for f in found]


def booked_at_node(node: EnrolledNode, book: Book, arresting: str, booked_by: str, *kinds: str) -> dict[str, Any]:
    """An arrest at the node, its booking by these officers, and these custody events of it, held at the hub."""
    start, taken = len(book.leaves), arrest(node.station, 1)
    booked = {**booking(node.station, taken), "arresting_officer": arresting, "recorded_by": booked_by}
    book.record(record=taken)
    book.record(kind="custody", record=booked)
    for n, kind in enumerate(kinds, start=1):
        book.record(kind="custody", record=event(node.station, booked, kind, YESTERDAY + timedelta(hours=n)))
    send(node, book.push(start, len(book.leaves)))
    mirror.index_new()
    return booked


def test_a_death_in_a_node_stations_cells_is_a_finding_for_the_arresting_and_the_booking_officer(
    client: Client, joined: tuple[EnrolledNode, Book], vetting_officer: User, nominate: Nominate
) -> None:
    node, book = joined
    arresting, booking_officer, bystander = nominate("kipchumba"), nominate("wafula"), nominate("chebet")
    booked = booked_at_node(
        node, book, arresting.officer.service_number, booking_officer.officer.service_number, "death"
    )
    assert findings(vetting_officer, arresting.pk) == [("custody_death", "arresting", booked["id"], "OB 1/5/12/2026")]
    assert findings(vetting_officer, booking_officer.pk) == [
        ("custody_death", "booked_in", booked["id"], "OB 1/5/12/2026")
    ]
    assert findings(vetting_officer, bystander.pk) == []
    [finding] = queries.vetting_record(reader=vetting_officer, candidate_id=arresting.pk).findings
    assert finding.station_id == node.station_id and finding.at == YESTERDAY + timedelta(hours=1)
    client.force_login(vetting_officer)
    page = client.get(reverse("deployments_vetting", args=[arresting.pk]))
    assert page.status_code == 200 and "OB 1/5/12/2026" in page.content.decode()
    # The finding's arrest entry, recorded at the node, opens as its evidence.
    assert client.get(reverse("deployments_evidence", args=[arresting.pk, booked["arrest"]])).status_code == 200


def test_a_serious_injury_at_a_node_is_a_finding_and_a_release_is_none(
    joined: tuple[EnrolledNode, Book], vetting_officer: User, nominate: Nominate
) -> None:
    node, book = joined
    injured_by, released_by = nominate("kipchumba"), nominate("wafula")
    hurt = booked_at_node(
        node, book, injured_by.officer.service_number, "SN-NOT-NOMINATED", "serious_injury", "release"
    )
    booked_at_node(node, book, released_by.officer.service_number, "SN-NOT-NOMINATED", "release")
    assert findings(vetting_officer, injured_by.pk) == [("custody_injury", "arresting", hurt["id"], "OB 1/5/12/2026")]
    assert findings(vetting_officer, released_by.pk) == []


def test_a_death_in_custody_entry_at_a_node_is_a_finding_for_the_officers_on_duty_and_its_recorder_and_opens(
    client: Client, joined: tuple[EnrolledNode, Book], vetting_officer: User, nominate: Nominate
) -> None:
    node, book = joined
    on_duty, recorder, other = nominate("kipchumba"), nominate("wafula"), nominate("chebet")
    entry = node_record(
        node.station,
        ob="OB 3/6/12/2026",
        entry_type="DEATH_IN_CUSTODY",
        recorded_by=recorder.officer.service_number,
        narrative="The person held in cell M1 was found unresponsive at 0300 hrs.",
        details={"officers_on_duty": f"PC Kipchumba {on_duty.officer.service_number}"},
        offences=[],
        property_items=[],
    )
    held_at_hub(node, book, entry)
    assert findings(vetting_officer, on_duty.pk) == [("ob_death_in_custody", "on_duty", entry["id"], "OB 3/6/12/2026")]
    assert findings(vetting_officer, recorder.pk) == [
        ("ob_death_in_custody", "recorded", entry["id"], "OB 3/6/12/2026")
    ]
    assert findings(vetting_officer, other.pk) == []
    client.force_login(vetting_officer)
    page = client.get(reverse("deployments_evidence", args=[on_duty.pk, entry["id"]]))
    assert page.status_code == 200 and "found unresponsive" in page.content.decode()
    assert client.get(reverse("deployments_evidence", args=[other.pk, entry["id"]])).status_code == 404
