"""An abstract's story in a real Chromium: issued at the desk from the entry, verified by a stranger."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.documents.models import IssuedDocument
from daftari.documents.rules import display_code
from daftari.ledger.services import sign_checkpoint
from daftari.occurrences.models import Occurrence
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_desk_issues_a_lost_id_abstract_and_an_insurer_verifies_it_in_kiswahili(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station, lost_id: Occurrence, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_PUBLIC_BASE_URL = live_server.url
    base = live_server.url

    def issue(page: Page) -> None:
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/entries/{lost_id.pk}")
        page.get_by_role("link", name="Issue abstract / P3 / certified extract").click()
        page.get_by_label("Police abstract (lost document)").check()
        # "Issued to" starts as the complainant; emptied, the abstract is refused and nothing is issued.
        expect(page.locator("#id_applicant_name")).to_have_value("Wanjiku Kamau")
        page.locator("#id_applicant_name").fill("")
        page.get_by_role("button", name="Issue", exact=True).click()
        expect(page.locator(".error-summary")).to_contain_text("Enter the name of the person the abstract is for")
        page.locator("#id_applicant_name").fill("Wanjiku Kamau")
        page.locator("#id_purpose").fill("ID replacement")
        page.get_by_role("button", name="Issue", exact=True).click()
        expect(page.locator(".notice-success")).to_contain_text("issued.")
        expect(page.get_by_role("link", name="Download PDF")).to_be_visible()

    chromium.run(issue)
    document = IssuedDocument.objects.get()  # one: the emptied name issued nothing
    sign_checkpoint(station=station)

    def verify(page: Page) -> None:
        page.goto(f"{base}/verify/{display_code(document.code)}")
        expect(page.locator("#verdict")).to_contain_text("Genuine")
        expect(page.locator("#proof")).to_contain_text("Included in the signed book at leaf #")
        expect(page.locator("main")).not_to_contain_text("Wanjiku")
        page.get_by_role("button", name="Kiswahili").click()
        expect(page.locator("#verdict")).to_contain_text("Halali")
        page.locator("#id_code").fill("ABCDE-FGHJK")
        page.get_by_role("button", name="Thibitisha").click()
        expect(page.locator("#verdict")).to_contain_text("Haikupatikana")

    chromium.run(verify)
