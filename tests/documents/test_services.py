import pytest
from daftari_verify.leaf import Leaf as LeafV1
from django.contrib.auth.models import AnonymousUser, User
from django.db import DatabaseError, transaction
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotPermitted, NotPermittedAtStation
from daftari.documents import records
from daftari.documents.models import DocumentRevocation, IssuedDocument
from daftari.documents.services import issue_document, revoke_document, verify_code
from daftari.ledger.services import leaf_for, sign_checkpoint
from daftari.ledger.verification import verify_book
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, PublicReadCount, Station


def test_an_abstract_gets_a_serial_a_code_and_an_abstract_issued_entry(
    abstract: IssuedDocument, lost_id: Occurrence
) -> None:
    assert abstract.serial.startswith("ABS/CENTRAL-NBI/")
    assert abstract.serial.endswith("/000001")
    assert len(abstract.code) == 10
    assert abstract.details == {"document_kind": "national_id", "document_number": "12345678"}
    entry = abstract.issue_entry
    assert entry is not None
    assert (entry.entry_type, entry.refers_to_id) == ("ABSTRACT_ISSUED", lost_id.pk)
    assert entry.details["abstract_number"] == abstract.serial
    assert entry.details["abstract_kind"] == "lost_document"


def test_the_next_abstract_at_the_station_gets_the_next_serial(
    desk_officer: User, abstract: IssuedDocument, recorded_complaint: Occurrence
) -> None:
    second = issue_document(
        actor=desk_officer, occurrence=recorded_complaint, kind="abstract_general", applicant_name="Wanjiku Kamau"
    )
    assert second.serial == abstract.serial[:-6] + "000002"
    assert second.code != abstract.code


def test_issuing_appends_a_document_leaf_that_commits_to_the_stored_record(
    abstract: IssuedDocument, lost_id: Occurrence, station: Station
) -> None:
    leaf = leaf_for(str(abstract.pk))
    assert leaf is not None and leaf.kind == "document"
    parsed = LeafV1.from_bytes(bytes(leaf.data))
    assert parsed.ob == lost_id.ob_number
    assert parsed.prev == leaf_for(str(lost_id.pk)).index  # type: ignore[union-attr]
    parsed.check_record(records.stored_document(str(abstract.pk)), bytes(leaf.commitment.salt))  # type: ignore[arg-type]
    sign_checkpoint(station=station)
    report = verify_book(station.code)
    assert report.ok, report.problems


def test_a_lost_document_abstract_is_refused_for_a_complaint(
    desk_officer: User, recorded_complaint: Occurrence
) -> None:
    with pytest.raises(InvalidInput) as raised:
        issue_document(
            actor=desk_officer, occurrence=recorded_complaint, kind="abstract_lost_document", applicant_name="W"
        )
    assert "kind" in raised.value.fields
    assert not IssuedDocument.objects.exists()


def test_an_accident_abstract_is_refused_for_a_lost_document(desk_officer: User, lost_id: Occurrence) -> None:
    with pytest.raises(InvalidInput):
        issue_document(actor=desk_officer, occurrence=lost_id, kind="abstract_accident", applicant_name="W")


def test_a_p3_form_is_refused_for_a_lost_document(desk_officer: User, lost_id: Occurrence) -> None:
    with pytest.raises(InvalidInput):
        issue_document(actor=desk_officer, occurrence=lost_id, kind="p3_part1")


def test_an_abstract_needs_the_name_of_the_person_it_is_for(desk_officer: User, recorded_complaint: Occurrence) -> None:
    with pytest.raises(InvalidInput) as raised:
        issue_document(actor=desk_officer, occurrence=recorded_complaint, kind="abstract_general")
    assert "applicant_name" in raised.value.fields


def test_an_officer_of_another_station_cannot_issue(officer_elsewhere: User, recorded_complaint: Occurrence) -> None:
    with pytest.raises(NotPermittedAtStation):
        issue_document(
            actor=officer_elsewhere, occurrence=recorded_complaint, kind="abstract_general", applicant_name="W"
        )
    assert not IssuedDocument.objects.exists()


