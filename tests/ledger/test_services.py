from typing import Any

import pytest
from daftari_verify import merkle
from daftari_verify.checkpoint import ConsistencyProof, InclusionProof, open_checkpoint
from daftari_verify.leaf import Leaf as LeafV1
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from daftari.ledger import keys
from daftari.ledger.models import Leaf, Log, TreeNode
from daftari.ledger.services import (
    consistency_proof,
    inclusion_proof,
    leaf_for,
    root_at,
    sign_checkpoint,
)
from daftari.occurrences.models import Occurrence
from daftari.occurrences.records import stored_record
from daftari.occurrences.services import amend_occurrence, record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def record(user: User, station: Station, n: int = 1) -> list[Occurrence]:
    return [record_occurrence(actor=user, station=station, draft=complaint()).entry for _ in range(n)]


def test_every_recorded_entry_is_a_leaf_of_its_stations_log(desk_officer: User, station: Station) -> None:
    entries = record(desk_officer, station, 3)
    log = Log.objects.get(station=station)
    assert log.origin == f"{settings.DAFTARI_LOG_ORIGIN}/{station.code}"
    assert log.size == 3
    assert [leaf_for(str(e.pk)).index for e in entries] == [0, 1, 2]  # type: ignore[union-attr]


def test_a_leaf_holds_a_salted_commitment_and_no_personal_data(desk_officer: User, station: Station) -> None:
    entry = record(desk_officer, station)[0]
    row = leaf_for(str(entry.pk))
    assert row is not None
    data = bytes(row.data)
    assert b"Wanjiku" not in data and b"12345678" not in data and b"snatched" not in data
    leaf = LeafV1.from_bytes(data)
    assert (leaf.kind, leaf.ob, leaf.record, leaf.by) == (
        "occurrence",
        entry.ob_number,
        str(entry.pk),
        desk_officer.officer.service_number,
    )
    leaf.check_record(stored_record(str(entry.pk)), bytes(row.commitment.salt))  # type: ignore[arg-type]


def test_a_correction_is_a_leaf_that_points_at_the_corrected_entrys_leaf(desk_officer: User, station: Station) -> None:
    original = record(desk_officer, station)[0]
    correction = amend_occurrence(
        actor=desk_officer, occurrence=original, reason="typo", changes={"place": "Kencom"}
    ).entry
    leaf = LeafV1.from_bytes(bytes(leaf_for(str(correction.pk)).data))  # type: ignore[union-attr]
    assert (leaf.kind, leaf.prev) == ("amendment", 0)


def test_appending_numbers_the_leaves_and_the_tree_over_them_is_built_when_first_read(
    desk_officer: User, station: Station
) -> None:
    record(desk_officer, station, 4)
    log = Log.objects.get(station=station)
    assert (log.size, log.integrated) == (4, 0)
    assert not TreeNode.objects.filter(log=log).exists()
    leaf_hashes = [merkle.leaf_hash(bytes(leaf.data)) for leaf in Leaf.objects.filter(log=log).order_by("index")]
    assert root_at(log, 4) == merkle.root_from_leaf_hashes(leaf_hashes)
    assert root_at(log, 3) == merkle.root_from_leaf_hashes(leaf_hashes[:3])
    stored = set(TreeNode.objects.filter(log=log).values_list("level", "index"))
    assert stored == {(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (2, 0)}
    assert Log.objects.get(station=station).integrated == 4


def test_a_book_opened_under_another_origin_keeps_it_for_every_later_leaf(
    desk_officer: User, station: Station, settings: Any
) -> None:
    record(desk_officer, station)
    settings.DAFTARI_LOG_ORIGIN = "police.go.ke/ob"
    later = record(desk_officer, station)[0]
    log = Log.objects.get(station=station)
    assert log.origin == "daftari.local/ob/CENTRAL-NBI"
    assert LeafV1.from_bytes(bytes(leaf_for(str(later.pk)).data)).log == log.origin  # type: ignore[union-attr]
    assert (log.size, Leaf.objects.filter(log=log).count()) == (2, 2)


def test_the_tree_is_built_on_from_where_it_stopped(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, 3)
    sign_checkpoint(station=station)
    record(desk_officer, station, 2)
    log = Log.objects.get(station=station)
    assert (log.size, log.integrated) == (5, 3)
    leaf_hashes = [merkle.leaf_hash(bytes(leaf.data)) for leaf in Leaf.objects.filter(log=log).order_by("index")]
    assert root_at(log, 5) == merkle.root_from_leaf_hashes(leaf_hashes)
    stored = TreeNode.objects.filter(log=log).values_list("level", "index")
    assert sorted(stored) == sorted({(0, i) for i in range(5)} | {(1, 0), (1, 1), (2, 0)})


def test_a_signed_checkpoint_proves_every_entry_is_in_the_book(desk_officer: User, station: Station) -> None:
    entries = record(desk_officer, station, 5)
    checkpoint_row = sign_checkpoint(station=station)
    assert checkpoint_row is not None
    checkpoint = open_checkpoint(checkpoint_row.signed_note, keys.verifier(), origin=checkpoint_row.log.origin)
    assert checkpoint.size == 5
    for entry in entries:
        row = leaf_for(str(entry.pk))
        assert row is not None
        proof = InclusionProof(row.index, 5, tuple(inclusion_proof(row.log, row.index, 5)))
        proof.verify(merkle.leaf_hash(bytes(row.data)), checkpoint)


def test_two_checkpoints_are_consistent(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, 3)
    first = sign_checkpoint(station=station)
    record(desk_officer, station, 4)
    second = sign_checkpoint(station=station)
    assert first is not None and second is not None
    old = open_checkpoint(first.signed_note, keys.verifier())
    new = open_checkpoint(second.signed_note, keys.verifier())
    ConsistencyProof(3, 7, tuple(consistency_proof(second.log, 3, 7))).verify(old, new)


def test_no_checkpoint_is_signed_when_the_log_has_not_grown(desk_officer: User, station: Station) -> None:
    record(desk_officer, station)
    assert sign_checkpoint(station=station) is not None
    assert sign_checkpoint(station=station) is None


def test_a_checkpoint_is_refused_when_the_stored_tree_was_rewritten(desk_officer: User, station: Station) -> None:
    from daftari.core import append_only
    from daftari.ledger.services import InconsistentLog

    record(desk_officer, station, 2)
    sign_checkpoint(station=station)
    record(desk_officer, station, 1)
    log = Log.objects.get(station=station)
    append_only.uninstall(connection, ["ledger_treenode"])  # a DBA rewriting history
    TreeNode.objects.filter(log=log, level=1, index=0).update(hash=b"\x00" * 32)
    append_only.install(connection, ["ledger_treenode"])
    with pytest.raises(InconsistentLog):
        sign_checkpoint(station=station)


@pytest.mark.parametrize(
    "sql", ["UPDATE ledger_leaf SET kind = 'x'", "DELETE FROM ledger_leaf", "DELETE FROM ledger_treenode"]
)
def test_the_database_refuses_to_change_or_delete_a_leaf(sql: str, desk_officer: User, station: Station) -> None:
    record(desk_officer, station)
    sign_checkpoint(station=station)  # builds the tree: there is a stored hash to refuse to delete
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert Leaf.objects.count() == 1
