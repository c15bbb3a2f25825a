"""Outside debug every answer carries a Content-Security-Policy that no inline code passes, HSTS
over HTTPS, and the API's docs come from this site's own static files."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

import daftari

PACKAGE = Path(daftari.__file__).resolve().parent
TEMPLATES = sorted(PACKAGE.glob("**/templates/**/*.html"))
INLINE = {
    "a <style> block": re.compile(r"<style", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
}


def test_the_templates_hold_no_inline_script_or_style() -> None:
    assert len(TEMPLATES) > 20
    found = [
        f"{path.relative_to(PACKAGE)}: {what}"
        for path in TEMPLATES
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/signin", "/public/", "/public/status", "/verify", "/api/v1/docs"])
def test_public_pages_carry_a_policy_of_this_site_only_without_inline_code(client: Client, path: str) -> None:
    assert not settings.DEBUG  # as in production; the test run turns debug off
    response = client.get(path)
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == "default-src 'self'"
    assert "frame-ancestors 'none'" in policy.values()
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header


def test_desk_pages_carry_the_policy_too(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    for path in ("/", "/custody", "/entries/new", "/password"):
        assert csp(client.get(path))["default-src"] == "default-src 'self'", path


def test_debug_leaves_the_policy_off_so_djangos_error_pages_stay_readable(
    client: Client,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/signin").headers


@pytest.mark.django_db
def test_https_answers_carry_hsts_for_a_year(client: Client) -> None:
    response = client.get("/signin", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_the_api_docs_load_swagger_ui_from_this_site_not_a_cdn(client: Client) -> None:
    page = client.get("/api/v1/docs")
    body = page.content.decode()
    assert page.status_code == 200
    assert "cdn" not in body.lower() and "https://" not in body
    scripts = re.findall(r'(?:src|href)="(/static/[^"]+)"', body)
    assert any(s.endswith("swagger-ui-bundle.js") for s in scripts)
    for asset in scripts:
        assert client.get(asset).status_code == 200, asset
