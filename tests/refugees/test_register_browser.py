"""The register's story in a real Chromium: a DRS officer registers a household and issues a pass;
a stranger scans its code and learns it is genuine, and nothing about its holder."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.refugees.models import Household, RefugeeDocument
from tests.browser_support import BrowserThread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_drs_officer_registers_a_household_and_issues_a_pass_that_a_stranger_verifies(
    chromium: BrowserThread, live_server: Any, drs_officer: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    base = live_server.url

    def register_and_issue(page: Page) -> str:
        sign_in(page, base, "drs_officer")
        page.goto(f"{base}/refugees/people/new")
        page.get_by_label("Given names").fill("Nyakuoth")
        page.get_by_label("Sex").select_option("F")
        page.get_by_label("Date of birth", exact=True).fill("1994-03-01")
        page.get_by_label("Nationality").fill("South Sudanese")
        page.get_by_label("DRS office").select_option("KAK")
        page.get_by_label("Case file number").fill("KAK-CF-2026-0042")
        # Without the family name the page says so at the top and registers nobody.
        page.get_by_role("button", name="Register").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator(".error-summary")).to_contain_text("family name", ignore_case=True)
        page.get_by_label("Family name").fill("Gatluak")
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nyakuoth Gatluak")
        expect(page.locator("main")).to_contain_text("Asylum seeker registered")
        expect(page.locator("main")).to_contain_text(re.compile(r"HH-KAK-\d\d-000001"))

        page.get_by_role("link", name="Issue a document").click()
        page.get_by_label("Document", exact=True).select_option("asylum_seeker_pass")
        page.get_by_label("Document number").fill("asp kak 26 000123")
        page.get_by_role("button", name="Issue the document").click()
        expect(page.locator("main")).to_contain_text("Document issued.")
        row = page.locator("tr", has_text="ASP-KAK-26-000123")
        expect(row).to_contain_text("Asylum-seeker pass")
        expect(row).to_contain_text("Valid")

        # The code and QR code to print on the pass.
        row.get_by_role("link", name=re.compile(r"^[2-9A-Z]{5}-[2-9A-Z]{5}$")).click()
        expect(page.locator("figure.qr svg")).to_be_visible()
        return page.locator("#code").inner_text()

    code = chromium.run(register_and_issue)
    document = RefugeeDocument.objects.get()
    assert (document.kind, document.number, Household.objects.count()) == ("asylum_seeker_pass", "ASP-KAK-26-000123", 1)

    def verify(page: Page) -> None:
        page.goto(f"{base}/verify")
        page.locator("#id_code").fill(code.lower().replace("-", " "))
        page.locator("#id_code").press("Enter")
        expect(page.locator("#verdict")).to_contain_text("Genuine")
        expect(page.locator("#number")).to_have_text("ASP-KAK-26-000123")
        expect(page.locator("main")).not_to_contain_text("Nyakuoth")
        expect(page.locator("main")).not_to_contain_text("Gatluak")
        page.get_by_role("button", name="Kiswahili").click()
        expect(page.locator("#verdict")).to_contain_text("Halali")
        page.goto(f"{base}/verify/refugee/{code[:-1]}{'2' if code[-1] != '2' else '3'}")
        expect(page.locator("#verdict")).to_contain_text("Haikupatikana")

    chromium.run(verify)
