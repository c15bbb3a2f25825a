"""One design system: one stylesheet shared by the desk and the public, one public shell that every
public page extends, no inline styles (the CSP forbids them), and every page under 100 KB."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

import daftari
from daftari.documents.models import IssuedDocument
from daftari.documents.rules import display_code
from daftari.fines.models import FineNotice
from daftari.occurrences.models import Occurrence
from tests.documents.conftest import abstract, lost_id  # noqa: F401 (fixtures)
from tests.fines.conftest import notice  # noqa: F401 (fixture)

PACKAGE = Path(daftari.__file__).parent
TEMPLATES = sorted((PACKAGE / "templates").rglob("*.html"))
MAX_PAGE_BYTES = 100_000


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from daftari.ledger import keys

    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def test_the_site_has_one_stylesheet_and_every_page_links_only_it() -> None:
    assert [p.name for p in (PACKAGE / "static").rglob("*.css")] == ["daftari.css"]
    links = [
        (path.name, link)
        for path in TEMPLATES
        for link in re.findall(r"<link\b[^>]*>", path.read_text())
        if "stylesheet" in link
    ]
    assert links, "no template links the stylesheet"
    assert [(name, link) for name, link in links if "daftari/daftari.css" not in link] == []


def test_no_template_has_a_style_block_or_a_style_attribute() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in TEMPLATES
        if re.search(r"<style\b|\sstyle\s*=", path.read_text(), flags=re.IGNORECASE)
    ]
    assert offenders == []


def test_only_the_staff_shell_and_the_public_shell_are_whole_pages() -> None:
    whole_pages = sorted(
        path.name for path in TEMPLATES if re.search(r"<!doctype html|<html\b", path.read_text(), flags=re.IGNORECASE)
    )
    assert whole_pages == ["base.html", "public_base.html"]


def in_public_shell(html: str) -> bool:
    return '<body class="shell-public">' in html and 'class="lang-switch"' in html and "shell-staff" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/public/",
        "/public/status",
        "/verify",
        "/verify/ABCDE-FGHJK",
        "/verify/DOCUMENT",
        "/verify/notice/NOTICE",
        "/verify/notice/NOT-A-NOTICE",
        "/pay/notice",
        "/pay/notice/NOTICE",
    ],
)
def test_every_public_page_is_in_the_one_public_shell_and_small(
    client: Client,
    abstract: IssuedDocument,  # noqa: F811 (fixture)
    notice: FineNotice,  # noqa: F811 (fixture)
    url: str,
) -> None:
    url = url.replace("DOCUMENT", display_code(abstract.code)).replace("NOTICE", notice.number)
    response = client.get(url)
    assert response.status_code in (200, 404)
    html = response.content.decode()
    assert in_public_shell(html)
    assert len(response.content) < MAX_PAGE_BYTES


def test_the_public_report_and_its_form_errors_are_in_the_public_shell(
    client: Client, recorded_complaint: Occurrence
) -> None:
    report = client.post(
        "/public/status",
        {"station": "CENTRAL-NBI", "ob_number": recorded_complaint.ob_number, "phone_last4": "5678"},
    )
    assert recorded_complaint.ob_number in report.content.decode()
    errors = client.post("/public/status", {"station": "", "ob_number": "", "phone_last4": ""})
    assert 'class="error-summary"' in errors.content.decode()
    for response in (report, errors):
        assert in_public_shell(response.content.decode())


def test_a_public_client_over_its_limit_is_answered_in_the_public_shell(client: Client, db: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_PUBLIC_VERIFY_PER_MINUTE = 0
    response = client.get("/verify/ABCDE-FGHJK")
    assert response.status_code == 429
    assert in_public_shell(response.content.decode())


STAFF_PAGES = {
    "desk": ["/", "/entries/new", "/search?q=phone", "/documents", "ENTRY", "ENTRY/slip"],
    "ocs": [
        "/station",
        "/station/cases",
        "/station/notices",
        "/",
        "/custody",
        "/custody/compliance",
        "/fines/figures",
        "/fines/reconciliation",
        "/documents",
    ],
    "investigator": ["/", "/cases", "/search?q=phone"],
    "traffic": ["/fines/mine", "/fines/issue", "/fines/repeat?plate=KCA+123A", "/fines/notices/NOTICE"],
    "commander": ["/", "/custody/compliance", "/fines/figures", "/search?q=phone"],
    "oversight": ["/access-log", "/search?q=phone", "/custody/compliance"],
}


@pytest.mark.parametrize(("role", "url"), [(role, url) for role, urls in STAFF_PAGES.items() for url in urls])
def test_every_main_staff_page_is_in_the_staff_shell_and_under_100_kb(
    client: Client,
    request: pytest.FixtureRequest,
    recorded_complaint: Occurrence,
    notice: FineNotice,  # noqa: F811 (fixture)
    role: str,
    url: str,
) -> None:
    fixture = {"desk": "desk_officer", "traffic": "traffic_officer"}.get(role, role)
    officer: User = request.getfixturevalue(fixture)
    client.force_login(officer)
    url = url.replace("ENTRY", f"/entries/{recorded_complaint.pk}").replace("NOTICE", notice.number)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<body class="shell-staff"' in html and 'class="lang-switch"' in html
    assert len(response.content) < MAX_PAGE_BYTES
