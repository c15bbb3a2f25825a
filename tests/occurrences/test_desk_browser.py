"""The desk in a real Chromium: sign in, record a complaint, correct it, find it, read it in Kiswahili."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.occurrences.models import Occurrence
from tests.browser_support import BrowserThread, sign_in

# Serialized rollback restores the counties (loaded by a data migration) after each flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_desk_officer_records_corrects_finds_and_reads_back_a_complaint_in_kiswahili(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> str:
        sign_in(page, base, "desk", lands_on="Today's book")

        # Record a complaint with the keyboard: the type is chosen by typing its first letters.
        page.get_by_role("link", name="New entry").first.click()
        expect(page.locator("#id_entry_type")).to_be_focused()
        page.keyboard.type("Repo")
        expect(page.locator("#id_entry_type")).to_have_value("COMPLAINT")
        expect(page.get_by_label("Action taken")).to_be_visible()  # the type's own fields, swapped in by htmx
        page.get_by_label("Place").fill("Moi Avenue, near the bus stage")
        page.get_by_label("What happened").fill("Her phone was snatched by a man on a motorcycle.")
        page.locator("#id_parties-0-name").fill("Wanjiku Kamau")
        page.locator("#id_parties-0-phone").fill("0712345678")
        page.locator("#id_sms_language").select_option("en")
        page.get_by_label("Place").press("Enter")

        flash = page.locator(".notice-success")
        expect(flash).to_contain_text("Recorded as OB ")
        match = re.search(r"OB \d+/\d+/\d+/\d{4}", flash.inner_text())
        assert match is not None
        ob_number = match.group(0)
        entry_url = page.url

        # Today's book shows it with its OB number.
        page.get_by_role("link", name="Today's book").click()
        expect(page.locator("#book")).to_contain_text(ob_number)
        expect(page.locator("#book")).to_contain_text("Report / complaint")

        # Correct the place: a new entry that points at the first.
        page.goto(entry_url)
        page.get_by_role("link", name="Correct").click()
        page.get_by_label("Reason for the correction").fill("The complainant named the wrong street")
        page.get_by_label("Place").fill("Kenyatta Avenue")
        page.get_by_role("button", name="Record correction").click()
        expect(page.locator(".notice-success")).to_contain_text("Correction recorded as OB ")
        expect(page.locator(".corrections")).to_contain_text("Kenyatta Avenue")

        # Find it by OB number and by a word of the narrative.
        for words in (ob_number, "motorcycle"):
            page.goto(f"{base}/search")
            page.get_by_label("Search", exact=True).fill(words)
            page.keyboard.press("Enter")
            expect(page.locator("table.results")).to_contain_text(ob_number)

        # The printable slip for the complainant.
        page.goto(entry_url + "/slip")
        expect(page.locator(".slip-ob")).to_have_text(ob_number)

        # Switch to Kiswahili and read the OB number back.
        page.goto(entry_url)
        page.get_by_role("button", name="Kiswahili").click()
        expect(page.locator("html")).to_have_attribute("lang", "sw")
        expect(page.locator(".brand")).to_contain_text("Kitabu cha Matukio")
        expect(page.locator(".ob-big")).to_have_text(ob_number)
        expect(page.get_by_text("Nambari ya OB").first).to_be_visible()
        return ob_number

    ob_number = chromium.run(story)
    complaint = Occurrence.objects.get(entry_type="COMPLAINT")
    assert complaint.ob_number == ob_number
    assert complaint.parties.get().phone == "+254712345678"
    assert Occurrence.objects.get(entry_type="AMENDMENT").refers_to == complaint


def test_the_person_hint_appears_as_the_officer_types_an_id_number(
    chromium: BrowserThread, live_server: Any, recorded_complaint: Occurrence
) -> None:
    def story(page: Page) -> None:
        sign_in(page, live_server.url, "desk", lands_on="Today's book")
        page.goto(f"{live_server.url}/entries/new")
        page.locator("#id_parties-0-id_number").press_sequentially("12345678")
        expect(page.locator("#hint-parties-0")).to_contain_text("This ID number appears in 1 earlier entry.")

    chromium.run(story)
