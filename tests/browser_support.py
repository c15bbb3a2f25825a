"""Chromium for the browser tests, driven by Playwright on a thread of its own.

Playwright's sync API keeps an asyncio loop marked as running on the thread that uses it.
On the test thread that makes Django hand out a second set of database connections (asgiref
keys them by async context), which lose the serialized-rollback snapshot and the test
transaction. So the browser lives on its own thread and the tests send it whole stories.
"""

import re
import time
from base64 import b32decode
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django_otp.oath import totp
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

T = TypeVar("T")

# The authenticator key of officers enrolled by tests (tests.conftest.enrol_second_factor).
TEST_TOTP_KEY = b"daftari-test-totp-20"


def code_for(key: bytes) -> str:
    """What an authenticator app holding ``key`` shows now."""
    return f"{totp(key):06d}"


def complete_second_factor(page: Page) -> None:
    """After the password, for the roles that need it: the enrolment page (its key read off the
    page, as a phone would scan it) or the code of an officer enrolled with TEST_TOTP_KEY."""
    if "/second-factor" not in page.url:
        return
    if "/second-factor/enrol" in page.url:
        key = b32decode(page.locator("figure.qr code").inner_text().replace(" ", ""))
    else:
        key = TEST_TOTP_KEY
    page.get_by_label("Code").fill(code_for(key))
    with page.expect_navigation():
        page.get_by_label("Code").press("Enter")
    if page.locator(".error-summary").count():
        # A code is accepted once: a second sign-in in the same 30 seconds waits for the next one.
        page.wait_for_timeout((30 - time.time() % 30 + 1) * 1000)
        page.get_by_label("Code").fill(code_for(key))
        page.get_by_label("Code").press("Enter")


def sign_in(page: Page, base_url: str, username: str, *, lands_on: str | re.Pattern[str] | None = None) -> None:
    """Signs in with the keyboard alone, as at the desk: the username, Tab, the password, Enter; then the
    second factor for the roles that need it, and (``lands_on``) the heading of the landing page."""
    page.goto(f"{base_url}/signin")
    expect(page.locator("#id_username")).to_be_focused()  # autofocus lands a frame after load
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin" not in url)
    complete_second_factor(page)  # the OCS, commanders, oversight and admins enter their code
    if lands_on is not None:
        expect(page.get_by_role("heading", level=1)).to_contain_text(lands_on)


class BrowserThread:
    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._pool.submit(self._start).result(timeout=60)

    def _start(self) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

    def run(self, story: Callable[[Page], T], *, timeout: float = 90, **context: Any) -> T:
        """Runs ``story`` with a fresh page (its own cookies) and returns what it returns."""

        def go() -> T:
            assert self._browser is not None
            browser_context = self._browser.new_context(locale="en-GB", timezone_id="Africa/Nairobi", **context)
            browser_context.set_default_timeout(10_000)
            try:
                return story(browser_context.new_page())
            finally:
                browser_context.close()

        return self._pool.submit(go).result(timeout=timeout)

    def close(self) -> None:
        def stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self._pool.submit(stop).result(timeout=30)
        finally:
            self._pool.shutdown(wait=True)
