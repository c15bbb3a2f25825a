"""Every page on a 360 px phone in a real Chromium: nothing scrolls sideways, even with a 200-letter
word and a long name in the book; the staff header is one line; the language switch is on screen
and readable (WCAG AA contrast) on every page, public and staff, on a phone and on a desktop."""

from datetime import timedelta
from itertools import pairwise
from typing import Any, TypedDict

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page

from daftari.custody import rules as custody_rules
from daftari.custody.services import book_in
from daftari.documents.rules import display_code
from daftari.documents.services import issue_document
from daftari.fines.services import issue_notice
from daftari.ledger import keys
from daftari.occurrences.casework import assign_investigator
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.browser_support import BrowserThread, complete_second_factor
from tests.conftest import PASSWORD, complaint
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer
from tests.fines.conftest import draft as notice_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# What a phone must not be widened by: a pasted 200-letter "word" and a long name.
LONG_WORD = "Mpesa" + "x" * 190 + "Kenya"
LONG_NAME = "Wanjiru Nyambura Chepkoech Kamau-Odhiambo Wekesa-Mwangi Achieng Kiprotich Jepchumba"


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


class Book(TypedDict):
    entry: str
    custody: str
    notice: str
    document: str
    code: str


@pytest.fixture
def book(desk_officer: User, ocs: User, investigator: User, traffic_officer: User, station: Station) -> Book:
    """A station's day with the long word and the long name in every kind of record."""
    entry = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(
            narrative=f"{LONG_WORD} was the message the complainant showed on her phone.",
            place=f"Moi Avenue near {LONG_WORD[:60]}",
            parties=(PartyInput(role="complainant", name=LONG_NAME, id_number="12345678", phone="0712345678"),),
        ),
    ).entry
    assign_investigator(actor=ocs, occurrence=entry, investigator=investigator.officer)
    lost = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(
            entry_type="LOST_DOC",
            narrative=f"Lost her national ID card near {LONG_WORD}.",
            details={"document_kind": "national_id", "document_number": "12345678"},
        ),
    ).entry
    document = issue_document(
        actor=desk_officer, occurrence=lost, kind="abstract_lost_document", applicant_name=LONG_NAME, purpose="ID"
    )
    enrol_arresting_officer(station)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    detainee = custody_rules.DetaineeInput(name=LONG_NAME, sex="F", id_number="23456789", age=27)
    record = book_in(
        actor=desk_officer,
        station=station,
        arrest=arrest,
        booking=booking(
            detainee=detainee,
            cell="female",
            property_items=(custody_rules.PropertyInput(description=f"Phone with a note {LONG_WORD}", value_kes=500),),
        ),
    ).record
    notice = issue_notice(
        actor=traffic_officer,
        station=station,
        draft=notice_draft(
            driver_name=LONG_NAME,
            place=f"Thika Road {LONG_WORD[:150]}",
            issued_at=timezone.now() - timedelta(minutes=5),
        ),
    ).notice
    return {
        "entry": str(entry.pk),
        "custody": str(record.pk),
        "notice": notice.number,
        "document": str(document.pk),
        "code": display_code(document.code),
    }


# The main pages of each role (ENTRY, CUSTODY, NOTICE and DOCUMENT stand for the book's records).
STAFF_PAGES = {
    "desk": [
        "/",
        "/entries/new",
        "/search?q=complainant",
        "/entries/ENTRY",
        "/entries/ENTRY/slip",
        "/documents",
        "/documents/DOCUMENT",
        "/entries/ENTRY/amend",
        "/entries/ENTRY/documents/new",
        "/custody",
        "/custody/CUSTODY",
        "/custody/CUSTODY/receipt",
        "/password",
    ],
    "ocs": [
        "/station",
        "/station/cases",
        "/station/notices",
        "/",
        "/custody",
        "/custody/CUSTODY",
        "/custody/compliance",
        "/documents",
        "/documents/DOCUMENT/revoke",
        "/fines/notices/NOTICE/cancel",
        "/fines/reconciliation",
        "/entries/ENTRY/case/close",
        "/access-log",
        "/entries/ENTRY",
    ],
    "investigator": ["/", "/cases", "/search?q=complainant", "/entries/ENTRY"],
    "traffic": [
        "/fines/mine",
        "/fines/issue",
        "/fines/notices/NOTICE",
        "/fines/repeat?plate=KCA+123A",
    ],
    "commander": ["/", "/search?q=complainant", "/custody/compliance", "/fines/figures"],
    "analyst": ["/", "/search", "/custody/compliance", "/fines/figures"],
    "oversight": ["/", "/access-log", "/search?q=complainant", "/entries/ENTRY", "/custody/compliance"],
}
PERSONA = {"desk": "desk_officer", "traffic": "traffic_officer"}

PUBLIC_PAGES = [
    "/public/",
    "/public/status",
    "/verify",
    "/verify/CODE",
    "/verify/ABCDE-FGHJK",
    "/verify/notice/NOTICE",
    "/pay/notice",
    "/pay/notice/NOTICE",
]

