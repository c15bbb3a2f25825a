"""In a real Chromium the error summary takes the focus when its page loads, and its links lead to the fields."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser_support import BrowserThread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_wrong_sign_in_focuses_the_summary_whose_link_focuses_the_field(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> tuple[str, str, str, str]:
        page.goto(f"{base}/signin")
        page.get_by_label("Username").fill(desk_officer.username)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_function("document.activeElement && document.activeElement.matches('[data-error-summary]')")
        focused = page.evaluate("document.activeElement.className")
        summary = page.locator("[data-error-summary]").inner_text()
        page.locator("[data-error-summary] a").first.click()
        field = page.evaluate("document.activeElement.id")
        typed = page.get_by_label("Username").input_value()
        return focused, summary, field, typed

    focused, summary, field, typed = chromium.run(story)
    assert focused == "error-summary"
    assert "Enter your password" in summary
    assert field == "id_password"
    assert typed == desk_officer.username


def test_the_summary_is_in_kiswahili_when_the_page_is(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> str:
        page.goto(f"{base}/public/status")
        page.get_by_role("button", name="Kiswahili").first.click()
        page.wait_for_load_state()
        page.locator("form[method=post] button[type=submit]").last.click()
        page.wait_for_selector("[data-error-summary]")
        return page.locator("[data-error-summary]").inner_text()

    summary = chromium.run(story)
    assert "Kuna tatizo" in summary and "Andika" in summary
