"""Under the Content-Security-Policy the pages still work in a real Chromium, and nothing is blocked."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser_support import BrowserThread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_desk_the_public_pages_and_the_api_docs_run_with_nothing_blocked(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> list[str]:
        blocked: list[str] = []
        page.on(
            "console",
            lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
        )
        sign_in(page, base, "desk", lands_on="Today's book")
        page.goto(f"{base}/entries/new")
        expect(page.locator("#id_entry_type")).to_be_focused()  # typed keys go to the type only once it holds focus
        page.keyboard.type("Repo")
        expect(page.locator("#id_entry_type")).to_have_value("COMPLAINT")
        expect(page.get_by_label("Action taken")).to_be_visible()  # swapped in by htmx, a static script
        page.goto(f"{base}/custody")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.goto(f"{base}/public/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.goto(f"{base}/api/v1/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Daftari API")  # rendered from local files
        return blocked

    assert chromium.run(story) == []
