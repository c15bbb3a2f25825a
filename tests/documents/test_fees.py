"""Abstract fees: paid by M-Pesa (STK push or paybill) before the abstract is issued, never in cash."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from daftari.core.errors import InvalidInput
from daftari.documents import rules
from daftari.documents.models import DocumentFee, DocumentFeeState, IssuedDocument
from daftari.documents.services import FEE_HANDLER, issue_document, request_fee
from daftari.ledger.services import leaf_for
from daftari.occurrences.models import Occurrence
from daftari.payments import accounts
from daftari.payments import services as payments
from daftari.payments.models import Payment
from daftari.stations.models import AccessEvent
from tests.payments.conftest import Paybill


@pytest.fixture
def fee_200(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_ABSTRACT_FEE_KES = 200


@pytest.fixture
def fee(fee_200: None, desk_officer: User, lost_id: Occurrence) -> DocumentFee:
    return request_fee(
        actor=desk_officer,
        occurrence=lost_id,
        kind="abstract_lost_document",
        applicant_name="Wanjiku Kamau",
        purpose="ID replacement",
        phone="0712 345 678",
    )


def confirmed_payment(fee: DocumentFee, *, amount: int = 200, receipt: str = "TKL1AB2CD3") -> Payment:
    payment = Payment.objects.get(account_reference=fee.reference)
    Payment.objects.filter(pk=payment.pk).update(
        state=Payment.State.CONFIRMED, paid_kes=amount, mpesa_receipt=receipt, confirmed_at=timezone.now()
    )
    payment.refresh_from_db()
    return payment


def c2b_body(reference: str, amount: str, trans_id: str = "TKL9XY8ZW7") -> bytes:
    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": "20261129101500",
            "TransAmount": amount,
            "BusinessShortCode": "174379",
            "BillRefNumber": reference,
            "MSISDN": "254712345678",
            "FirstName": "Wanjiku",
        }
    ).encode()


def test_fee_references_are_short_checked_and_never_notice_numbers() -> None:
    reference = rules.new_fee_reference()
    assert len(reference) <= 12 and reference.startswith("AB")
    assert rules.is_fee_reference(reference)
    assert rules.is_fee_reference(reference.lower())
    wrong = reference[:-1] + ("2" if reference[-1] != "2" else "3")
    assert not rules.is_fee_reference(wrong)
    swapped = reference[:3] + reference[4] + reference[3] + reference[5:]
    assert reference[3] == reference[4] or not rules.is_fee_reference(swapped)
    assert not rules.is_fee_reference("FN" + reference[2:])


def test_without_a_fee_an_abstract_is_issued_at_once_and_free(desk_client: Client, lost_id: Occurrence) -> None:
    response = desk_client.post(
        f"/entries/{lost_id.pk}/documents/new",
        {"kind": "abstract_lost_document", "applicant_name": "Wanjiku Kamau", "purpose": "ID"},
    )
    document = IssuedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}"
    assert document.fee_kes == 0
    assert not DocumentFee.objects.exists() and not Payment.objects.exists()


def test_with_a_fee_the_desk_sends_an_stk_push_and_no_document_exists_until_paid(
    fee_200: None, desk_client: Client, lost_id: Occurrence
) -> None:
    response = desk_client.post(
        f"/entries/{lost_id.pk}/documents/new",
        {"kind": "abstract_lost_document", "applicant_name": "Wanjiku Kamau", "phone": "0712345678"},
    )
    fee = DocumentFee.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/fees/{fee.pk}"
    payment = Payment.objects.get()
    assert (payment.account_reference, payment.amount_kes, payment.phone) == (fee.reference, 200, "+254712345678")
    assert (payment.method, payment.state) == ("stk", "pending")
    assert DocumentFeeState.objects.get(fee=fee).state == "pending"
    assert not IssuedDocument.objects.exists()
    page = desk_client.get(f"/documents/fees/{fee.pk}")
    assert "Waiting for M-Pesa payment of KES 200" in page.content.decode()
    assert 'hx-trigger="every 5s"' in page.content.decode()
    assert fee.reference in page.content.decode()  # the paybill account number


def test_with_a_fee_the_desk_must_give_a_kenyan_phone(fee_200: None, desk_client: Client, lost_id: Occurrence) -> None:
    response = desk_client.post(
        f"/entries/{lost_id.pk}/documents/new", {"kind": "abstract_lost_document", "applicant_name": "Wanjiku"}
    )
    assert response.status_code == 422
    assert not DocumentFee.objects.exists() and not Payment.objects.exists()


def test_a_p3_form_is_issued_free_even_when_an_abstract_fee_is_set(
    fee_200: None, desk_client: Client, accident: Occurrence
) -> None:
    desk_client.post(f"/entries/{accident.pk}/documents/new", {"kind": "p3_part1"})
    assert IssuedDocument.objects.get().fee_kes == 0
    assert not Payment.objects.exists()


def test_a_certified_extract_stays_free_when_an_abstract_fee_is_set(
    fee_200: None, desk_officer: User, lost_id: Occurrence
) -> None:
    extract = issue_document(actor=desk_officer, occurrence=lost_id, kind="certified_extract")
    assert extract.fee_kes == 0
    with pytest.raises(InvalidInput):
        request_fee(
            actor=desk_officer, occurrence=lost_id, kind="certified_extract", applicant_name="X", phone="0712345678"
        )


def test_the_confirmed_payment_issues_the_abstract_with_the_fee_recorded(fee: DocumentFee) -> None:
    payment = confirmed_payment(fee)
    with transaction.atomic():
        FEE_HANDLER.on_confirmed(payment)
    state = DocumentFeeState.objects.get(fee=fee)
    document = IssuedDocument.objects.get()
    assert (state.state, state.document, state.payment_id, state.mpesa_receipt) == (
        "issued",
        document,
        payment.pk,
        "TKL1AB2CD3",
    )
    assert (document.fee_kes, document.applicant_name, document.kind) == (
        200,
        "Wanjiku Kamau",
        "abstract_lost_document",
    )
    assert document.details["mpesa_receipt"] == "TKL1AB2CD3"
    assert document.details["fee_reference"] == fee.reference
    assert document.issue_entry is not None and document.issue_entry.entry_type == "ABSTRACT_ISSUED"
    assert leaf_for(str(document.pk)) is not None


def test_the_handler_called_twice_issues_the_abstract_once(fee: DocumentFee) -> None:
    payment = confirmed_payment(fee)
    FEE_HANDLER.on_confirmed(payment)
    FEE_HANDLER.on_confirmed(payment)
    assert IssuedDocument.objects.count() == 1
    assert Occurrence.objects.filter(entry_type="ABSTRACT_ISSUED").count() == 1


def test_a_short_payment_issues_nothing(fee: DocumentFee) -> None:
    FEE_HANDLER.on_confirmed(confirmed_payment(fee, amount=150))
    assert DocumentFeeState.objects.get(fee=fee).state == "pending"
    assert not IssuedDocument.objects.exists()


def test_validation_rejects_an_unknown_reference_a_wrong_amount_and_a_paid_fee(fee: DocumentFee) -> None:
    unknown = rules.new_fee_reference()
    assert accounts.handler_for(fee.reference) is FEE_HANDLER
    assert FEE_HANDLER.validate(unknown, 200) == accounts.REJECT_INVALID_ACCOUNT
    assert FEE_HANDLER.validate(fee.reference, 100) == accounts.REJECT_INVALID_AMOUNT
    assert FEE_HANDLER.validate(fee.reference, 200) is None
    FEE_HANDLER.on_confirmed(confirmed_payment(fee))
    assert FEE_HANDLER.validate(fee.reference, 200) is not None


def test_a_paybill_payment_with_the_reference_issues_the_abstract(fee: DocumentFee, paybill: Paybill) -> None:
    assert payments.validate_c2b(raw=c2b_body(fee.reference, "200.00"))["ResultCode"] == "0"
    assert payments.validate_c2b(raw=c2b_body(fee.reference, "20.00"))["ResultCode"] == accounts.REJECT_INVALID_AMOUNT
    raw = paybill.pay(fee.reference, 200, trans_id="TKL9XY8ZW7")
    paybill.confirm(raw)
    paybill.confirm(raw)  # Daraja repeats itself
    document = IssuedDocument.objects.get()
    assert document.details["mpesa_receipt"] == "TKL9XY8ZW7"
    assert DocumentFeeState.objects.get(fee=fee).state == "issued"


def test_the_fee_page_goes_to_the_document_once_issued(desk_client: Client, fee: DocumentFee) -> None:
    FEE_HANDLER.on_confirmed(confirmed_payment(fee))
    document = IssuedDocument.objects.get()
    assert desk_client.get(f"/documents/fees/{fee.pk}")["Location"] == f"/documents/{document.pk}"
    polled = desk_client.get(f"/documents/fees/{fee.pk}", headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == f"/documents/{document.pk}"
    page = desk_client.get(f"/documents/{document.pk}").content.decode()
    assert "KES 200, paid by M-Pesa, receipt TKL1AB2CD3" in page


def test_an_officer_from_another_station_gets_404_for_the_fee_page(
    client: Client, officer_elsewhere: User, fee: DocumentFee
) -> None:
    client.force_login(officer_elsewhere)
    assert client.get(f"/documents/fees/{fee.pk}").status_code == 404
    assert client.get(f"/documents/fees/{uuid.uuid4()}").status_code == 404


def test_a_fee_request_cannot_be_changed(fee: DocumentFee) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentFee.objects.filter(pk=fee.pk).update(amount_kes=1)


def test_the_fee_page_is_logged_once_per_load_and_not_per_refresh(
    desk_client: Client, desk_officer: User, fee: DocumentFee
) -> None:
    desk_client.get(f"/documents/fees/{fee.pk}")
    desk_client.get(f"/documents/fees/{fee.pk}", headers={"HX-Request": "true", "X-Daftari-Poll": "1"})
    logged = AccessEvent.objects.filter(username=desk_officer.username)
    assert [(e.record_type, e.record_id, e.outcome) for e in logged] == [("document_fee", str(fee.pk), "shown")]


def test_an_analyst_does_not_get_the_applicants_name_and_phone_from_the_fee_page(
    client: Client, analyst: User, fee: DocumentFee
) -> None:
    client.force_login(analyst)
    response = client.get(f"/documents/fees/{fee.pk}")
    assert response.status_code == 403 and fee.applicant_name not in response.content.decode()
    assert AccessEvent.objects.get(username=analyst.username).outcome == "denied"
