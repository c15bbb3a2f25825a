"""Whatever a client sends to any operation of the API, the answer is never a server error.

schemathesis generates requests from the OpenAPI schema (valid ones and deliberately broken
ones) and sends them through the WSGI application as a desk officer's device.
"""

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance

from daftari.occurrences.rules import EntryDraft
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from daftari.wsgi import application
from tests.conftest import PASSWORD, complaint


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; these tests are about the API, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bearer(client: Client, desk_officer: User, station: Station) -> Iterator[tuple[str, str]]:
    # Something to read, search and correct, so the fuzzer reaches past the 404s.
    draft: EntryDraft = complaint()
    entry = record_occurrence(actor=desk_officer, station=station, draft=draft).entry
    response = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"username": desk_officer.username, "password": PASSWORD}),
        content_type="application/json",
    )
    # Requests go straight into the WSGI app, whose request signals would close the database
    # connection and with it the test's transaction; Django's test client does the same.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield f"Bearer {response.json()['token']}", str(entry.pk)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# Serving the schema needs no database, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case: schemathesis.Case, bearer: tuple[str, str], station: Station) -> None:
    token, entry_id = bearer
    if _is_uuid(case.path_parameters.get("entry_id")):
        # Aim the well-formed ids at a real entry; malformed ones still go through as generated.
        case.path_parameters["entry_id"] = entry_id
    if "station" in case.path_parameters:
        # Aim the ledger's requests at a book with a leaf; an unknown code is a plain 404.
        case.path_parameters["station"] = station.code
    response = case.call(headers={"Authorization": token})
    case.validate_response(response, checks=[not_a_server_error, content_type_conformance])
