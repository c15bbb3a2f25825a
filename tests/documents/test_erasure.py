"""Lawful erasure of issued documents: the applicant goes, the register, the code and the signed book stay."""

import json
import logging
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client

from daftari.core.errors import NotPermitted
from daftari.documents.erasure import MARKER
from daftari.documents.models import DocumentFee, DocumentFeeState, DocumentRevocation, IssuedDocument
from daftari.documents.services import issue_document, request_fee, revoke_document
from daftari.ledger.models import Commitment, Leaf
from daftari.ledger.redaction import AlreadyRedacted, redact
from daftari.ledger.services import is_redacted, leaf_for, sign_checkpoint
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.payments.models import DarajaCallback, Payment
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.erasure_support import ORDER, assert_the_whole_book_verifies, tables_holding
from tests.payments.conftest import Paybill

APPLICANT = ["Achieng Otieno", "ACHIENG", "Insurance claim with Jubilee", "31415926", "733222111"]
INJURY = "Cut above the left eyebrow"
REASON = "Issued to the cousin of Achieng by mistake"


@pytest.fixture
def lost_passport(desk_officer: User, station: Station) -> Occurrence:
    draft = complaint(
        entry_type="LOST_DOC",
        narrative="Reports losing her passport at the bus stage.",
        details={"document_kind": "passport", "document_number": "31415926"},
        parties=(PartyInput(role="complainant", name="Achieng Otieno"),),
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


@pytest.fixture
def paid_abstract(settings, desk_officer: User, lost_passport: Occurrence, paybill: Paybill) -> IssuedDocument:  # type: ignore[no-untyped-def]
    """An abstract whose fee the applicant paid by paybill from her own phone."""
    settings.DAFTARI_ABSTRACT_FEE_KES = 200
    fee = request_fee(
        actor=desk_officer,
        occurrence=lost_passport,
        kind="abstract_lost_document",
        applicant_name="Achieng Otieno",
        purpose="Insurance claim with Jubilee",
        phone="0733 222 111",
    )
    paybill(fee.reference, 200, trans_id="TKD0000001", msisdn="254733222111", first_name="ACHIENG")
    return IssuedDocument.objects.get(fee_request__fee=fee)


@pytest.fixture
def revoked_p3(desk_officer: User, ocs: User, accident: Occurrence) -> IssuedDocument:
    p3 = issue_document(
        actor=desk_officer,
        occurrence=accident,
        kind="p3_part1",
        injuries_alleged=INJURY,
        investigating_officer="Cpl. Mutua",
    )
    revoke_document(actor=ocs, document=p3, reason=REASON)
    return p3


def test_erasing_an_abstract_blanks_the_applicant_purpose_document_number_and_fee_and_keeps_the_register(
    admin_officer: User, paid_abstract: IssuedDocument
) -> None:
    redact(actor=admin_officer, record_id=str(paid_abstract.pk), authority=ORDER)

    document = IssuedDocument.objects.get(pk=paid_abstract.pk)
    assert (document.applicant_name, document.purpose) == (MARKER, MARKER)
    assert document.details == {
        "document_kind": "passport",
        "document_number": MARKER,
        "fee_reference": paid_abstract.details["fee_reference"],
        "mpesa_receipt": "TKD0000001",
    }
    assert (document.kind, document.serial, document.code, document.issued_at, document.fee_kes) == (
        paid_abstract.kind,
        paid_abstract.serial,
        paid_abstract.code,
        paid_abstract.issued_at,
        200,
    )
    fee = DocumentFee.objects.get(reference=paid_abstract.details["fee_reference"])
    assert (fee.applicant_name, fee.purpose, fee.phone, fee.amount_kes) == (MARKER, MARKER, "", 200)
    assert DocumentFeeState.objects.get(fee=fee).state == "issued"
    # The STK prompt the desk sent first, and the paybill payment that paid: both lose the phone.
    assert set(Payment.objects.filter(account_reference=fee.reference).values_list("phone", flat=True)) == {""}
    payment = Payment.objects.get(mpesa_receipt="TKD0000001")
    assert (payment.paid_kes, payment.state) == (200, "confirmed")
    assert json.loads(bytes(DarajaCallback.objects.get(key="TKD0000001").raw))["MSISDN"] == MARKER
    leaf = leaf_for(str(paid_abstract.pk))
    assert leaf is not None and is_redacted(leaf) and not Commitment.objects.filter(leaf=leaf).exists()


def test_erasing_a_p3_blanks_the_injuries_and_erasing_its_revocation_blanks_the_reason(
    admin_officer: User, revoked_p3: IssuedDocument
) -> None:
    revocation = DocumentRevocation.objects.get(document=revoked_p3)
    redact(actor=admin_officer, record_id=str(revoked_p3.pk), authority=ORDER)
    redact(actor=admin_officer, record_id=str(revocation.pk), authority=ORDER)
    assert IssuedDocument.objects.get(pk=revoked_p3.pk).details == {
        "injuries_alleged": MARKER,
        "investigating_officer": "Cpl. Mutua",
    }
    stored = DocumentRevocation.objects.get(pk=revocation.pk)
    assert (stored.reason, stored.by_id, stored.at) == (MARKER, revocation.by_id, revocation.at)


def test_after_the_abstract_its_issue_entry_and_its_entry_are_erased_the_applicant_is_in_no_table(
    admin_officer: User, paid_abstract: IssuedDocument
) -> None:
    assert "documents_issueddocument" in tables_holding("Achieng Otieno")
    for record_id in (paid_abstract.pk, paid_abstract.issue_entry_id, paid_abstract.occurrence_id):
        redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
    for private in APPLICANT:
        assert tables_holding(private) == [], private


def test_after_the_p3_its_revocation_and_issue_entry_are_erased_the_injury_and_reason_are_in_no_table(
    admin_officer: User, revoked_p3: IssuedDocument
) -> None:
    revocation = DocumentRevocation.objects.get(document=revoked_p3)
    for record_id in (revoked_p3.pk, revocation.pk, revoked_p3.issue_entry_id):
        redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
    assert tables_holding(INJURY) == [] and tables_holding(REASON) == []


def test_the_whole_book_still_verifies_after_the_erasure(
    admin_officer: User, paid_abstract: IssuedDocument, revoked_p3: IssuedDocument, tmp_path: Path
) -> None:
    revocation = DocumentRevocation.objects.get(document=revoked_p3)
    for record_id in (paid_abstract.pk, revoked_p3.pk, revocation.pk):
        redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
    assert_the_whole_book_verifies(tmp_path)


def test_a_document_and_a_revocation_are_erased_once(admin_officer: User, revoked_p3: IssuedDocument) -> None:
    revocation = DocumentRevocation.objects.get(document=revoked_p3)
    for record_id in (revoked_p3.pk, revocation.pk):
        redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
        with pytest.raises(AlreadyRedacted):
            redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
    assert Leaf.objects.filter(kind="redaction").count() == 2


def test_only_an_admin_may_erase_a_document(
    ocs: User, desk_officer: User, oversight: User, paid_abstract: IssuedDocument
) -> None:
    for officer in (ocs, desk_officer, oversight):
        with pytest.raises(NotPermitted):
            redact(actor=officer, record_id=str(paid_abstract.pk), authority=ORDER)
    assert IssuedDocument.objects.get(pk=paid_abstract.pk).applicant_name == "Achieng Otieno"


def test_the_guards_are_back_on_the_documents_after_an_erasure(
    admin_officer: User, paid_abstract: IssuedDocument
) -> None:
    redact(actor=admin_officer, record_id=str(paid_abstract.pk), authority=ORDER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        IssuedDocument.objects.filter(pk=paid_abstract.pk).update(applicant_name="Somebody Else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DocumentFee.objects.update(phone="+254700000000")


def test_the_document_page_the_pdf_and_the_list_show_redacted_and_the_verify_page_leaks_nothing(
    desk_client: Client, public_client: Client, admin_officer: User, paid_abstract: IssuedDocument
) -> None:
    for record_id in (paid_abstract.pk, paid_abstract.issue_entry_id, paid_abstract.occurrence_id):
        redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
    page = desk_client.get(f"/documents/{paid_abstract.pk}")
    assert page.status_code == 200 and MARKER in page.content.decode()
    pdf = desk_client.get(f"/documents/{paid_abstract.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    listed = desk_client.get("/documents")
    assert listed.status_code == 200
    verify = public_client.get(f"/verify/{paid_abstract.code}")
    assert verify.status_code == 200
    for shown in (page, listed, verify):
        text = shown.content.decode()
        assert not any(private in text for private in APPLICANT), text
    # The public page never showed personal details, and still does not.
    assert MARKER not in verify.content.decode()


def test_the_verify_page_of_an_erased_document_says_genuine_and_erased_by_lawful_order_and_logs_no_error(
    public_client: Client,
    admin_officer: User,
    paid_abstract: IssuedDocument,
    station: Station,
    caplog: pytest.LogCaptureFixture,
) -> None:
    redact(actor=admin_officer, record_id=str(paid_abstract.pk), authority=ORDER)
    sign_checkpoint(station=station)
    leaf = leaf_for(str(paid_abstract.pk))
    assert leaf is not None
    with caplog.at_level(logging.WARNING):
        page = public_client.get(f"/verify/{paid_abstract.code}").content.decode()
    assert "Genuine" in page and "Its personal details were erased by lawful order." in page
    assert f"Included in the signed book at leaf #{leaf.index}, checkpoint of" in page
    assert "could not be checked" not in page
    assert not any(private in page for private in APPLICANT)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    public_client.cookies["daftari_language"] = "sw"
    swahili = public_client.get(f"/verify/{paid_abstract.code}").content.decode()
    assert "Halali" in swahili and "Taarifa zake binafsi zilifutwa kwa amri halali." in swahili
