"""A half-typed New entry survives a closed tab and a dropped network, in a real Chromium: it is kept in
the browser, restored with a notice that offers to discard it, recorded once, and then gone."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from daftari.occurrences.models import Occurrence
from tests.browser_support import BrowserThread, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NARRATIVE = "Her handbag was taken from the matatu seat beside her at the Kencom stage."


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    from daftari.ledger import keys

    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def start_a_complaint(page: Page, base: str) -> None:
    page.goto(f"{base}/entries/new")
    page.locator("#id_entry_type").select_option("COMPLAINT")
    expect(page.get_by_label("Action taken")).to_be_visible()
    page.get_by_label("Place").fill("Kencom bus stage")
    page.get_by_label("What happened").fill(NARRATIVE)
    page.locator("#id_parties-0-name").fill("Akinyi Otieno")
    page.locator("#id_parties-0-phone").fill("0722334455")
    page.locator("#id_sms_language").select_option("sw")


def wait_for_saved_draft(page: Page, name: str, value: str) -> None:
    """The draft is saved a moment after typing stops: waits until it holds ``value`` for ``name``."""
    page.wait_for_function(
        """([name, value]) => Object.keys(localStorage).some(key => key.startsWith("daftari-draft:")
            && (JSON.parse(localStorage.getItem(key)).fields || {})[name] === value)""",
        arg=[name, value],
    )


def test_a_draft_survives_a_closed_tab_and_a_dropped_network_and_is_recorded_once(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> dict[str, Any]:
        context = page.context
        sign_in(page, base, "desk", lands_on="Today's book")
        start_a_complaint(page, base)
        # A third person needs a row the fresh form does not have: the server draws it.
        page.get_by_role("button", name="Add another person").click()
        page.locator("#id_parties-2-name").fill("Brian Kiprop")
        page.locator("#id_parties-2-role").select_option("witness")
        wait_for_saved_draft(page, "parties-2-role", "witness")
        page.close()  # the tab is closed

        page = context.new_page()
        page.goto(f"{base}/entries/new")
        notice = page.locator("#draft-restored")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Draft restored")
        restored = {
            "type": page.locator("#id_entry_type").input_value(),
            "narrative": page.get_by_label("What happened").input_value(),
            "witness": page.locator("#id_parties-2-name").input_value(),
        }

        # The network drops as the officer presses Record: nothing reaches the book, the draft stays.
        context.set_offline(True)
        try:
            page.get_by_role("button", name="Record entry", exact=True).last.click()
            page.wait_for_timeout(500)
        finally:
            context.set_offline(False)
        page.goto(f"{base}/entries/new")
        expect(page.locator("#draft-restored")).to_be_visible()
        page.get_by_role("button", name="Record entry", exact=True).last.click()
        expect(page.locator(".notice-success")).to_contain_text("Recorded as OB ")

        # Recorded: the draft is gone, a new entry starts empty.
        page.goto(f"{base}/entries/new")
        page.wait_for_timeout(300)
        return {
            **restored,
            "notice_after": page.locator("#draft-restored").is_visible(),
            "narrative_after": page.get_by_label("What happened").input_value(),
            "stored": page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('daftari-draft:')).length"),
        }

    seen = chromium.run(story)
    assert (seen["type"], seen["narrative"], seen["witness"]) == ("COMPLAINT", NARRATIVE, "Brian Kiprop")
    assert (seen["notice_after"], seen["narrative_after"], seen["stored"]) == (False, "", 0)
    recorded = Occurrence.objects.get(narrative=NARRATIVE)
    assert Occurrence.objects.count() == 1
    assert sorted(recorded.parties.values_list("name", flat=True)) == ["Akinyi Otieno", "Brian Kiprop"]


def test_discarding_a_restored_draft_leaves_an_empty_form_and_nothing_recorded(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> dict[str, Any]:
        context = page.context
        sign_in(page, base, "desk", lands_on="Today's book")
        start_a_complaint(page, base)
        wait_for_saved_draft(page, "sms_language", "sw")
        page.close()
        page = context.new_page()
        page.goto(f"{base}/entries/new")
        expect(page.locator("#draft-restored")).to_be_visible()
        page.get_by_role("button", name="Discard").click()
        page.wait_for_load_state()
        expect(page.locator("#draft-restored")).to_be_hidden()
        return {
            "narrative": page.get_by_label("What happened").input_value(),
            "stored": page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('daftari-draft:')).length"),
        }

    assert chromium.run(story) == {"narrative": "", "stored": 0}
    assert not Occurrence.objects.exists()


def test_signing_out_leaves_no_draft_in_the_browser(
    chromium: BrowserThread, live_server: Any, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> int:
        sign_in(page, base, "desk", lands_on="Today's book")
        start_a_complaint(page, base)
        wait_for_saved_draft(page, "sms_language", "sw")
        stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('daftari-draft:')).length")
        assert stored == 1
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(lambda url: "/signin" in url or url.rstrip("/").endswith(base.split("//")[1]))
        return int(page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('daftari-draft:')).length"))

    assert chromium.run(story) == 0
