"""The cell register in a real Chromium: book in from the ARREST entry, see the board, release."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.custody.models import CustodyState
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, sign_in
from tests.custody.conftest import arrest_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_desk_officer_books_a_suspect_in_watches_the_board_and_releases_him(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station
) -> None:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    base = live_server.url

    def story(page: Page) -> None:
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/entries/{arrest.pk}")
        page.get_by_role("link", name="Book into cells").click()
        expect(page.locator("#id_name")).to_have_value("Otieno Ouma")
        # A man in the female cell is refused, with the reason in the error summary.
        page.locator("#id_cell").select_option("female")
        page.locator("#id_offence_description").fill("Stealing")
        page.locator("#id_punishable_by").select_option("more_than_6_months")
        page.locator("#id_property_items").fill("1, Tecno phone, 12000")
        page.get_by_role("button", name="Book into cells").click()
        expect(page.locator(".error-summary")).to_contain_text("may not be held in the female cell")
        page.locator("#id_cell").select_option("male")
        page.get_by_role("button", name="Book into cells").click()
        expect(page.locator(".notice-success")).to_contain_text("Booked into the cells")

        page.get_by_role("link", name="Cells").first.click()
        row = page.locator("#cells tbody tr").first
        expect(row).to_contain_text("Otieno Ouma")
        expect(row).to_contain_text("More than 12 hours left")
        expect(row).to_contain_text("Tecno phone")
        expect(page.locator("#cells")).to_have_attribute("hx-trigger", "every 30s")

        row.get_by_role("link", name="Otieno Ouma").click()
        page.locator("#id_kind").select_option("release")
        page.locator("#id_release_on").select_option("police_bond")
        page.get_by_role("button", name="Record", exact=True).click()
        expect(page.locator(".notice-success")).to_contain_text("Recorded in the cell register")
        page.goto(f"{base}/custody")
        expect(page.locator("#cells")).to_contain_text("Nobody is in the cells.")

    chromium.run(story)
    assert CustodyState.objects.get().state == "released"
