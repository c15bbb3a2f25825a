"""In a real Chromium: a correction at the desk corrects a person's ID number, and the entry page
shows the corrected value beside the entry as recorded."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.browser_support import BrowserThread
from tests.conftest import complaint
from tests.fines.test_pay_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_amendment_corrects_a_partys_id_and_the_entry_page_shows_the_corrected_value(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station
) -> None:
    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    base = live_server.url

    def correct(page: Page) -> None:
        sign_in(page, base, "desk")
        page.goto(f"{base}/entries/{entry.pk}")
        page.get_by_role("link", name="Correct", exact=True).click()
        page.get_by_label("Reason for the correction").fill("ID number mistyped; checked against her ID card")
        page.locator("#id_parties-0-id_number").fill("abc!!")
        page.get_by_role("button", name="Record correction").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator(".error-summary a[href='#id_parties-0-id_number']")).to_have_count(1)
        page.locator("#id_parties-0-id_number").fill("12345679")
        page.get_by_role("button", name="Record correction").click()
        expect(page.locator(".notice-success, .messages")).to_contain_text("Correction recorded as")
        corrected = page.locator("#parties-as-corrected")
        expect(corrected).to_contain_text("12345679")
        expect(corrected).to_contain_text("corrected")
        # The entry as recorded is still there, unchanged.
        expect(page.locator("main")).to_contain_text("12345678")

    chromium.run(correct)
    assert entry.parties.get().id_number == "12345678"
    assert Occurrence.objects.get(entry_type="AMENDMENT").parties.get().id_number == "12345679"
