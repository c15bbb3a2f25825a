"""Revoking a document cannot be undone: GET asks "Are you sure?", only a POST with a reason revokes."""

import re

from django.contrib.auth.models import User
from django.test import Client

from daftari.documents.models import DocumentRevocation, IssuedDocument
from tests.documents.test_pdf import pdf_of, text_of


def test_the_revoke_page_asks_are_you_sure_with_what_will_happen_and_revokes_nothing(
    client: Client, ocs: User, abstract: IssuedDocument
) -> None:
    client.force_login(ocs)
    document_page = client.get(f"/documents/{abstract.pk}").content.decode()
    assert f'href="/documents/{abstract.pk}/revoke"' in document_page
    page = client.get(f"/documents/{abstract.pk}/revoke")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Are you sure?" in body and "REVOKED" in body and abstract.serial in body
    assert (
        'name="reason"' in body
        and 'name="csrfmiddlewaretoken"' in body
        and not re.search(r"<script(?![^>]*\bsrc=)", body)
    )
    assert not DocumentRevocation.objects.exists(), "a GET never revokes"


def test_revoking_without_a_reason_shows_the_error_summary_linked_to_the_field(
    client: Client, ocs: User, abstract: IssuedDocument
) -> None:
    client.force_login(ocs)
    page = client.post(f"/documents/{abstract.pk}/revoke", {"reason": "   "})
    body = page.content.decode()
    assert page.status_code == 422
    assert 'class="error-summary"' in body and 'href="#id_reason"' in body
    assert "Enter the reason for revoking the document" in body
    assert not DocumentRevocation.objects.exists()


def test_confirming_revokes_once_and_a_second_visit_is_sent_back(
    client: Client, ocs: User, abstract: IssuedDocument
) -> None:
    client.force_login(ocs)
    done = client.post(f"/documents/{abstract.pk}/revoke", {"reason": "Obtained with a false report"})
    assert done.status_code == 302 and done["Location"] == f"/documents/{abstract.pk}"
    assert DocumentRevocation.objects.get(document=abstract).reason == "Obtained with a false report"
    again = client.get(f"/documents/{abstract.pk}/revoke")
    assert again.status_code == 302 and DocumentRevocation.objects.count() == 1


def test_a_forged_post_without_the_csrf_token_is_refused(ocs: User, abstract: IssuedDocument) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ocs)
    assert strict.post(f"/documents/{abstract.pk}/revoke", {"reason": "Forged"}).status_code == 403
    assert not DocumentRevocation.objects.exists()


def test_the_desk_gets_no_confirmation_page_and_cannot_revoke(desk_client: Client, abstract: IssuedDocument) -> None:
    assert desk_client.get(f"/documents/{abstract.pk}/revoke").status_code == 403
    assert desk_client.post(f"/documents/{abstract.pk}/revoke", {"reason": "Mine"}).status_code == 403
    assert not IssuedDocument.objects.filter(revocations__isnull=False).exists()


def test_a_document_revoked_through_the_confirmation_page_prints_with_revoked_across_it(
    client: Client, ocs: User, abstract: IssuedDocument
) -> None:
    client.force_login(ocs)
    client.post(f"/documents/{abstract.pk}/revoke", {"reason": "Issued in error"})
    text = text_of(pdf_of(client, abstract))
    assert "REVOKED" in text and "Revoked on" in text
