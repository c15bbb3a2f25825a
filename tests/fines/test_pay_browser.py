"""The public pay page in a real Chromium: a cancelled notice cannot be paid, and a paid one shows
its receipt by itself once M-Pesa (the Daraja simulator, its own process) confirms the money."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines import services
from daftari.fines.models import FineNotice, NoticeState
from daftari.payments.models import Payment
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, complete_second_factor
from tests.conftest import PASSWORD
from tests.fines.conftest import draft
from tests.payments.conftest import daraja_settings, simulator  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/signin" not in url)
    complete_second_factor(page)


@pytest.fixture
def issued(traffic_officer: User, station: Station) -> FineNotice:
    return services.issue_notice(actor=traffic_officer, station=station, draft=draft()).notice


def test_a_cancelled_notice_cannot_be_paid(
    chromium: BrowserThread, live_server: Any, ocs: User, issued: FineNotice
) -> None:
    base = live_server.url

    def cancel(page: Page) -> None:
        sign_in(page, base, "ocs")
        page.goto(f"{base}/fines/notices/{issued.number}")
        page.get_by_role("link", name="Cancel the notice").click()
        expect(page.locator("#are-you-sure")).to_contain_text("Are you sure?")
        page.get_by_role("button", name="Yes, cancel the notice").click()
        expect(page.locator(".error-summary")).to_contain_text("Enter the reason for cancelling")
        page.get_by_label("Reason for cancelling").fill("Plate misread at the roadside")
        page.get_by_role("button", name="Yes, cancel the notice").click()
        expect(page.locator("#notice-state")).to_contain_text("Cancelled")
        expect(page.locator("main")).not_to_contain_text("Paybill")
        expect(page.get_by_role("link", name="Cancel the notice")).to_have_count(0)

    chromium.run(cancel)
    assert NoticeState.objects.get(notice=issued).state == "cancelled"

    def try_to_pay(page: Page) -> None:
        page.goto(f"{base}/pay/notice/{issued.number}")
        expect(page.locator("#notice-state")).to_contain_text("Nothing is to be paid")
        expect(page.get_by_label("M-Pesa phone number")).to_have_count(0)
        expect(page.get_by_role("button", name="Pay by M-Pesa")).to_have_count(0)
        # The empty form, typed in by hand: the prompt is refused all the same.
        page.goto(f"{base}/pay/notice")
        page.get_by_label("Notice number").fill(issued.number)
        page.get_by_label("M-Pesa phone number").fill("0712345678")
        page.get_by_role("button", name="Pay by M-Pesa").click()
        expect(page.locator(".error-summary")).to_contain_text("cancelled")
        expect(page.get_by_label("M-Pesa phone number")).to_have_count(0)

    chromium.run(try_to_pay)
    assert not Payment.objects.exists()


def test_the_pay_page_shows_the_receipt_by_itself_once_m_pesa_confirms(
    chromium: BrowserThread,
    live_server: Any,
    daraja_settings: SettingsWrapper,  # noqa: F811
    issued: FineNotice,
) -> None:
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    base = live_server.url

    def pay(page: Page) -> None:
        page.goto(f"{base}/pay/notice/{issued.number}")
        expect(page.locator("main")).to_contain_text("KES 2,500")
        page.get_by_label("M-Pesa phone number").fill("0712345678")
        page.get_by_role("button", name="Pay by M-Pesa").click()
        waiting_at = page.url
        # Nobody clicks "Check again": the page's script asks until the simulator's callback has settled it.
        expect(page.locator("#receipt")).to_contain_text("Receipt: KES 2,500", timeout=45_000)
        expect(page.locator("#check-again")).to_have_count(0)
        expect(page.locator("#notice-state")).to_contain_text("Nothing more is to be paid", timeout=15_000)
        expect(page.get_by_label("M-Pesa phone number")).to_have_count(0)
        assert "payment=" in waiting_at

    chromium.run(pay, timeout=120)
    assert NoticeState.objects.get(notice=issued).state == "paid"
