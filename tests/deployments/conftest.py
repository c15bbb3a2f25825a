"""The MSS deployment personas, a mission with a contingent leaving on 1 June 2027, and a way to nominate."""

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User

from daftari.deployments import criteria
from daftari.deployments.criteria import course
from daftari.deployments.models import Candidate, Contingent, Mission
from daftari.deployments.services import nominate_candidate, open_contingent, open_mission, record_training
from daftari.ledger import keys
from daftari.stations.models import Station
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory

DEPARTS_ON = date(2027, 6, 1)


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


@pytest.fixture
def deployment_officer(make_officer: OfficerFactory) -> User:
    return make_officer("deployment", [Role.DEPLOYMENT], None)


@pytest.fixture
def vetting_officer(make_officer: OfficerFactory) -> User:
    return make_officer("vetting", [Role.VETTING], None)


@pytest.fixture
def medical_officer(make_officer: OfficerFactory) -> User:
    return make_officer("medical", [Role.MEDICAL], None)


@pytest.fixture
def trainer(make_officer: OfficerFactory) -> User:
    return make_officer("trainer", [Role.TRAINER], None)


@pytest.fixture
def mission(deployment_officer: User) -> Mission:
    return open_mission(
        actor=deployment_officer, code="MSS-HAITI", name="Gang Suppression Force, Haiti", mandate="UNSC Res. 2793"
    )


@pytest.fixture
def contingent(deployment_officer: User, mission: Mission) -> Contingent:
    return open_contingent(
        actor=deployment_officer,
        mission=mission,
        number=6,
        departs_on=DEPARTS_ON,
        returns_on=date(2028, 6, 1),
        size=230,
        units="GSU, AP-RDU, ASTU",
    )


Nominate = Callable[..., Candidate]


@pytest.fixture
def nominate(
    deployment_officer: User, contingent: Contingent, make_officer: OfficerFactory, station: Station
) -> Nominate:
    def make(
        username: str,
        date_of_birth: date = date(1990, 3, 15),
        joined_service_on: date = date(2012, 1, 10),
    ) -> Candidate:
        officer = make_officer(username, [Role.DESK], station).officer
        return nominate_candidate(
            actor=deployment_officer,
            contingent=contingent,
            service_number=officer.service_number,
            date_of_birth=date_of_birth,
            joined_service_on=joined_service_on,
        )

    return make


def train(candidate: Candidate, trainer: User, *, modules: tuple[str, ...] | None = None, passed: bool = True) -> None:
    """Records the modules (every one of the course by default) as attended, passed or not."""
    for module in course().codes if modules is None else modules:
        record_training(
            actor=trainer,
            candidate=candidate,
            module=module,
            attended=True,
            passed=passed,
            held_on=date(2026, 10, 20),
            trainer_name="SSP Wanjiru",
        )


def equip(candidate: Candidate, deployment_officer: User, medical_officer: User, *, expires_on: date) -> None:
    """Records every document the mission requires, each lapsing on ``expires_on``."""
    from daftari.deployments.services import record_document

    for rule in criteria.documents().documents:
        record_document(
            actor=medical_officer if rule.medical else deployment_officer,
            candidate=candidate,
            kind=rule.code,
            number="" if rule.medical else f"AK{rule.code[:3].upper()}123",
            issued_on=date(2025, 1, 15),
            expires_on=expires_on,
        )
