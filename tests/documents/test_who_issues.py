"""The desk, the OCS and investigators issue the station's documents; only the OCS revokes one."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.core.errors import NotPermitted
from daftari.documents.models import DocumentRevocation, IssuedDocument
from daftari.documents.services import issue_document, revoke_document
from daftari.occurrences.models import Occurrence


def test_a_traffic_officer_has_no_document_form_and_cannot_issue_one(
    client: Client, traffic_officer: User, lost_id: Occurrence
) -> None:
    client.force_login(traffic_officer)
    assert f"/entries/{lost_id.pk}/documents/new" not in client.get(f"/entries/{lost_id.pk}").content.decode()
    assert client.get(f"/entries/{lost_id.pk}/documents/new").status_code == 403
    form = {"kind": "abstract_lost_document", "applicant_name": "Wanjiku Kamau", "purpose": "ID replacement"}
    assert client.post(f"/entries/{lost_id.pk}/documents/new", form).status_code == 403
    with pytest.raises(NotPermitted):
        issue_document(
            actor=traffic_officer, occurrence=lost_id, kind="abstract_lost_document", applicant_name="Wanjiku Kamau"
        )
    assert not IssuedDocument.objects.exists()


def test_an_investigator_issues_a_document(client: Client, investigator: User, lost_id: Occurrence) -> None:
    client.force_login(investigator)
    assert client.get(f"/entries/{lost_id.pk}/documents/new").status_code == 200


def test_a_desk_officer_cannot_revoke_a_document_on_the_page_or_through_the_service(
    client: Client, desk_officer: User, abstract: IssuedDocument
) -> None:
    client.force_login(desk_officer)
    assert client.post(f"/documents/{abstract.pk}/revoke", {"reason": "Mistake"}).status_code == 403
    with pytest.raises(NotPermitted):
        revoke_document(actor=desk_officer, document=abstract, reason="Mistake")
    assert not DocumentRevocation.objects.exists()
