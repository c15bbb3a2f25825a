import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.stations.models import ApiToken
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; these tests are about the API, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post_json(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def issue(client: Client, username: str, password: str = PASSWORD) -> Any:
    return post_json(client, TOKEN_URL, {"username": username, "password": password})


def test_the_right_password_gets_a_token_that_is_stored_hashed(client: Client, desk_officer: User) -> None:
    response = issue(client, "desk")
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("dft_")
    stored = ApiToken.objects.get(user=desk_officer)
    assert stored.key_hash != token and token not in stored.key_hash


def test_a_wrong_password_is_401_in_the_error_shape(client: Client, desk_officer: User) -> None:
    response = issue(client, "desk", "not the password")
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_credentials",
        "message": "Wrong username or password.",
        "fields": {},
    }
    assert not ApiToken.objects.exists()


def test_a_missing_password_is_422_naming_the_field(client: Client, desk_officer: User) -> None:
    response = post_json(client, TOKEN_URL, {"username": "desk"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"password"}


def test_five_failures_lock_the_username_so_the_right_password_is_then_refused(
    client: Client, desk_officer: User
) -> None:
    for _ in range(5):
        assert issue(client, "desk", "wrong password").status_code in (401, 429)
    response = issue(client, "desk")
    assert response.status_code == 429
    assert response.json()["error"] == "locked_out"
    assert response["Content-Type"] == "application/json"
    assert not ApiToken.objects.exists()


def test_four_failures_do_not_lock_the_username(client: Client, desk_officer: User) -> None:
    for _ in range(4):
        issue(client, "desk", "wrong password")
    assert issue(client, "desk").status_code == 201


def test_a_token_authenticates_requests(client: Client, desk_officer: User) -> None:
    token = issue(client, "desk").json()["token"]
    assert client.get("/api/v1/entry-types", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_no_token_and_a_made_up_token_are_401(client: Client, desk_officer: User) -> None:
    assert client.get("/api/v1/entry-types").status_code == 401
    response = client.get("/api/v1/entry-types", headers={"Authorization": "Bearer dft_made_up"})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_a_revoked_token_stops_working(client: Client, desk_officer: User) -> None:
    token = issue(client, "desk").json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/token/revoke", headers=auth).status_code == 204
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/api/v1/entry-types", headers=auth).status_code == 401


def test_revoking_one_token_leaves_the_officers_other_tokens_working(client: Client, desk_officer: User) -> None:
    first = issue(client, "desk").json()["token"]
    second = issue(client, "desk").json()["token"]
    client.post("/api/v1/auth/token/revoke", headers={"Authorization": f"Bearer {first}"})
    assert client.get("/api/v1/entry-types", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_a_token_of_a_deactivated_officer_stops_working(client: Client, desk_officer: User) -> None:
    token = issue(client, "desk").json()["token"]
    User.objects.filter(pk=desk_officer.pk).update(is_active=False)
    assert client.get("/api/v1/entry-types", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_desk_session_reads_without_a_token(client: Client, desk_officer: User) -> None:
    client.force_login(desk_officer)
    assert client.get("/api/v1/entry-types").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/v1/occurrences/not-a-uuid/x"])
def test_an_unknown_address_is_404_in_the_error_shape(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_an_unsupported_method_is_405_in_the_error_shape(client: Client) -> None:
    response = client.delete(TOKEN_URL)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert response["Allow"] == "POST"


def test_a_body_that_is_not_json_is_400_in_the_error_shape(client: Client) -> None:
    response = client.post(TOKEN_URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed"


def test_a_nul_character_in_a_username_is_422(client: Client, desk_officer: User) -> None:
    response = post_json(client, TOKEN_URL, {"username": "de\x00sk", "password": PASSWORD})
    assert response.status_code == 422
    assert "username" in response.json()["fields"]


def test_the_openapi_schema_documents_the_token_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/auth/token"]
    assert "post" in paths["/api/v1/auth/token/revoke"]
