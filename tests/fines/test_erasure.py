"""Lawful erasure of fine notices and payments: the driver and the payer go, the offence, the money
and the signed book stay, and the notice stays payable by its number."""

import json
import logging
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.test import Client

from daftari.core.errors import NotPermitted
from daftari.fines import rules
from daftari.fines.erasure import MARKER
from daftari.fines.models import FineNotice, NoticeEvent, NoticeOffence, NoticePhoto, NoticeState
from daftari.fines.services import cancel_notice, contest_notice, issue_notice, record_court_outcome
from daftari.ledger.models import Commitment, Leaf
from daftari.ledger.redaction import AlreadyRedacted, redact
from daftari.ledger.services import is_redacted, leaf_for, sign_checkpoint
from daftari.notifications.models import Recipient, SmsMessage
from daftari.payments import services as payments
from daftari.payments.models import DarajaCallback, Payment
from daftari.stations.models import Station
from tests.erasure_support import ORDER, assert_the_whole_book_verifies, tables_holding
from tests.fines.conftest import draft
from tests.occurrences.test_api import Api
from tests.payments.conftest import Paybill

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 200
DRIVER = ["Kamau Njoroge", "23456789", "DL1234567", "712345678", "KCA 123A", "KCA123A"]
FRIEND = ["733000111", "AMINA", "WANJIRU"]


@pytest.fixture
def paid(traffic_officer: User, station: Station, paybill: Paybill) -> FineNotice:
    """A notice with a photo, paid part from the driver's own phone and the rest by a friend."""
    notice = issue_notice(
        actor=traffic_officer, station=station, draft=draft(), photo=rules.PhotoInput(JPEG, "image/jpeg")
    ).notice
    paybill(notice.number, 1000, trans_id="TKE0000001", msisdn="254712345678", first_name="KAMAU", last_name="NJOROGE")
    paybill(notice.number, 1500, trans_id="TKE0000002", msisdn="254733000111", first_name="AMINA", last_name="WANJIRU")
    return notice


def payment_event(notice: FineNotice, receipt: str) -> NoticeEvent:
    return NoticeEvent.objects.get(notice=notice, mpesa_receipt=receipt)


def erase_all_of(admin: User, notice: FineNotice) -> None:
    """What an order about the driver and the payer means: the notice and each of its events."""
    for record_id in [notice.pk, *NoticeEvent.objects.filter(notice=notice).values_list("pk", flat=True)]:
        redact(actor=admin, record_id=str(record_id), authority=ORDER)


def test_erasing_a_notice_blanks_the_driver_and_the_plate_deletes_the_photo_and_keeps_offences_and_money(
    admin_officer: User, paid: FineNotice
) -> None:
    lines = list(NoticeOffence.objects.filter(notice=paid).values_list("code", "fine_kes"))
    redact(actor=admin_officer, record_id=str(paid.pk), authority=ORDER)

    notice = FineNotice.objects.get(pk=paid.pk)
    assert (notice.driver_name, notice.plate, notice.content_hash) == (MARKER, MARKER, MARKER)
    assert (notice.driver_id_number, notice.driver_licence, notice.driver_phone) == ("", "", "")
    # What the offence was, where, when, by whom, and the money: all kept.
    assert (notice.number, notice.place, notice.issued_at, notice.total_kes, notice.officer_id) == (
        paid.number,
        paid.place,
        paid.issued_at,
        paid.total_kes,
        paid.officer_id,
    )
    assert notice.plate_unusual == paid.plate_unusual
    assert list(NoticeOffence.objects.filter(notice=paid).values_list("code", "fine_kes")) == lines
    assert (notice.projection.state, notice.projection.paid_kes) == ("paid", 2500)
    assert not NoticePhoto.objects.filter(notice=paid).exists()
    # The driver's own payment and SMS go with the notice; the friend's payment waits for its own order.
    assert Payment.objects.get(mpesa_receipt="TKE0000001").phone == ""
    assert Payment.objects.get(mpesa_receipt="TKE0000002").phone == "+254733000111"
    assert set(SmsMessage.objects.filter(event_key=f"fines:notice:{paid.number}").values_list("to", "body")) == {
        (MARKER, MARKER)
    }
    leaf = leaf_for(str(paid.pk))
    assert leaf is not None and is_redacted(leaf) and not Commitment.objects.filter(leaf=leaf).exists()


