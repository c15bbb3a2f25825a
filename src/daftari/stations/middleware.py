import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from daftari.stations.services import second_factor_required

# Set by the templates (hx-headers) on the requests a page makes by itself, e.g. "every 30s".
POLL_HEADER = "X-Daftari-Poll"


def is_polling(request: HttpRequest) -> bool:
    """A page refreshing itself in the background: not something the officer did."""
    return request.headers.get("HX-Request") == "true" and request.headers.get(POLL_HEADER) == "1"


class IdleTimeoutMiddleware:
    """Signs a desk session out after DAFTARI_IDLE_TIMEOUT_SECONDS without the officer doing anything.

    Background polling (today's book, the cells board) does not count, or a desk left open on the
    book would stay signed in forever.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get("last_seen", now)
            if now - last_seen > settings.DAFTARI_IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after 30 minutes without activity."))
                if request.headers.get("HX-Request") == "true":
                    # A full page load of the sign-in page, not the sign-in page swapped into a fragment.
                    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
                return redirect(settings.LOGIN_URL)
            # Write at most once a minute so that every page view is not a session write.
            if not is_polling(request) and (now - last_seen >= 60 or "last_seen" not in request.session):
                request.session["last_seen"] = now
        return self.get_response(request)


# Where a session still owing its second factor may go: the step itself, signing out, the public
# pages and static files. The API answers 401 on its own (DeskSession).
SECOND_FACTOR_OPEN = ("/second-factor", "/signin", "/signout", "/i18n/", "/static/", "/public/", "/verify", "/api/")


class SecondFactorMiddleware:
    """A desk session of a role that needs a second factor reaches no page until the code is entered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(SECOND_FACTOR_OPEN)
            and second_factor_required(user)
            and not user.is_verified()  # type: ignore[attr-defined]
        ):
            target = f"{reverse('second_factor')}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request") == "true":
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)
