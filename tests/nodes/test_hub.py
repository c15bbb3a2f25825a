"""The hub's side of a push (NODES.md rule 2), in process: what it accepts, what it refuses and what
a refusal leaves behind. The books are built here with daftari_verify alone, as a node would."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint, open_checkpoint
from daftari_verify.leaf import Leaf, new_salt
from django.utils import timezone

from daftari.nodes import hub, keys, rules, wire
from daftari.nodes.models import AcceptedCheckpoint, EnrolledNode, MirroredLeaf, Refusal
from daftari.notifications.models import SmsMessage
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory

pytestmark = pytest.mark.django_db


@dataclass
class Book:
    """A node's book as the node keeps it: leaf bytes, records and salts, signed with its key."""

    origin: str
    signer: note.Signer = field(default_factory=lambda: note.Signer.generate("daftari.local/ob/node"))
    leaves: list[bytes] = field(default_factory=list)
    records: list[dict[str, object] | None] = field(default_factory=list)
    salts: list[bytes | None] = field(default_factory=list)

    def record(self, n: int = 1, *, kind: str = "occurrence", record: dict[str, object] | None = None) -> None:
        for _ in range(n):
            index = len(self.leaves)
            body = record or {"narrative": f"Phone snatched on Moi Avenue ({index})", "ob": f"OB {index + 1}/5/12/2026"}
            salt = new_salt()
            leaf = Leaf.for_record(
                at=timezone.now(),
                by="SN1001",
                kind=kind,
                log=self.origin,
                ob=None,
                prev=None,
                record_id=str(body.get("id") or uuid.uuid4()),  # a node commits to each record by its id
                record=body,
                salt=salt,
            )
            self.leaves.append(leaf.to_bytes())
            self.records.append(dict(body))
            self.salts.append(salt)

    def push(self, start: int, end: int, *, signer: note.Signer | None = None) -> wire.Push:
        tree = merkle.MerkleTree(merkle.leaf_hash(leaf) for leaf in self.leaves[:end])
        checkpoint = Checkpoint(self.origin, end, tree.root(end)).sign(signer or self.signer)
        proof = tree.consistency_proof(start, end) if start else []
        leaves = tuple(wire.PushedLeaf(self.leaves[i], self.records[i], self.salts[i]) for i in range(start, end))
        return wire.Push(self.origin, start, leaves, checkpoint, tuple(proof))


def body_of(push: wire.Push) -> bytes:
    return json.dumps(push.to_json()).encode()


def send(node: EnrolledNode, push: wire.Push) -> hub.Accepted:
    body = body_of(push)
    signature = wire.sign_request(keys.node_signer(), origin=node.origin, method="POST", path="/p", body=body)
    return hub.accept_push(node=node, push=wire.parse_push(body), body=body, signature=signature)


@pytest.fixture
def joined(station: Station) -> tuple[EnrolledNode, Book]:
    _node, code = hub.enrol(station=station)
    book = Book(origin=f"daftari.local/ob/{station.code}")
    node = hub.join(code=code, public_key=str(book.signer.verifier()))
    return node, book


