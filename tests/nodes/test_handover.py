"""The book handover (NODES.md rule 1, one writer through the move): a station's book moves to its
node at join and back to the hub by ``daftari hub hand-back``, each move a ``handover`` leaf in the
station's book at the hub. After the hand-back the hub records for the station again, and whatever
the old node sends is refused and kept as evidence."""

import gzip
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core.errors import InvalidInput
from daftari.ledger import services as ledger
from daftari.ledger.models import Leaf, Log
from daftari.ledger.verification import verify_book
from daftari.nodes import handover, hub, keys, node, wire
from daftari.nodes.models import AcceptedCheckpoint, EnrolledNode, Handover, HubLink, MirroredLeaf, Refusal
from daftari.notifications.models import SmsMessage
from daftari.occurrences.models import ObCounter
from daftari.occurrences.rules import ob_date_of
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.nodes.test_hub import Book, send
from tests.nodes.test_national_search import node_record
from tests.occurrences.test_api import Api

pytestmark = pytest.mark.django_db

PUSH = "/api/v1/hub/push"


def join(station: Station, book: Book) -> EnrolledNode:
    _node, code = hub.enrol(station=station, by="admin1")
    return hub.join(code=code, public_key=str(book.signer.verifier()))


@pytest.fixture
def book(station: Station) -> Book:
    return Book(origin=f"daftari.local/ob/{station.code}", signer=keys.node_signer())


def handover_leaves(station: Station) -> list[tuple[int, dict[str, object]]]:
    rows = Leaf.objects.filter(log__station=station, kind="handover").order_by("index")
    return [(row.index, handover.stored_handover(row.record_id) or {}) for row in rows]


def test_joining_writes_the_hubs_last_leaf_in_the_book_a_handover_naming_the_nodes_key(
    desk_officer: User, station: Station, book: Book
) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    node = join(station, book)
    [(index, record)] = handover_leaves(station)
    assert index == 1
    assert (record["direction"], record["node_key"], record["node_size"], record["by"]) == (
        "to_node",
        node.public_key,
        0,
        "admin1",
    )
    assert ledger.kept_at_node(station)


def test_handing_the_book_back_records_what_the_hub_holds_of_the_nodes_book_and_clears_the_mark(
    station: Station, book: Book
) -> None:
    node = join(station, book)
    book.record(5)
    send(node, book.push(0, 5))
    moved = handover.hand_back(station=station, by="admin1", reason="The node was stolen")
    accepted = AcceptedCheckpoint.objects.get(node=node, size=5)
    (went_index, _went), (back_index, back) = handover_leaves(station)
    assert (back["direction"], back["node_size"], back["node_root"]) == ("to_hub", 5, bytes(accepted.root).hex())
    assert back["cosigned"] == accepted.cosigned_note and back["reason"] == "The node was stolen"
    assert back_index == went_index + 1
    assert b'"prev":%d' % went_index in bytes(Leaf.objects.get(record_id=str(moved.pk)).data)
    assert Log.objects.get(station=station).kept_at_node_since is None
    assert not ledger.kept_at_node(station)
    node.refresh_from_db()
    assert node.left_at == moved.at


def test_after_the_hand_back_the_hub_records_for_the_station_again_after_the_handover_leaf(
    desk_officer: User, station: Station, book: Book
) -> None:
    join(station, book)
    with pytest.raises(ledger.BookKeptAtNode):
        record_occurrence(actor=desk_officer, station=station, draft=complaint())
    handover.hand_back(station=station, by="admin1", reason="Link repaired; desk back on the hub")
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assert list(Leaf.objects.filter(log__station=station).order_by("index").values_list("kind", flat=True)) == [
        "handover",
        "handover",
        "occurrence",
    ]
    assert ledger.leaf_for(str(entry.pk)) is not None


def test_the_hub_numbers_on_after_the_last_ob_number_the_node_gave_today(
    desk_officer: User, station: Station, book: Book
) -> None:
    node = join(station, book)
    today = ob_date_of(timezone.now())
    for seq in (1, 2, 3):
        book.record(record=node_record(station, ob=f"OB {seq}/{today.day}/{today.month}/{today.year}"))
    send(node, book.push(0, 3))
    handover.hand_back(station=station, by="admin1", reason="Node retired")
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assert (entry.ob_date, entry.ob_seq) == (today, 4)


