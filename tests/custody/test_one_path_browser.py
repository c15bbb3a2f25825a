"""The book and the cells as one story in a real Chromium."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.custody.models import CustodyRecord, CustodyState
from daftari.occurrences.models import Occurrence
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, sign_in
from tests.custody.conftest import arrest_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_cell_register_entry_made_through_new_entry_reaches_the_custody_board_with_its_clock(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station
) -> None:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    base = live_server.url

    def story(page: Page) -> None:
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/entries/new?entry_type=CELLS")
        page.get_by_label("Place").fill("Report office")
        page.get_by_label("What happened").fill("Booked into the male cell; belt and shoelaces taken.")
        page.locator("#id_refers_to").fill(arrest.ob_number)
        page.locator("#id_details-cell").select_option("male")
        page.locator("#id_details-booked_in_at").fill(page.locator("#id_occurred_at").input_value())
        page.locator("#id_parties-0-name").fill("Otieno Ouma")
        page.locator("#id_parties-0-sex").select_option("M")
        page.locator("#id_parties-0-age").fill("27")
        page.locator("#id_offences-0-description").fill("Stealing")
        page.get_by_label("Place").press("Enter")
        expect(page.locator(".notice-success")).to_contain_text("Recorded as OB ")

        page.goto(f"{base}/custody")
        row = page.locator("#cells tbody tr").first
        expect(row).to_contain_text("Otieno Ouma")
        expect(row).to_contain_text("More than 12 hours left")

    chromium.run(story)
    record = CustodyRecord.objects.get()
    assert record.arrest == arrest and record.cells_entry is not None
    assert CustodyState.objects.get(custody=record).state == "in_custody"


def test_booking_into_cells_from_an_arrest_adds_an_ob_line(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station
) -> None:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    base = live_server.url

    def story(page: Page) -> None:
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/entries/{arrest.pk}")
        page.get_by_role("link", name="Book into cells").click()
        page.locator("#id_cell").select_option("male")
        page.locator("#id_offence_description").fill("Stealing")
        page.locator("#id_punishable_by").select_option("more_than_6_months")
        page.get_by_role("button", name="Book into cells").click()
        expect(page.locator(".notice-success")).to_contain_text("Booked into the cells")
        page.get_by_role("link", name="Into the cells: OB").click()
        expect(page.locator("main")).to_contain_text("booked into the male cell")
        page.get_by_role("link", name="Today's book").first.click()
        expect(page.locator("main")).to_contain_text("Otieno Ouma booked into the male cell")

    chromium.run(story)
    line = Occurrence.objects.get(entry_type="CELLS")
    assert CustodyRecord.objects.get().cells_entry == line and line.refers_to == arrest


def test_an_empty_custody_event_form_records_nothing_and_says_what_to_choose(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station
) -> None:
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    from daftari.custody.services import book_in
    from tests.custody.conftest import booking

    record = book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    base = live_server.url

    def story(page: Page) -> None:
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/custody/{record.pk}")
        expect(page.locator("#id_kind")).to_have_value("")
        page.get_by_role("button", name="Record", exact=True).click()
        expect(page.locator("main")).to_contain_text("Choose what happened")

    chromium.run(story)
    assert not record.events.exists()


def test_the_day_close_shows_the_difference(
    chromium: BrowserThread, live_server: Any, desk_officer: User, station: Station
) -> None:
    from daftari.custody.models import DayClose
    from daftari.custody.services import book_in
    from tests.custody.conftest import booking

    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest)
    base = live_server.url

    def story(page: Page) -> None:
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/entries/new")
        page.locator("#id_entry_type").select_option("DAILY_CLOSE")
        # The book's figures, prefilled: one person in the cells, two items taken at booking.
        expect(page.locator("#id_details-persons_in_cells")).to_have_value("1")
        expect(page.locator("#id_details-property_held")).to_have_value("2")
        expect(page.locator("#id_details-entries_arrest")).to_have_value("1")
        expect(page.locator("#type-fields")).to_contain_text("From the book: 2")
        page.get_by_label("Place").fill("Report office")
        page.get_by_label("What happened").fill("Day closed by the duty officer.")
        page.locator("#id_details-property_held").fill("1")
        page.get_by_label("Place").press("Enter")
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("The book gives 2: confirm that figure, or explain in Remarks why you counted")
        expect(summary).to_contain_text("Explain in Remarks each figure that differs from the book")
        expect(page.locator("#id_details-property_held")).to_have_value("1")
        page.locator("#id_details-remarks").fill("The belt went to the hospital with him.")
        page.get_by_label("Place").press("Enter")
        expect(page.locator(".notice-success")).to_contain_text("Recorded as OB ")
        table = page.locator("#day-close")
        expect(table).to_contain_text("1 difference from the book")
        differing = table.locator("tr.row-differs")
        expect(differing).to_have_count(1)
        expect(differing).to_contain_text("Property held from the cells")
        expect(differing).to_contain_text("1 (differs)")
        expect(differing).to_contain_text("The belt went to the hospital with him.")

    chromium.run(story)
    day_close = DayClose.objects.get()
    assert day_close.differences == 1
    held = next(f for f in day_close.figures if f["key"] == "property_held")
    assert held == {
        "key": "property_held",
        "from_book": 2,
        "counted": 1,
        "explanation": "The belt went to the hospital with him.",
    }