def test_a_batch_that_verifies_is_mirrored_and_cosigned_with_the_hubs_witness_key(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    book.record(5)
    accepted = send(node, book.push(0, 5))
    assert accepted.size == 5
    assert keys.hub_cosigner().verifier().verify(accepted.cosigned_note) > 0
    assert open_checkpoint(accepted.cosigned_note, book.signer.verifier()).size == 5
    stored = list(MirroredLeaf.objects.filter(node=node).order_by("index"))
    assert [bytes(row.data) for row in stored] == book.leaves
    assert [row.record for row in stored] == book.records
    node.refresh_from_db()
    assert (node.size, node.witnessed_size, node.halted_at) == (5, 5, None)


def test_the_next_batch_is_accepted_only_with_a_proof_that_it_extends_what_the_hub_holds(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    book.record(5)
    send(node, book.push(0, 5))
    book.record(4)
    assert send(node, book.push(5, 9)).size == 9
    assert AcceptedCheckpoint.objects.filter(node=node).count() == 2


def test_a_batch_sent_again_gets_the_same_cosignature_and_changes_nothing(joined: tuple[EnrolledNode, Book]) -> None:
    node, book = joined
    book.record(5)
    first = send(node, book.push(0, 5))
    again = send(node, book.push(0, 5))
    assert again.cosigned_note == first.cosigned_note
    assert MirroredLeaf.objects.filter(node=node).count() == 5
    assert AcceptedCheckpoint.objects.filter(node=node).count() == 1


def test_a_batch_that_leaves_a_gap_or_overlaps_in_part_is_told_where_to_resume(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    book.record(9)
    send(node, book.push(0, 5))
    with pytest.raises(hub.BehindOrAhead) as gap:
        send(node, book.push(6, 9))
    with pytest.raises(hub.BehindOrAhead) as overlap:
        send(node, book.push(3, 9))
    assert gap.value.next_index == overlap.value.next_index == 5
    assert not Refusal.objects.exists()


def test_a_request_not_signed_by_the_enrolled_node_is_turned_away_without_raising_an_alarm(
    joined: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined
    book.record(2)
    body = body_of(book.push(0, 2))
    stranger = note.Signer.generate("daftari.local/ob/node")
    forged = wire.sign_request(stranger, origin=node.origin, method="POST", path="/p", body=body)
    with pytest.raises(hub.NodeNotEnrolled):
        hub.node_for_request(signature=forged, method="POST", path="/p", body=body)
    genuine = wire.sign_request(keys.node_signer(), origin=node.origin, method="POST", path="/p", body=body)
    # A body changed on the way no longer matches the node's signature either.
    with pytest.raises(hub.NodeNotEnrolled):
        hub.node_for_request(signature=genuine, method="POST", path="/p", body=body.replace(b"Moi", b"Mo1"))
    assert not Refusal.objects.exists()
    node.refresh_from_db()
    assert node.halted_at is None


def test_a_request_signed_by_the_pinned_node_key_finds_its_node(joined: tuple[EnrolledNode, Book]) -> None:
    node, book = joined
    book.record(1)
    body = body_of(book.push(0, 1))
    signature = wire.sign_request(book.signer, origin=node.origin, method="POST", path="/p", body=body)
    assert hub.node_for_request(signature=signature, method="POST", path="/p", body=body) == node


@pytest.fixture
def joined_with_node_key(station: Station) -> tuple[EnrolledNode, Book]:
    """As a real node: the key it pushes with is the one it registered (this process's node key)."""
    _node, code = hub.enrol(station=station)
    book = Book(origin=f"daftari.local/ob/{station.code}", signer=keys.node_signer())
    return hub.join(code=code, public_key=str(keys.node_signer().verifier())), book


def _refused(node: EnrolledNode, push: wire.Push) -> hub.Refused:
    with pytest.raises(hub.Refused) as refused:
        send(node, push)
    return refused.value


def test_a_record_changed_after_it_was_recorded_is_refused_naming_its_leaf_and_the_evidence_is_kept(
    joined_with_node_key: tuple[EnrolledNode, Book], make_officer: OfficerFactory
) -> None:
    oversight = make_officer("ipoa", [Role.OVERSIGHT], None)
    Officer.objects.filter(user=oversight).update(phone="+254711000001")
    node, book = joined_with_node_key
    book.record(6)
    send(node, book.push(0, 3))
    book.records[4] = {**book.records[4], "narrative": "Nothing happened."}  # type: ignore[dict-item]
    refused = _refused(node, book.push(3, 6))
    assert refused.index == 4 and "leaf 4" in refused.reason
    evidence = Refusal.objects.get(node=node)
    assert evidence.index == 4 and "Nothing happened." in evidence.batch and evidence.signature
    assert MirroredLeaf.objects.filter(node=node).count() == 3, "nothing of the refused batch is mirrored"
    alert = SmsMessage.objects.get(template="node_refused")
    assert alert.to == "+254711000001" and node.station.code in alert.body
    # The node's sync stays stopped, even for a batch that would verify.
    with pytest.raises(hub.NodeHalted):
        send(node, book.push(3, 4))


def test_a_checkpoint_signed_by_another_key_than_the_pinned_one_is_refused(
    joined_with_node_key: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined_with_node_key
    book.record(2)
    refused = _refused(node, book.push(0, 2, signer=note.Signer.generate("daftari.local/ob/node")))
    assert "not signed by the node's enrolled key" in refused.reason


def test_leaves_that_do_not_hash_to_the_signed_root_are_refused(
    joined_with_node_key: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined_with_node_key
    book.record(4)
    push = book.push(0, 4)
    swapped = wire.Push(push.origin, 0, (push.leaves[1], push.leaves[0], *push.leaves[2:]), push.checkpoint, ())
    assert "do not hash to the root" in _refused(node, swapped).reason


def test_a_rewritten_history_is_refused_as_a_fork(joined_with_node_key: tuple[EnrolledNode, Book]) -> None:
    node, book = joined_with_node_key
    book.record(4)
    send(node, book.push(0, 4))
    # The node rewrites leaf 1 (its record and commitment anew) and signs the grown book.
    rewritten = Book(origin=book.origin, signer=book.signer)
    rewritten.record(8)
    for i in (0, 2, 3):
        rewritten.leaves[i], rewritten.records[i], rewritten.salts[i] = book.leaves[i], book.records[i], book.salts[i]
    refused = _refused(node, rewritten.push(4, 8))
    assert "not consistent with the one accepted at size 4" in refused.reason


def test_a_second_book_of_a_size_already_witnessed_is_refused_as_a_fork(
    joined_with_node_key: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined_with_node_key
    book.record(4)
    send(node, book.push(0, 4))
    other = Book(origin=book.origin, signer=book.signer)
    other.record(4)
    assert "(a fork)" in _refused(node, other.push(0, 4)).reason


def test_a_missing_record_is_accepted_only_where_a_redaction_leaf_of_the_batch_names_it(
    joined_with_node_key: tuple[EnrolledNode, Book],
) -> None:
    node, book = joined_with_node_key
    book.record(3)
    book.records[1], book.salts[1] = None, None
    assert "missing and no redaction names it" in _refused(node, book.push(0, 3)).reason

    _node, code = hub.enrol(
        station=Station.objects.create(code="KILIMANI", name="Kilimani", county=node.station.county)
    )
    erased = Book(origin="daftari.local/ob/KILIMANI", signer=book.signer)
    erased.record(3)
    erased.record(kind="redaction", record={"redacts": 1, "record": "x", "authority": "HCCR E12/2026", "by": "admin"})
    erased.records[1], erased.salts[1] = None, None
    kilimani = hub.join(code=code, public_key=str(book.signer.verifier()))
    assert send(kilimani, erased.push(0, 4)).size == 4
    assert MirroredLeaf.objects.get(node=kilimani, index=1).record is None


def test_an_enrolment_code_works_once_and_for_24_hours(station: Station) -> None:
    key = str(note.Signer.generate("daftari.local/ob/node").verifier())
    _node, code = hub.enrol(station=station)
    # 25 random characters, then 20 of the hub key's fingerprint
    assert rules.normalise_code(code) == code.replace("-", "") and len(code.replace("-", "")) == 45
    hub.join(code=code.lower(), public_key=key)  # read aloud, typed in lower case: still the code
    with pytest.raises(hub.EnrolmentCodeInvalid):
        hub.join(code=code, public_key=key)
    _late, late_code = hub.enrol(station=station, now=timezone.now() - timedelta(hours=24, minutes=1))
    with pytest.raises(hub.EnrolmentCodeInvalid):
        hub.join(code=late_code, public_key=key)
    with pytest.raises(hub.EnrolmentCodeInvalid):
        hub.join(code="AAAAA-AAAAA-AAAAA-AAAAA-AAAAA", public_key=key)
    assert EnrolledNode.objects.filter(station=station).exclude(public_key="").count() == 1


def test_the_hub_sends_a_joining_node_its_station_and_officers_with_password_hashes_only(
    station: Station, desk_officer: object
) -> None:
    _node, code = hub.enrol(station=station)
    node = hub.join(code=code, public_key=str(note.Signer.generate("n").verifier()))
    data = hub.station_data(node)
    assert data["station"]["code"] == station.code
    [officer] = data["officers"]
    assert officer["roles"] == ["desk"] and officer["password"].startswith(("argon2", "md5", "pbkdf2"))
    assert data["hub_key"] == str(keys.hub_cosigner().verifier())
