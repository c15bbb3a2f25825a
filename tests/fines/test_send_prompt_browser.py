"""A traffic officer, on a phone-sized screen in a real Chromium, opens today's notice and sends the M-Pesa
prompt to the driver's phone; the Daraja simulator's driver pays, and the notice page then shows it paid."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.fines import services
from daftari.fines.models import FineNotice, NoticeState
from daftari.payments.models import Payment
from daftari.stations.models import Station
from tests.browser_support import BrowserThread
from tests.conftest import PASSWORD
from tests.fines.conftest import draft
from tests.payments.conftest import daraja_settings, simulator, wait_for  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    from daftari.ledger import keys

    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


@pytest.fixture
def daftari(daraja_settings: SettingsWrapper, live_server: Any) -> SettingsWrapper:  # noqa: F811
    daraja_settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    return daraja_settings


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Username").fill("traffic")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(lambda url: "/signin" not in url)


def paid(notice: FineNotice) -> bool:
    try:
        return NoticeState.objects.get(notice=notice).state == "paid"
    except OperationalError:
        return False


def test_the_officer_sends_the_prompt_from_the_notice_page_and_sees_it_paid(
    chromium: BrowserThread, daftari: SettingsWrapper, live_server: Any, traffic_officer: User, station: Station
) -> None:
    notice = services.issue_notice(
        actor=traffic_officer, station=station, draft=draft(driver_phone="0712345678")
    ).notice
    base = live_server.url

    def press(page: Page) -> dict[str, Any]:
        sign_in(page, base)
        page.get_by_text("Menu", exact=True).click()  # on a phone the links are behind the menu button
        page.get_by_role("link", name="My notices today").click()
        page.get_by_role("link", name=notice.number).click()
        expect(page.get_by_label("Driver's M-Pesa phone")).to_have_value("+254712345678")
        button = page.get_by_role("button", name="Send the M-Pesa prompt for KES 2500")
        box = button.bounding_box()
        button.tap()
        expect(page.locator(".notice-success")).to_contain_text("M-Pesa prompt for KES 2500 sent to +254712345678")
        return {"box": box, "scroll_width": page.evaluate("document.documentElement.scrollWidth")}

    pressed = chromium.run(press, **PHONE)
    assert pressed["box"] is not None and pressed["box"]["height"] >= 44
    assert pressed["scroll_width"] == 360
    wait_for(lambda: paid(notice))

    def look(page: Page) -> dict[str, Any]:
        sign_in(page, base)
        page.goto(f"{base}/fines/notices/{notice.number}")
        return {
            "state": (page.locator(".state").text_content() or "").strip(),
            "buttons": page.get_by_role("button", name="Send the M-Pesa prompt").count(),
        }

    seen = chromium.run(look, **PHONE)
    assert seen == {"state": "Paid", "buttons": 0}
    assert Payment.objects.get(account_reference=notice.number).state == "confirmed"
