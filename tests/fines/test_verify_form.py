"""The one public verify form (/verify) takes a fine notice number as well as a document code."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.documents import rules as document_rules
from daftari.documents.services import issue_document
from daftari.fines import rules, services
from daftari.fines.models import FineNotice
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import PublicReadCount, Station
from tests.conftest import complaint
from tests.payments.conftest import Paybill


def _verify(client: Client, typed: str) -> tuple[int, str]:
    form = client.get("/verify", {"code": typed})
    assert form.status_code == 302, form.content
    page = client.get(form["Location"])
    return page.status_code, page.content.decode()


def test_a_notice_number_typed_in_the_verify_form_is_answered_as_a_genuine_notice(
    client: Client, notice: FineNotice
) -> None:
    typed = f"{notice.number[:5].lower()} {notice.number[5:]}"
    status, body = _verify(client, typed)
    assert status == 200
    assert "may be forged" not in body
    assert f"Notice {notice.number} is genuine" in body and "Issued" in body and notice.station.name in body
    assert "2,500" in body or "2500" in body
    assert "Kamau" not in body and "0712345678" not in body and notice.plate not in body


def test_a_cancelled_notice_verifies_as_cancelled_with_nothing_to_pay(
    client: Client, notice: FineNotice, ocs: User
) -> None:
    services.cancel_notice(actor=ocs, number=notice.number, reason="Wrong plate written by the officer")
    status, body = _verify(client, notice.number)
    assert status == 200 and "Cancelled" in body and "Nothing is to be paid" in body
    assert "Wrong plate" not in body, "the reason is not a public fact"


def test_a_paid_notice_verifies_as_paid(client: Client, notice: FineNotice, paybill: Paybill) -> None:
    paybill(notice.number, 2500, trans_id="TV1PAID001")
    status, body = _verify(client, notice.number)
    assert status == 200 and "Paid" in body and "Nothing more is to be paid" in body
    assert "TV1PAID001" not in body


def test_a_mistyped_notice_number_says_the_check_character_is_wrong_not_forged(
    client: Client, notice: FineNotice
) -> None:
    typo = notice.number[:-1] + ("2" if notice.number[-1] != "2" else "3")
    status, body = _verify(client, typo)
    assert status == 404 and "check character" in body


def test_a_document_code_that_looks_like_a_notice_number_still_verifies_as_the_document(
    client: Client, desk_officer: User, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A code drawn by chance in the notice numbers' shape (FN, their alphabet, a right check character).
    code = rules.make_notice_number(123_457)
    monkeypatch.setattr(document_rules, "new_code", lambda: code)
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    document = issue_document(actor=desk_officer, occurrence=entry, kind="certified_extract")
    assert document.code == code
    status, body = _verify(client, code)
    assert status == 200 and document.serial in body and "Genuine" in body


def test_anonymous_notice_verifications_through_the_form_are_counted_as_public_reads(
    client: Client, notice: FineNotice
) -> None:
    _verify(client, notice.number)
    counts = dict(PublicReadCount.objects.filter(record_type="fine_notice").values_list("outcome", "reads"))
    assert counts == {"shown": 1}
