"""The OCS's first sign-in in Chromium: password, the authenticator set up from the page, the desk."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser_support import BrowserThread, sign_in
from tests.conftest import enrol_second_factor

BOOK_OR_DASHBOARD = re.compile("Today's book|Station dashboard")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_ocs_sets_up_the_app_at_the_first_sign_in_and_reaches_todays_book(
    chromium: BrowserThread, live_server: Any, ocs: User
) -> None:
    def story(page: Page) -> None:
        sign_in(
            page, live_server.url, "ocs", lands_on=BOOK_OR_DASHBOARD
        )  # through the enrolment page, the key read off it
        expect(page.locator(".notice-success")).to_contain_text("Your authenticator app is set up.")

    chromium.run(story)


def test_an_enrolled_commander_enters_the_code_after_the_password(
    chromium: BrowserThread, live_server: Any, commander: User
) -> None:
    enrol_second_factor(commander)

    def story(page: Page) -> str:
        sign_in(page, live_server.url, "commander", lands_on=BOOK_OR_DASHBOARD)
        return page.url

    assert chromium.run(story).rstrip("/") == live_server.url
