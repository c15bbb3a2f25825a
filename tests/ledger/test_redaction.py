"""Lawful erasure: the personal data and the salt go, a ``redaction`` leaf comes, every proof survives."""

import pytest
from daftari_verify import merkle
from daftari_verify.checkpoint import open_checkpoint
from daftari_verify.leaf import Leaf as LeafV1
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.ledger import keys
from daftari.ledger.models import Commitment, Leaf, Log
from daftari.ledger.redaction import AlreadyRedacted, redact, stored_redaction
from daftari.ledger.services import consistency_proof, inclusion_proof, is_redacted, leaf_for, sign_checkpoint
from daftari.ledger.verification import verify_book
from daftari.occurrences.erasure import MARKER
from daftari.occurrences.models import Occurrence, Party, Person
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint

ORDER = "High Court Misc. Application E123 of 2026"


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


@pytest.fixture
def book(desk_officer: User, station: Station) -> list[Occurrence]:
    return [
        record_occurrence(
            actor=desk_officer,
            station=station,
            draft=complaint(details={"action_taken": "Told to report to Safaricom"}),
        ).entry
        for _ in range(3)
    ]


def test_an_admin_erases_the_personal_data_and_the_salt(admin_officer: User, book: list[Occurrence]) -> None:
    target = book[1]
    person_id = Party.objects.get(occurrence=target).person_id
    redact(actor=admin_officer, record_id=str(target.pk), authority=ORDER)

    target.refresh_from_db()
    party = Party.objects.get(occurrence=target)
    assert (party.name, party.id_number, party.phone, party.date_of_birth, party.person) == (MARKER, "", "", None, None)
    assert target.narrative == MARKER and target.search_text == MARKER
    assert target.details == {"action_taken": MARKER}
    assert target.place == "Moi Avenue, near the bus stage"  # not personal: stays for the statistics
    leaf = leaf_for(str(target.pk))
    assert leaf is not None and is_redacted(leaf)
    assert not Commitment.objects.filter(leaf=leaf).exists()
    # The same complainant is still named in the other entries, so the person index keeps her.
    assert Person.objects.filter(pk=person_id).exists()
    assert Party.objects.get(occurrence=book[0]).name == "Wanjiku Kamau"


def test_the_redaction_is_a_leaf_pointing_at_the_redacted_one_whose_own_commit_verifies(
    admin_officer: User, book: list[Occurrence]
) -> None:
    redaction = redact(actor=admin_officer, record_id=str(book[1].pk), authority=ORDER)
    row = Leaf.objects.get(log__station__code="CENTRAL-NBI", index=3)
    leaf = LeafV1.from_bytes(bytes(row.data))
    assert (leaf.kind, leaf.prev, leaf.record, leaf.ob) == ("redaction", 1, str(redaction.pk), book[1].ob_number)
    assert leaf.by == admin_officer.officer.service_number
    record = stored_redaction(str(redaction.pk))
    assert record == {"redacts": 1, "record": str(book[1].pk), "authority": ORDER, "by": "administrator"}
    leaf.check_record(record, bytes(row.commitment.salt))


def test_every_earlier_proof_still_verifies_and_the_book_stays_consistent(
    admin_officer: User, station: Station, book: list[Occurrence]
) -> None:
    before = sign_checkpoint(station=station)
    assert before is not None
    log = Log.objects.get(station=station)
    proof_before = inclusion_proof(log, 1, 3)
    redact(actor=admin_officer, record_id=str(book[1].pk), authority=ORDER)
    after = sign_checkpoint(station=station)
    assert after is not None and after.size == 4

    leaf_hash = merkle.leaf_hash(bytes(leaf_for(str(book[1].pk)).data))  # type: ignore[union-attr]
    merkle.verify_inclusion(leaf_hash, 1, 3, proof_before, bytes(before.root))
    log.refresh_from_db()
    merkle.verify_inclusion(leaf_hash, 1, 4, inclusion_proof(log, 1, 4), bytes(after.root))
    merkle.verify_consistency(3, 4, bytes(before.root), bytes(after.root), consistency_proof(log, 3, 4))
    open_checkpoint(after.signed_note, keys.verifier())


def test_verification_reports_the_redacted_leaf_as_redacted_not_as_a_failure(
    admin_officer: User, station: Station, book: list[Occurrence]
) -> None:
    sign_checkpoint(station=station)
    redact(actor=admin_officer, record_id=str(book[1].pk), authority=ORDER)
    sign_checkpoint(station=station)
    report = verify_book()
    assert report.problems == []
    assert report.redacted == [("CENTRAL-NBI", 1)]


def test_only_an_admin_may_redact(ocs: User, desk_officer: User, oversight: User, book: list[Occurrence]) -> None:
    for officer in (ocs, desk_officer, oversight):
        with pytest.raises(NotPermitted):
            redact(actor=officer, record_id=str(book[0].pk), authority=ORDER)
    assert Party.objects.get(occurrence=book[0]).name == "Wanjiku Kamau"
    assert Leaf.objects.count() == 3 and Commitment.objects.count() == 3


def test_an_erasure_needs_a_stated_authority(admin_officer: User, book: list[Occurrence]) -> None:
    with pytest.raises(InvalidInput):
        redact(actor=admin_officer, record_id=str(book[0].pk), authority="  ")
    assert Party.objects.get(occurrence=book[0]).name == "Wanjiku Kamau"


def test_an_entry_is_redacted_once(admin_officer: User, book: list[Occurrence]) -> None:
    redact(actor=admin_officer, record_id=str(book[0].pk), authority=ORDER)
    with pytest.raises(AlreadyRedacted):
        redact(actor=admin_officer, record_id=str(book[0].pk), authority=ORDER)
    assert Leaf.objects.count() == 4


def test_the_guards_are_back_on_after_an_erasure(admin_officer: User, book: list[Occurrence]) -> None:
    redact(actor=admin_officer, record_id=str(book[0].pk), authority=ORDER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Party.objects.filter(occurrence=book[1]).update(name="Somebody Else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Occurrence.objects.filter(pk=book[1].pk).update(narrative="rewritten")


def test_the_redact_command_erases_for_an_admin_and_refuses_anyone_else(
    admin_officer: User, ocs: User, book: list[Occurrence], capsys: pytest.CaptureFixture[str]
) -> None:
    entry = str(book[2].pk)
    with pytest.raises(CommandError, match="administrator"):
        call_command("ledger", "redact", "--entry", entry, "--authority", ORDER, "--by", "ocs")
    call_command("ledger", "redact", "--entry", entry, "--authority", ORDER, "--by", "administrator")
    assert f"leaf 2 ({entry})" in capsys.readouterr().out
    assert Party.objects.get(occurrence=book[2]).name == MARKER