def test_erasing_a_payment_blanks_the_payers_phone_and_names_and_keeps_amount_and_receipt(
    admin_officer: User, paid: FineNotice
) -> None:
    event = payment_event(paid, "TKE0000002")
    redact(actor=admin_officer, record_id=str(event.pk), authority=ORDER)

    payment = Payment.objects.get(mpesa_receipt="TKE0000002")
    assert payment.phone == "" and payment.paid_kes == 1500 and payment.state == "confirmed"
    raw = json.loads(bytes(DarajaCallback.objects.get(key="TKE0000002").raw))
    assert (raw["MSISDN"], raw["FirstName"], raw["LastName"], raw["MiddleName"]) == (MARKER, MARKER, MARKER, "")
    assert (raw["TransAmount"], raw["BillRefNumber"]) == ("1500.00", paid.number)
    stored = NoticeEvent.objects.get(pk=event.pk)
    assert (stored.amount_kes, stored.mpesa_receipt, stored.kind) == (1500, "TKE0000002", event.kind)
    assert not SmsMessage.objects.filter(to="+254733000111").exists()
    assert FineNotice.objects.get(pk=paid.pk).driver_name == "Kamau Njoroge"  # the notice has its own order


def test_erasing_a_notice_event_blanks_its_reason_or_note_and_keeps_the_court_outcome(
    traffic_officer: User, ocs: User, admin_officer: User, station: Station
) -> None:
    contested = issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KDA 456B")).notice
    contest = contest_notice(actor=traffic_officer, number=contested.number, note="His brother Peter was driving")
    outcome = record_court_outcome(actor=traffic_officer, number=contested.number, outcome="acquitted")
    cancelled = issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KDB 789C")).notice
    cancel = cancel_notice(actor=ocs, number=cancelled.number, reason="The car belongs to Mary Atieno")
    for event in (contest, outcome, cancel):
        redact(actor=admin_officer, record_id=str(event.pk), authority=ORDER)
    assert NoticeEvent.objects.get(pk=contest.pk).details == {"note": MARKER}
    assert NoticeEvent.objects.get(pk=outcome.pk).details == {"outcome": "acquitted"}
    assert NoticeEvent.objects.get(pk=cancel.pk).details == {"reason": MARKER}
    assert NoticeState.objects.get(notice=cancelled).state == "cancelled"
    assert tables_holding("Peter was driving") == [] and tables_holding("Mary Atieno") == []


def test_after_the_notice_and_its_payments_are_erased_driver_and_payer_are_in_no_table(
    admin_officer: User, paid: FineNotice
) -> None:
    assert "fines_finenotice" in tables_holding("Kamau Njoroge")
    assert "payments_darajacallback" in tables_holding("AMINA")
    erase_all_of(admin_officer, paid)
    for private in DRIVER + FRIEND:
        assert tables_holding(private) == [], private


def test_the_whole_book_still_verifies_after_the_erasure(admin_officer: User, paid: FineNotice, tmp_path: Path) -> None:
    erase_all_of(admin_officer, paid)
    assert Leaf.objects.filter(kind="redaction").count() == 3
    assert_the_whole_book_verifies(tmp_path)


def test_a_notice_and_a_payment_are_erased_once(admin_officer: User, paid: FineNotice) -> None:
    event = payment_event(paid, "TKE0000001")
    for record_id in (paid.pk, event.pk):
        redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
        with pytest.raises(AlreadyRedacted):
            redact(actor=admin_officer, record_id=str(record_id), authority=ORDER)
    assert Leaf.objects.filter(kind="redaction").count() == 2


def test_only_an_admin_may_erase_a_notice_or_a_payment(
    ocs: User, traffic_officer: User, oversight: User, paid: FineNotice
) -> None:
    event = payment_event(paid, "TKE0000002")
    for officer in (ocs, traffic_officer, oversight):
        for record_id in (paid.pk, event.pk):
            with pytest.raises(NotPermitted):
                redact(actor=officer, record_id=str(record_id), authority=ORDER)
    assert FineNotice.objects.get(pk=paid.pk).driver_name == "Kamau Njoroge"
    assert Payment.objects.get(mpesa_receipt="TKE0000002").phone == "+254733000111"


