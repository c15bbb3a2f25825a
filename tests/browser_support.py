"""Chromium for the browser tests, driven by Playwright on a thread of its own.

Playwright's sync API keeps an asyncio loop marked as running on the thread that uses it.
On the test thread that makes Django hand out a second set of database connections (asgiref
keys them by async context), which lose the serialized-rollback snapshot and the test
transaction. So the browser lives on its own thread and the tests send it whole stories.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

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