def test_a_p3_form_is_free_and_records_a_p3_issued_entry(desk_officer: User, accident: Occurrence, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_ABSTRACT_FEE_KES = 200
    p3 = issue_document(actor=desk_officer, occurrence=accident, kind="p3_part1", investigating_officer="Cpl. Achieng")
    assert p3.fee_kes == 0
    assert p3.serial.startswith("P3/CENTRAL-NBI/")
    assert p3.details["injuries_alleged"] == accident.narrative
    assert p3.issue_entry is not None and p3.issue_entry.entry_type == "P3_ISSUED"
    assert p3.issue_entry.details["investigating_officer"] == "Cpl. Achieng"


def test_an_abstract_with_a_fee_is_not_issued_without_an_mpesa_payment(
    desk_officer: User, accident: Occurrence, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_ABSTRACT_FEE_KES = 200
    with pytest.raises(InvalidInput):
        issue_document(actor=desk_officer, occurrence=accident, kind="abstract_accident", applicant_name="Otieno")
    assert not IssuedDocument.objects.exists()


def test_a_certified_extract_records_no_ob_entry_but_a_leaf(desk_officer: User, recorded_complaint: Occurrence) -> None:
    before = Occurrence.objects.count()
    doc = issue_document(actor=desk_officer, occurrence=recorded_complaint, kind="certified_extract")
    assert doc.issue_entry is None and doc.serial.startswith("EXT/")
    assert Occurrence.objects.count() == before
    assert leaf_for(str(doc.pk)) is not None


def test_only_the_ocs_revokes(desk_officer: User, abstract: IssuedDocument) -> None:
    with pytest.raises(NotPermitted):
        revoke_document(actor=desk_officer, document=abstract, reason="Issued in error")
    assert not DocumentRevocation.objects.exists()


def test_the_ocs_revokes_once_with_a_reason_and_a_leaf(ocs: User, abstract: IssuedDocument) -> None:
    with pytest.raises(InvalidInput):
        revoke_document(actor=ocs, document=abstract, reason="  ")
    revocation = revoke_document(actor=ocs, document=abstract, reason="Obtained by false report")
    leaf = leaf_for(str(revocation.pk))
    assert leaf is not None and leaf.kind == "document_revocation"
    with pytest.raises(InvalidInput):
        revoke_document(actor=ocs, document=abstract, reason="again")
    assert verify_code(code=abstract.code, actor=AnonymousUser()).status == "revoked"


def test_a_replaced_document_verifies_as_superseded(desk_officer: User, abstract: IssuedDocument) -> None:
    newer = issue_document(
        actor=desk_officer,
        occurrence=abstract.occurrence,
        kind=abstract.kind,
        applicant_name="Wanjiku Kamau",
        supersedes=abstract,
    )
    assert verify_code(code=abstract.code, actor=AnonymousUser()).status == "superseded"
    assert verify_code(code=newer.code, actor=AnonymousUser()).status == "genuine"


def test_a_genuine_code_is_proved_against_the_signed_checkpoint(abstract: IssuedDocument, station: Station) -> None:
    unsigned = verify_code(code=abstract.code, actor=AnonymousUser())
    assert (unsigned.status, unsigned.proof_ok, unsigned.checkpoint_at) == ("genuine", False, None)
    checkpoint = sign_checkpoint(station=station)
    result = verify_code(code=abstract.code.lower(), actor=AnonymousUser())
    assert result.proof_ok
    assert result.leaf_index == leaf_for(str(abstract.pk)).index  # type: ignore[union-attr]
    assert result.checkpoint_at == checkpoint.signed_at  # type: ignore[union-attr]


def test_every_anonymous_lookup_is_counted_by_day_and_answer_without_an_access_event(
    abstract: IssuedDocument,
) -> None:
    for _ in range(3):
        verify_code(code=abstract.code, actor=AnonymousUser())
    assert verify_code(code="ZZZZZ-ZZZZZ", actor=AnonymousUser()).status == "not_found"
    assert not AccessEvent.objects.filter(channel="public").exists()
    today = timezone.localdate()
    counts = set(PublicReadCount.objects.values_list("on", "record_type", "outcome", "reads"))
    assert counts == {(today, "document", "shown", 3), (today, "document", "denied", 1)}


def test_an_officers_lookup_on_the_verify_page_is_still_an_access_event(
    abstract: IssuedDocument, desk_officer: User
) -> None:
    verify_code(code=abstract.code, actor=desk_officer)
    events = list(AccessEvent.objects.filter(channel="public").values_list("record_id", "outcome", "username"))
    assert events == [(str(abstract.pk), "shown", "desk")]
    assert not PublicReadCount.objects.exists()


def test_an_issued_document_cannot_be_changed_in_the_database(abstract: IssuedDocument) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuedDocument.objects.filter(pk=abstract.pk).update(applicant_name="Someone else")
