"""The hub's side of a pull (``GET /api/v1/hub/feed``): only an enrolled node, signing this very
request with its pinned key and its clock, gets the hub's data; the data verifies with the key the
node was given at join."""

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from daftari_verify import note
from daftari_verify.checkpoint import open_checkpoint
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone

from daftari.alerts.services import issue_alert
from daftari.hubfeed.models import VerifiedHubData
from daftari.hubfeed.publish import publish_tick
from daftari.ledger import services as ledger
from daftari.nodes import hub, keys, node, wire
from daftari.nodes.models import EnrolledNode, HubLink
from daftari.stations.models import Station
from tests.alerts.conftest import wanted

pytestmark = pytest.mark.django_db

FEED = "/api/v1/hub/feed"


@pytest.fixture
def joined(station: Station, ocs: User, desk_officer: User, officer_elsewhere: User) -> dict[str, Any]:
    """A node of ``station`` joined with this process's node key, and a hub with something to send."""
    _node, code = hub.enrol(station=station)
    node = hub.join(code=code, public_key=str(keys.node_signer().verifier()))
    issue_alert(actor=ocs, draft=wanted())
    publish_tick()
    return {"node": node, "feed_key": hub.station_data(node)["feed_key"]}


def _pull(path: str, *, signer: note.Signer | None = None, origin: str = "", signed_path: str = "") -> Any:
    signature = wire.sign_request(
        signer or keys.node_signer(), origin=origin, method="GET", path=signed_path or path, body=b""
    )
    return Client().get(path, headers={wire.SIGNATURE_HEADER: signature})


def _path(since: int = 0, at: float | None = None) -> str:
    return f"{FEED}?since={since}&at={int(at if at is not None else time.time())}"


def test_a_joined_node_pulls_the_hubs_data_which_verifies_with_the_key_it_was_given_at_join(
    joined: dict[str, Any], station: Station
) -> None:
    node: EnrolledNode = joined["node"]
    answer = _pull(_path(), origin=node.origin)
    assert answer.status_code == 200, answer.content
    feed = answer.json()
    checkpoint = open_checkpoint(feed["checkpoint"], note.Verifier.parse(joined["feed_key"]))
    assert checkpoint.size == len(feed["leaves"]) > 0
    assert feed["station"] == station.code
    sent = [leaf["record"] for leaf in feed["leaves"] if leaf["record"] is not None]
    assert any(r.get("name") == "Otieno Juma Baraka" for r in sent)  # the national alert
    # Officers of another station never travel: their leaves come without the record.
    assert any(leaf["withheld"] == "other_station" for leaf in feed["leaves"])
    node.refresh_from_db()
    assert node.last_contact_at is not None and timezone.now() - node.last_contact_at < timedelta(minutes=1)


def test_a_pull_without_the_nodes_signature_or_with_another_key_gets_401_and_no_data(
    joined: dict[str, Any],
) -> None:
    node: EnrolledNode = joined["node"]
    unsigned = Client().get(_path())
    assert unsigned.status_code == 401
    stranger = _pull(_path(), signer=note.Signer.generate("daftari.local/ob/STRANGER"), origin=node.origin)
    assert stranger.status_code == 401
    assert "leaves" not in stranger.json()


def test_a_signed_pull_replayed_for_another_part_of_the_log_gets_401(joined: dict[str, Any]) -> None:
    node: EnrolledNode = joined["node"]
    at = time.time()
    answer = _pull(_path(since=1, at=at), origin=node.origin, signed_path=_path(since=0, at=at))
    assert answer.status_code == 401


def test_a_signed_pull_captured_and_replayed_ten_minutes_later_is_refused_with_the_clock_named(
    joined: dict[str, Any],
) -> None:
    node: EnrolledNode = joined["node"]
    answer = _pull(_path(at=time.time() - 600), origin=node.origin)
    assert answer.status_code == 401
    assert "clock" in answer.json()["message"]


def test_a_node_asking_from_past_the_end_of_the_hubs_log_is_told_and_not_fed(joined: dict[str, Any]) -> None:
    node: EnrolledNode = joined["node"]
    answer = _pull(_path(since=10_000), origin=node.origin)
    assert answer.status_code == 409
    assert answer.json()["error"] == "feed_ahead"


def test_a_node_pulling_before_the_hub_published_anything_takes_nothing_then_applies_the_first_feed(
    station: Station, ocs: User
) -> None:
    # The node's side (node.pull) against the hub's real endpoint, in process over WSGI.
    _enrolled, code = hub.enrol(station=station)
    enrolled = hub.join(code=code, public_key=str(keys.node_signer().verifier()))
    link = HubLink.objects.create(
        hub_url="http://testserver",
        hub_key=hub.station_data(enrolled)["hub_key"],
        feed_key=hub.station_data(enrolled)["feed_key"],
        station=station,
        origin=enrolled.origin,
        joined_at=timezone.now(),
    )
    # As Django's test client does: the request must not close the test's connection when it ends.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _pull_twice(link, ocs)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert VerifiedHubData.objects.get().size == ledger.hub_log().size  # type: ignore[union-attr]
    link.refresh_from_db()
    assert link.hub_data_as_of is not None


def _pull_twice(link: HubLink, ocs: User) -> None:
    with httpx.Client(transport=httpx.WSGITransport(app=WSGIHandler()), base_url="http://testserver") as client:
        assert node.pull(client, link) == ""
        assert not VerifiedHubData.objects.exists()
        issue_alert(actor=ocs, draft=wanted())
        publish_tick()
        assert node.pull(client, link) == ""
