"""A traffic officer issues a notice on a phone-sized screen in a real Chromium, and the motorist verifies it."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.fines.models import FineNotice
from tests.browser_support import BrowserThread, sign_in

# Serialized rollback restores the counties and the first catalogue (data migrations) after each flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    from daftari.ledger import keys

    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def test_a_traffic_officer_issues_a_notice_on_a_phone_and_the_motorist_verifies_it(
    chromium: BrowserThread, live_server: Any, traffic_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> dict[str, Any]:
        sign_in(page, base, "traffic")
        page.get_by_text("Menu", exact=True).click()  # on a phone the links are behind the menu button
        page.get_by_role("link", name="Fines").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Issue a notice")
        button = page.get_by_role("button", name="Issue the notice")
        box = button.bounding_box()
        form_width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
            ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
        )
        page.get_by_label("Number plate").fill("KCD 777Y")
        page.get_by_label("Offence", exact=True).select_option("MO07")
        page.get_by_label("Another offence (optional)").first.select_option("MO28")
        page.get_by_label("Measured speed (kph)").fill("93")
        page.get_by_label("Speed limit (kph)").fill("80")
        page.get_by_label("Driver's name").fill("Wafula Chebet")
        page.get_by_label("Licence number").fill("DL909090")
        page.get_by_label("Driver's phone (for the SMS)").fill("0711222333")
        page.get_by_label("SMS language").select_option("sw")
        page.get_by_label("Place").fill("Jogoo Road")
        button.tap()
        expect(page.locator(".notice-success")).to_contain_text("issued")
        heading = page.get_by_role("heading", level=1).inner_text()
        total = page.locator("tfoot").inner_text()
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        wide += page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
            ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
        )
        page.locator(".qr svg").wait_for()
        verify_href = page.get_by_role("link", name="/verify/notice/").get_attribute("href")
        assert verify_href is not None
        page.goto(
            verify_href.replace("http://127.0.0.1:8000", base) if verify_href.startswith("http") else base + verify_href
        )
        verified = page.locator(".notice-success").inner_text()
        return {
            "box": box,
            "heading": heading,
            "total": total,
            "scroll_width": scroll_width,
            "verified": verified,
            "form_width": form_width,
            "wide": wide,
        }

    result = chromium.run(story, **PHONE)
    notice = FineNotice.objects.get()
    assert notice.number in result["heading"]
    assert "KES 3,500" in result["total"]  # speeding 13 kph over (3,000) + seat belt (500)
    assert result["box"] is not None and result["box"]["height"] >= 48 and result["box"]["width"] >= 300
    # Nothing runs off a 360 px screen, on the form or on the notice.
    assert (result["form_width"], result["scroll_width"]) == (360, 360), result["wide"]
    assert "is genuine" in result["verified"]
