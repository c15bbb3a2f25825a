"""How devices and the desk sign in to the API, and the token endpoints."""

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import DomainError, NotPermitted
from daftari.stations.models import ApiToken
from daftari.stations.schemas import TokenOut, TokenRequest
from daftari.stations.services import (
    hash_token,
    issue_api_token,
    revoke_api_token,
    second_factor_required,
    user_for_token,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class WrongCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    default_message = _("Wrong username or password.")


class LockedOut(DomainError):
    code = "locked_out"
    status = 429
    default_message = _("Too many failed sign-ins: this account is locked for a while from this address.")


class CsrfFailed(DomainError):
    code = "csrf_failed"
    status = 403
    default_message = _("The CSRF token is missing or wrong: reload the page and try again.")


class DeviceToken(HttpBearer):
    """``Authorization: Bearer dft_...`` from a device."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.api_token_hash = hash_token(token)  # type: ignore[attr-defined]
        return user


class DeskSession(APIKeyCookie):
    """The desk's signed-in Django session. Unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # ninja's cookie auth checks CSRF before knowing whether there is a session at all,
        # which would answer 403 to a device that simply forgot its token; check it below instead.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if second_factor_required(user) and not user.is_verified():
            return None  # signed in with the password only: the second factor is still owed
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user


API_AUTH = [DeviceToken(), DeskSession()]

router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Issue a device token",
    description=(
        "Checks the officer's username and password and returns a new bearer token. "
        "Five failures for the same username from the same address lock sign-in for 10 minutes. "
        "The OCS, commander, oversight and admin roles also send `otp`, the code from their authenticator "
        "app: 422 when it is missing, 401 `invalid_otp` when wrong, 403 `second_factor_not_enrolled` "
        "before the app is set up on the desk."
    ),
)
def issue_token(request: HttpRequest, payload: TokenRequest) -> Status:
    try:
        token = issue_api_token(
            username=payload.username,
            password=payload.password,
            request=request,
            name=payload.name,
            otp=payload.otp,
        )
    except NotPermitted:
        _refuse(request)
    return Status(201, {"token": token})


def _refuse(request: HttpRequest) -> NoReturn:
    if getattr(request, "axes_locked_out", False):
        # django-axes would replace this answer with its HTML lockout page; the API keeps its shape.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        raise LockedOut()
    raise WrongCredentials()


@router.post(
    "/token/revoke",
    auth=[DeviceToken()],
    response={204: None, 401: ErrorOut},
    summary="Revoke the token of this request",
    description="The bearer token sent with this request stops working at once.",
)
def revoke_token(request: HttpRequest) -> HttpResponse:
    token = ApiToken.objects.get(key_hash=request.api_token_hash)  # type: ignore[attr-defined]
    revoke_api_token(actor=request.auth, token=token)  # type: ignore[attr-defined]
    return HttpResponse(status=204)