# The contrast of the language switch's text against what is behind it (WCAG 2 relative luminance):
# the background is that of the nearest ancestor with one.
LANGUAGE_SWITCH = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const bg = rgb(getComputedStyle(el).backgroundColor);
      if (bg.length < 4 || bg[3] > 0) return bg.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('.lang-switch button')].map((button) => {
    const box = button.getBoundingClientRect();
    const fg = luminance(rgb(getComputedStyle(button).color));
    const bg = luminance(behind(button));
    return {
      text: button.innerText.trim(),
      visible: button.checkVisibility({opacityProperty: true, visibilityProperty: true}),
      inside: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
        && box.right <= window.innerWidth && box.bottom <= window.innerHeight,
      contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
    };
  });
}"""


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    complete_second_factor(page)  # the OCS, commanders, oversight and admins enter their code
    assert "/signin" not in page.url and "/second-factor" not in page.url, page.url


def problems_on(page: Page, url: str, *, width: int) -> list[str]:
    """What is wrong with the page just opened: sideways scrolling, a hidden or faint language switch."""
    found = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        found.append(f"{url} at {width} px is {scroll_width} px wide")
    switch = page.evaluate(LANGUAGE_SWITCH)
    if [b["text"] for b in switch] != ["English", "Kiswahili"]:
        found.append(f"{url} at {width} px has no language switch: {switch}")
    for button in switch:
        if not (button["visible"] and button["inside"]):
            found.append(f"{url} at {width} px: {button['text']} is not on screen")
        if button["contrast"] < 4.5:
            found.append(f"{url} at {width} px: {button['text']} has contrast {button['contrast']:.2f}")
    return found


def header_lines(page: Page) -> int:
    """How many lines the staff header's parts take: brand, language switch and menu button."""
    tops = [
        page.locator(selector).bounding_box()
        for selector in (".site-header .brand", ".site-header .lang-switch", ".site-menu > summary")
    ]
    assert all(tops)
    middles = sorted(box["y"] + box["height"] / 2 for box in tops if box)
    return 1 + sum(1 for a, b in pairwise(middles) if b - a > 12)


@pytest.mark.parametrize(
    ("role", "language"), [*((role, "English") for role in STAFF_PAGES), ("desk", "Kiswahili"), ("ocs", "Kiswahili")]
)
def test_each_role_s_main_pages_fit_a_360_px_phone_with_the_header_on_one_line_and_the_language_switch_on_screen(
    chromium: BrowserThread, live_server: Any, request: pytest.FixtureRequest, book: Book, role: str, language: str
) -> None:
    user: User = request.getfixturevalue(PERSONA.get(role, role))
    base = live_server.url
    urls = [
        url.replace("ENTRY", book["entry"])
        .replace("CUSTODY", book["custody"])
        .replace("NOTICE", book["notice"])
        .replace("DOCUMENT", book["document"])
        for url in STAFF_PAGES[role]
    ]

    def story(page: Page) -> list[str]:
        sign_in(page, base, user.get_username())
        if language != "English":  # the longer words of Kiswahili fit too
            page.get_by_role("button", name=language).click()
            page.wait_for_load_state()
        found = []
        for url in urls:
            response = page.goto(base + url)
            assert response is not None and response.status == 200, (url, response and response.status)
            found += problems_on(page, url, width=PHONE["width"])
            if header_lines(page) != 1:
                found.append(f"{url}: the header takes {header_lines(page)} lines at 360 px")
        # The menu opens without JavaScript (a <details>) and its links fit the phone too.
        page.locator(".site-menu > summary").click()
        links = page.locator(".site-menu nav a")
        assert links.first.is_visible()
        assert all(box and box["x"] + box["width"] <= PHONE["width"] for box in (a.bounding_box() for a in links.all()))
        return found

    # Without JavaScript: the pages and the menu work before any script runs.
    assert chromium.run(story, viewport=PHONE, java_script_enabled=False) == []


def test_the_long_word_and_name_are_on_the_pages_that_must_wrap_them(
    chromium: BrowserThread, live_server: Any, book: Book, desk_officer: User
) -> None:
    """The width checks above see the long word: it is on today's book, the entry and the cells."""
    base = live_server.url

    def story(page: Page) -> list[bool]:
        sign_in(page, base, "desk")
        seen = []
        for url in ("/", f"/entries/{book['entry']}", f"/custody/{book['custody']}"):
            page.goto(base + url)
            text = page.locator("main").inner_text().replace("\n", "")
            seen.append(LONG_WORD[:100] in text and (url == "/" or LONG_NAME.split()[0] in text))
        return seen

    assert chromium.run(story, viewport=PHONE) == [True, True, True]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_every_public_page_shows_a_readable_language_switch_and_fits_the_screen(
    chromium: BrowserThread, live_server: Any, book: Book, viewport: dict[str, int]
) -> None:
    base = live_server.url
    urls = [url.replace("CODE", book["code"]).replace("NOTICE", book["notice"]) for url in PUBLIC_PAGES]

    def story(page: Page) -> list[str]:
        found = []
        for url in urls:
            page.goto(base + url)
            assert page.locator("body.shell-public").count() == 1, url
            found += problems_on(page, url, width=viewport["width"])
        # The switch works: the same page in Kiswahili, the switch still on screen.
        page.goto(base + "/verify")
        page.get_by_role("button", name="Kiswahili").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "sw"
        found += problems_on(page, "/verify (sw)", width=viewport["width"])
        return found

    assert chromium.run(story, viewport=viewport, java_script_enabled=False) == []  # as before any script runs


def test_the_staff_language_switch_is_readable_on_a_desktop_too(
    chromium: BrowserThread, live_server: Any, book: Book, desk_officer: User
) -> None:
    base = live_server.url

    def story(page: Page) -> list[str]:
        page.goto(base + "/signin")
        found = problems_on(page, "/signin", width=DESKTOP["width"])
        sign_in(page, base, "desk")
        for url in ("/", "/entries/new", f"/entries/{book['entry']}"):
            page.goto(base + url)
            found += problems_on(page, url, width=DESKTOP["width"])
        # On a desktop the menu's links are in the header without opening anything.
        assert page.get_by_role("link", name="New entry").first.is_visible()
        assert not page.locator(".site-menu > summary").is_visible()
        return found

    assert chromium.run(story, viewport=DESKTOP) == []