def joined_after_the_hub_numbered(
    station: Station, book: Book, desk: User, entries: int
) -> tuple[dict[str, Any], list[int]]:
    """At the hub: ``entries`` entries today at ``station``, then its node joins over the API. Returns
    the join data as the node receives it and the hub's OB numbers of the day. The hub's writes are
    rolled back after, so that the database, as the node's own would, holds only what the join sent."""
    with transaction.atomic():
        numbers = [
            record_occurrence(actor=desk, station=station, draft=complaint()).entry.ob_seq for _ in range(entries)
        ]
        _enrolled, code = hub.enrol(station=station, by="admin1")
        answer = Client().post(
            "/api/v1/hub/join",
            {"code": code, "public_key": str(book.signer.verifier())},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        transaction.set_rollback(True)
    return answer.json(), numbers


def test_a_node_joining_a_station_the_hub_numbered_today_gives_its_first_entry_the_hubs_last_number_plus_one(
    desk_officer: User, station: Station, book: Book, settings: SettingsWrapper
) -> None:
    data, hub_numbers = joined_after_the_hub_numbered(station, book, desk_officer, entries=5)
    assert hub_numbers == [1, 2, 3, 4, 5]
    settings.DAFTARI_ROLE = "node"
    node._store_join(hub_url="https://hub.example", data=data, now=timezone.now())
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assert (entry.ob_date, entry.ob_seq) == (ob_date_of(timezone.now()), 6)
    day = [*hub_numbers, entry.ob_seq]
    assert len(set(day)) == len(day), "two entries of the station share an OB number of the day"


def test_the_join_data_carries_the_stations_ob_counters_of_today_and_yesterday_and_no_older_or_other(
    station: Station, other_station: Station, book: Book
) -> None:
    today = ob_date_of(timezone.now())
    ObCounter.objects.create(station=station, ob_date=today, last_seq=3)
    ObCounter.objects.create(station=station, ob_date=today - timedelta(days=1), last_seq=40)
    ObCounter.objects.create(station=station, ob_date=today - timedelta(days=2), last_seq=12)
    ObCounter.objects.create(station=other_station, ob_date=today, last_seq=7)
    data = hub.station_data(join(station, book))
    assert data["ob_counters"] == [
        {"ob_date": (today - timedelta(days=1)).isoformat(), "last_seq": 40},
        {"ob_date": today.isoformat(), "last_seq": 3},
    ]


def test_a_node_counter_already_higher_than_the_hubs_is_never_lowered_by_the_join(
    desk_officer: User, station: Station, book: Book, settings: SettingsWrapper
) -> None:
    data, _numbers = joined_after_the_hub_numbered(station, book, desk_officer, entries=3)
    today = ob_date_of(timezone.now())
    ObCounter.objects.create(station=station, ob_date=today, last_seq=9)
    settings.DAFTARI_ROLE = "node"
    node._store_join(hub_url="https://hub.example", data=data, now=timezone.now())
    assert ObCounter.objects.get(station=station, ob_date=today).last_seq == 9
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    assert entry.ob_seq == 10


@pytest.mark.parametrize(
    "counters",
    [None, "3", [{"ob_date": "yesterday", "last_seq": 3}], [{"ob_date": "2026-12-06", "last_seq": -1}], [{}]],
)
def test_a_node_refuses_join_data_without_sound_ob_counters_and_stores_nothing(
    station: Station, book: Book, settings: SettingsWrapper, counters: object
) -> None:
    data = json.loads(json.dumps(hub.station_data(join(station, book))))
    if counters is None:
        del data["ob_counters"]
    else:
        data["ob_counters"] = counters
    settings.DAFTARI_ROLE = "node"
    with transaction.atomic(), pytest.raises(InvalidInput) as refused:
        node._store_join(hub_url="https://hub.example", data=data, now=timezone.now())
    assert "ob_counters" in refused.value.fields
    assert not HubLink.objects.exists()


def test_a_late_push_from_the_old_node_is_refused_and_kept_as_evidence_without_stopping_anything_else(
    station: Station, book: Book
) -> None:
    node = join(station, book)
    book.record(3)
    send(node, book.push(0, 3))
    handover.hand_back(station=station, by="admin1", reason="Node retired")
    book.record(2)  # recorded at the node after the book went back
    with pytest.raises(handover.BookHandedBack):
        send(node, book.push(3, 5))
    assert MirroredLeaf.objects.filter(node=node).count() == 3
    refusal = Refusal.objects.get(node=node)
    assert (refusal.index, refusal.reason) == (3, "pushed after the book was handed back to the hub")
    node.refresh_from_db()
    assert node.halted_at is None and not SmsMessage.objects.filter(template="node_refused").exists()


def test_a_late_push_over_http_answers_403_book_handed_back(station: Station, book: Book) -> None:
    join(station, book)
    handover.hand_back(station=station, by="admin1", reason="Node retired")
    book.record(1)
    body = json.dumps(book.push(0, 1).to_json(), separators=(",", ":")).encode()
    signature = wire.sign_request(keys.node_signer(), origin=book.origin, method="POST", path=PUSH, body=body)
    response = Client().post(
        PUSH,
        data=gzip.compress(body),
        content_type="application/json",
        headers={wire.SIGNATURE_HEADER: signature, "Content-Encoding": "gzip"},
    )
    assert response.status_code == 403
    assert response.json()["error"] == "book_handed_back"
    assert response.json()["message"] == (
        "This station's book was handed back to the hub; this node no longer keeps it."
    )
    assert not MirroredLeaf.objects.exists()


def test_the_old_node_pulls_nothing_more_of_the_hubs_data(station: Station, book: Book) -> None:
    node = join(station, book)
    handover.hand_back(station=station, by="admin1", reason="Node retired")
    node.refresh_from_db()
    with pytest.raises(handover.BookHandedBack):
        hub.feed_for(node=node, since=0, signed_at=int(timezone.now().timestamp()))


def test_a_book_no_node_keeps_is_not_handed_back(station: Station, book: Book) -> None:
    with pytest.raises(handover.NotKeptAtNode):
        handover.hand_back(station=station, by="admin1", reason="Nothing to move")
    join(station, book)
    handover.hand_back(station=station, by="admin1", reason="Node retired")
    with pytest.raises(handover.NotKeptAtNode):
        handover.hand_back(station=station, by="admin1", reason="Twice")
    assert Handover.objects.filter(direction="to_hub").count() == 1


def test_a_new_node_may_join_after_the_hand_back_and_the_old_one_stays_refused(station: Station, book: Book) -> None:
    old = join(station, book)
    handover.hand_back(station=station, by="admin1", reason="Replaced by a new laptop")
    new_book = Book(origin=book.origin)
    new = join(station, new_book)
    assert new.pk != old.pk and ledger.kept_at_node(station)
    assert [record["direction"] for _index, record in handover_leaves(station)] == ["to_node", "to_hub", "to_node"]
    new_book.record(2)
    assert send(new, new_book.push(0, 2)).size == 2
    # The old node's signed request is still known as the old node's, and refused as such.
    body = b'{"origin": "a late push"}'
    signature = wire.sign_request(keys.node_signer(), origin=book.origin, method="POST", path=PUSH, body=body)
    found = hub.node_for_request(signature=signature, method="POST", path=PUSH, body=body)
    assert found.pk == old.pk


def test_the_stations_book_with_its_handover_leaves_verifies(station: Station, book: Book) -> None:
    join(station, book)
    handover.hand_back(station=station, by="admin1", reason="Node retired")
    ledger.sign_grown_logs()
    report = verify_book(station.code)
    assert (report.ok, report.leaves) == (True, 2), [str(p) for p in report.problems]


def test_the_hand_back_command_says_what_the_hub_holds_and_refuses_a_station_without_a_node(
    station: Station, book: Book, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="No station node keeps this station"):
        call_command("hub", "hand-back", "--station", station.code, "--reason", "Node retired")
    node = join(station, book)
    book.record(2)
    send(node, book.push(0, 2))
    call_command("hub", "hand-back", "--station", station.code, "--reason", "Node retired", "--by", "admin1")
    assert "The book of CENTRAL-NBI is kept at the hub again; the hub holds 2 leaves" in capsys.readouterr().out
    assert Handover.objects.get(direction="to_hub").by == "admin1"


def test_an_administrator_hands_the_book_back_over_the_api(
    client: Client, admin_officer: User, station: Station, book: Book
) -> None:
    node = join(station, book)
    book.record(3)
    send(node, book.push(0, 3))
    response = Api(client, admin_officer).post(f"/hub/nodes/{station.code}/hand-back", {"reason": "Node stolen"})
    assert response.status_code == 200, response.content
    body = response.json()
    root = bytes(AcceptedCheckpoint.objects.get(node=node, size=3).root).hex()
    assert (body["station"], body["node_size"], body["node_root"]) == ("CENTRAL-NBI", 3, root)
    moved = Handover.objects.get(direction="to_hub")
    assert (moved.by, moved.reason) == (admin_officer.username, "Node stolen")
    assert not ledger.kept_at_node(station)


def test_the_api_refuses_a_hand_back_to_other_roles_without_a_node_or_without_a_reason(
    client: Client, admin_officer: User, ocs: User, station: Station, book: Book
) -> None:
    path = f"/hub/nodes/{station.code}/hand-back"
    admin = Api(client, admin_officer)
    refused = admin.post(path, {"reason": "Nothing to move"})
    assert (refused.status_code, refused.json()["error"]) == (409, "book_not_at_node")
    join(station, book)
    assert Api(Client(), ocs).post(path, {"reason": "Mine"}).status_code == 403
    assert admin.post(path, {"reason": " "}).status_code == 422
    assert admin.post("/hub/nodes/NOWHERE/hand-back", {"reason": "Node stolen"}).status_code == 404
    assert ledger.kept_at_node(station) and not Handover.objects.filter(direction="to_hub").exists()


def test_the_hubs_list_of_nodes_says_which_node_left_and_which_keeps_the_book_now(
    client: Client, admin_officer: User, station: Station, book: Book
) -> None:
    old = join(station, book)
    moved = handover.hand_back(station=station, by="admin1", reason="Replaced by a new laptop")
    join(station, Book(origin=book.origin))
    rows = Api(client, admin_officer).get("/hub/nodes").json()
    assert [(row["station"], row["left_at"] is not None) for row in rows] == [
        ("CENTRAL-NBI", True),
        ("CENTRAL-NBI", False),
    ]
    old.refresh_from_db()
    assert old.left_at == moved.at
