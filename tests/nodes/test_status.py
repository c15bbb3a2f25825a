"""What the desk and the API say about the link between a node and the hub, from local data only."""

from datetime import timedelta

import pytest
from daftari_verify import note
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.ledger import services as ledger
from daftari.nodes import hub
from daftari.nodes.models import EnrolledNode, HubLink, Refusal
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def node_role(settings: SettingsWrapper, station: Station) -> HubLink:
    """This server as the node of ``station``, joined to a hub that is nowhere to be reached."""
    settings.DAFTARI_ROLE = "node"
    return HubLink.objects.create(
        hub_url="http://127.0.0.1:9",
        hub_key="daftari.local/ob/hub+00000000+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        station=station,
        origin=ledger.origin_for(station),
        joined_at=timezone.now() - timedelta(days=1),
        sent_size=1,
        last_sync_at=timezone.now() - timedelta(hours=3),
    )


def _record(desk_officer: User, station: Station, n: int) -> None:
    for _ in range(n):
        record_occurrence(actor=desk_officer, station=station, draft=complaint())


def test_the_node_status_counts_the_entries_the_hub_does_not_hold_yet(
    client: Client, desk_officer: User, station: Station, node_role: HubLink
) -> None:
    _record(desk_officer, station, 3)
    client.force_login(desk_officer)
    status = client.get("/api/v1/node/status").json()
    assert status["station"] == station.code and status["hub"] == "http://127.0.0.1:9"
    assert (status["pending_leaves"], status["witnessed_size"], status["refused"]) == (2, 0, "")


def test_the_desk_header_shows_when_the_book_was_last_sent_and_what_waits_with_the_hub_away(
    client: Client, desk_officer: User, station: Station, node_role: HubLink
) -> None:
    _record(desk_officer, station, 3)
    client.force_login(desk_officer)
    page = client.get("/", follow=True)
    assert page.status_code == 200
    assert "Last sent to the hub 3 hours ago, 2 entries waiting." in " ".join(page.content.decode().split())


def test_the_node_status_is_not_for_officers_of_another_station(
    client: Client, officer_elsewhere: User, node_role: HubLink
) -> None:
    client.force_login(officer_elsewhere)
    assert client.get("/api/v1/node/status").status_code == 403


def test_on_the_hub_there_is_no_node_status(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    assert client.get("/api/v1/node/status").status_code == 404


@pytest.fixture
def refused_node(station: Station) -> EnrolledNode:
    _node, code = hub.enrol(station=station)
    node = hub.join(code=code, public_key=str(note.Signer.generate("n").verifier()))
    now = timezone.now()
    Refusal.objects.create(node=node, at=now, index=4, reason="the record of leaf 4 does not match", batch="{}")
    EnrolledNode.objects.filter(pk=node.pk).update(halted_at=now, size=4, witnessed_size=4)
    return node


def test_the_hubs_list_of_nodes_shows_oversight_each_nodes_size_and_refusals(
    client: Client, oversight: User, refused_node: EnrolledNode
) -> None:
    client.force_login(oversight)
    [row] = client.get("/api/v1/hub/nodes").json()
    assert (row["station"], row["size"], row["witnessed_size"], row["refusals"]) == ("CENTRAL-NBI", 4, 4, 1)
    assert row["halted_at"] and "leaf 4" in row["last_refusal"]


def test_a_commander_sees_the_nodes_of_their_county_only_and_the_desk_none(
    client: Client, commander: User, officer_elsewhere: User, desk_officer: User, refused_node: EnrolledNode
) -> None:
    other = Station.objects.get(code="KISUMU-CTL")
    _node, code = hub.enrol(station=other)
    hub.join(code=code, public_key=str(note.Signer.generate("n").verifier()))
    client.force_login(commander)
    assert [row["station"] for row in client.get("/api/v1/hub/nodes").json()] == ["CENTRAL-NBI"]
    client.force_login(desk_officer)
    assert client.get("/api/v1/hub/nodes").status_code == 403


def test_an_ocs_sees_the_node_of_their_own_station(
    client: Client, ocs: User, officer_elsewhere: User, refused_node: EnrolledNode
) -> None:
    other = Station.objects.get(code="KISUMU-CTL")
    _node, code = hub.enrol(station=other)
    hub.join(code=code, public_key=str(note.Signer.generate("n").verifier()))
    client.force_login(ocs)
    assert [row["station"] for row in client.get("/api/v1/hub/nodes").json()] == ["CENTRAL-NBI"]


def test_oversight_sees_a_refused_node_on_every_page_and_the_desk_does_not(
    client: Client, oversight: User, desk_officer: User, refused_node: EnrolledNode
) -> None:
    client.force_login(oversight)
    page = " ".join(client.get("/", follow=True).content.decode().split())
    assert "The hub refused the book of the station node of Central Police Station (CENTRAL-NBI)" in page
    client.force_login(desk_officer)
    assert "The hub refused the book" not in client.get("/", follow=True).content.decode()
