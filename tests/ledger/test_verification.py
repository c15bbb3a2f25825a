"""``daftari ledger verify``'s checks, called as a function: a clean book, and each kind of tampering."""

import pytest
from django.contrib.auth.models import User
from django.db import connection

from daftari.core import append_only
from daftari.ledger import keys
from daftari.ledger.models import Checkpoint, Leaf, Log, TreeNode
from daftari.ledger.services import leaf_for, sign_checkpoint
from daftari.ledger.verification import Problem, verify_book
from daftari.occurrences.models import Occurrence, Party
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def record(user: User, station: Station, n: int) -> list[Occurrence]:
    return [record_occurrence(actor=user, station=station, draft=complaint()).entry for _ in range(n)]


def behind_the_applications_back(table: str, change) -> None:  # type: ignore[no-untyped-def]
    """What a DBA with the owner's password could do: drop the guard, change a row, put the guard back."""
    append_only.uninstall(connection, [table])
    change()
    append_only.install(connection, [table])


def test_a_clean_book_verifies(
    desk_officer: User, station: Station, officer_elsewhere: User, other_station: Station
) -> None:
    record(desk_officer, station, 3)
    sign_checkpoint(station=station)
    record(desk_officer, station, 2)
    sign_checkpoint(station=station)
    record(officer_elsewhere, other_station, 1)
    report = verify_book()
    assert report.problems == []
    assert (report.leaves, report.checkpoints, report.redacted) == (6, 2, [])


def test_a_record_altered_behind_the_applications_back_is_named_by_its_leaf_index(
    desk_officer: User, station: Station
) -> None:
    entries = record(desk_officer, station, 3)
    sign_checkpoint(station=station)
    behind_the_applications_back(
        "occurrences_party", lambda: Party.objects.filter(occurrence=entries[1]).update(name="Somebody Else")
    )
    report = verify_book()
    assert report.problems == [Problem("CENTRAL-NBI", 1, "commit does not match the record as stored")]
    assert str(report.problems[0]) == "CENTRAL-NBI leaf 1: commit does not match the record as stored"


def test_a_deleted_record_is_named_by_its_leaf_index(desk_officer: User, station: Station) -> None:
    entries = record(desk_officer, station, 2)

    def delete() -> None:
        Party.objects.filter(occurrence=entries[0]).delete()
        Occurrence.objects.filter(pk=entries[0].pk).delete()

    append_only.uninstall(connection, ["occurrences_occurrence"])
    behind_the_applications_back("occurrences_party", delete)
    append_only.install(connection, ["occurrences_occurrence"])
    assert [str(p) for p in verify_book().problems] == ["CENTRAL-NBI leaf 0: the record is missing from the database"]


def test_changed_leaf_bytes_are_caught_by_the_stored_hash_and_the_signed_root(
    desk_officer: User, station: Station
) -> None:
    entries = record(desk_officer, station, 4)
    sign_checkpoint(station=station)
    row = leaf_for(str(entries[2].pk))
    assert row is not None
    forged = bytes(row.data).replace(b'"by":"SN', b'"by":"XX')
    behind_the_applications_back("ledger_leaf", lambda: Leaf.objects.filter(pk=row.pk).update(data=forged))
    problems = verify_book().problems
    assert Problem("CENTRAL-NBI", 2, "the leaf bytes do not hash to the stored leaf hash") in problems
    assert any("root does not match the leaves" in p.message for p in problems)


def test_a_changed_subtree_hash_is_caught(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, 4)
    sign_checkpoint(station=station)  # the tree is built when the book is signed
    log = Log.objects.get(station=station)
    behind_the_applications_back(
        "ledger_treenode",
        lambda: TreeNode.objects.filter(log=log, level=1, index=1).update(hash=b"\x00" * 32),
    )
    assert [str(p) for p in verify_book().problems] == [
        "CENTRAL-NBI leaf 2: the stored hash of leaves 2..3 differs from the rebuilt tree"
    ]


def test_a_checkpoint_with_a_forged_signature_is_caught(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, 2)
    checkpoint = sign_checkpoint(station=station)
    assert checkpoint is not None
    forged = checkpoint.signed_note.replace("\n2\n", "\n1\n")
    behind_the_applications_back(
        "ledger_checkpoint", lambda: Checkpoint.objects.filter(pk=checkpoint.pk).update(signed_note=forged)
    )
    problems = verify_book().problems
    assert len(problems) == 1 and problems[0].message.startswith("checkpoint of size 2:")


def test_the_log_head_must_agree_with_the_leaves(desk_officer: User, station: Station) -> None:
    record(desk_officer, station, 3)
    Log.objects.filter(station=station).update(size=2)
    messages = [p.message for p in verify_book(station="CENTRAL-NBI").problems]
    assert "the log head says 2 leaves, the book holds 3" in messages


def test_verifying_one_station_leaves_the_others_alone(
    desk_officer: User, station: Station, officer_elsewhere: User, other_station: Station
) -> None:
    record(desk_officer, station, 1)
    entry = record(officer_elsewhere, other_station, 1)[0]
    behind_the_applications_back(
        "occurrences_party", lambda: Party.objects.filter(occurrence=entry).update(phone="0700000000")
    )
    assert verify_book(station="CENTRAL-NBI").problems == []
    assert [str(p) for p in verify_book(station="KISUMU-CTL").problems] == [
        "KISUMU-CTL leaf 0: commit does not match the record as stored"
    ]
