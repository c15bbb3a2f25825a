"""Personas of the refugee register: DRS staff and the UNHCR liaison serve at no police station."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daftari.refugees import services
from daftari.refugees.models import Person, RefugeeDocument
from daftari.refugees.rules import DocumentKind, PersonDraft, StatusKind
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory


@pytest.fixture
def drs_officer(make_officer: OfficerFactory) -> User:
    return make_officer("drs_officer", [Role.DRS_OFFICER], None)


@pytest.fixture
def drs_supervisor(make_officer: OfficerFactory) -> User:
    return make_officer("drs_supervisor", [Role.DRS_SUPERVISOR], None)


@pytest.fixture
def unhcr_liaison(make_officer: OfficerFactory) -> User:
    return make_officer("unhcr", [Role.UNHCR_LIAISON], None)


def draft(**changes: object) -> PersonDraft:
    values: dict[str, object] = {
        "given_names": "Amina Hassan",
        "family_name": "Abdi",
        "sex": "F",
        "date_of_birth": date(1990, 1, 1),
        "date_of_birth_estimated": True,
        "nationality": "Somali",
        "aliases": "Amina Xasan",
        "languages": "Somali, Kiswahili",
        "specific_needs": "",
        "phone": "0712345678",
        "ethnicity": "Bajuni",
        "religion": "Muslim",
        "biometric_ref": "BIMS-000123",
    }
    values.update(changes)
    return PersonDraft(**values)  # type: ignore[arg-type]


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def asylum_seeker(drs_officer: User) -> Person:
    return services.register_person(
        actor=drs_officer, draft=draft(), office="KAK", registered_on=days_ago(30), case_reference="KAK-CF-1"
    )


@pytest.fixture
def refugee(asylum_seeker: Person, drs_supervisor: User) -> Person:
    services.record_status_step(actor=drs_supervisor, person=asylum_seeker, step=StatusKind.REFUGEE, on=days_ago(10))
    return asylum_seeker


def issue(
    actor: User,
    person: Person,
    number: str,
    kind: DocumentKind = DocumentKind.REFUGEE_ID,
    *,
    issued_ago: int = 1,
    expires_on: date | None = None,
    replaces: RefugeeDocument | None = None,
) -> RefugeeDocument:
    """A document issued at Kakuma ``issued_ago`` days ago."""
    return services.issue_document(
        actor=actor,
        person=person,
        kind=kind,
        number=number,
        office="KAK",
        issued_on=days_ago(issued_ago),
        expires_on=expires_on,
        replaces=replaces,
    )
