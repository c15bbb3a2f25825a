"""Closing a case cannot be undone: it is asked on its own "Are you sure?" page before it is recorded."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.ledger import keys
from daftari.occurrences.casework import Status, assign_investigator
from daftari.occurrences.models import CaseStatus, CaseUpdate, Occurrence


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


@pytest.fixture
def assigned(ocs: User, investigator: User, recorded_complaint: Occurrence) -> Occurrence:
    assign_investigator(actor=ocs, occurrence=recorded_complaint, investigator=investigator.officer)
    return recorded_complaint


def test_choosing_closed_on_the_entry_page_asks_are_you_sure_keeping_the_reason(
    client: Client, investigator: User, assigned: Occurrence
) -> None:
    client.force_login(investigator)
    page = client.post(
        f"/entries/{assigned.pk}/case/status", {"status": "closed", "note": "Filed", "reason": "Complainant withdrew"}
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Are you sure?" in body and "not reopened" in body
    assert 'value="Complainant withdrew"' in body and f'action="/entries/{assigned.pk}/case/close"' in body
    assert CaseStatus.objects.get(occurrence=assigned).status == Status.ASSIGNED


def test_a_get_of_the_close_page_closes_nothing(client: Client, investigator: User, assigned: Occurrence) -> None:
    client.force_login(investigator)
    assert client.get(f"/entries/{assigned.pk}/case/close").status_code == 200
    assert CaseStatus.objects.get(occurrence=assigned).status == Status.ASSIGNED


def test_confirming_closes_the_case_with_the_reason(client: Client, investigator: User, assigned: Occurrence) -> None:
    client.force_login(investigator)
    missing = client.post(f"/entries/{assigned.pk}/case/close", {"reason": ""})
    assert missing.status_code == 422 and 'href="#id_reason"' in missing.content.decode()
    done = client.post(f"/entries/{assigned.pk}/case/close", {"reason": "Complainant withdrew", "note": "Filed"})
    assert done.status_code == 302
    closing = CaseUpdate.objects.get(occurrence=assigned, status=Status.CLOSED)
    assert (closing.reason, closing.note) == ("Complainant withdrew", "Filed")
    assert client.get(f"/entries/{assigned.pk}/case/close").status_code == 302


def test_a_desk_officer_gets_no_close_page(client: Client, desk_officer: User, assigned: Occurrence) -> None:
    client.force_login(desk_officer)
    assert client.get(f"/entries/{assigned.pk}/case/close").status_code == 403
    assert client.post(f"/entries/{assigned.pk}/case/close", {"reason": "x"}).status_code == 403
    assert client.post(f"/entries/{assigned.pk}/case/status", {"status": "closed", "reason": "x"}).status_code == 403
    assert CaseStatus.objects.get(occurrence=assigned).status == Status.ASSIGNED
