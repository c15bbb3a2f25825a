"""A cancelled notice stops asking for money everywhere, and a paid one stops offering payment:
the notice page, the public pay page, the SMS to the driver, the API. Trying to pay one anyway is refused."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.fines import rules, services
from daftari.fines.models import FineNotice, NoticeState
from daftari.notifications.models import SmsMessage
from daftari.payments.models import Payment
from tests.occurrences.test_api import Api
from tests.payments.conftest import Paybill


@pytest.fixture
def cancelled(notice: FineNotice, ocs: User) -> FineNotice:
    services.cancel_notice(actor=ocs, number=notice.number, reason="Plate misread at the roadside")
    return notice


def test_the_notice_page_of_a_cancelled_notice_says_so_and_gives_no_pay_instructions(
    client: Client, traffic_officer: User, cancelled: FineNotice
) -> None:
    client.force_login(traffic_officer)
    body = client.get(f"/fines/notices/{cancelled.number}").content.decode()
    assert "Cancelled" in body and "Nothing is to be paid" in body
    assert "Paybill" not in body and "Still to pay" not in body


def test_the_pay_page_of_a_cancelled_notice_says_cancelled_and_offers_no_prompt(
    client: Client, cancelled: FineNotice
) -> None:
    page = client.get(f"/pay/notice/{cancelled.number}")
    body = page.content.decode()
    assert page.status_code == 200 and "Nothing is to be paid" in body
    assert 'name="phone"' not in body and "Pay by M-Pesa" not in body and "Still to pay" not in body


def test_posting_a_prompt_for_a_cancelled_notice_anyway_is_refused_and_asks_m_pesa_nothing(
    client: Client, cancelled: FineNotice
) -> None:
    page = client.post("/pay/notice", {"number": cancelled.number, "phone": "0712345678"})
    assert page.status_code == 409 and "cancelled" in page.content.decode()
    assert 'href="#notice-state"' in page.content.decode()
    assert not Payment.objects.exists()


def test_the_api_says_a_cancelled_notice_asks_nothing_and_refuses_a_prompt(
    client: Client, traffic_officer: User, cancelled: FineNotice
) -> None:
    api = Api(client, traffic_officer)
    shown = api.get(f"/fines/notices/{cancelled.number}").json()
    assert (shown["state"], shown["payable"], shown["outstanding_kes"]) == ("cancelled", False, 0)
    refused = api.post(f"/fines/notices/{cancelled.number}/pay", {"phone": "0712345678"})
    assert refused.status_code == 409 and "cancelled" in refused.json()["message"]
    assert not Payment.objects.exists()


def test_an_issued_notice_is_payable_on_the_api(client: Client, traffic_officer: User, notice: FineNotice) -> None:
    shown = Api(client, traffic_officer).get(f"/fines/notices/{notice.number}").json()
    assert (shown["payable"], shown["outstanding_kes"]) == (True, 2500)


def test_cancelling_tells_the_driver_by_sms_that_nothing_is_to_be_paid(cancelled: FineNotice) -> None:
    sms = SmsMessage.objects.get(template="fine_cancelled")
    assert sms.to == "+254712345678"
    assert cancelled.number in sms.body and "cancelled" in sms.body and "Nothing is to be paid" in sms.body
    assert "Paybill" not in sms.body and "/pay/" not in sms.body


def test_a_cancelled_notice_gets_no_reminder_to_pay_after_its_deadline(cancelled: FineNotice) -> None:
    services.escalate_overdue(cancelled.due_at + timedelta(days=30))
    assert NoticeState.objects.get(notice=cancelled).state == "cancelled"
    assert not SmsMessage.objects.filter(template__in=["fine_overdue", "fine_escalated"]).exists()


def test_a_paid_notice_stops_offering_payment(client: Client, notice: FineNotice, paybill: Paybill) -> None:
    paybill(notice.number, 2500, trans_id="TP1PAID001")
    page = client.get(f"/pay/notice/{notice.number}").content.decode()
    assert "Nothing more is to be paid" in page and 'name="phone"' not in page
    refused = client.post("/pay/notice", {"number": notice.number, "phone": "0712345678"})
    assert refused.status_code == 409 and "already paid" in refused.content.decode()
    assert not Payment.objects.filter(method="stk").exists()


def test_a_partly_paid_notice_still_asks_for_the_rest(client: Client, notice: FineNotice, paybill: Paybill) -> None:
    paybill(notice.number, 1000, trans_id="TP2PART001")
    page = client.get(f"/pay/notice/{notice.number}").content.decode()
    assert "KES 1,500" in page and 'name="phone"' in page


def test_the_rules_ask_nothing_of_a_cancelled_paid_or_court_notice() -> None:
    assert rules.asks_for_payment("issued", total=2500, paid=0)
    assert rules.asks_for_payment("overdue", total=2500, paid=1000)
    for state in ("cancelled", "paid", "contested", "escalated", "closed"):
        assert not rules.asks_for_payment(state, total=2500, paid=0), state
    assert not rules.asks_for_payment("issued", total=0, paid=0), "a warning asks for nothing"
    assert rules.amount_asked("cancelled", total=2500, paid=0) == 0
    assert rules.amount_asked("overdue", total=2500, paid=1000) == 1500
