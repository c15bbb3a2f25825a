"""The desk in a real Chromium is told of an alert as the ID number is typed, and reads the register."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.alerts.services import issue_alert
from tests.alerts.conftest import wanted
from tests.browser_support import BrowserThread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_desk_sees_a_wanted_alert_as_it_types_the_id_number_and_finds_it_on_the_register(
    chromium: BrowserThread, live_server: Any, desk_officer: User, ocs: User
) -> None:
    issue_alert(actor=ocs, draft=wanted())

    def story(page: Page) -> None:
        sign_in(page, live_server.url, "desk", lands_on="Today's book")
        page.goto(f"{live_server.url}/entries/new")
        page.locator("#id_parties-0-id_number").press_sequentially("2987 6543")
        hint = page.locator("#hint-parties-0 .alert-match")
        expect(hint).to_contain_text("This ID number matches a WANTED PERSON alert issued")
        page.get_by_role("link", name="Alerts").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("National alerts")
        expect(page.locator("table")).to_contain_text("Otieno Juma Baraka")

    chromium.run(story)