def test_the_guards_are_back_on_the_notices_after_an_erasure(admin_officer: User, paid: FineNotice) -> None:
    redact(actor=admin_officer, record_id=str(paid.pk), authority=ORDER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        FineNotice.objects.filter(pk=paid.pk).update(driver_name="Somebody Else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        NoticeEvent.objects.filter(notice=paid).update(details={})


def test_an_erased_unpaid_notice_stays_payable_by_its_number(
    admin_officer: User, traffic_officer: User, station: Station, public_client: Client, paybill: Paybill
) -> None:
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft()).notice
    redact(actor=admin_officer, record_id=str(notice.pk), authority=ORDER)
    page = public_client.get(f"/pay/notice/{notice.number}")
    assert page.status_code == 200 and "2500" in page.content.decode().replace(",", "")
    paybill(notice.number, 2500, trans_id="TKE0000009", msisdn="254700000001", first_name="X", last_name="Y")
    assert NoticeState.objects.get(notice=notice).state == "paid"


def test_the_notice_page_the_api_and_the_public_pages_show_redacted_and_leak_nothing(
    client: Client, traffic_officer: User, ocs: User, public_client: Client, admin_officer: User, paid: FineNotice
) -> None:
    erase_all_of(admin_officer, paid)
    client.force_login(traffic_officer)
    page = client.get(f"/fines/notices/{paid.number}")
    assert page.status_code == 200
    assert MARKER in page.content.decode()
    assert client.get(f"/fines/notices/{paid.number}/photo").status_code == 404
    api = Api(Client(), traffic_officer)
    response = api.get(f"/fines/notices/{paid.number}")
    assert response.status_code == 200
    assert response.json()["driver"]["name"] == MARKER and response.json()["plate"] == MARKER
    listed = api.get("/fines/notices")
    assert listed.status_code == 200
    public = [public_client.get(f"/verify/notice/{paid.number}"), public_client.get(f"/pay/notice/{paid.number}")]
    assert [r.status_code for r in public] == [200, 200]
    client.force_login(ocs)
    reconciliation = client.get("/fines/reconciliation")
    assert reconciliation.status_code == 200
    for shown in [page, response, listed, *public, reconciliation]:
        text = shown.content.decode()
        assert not any(private in text for private in DRIVER + FRIEND), text


def test_the_verify_page_of_an_erased_notice_says_genuine_and_erased_by_lawful_order_and_logs_no_error(
    public_client: Client, admin_officer: User, paid: FineNotice, station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    redact(actor=admin_officer, record_id=str(paid.pk), authority=ORDER)
    sign_checkpoint(station=station)
    leaf = leaf_for(str(paid.pk))
    assert leaf is not None
    with caplog.at_level(logging.WARNING):
        page = public_client.get(f"/verify/notice/{paid.number}").content.decode()
    assert f"Notice {paid.number} is genuine." in page and "Its personal details were erased by lawful order." in page
    assert f"Included in the signed book at leaf #{leaf.index}, checkpoint of" in page
    assert "could not be checked" not in page
    assert not any(private in page for private in DRIVER)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    public_client.cookies["daftari_language"] = "sw"
    swahili = public_client.get(f"/verify/notice/{paid.number}").content.decode()
    assert "ni halali" in swahili and "Taarifa zake binafsi zilifutwa kwa amri halali." in swahili


def test_erasing_a_notice_paid_from_the_drivers_phone_deletes_the_drivers_remembered_language(
    traffic_officer: User, admin_officer: User, station: Station, paybill: Paybill
) -> None:
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft(language="sw")).notice
    paybill(notice.number, 2500, trans_id="TKE0000003", msisdn="254712345678", first_name="KAMAU", last_name="NJOROGE")
    assert Recipient.objects.get(phone="+254712345678").language == "sw"
    redact(actor=admin_officer, record_id=str(notice.pk), authority=ORDER)
    assert not Recipient.objects.filter(phone="+254712345678").exists()
    assert tables_holding("712345678") == []


def test_a_driver_with_another_notice_not_erased_keeps_the_language_chosen(
    traffic_officer: User, admin_officer: User, station: Station
) -> None:
    erased = issue_notice(actor=traffic_officer, station=station, draft=draft(language="sw")).notice
    kept = issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KDA 456B")).notice
    redact(actor=admin_officer, record_id=str(erased.pk), authority=ORDER)
    assert Recipient.objects.get(phone="+254712345678").language == "sw"
    assert SmsMessage.objects.get(event_key=f"fines:notice:{kept.number}").language == "sw"
    later = issue_notice(actor=traffic_officer, station=station, draft=draft(plate="KDB 789C")).notice
    assert SmsMessage.objects.get(event_key=f"fines:notice:{later.number}").language == "sw"


def test_erasing_a_notice_whose_prompt_to_the_driver_never_completed_deletes_the_remembered_language(
    traffic_officer: User, admin_officer: User, station: Station
) -> None:
    notice = issue_notice(actor=traffic_officer, station=station, draft=draft(language="sw")).notice
    # The prompt leaves on commit, which never comes here: the payment stays pending, holding the phone.
    pending = payments.request_stk_push(
        account_reference=notice.number, amount_kes=2500, phone="0712345678", description="Fine"
    )
    assert pending.state == Payment.State.PENDING
    redact(actor=admin_officer, record_id=str(notice.pk), authority=ORDER)
    assert not Recipient.objects.filter(phone="+254712345678").exists()
    assert tables_holding("712345678") == []
