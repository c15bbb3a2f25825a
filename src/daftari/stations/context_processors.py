from django.http import HttpRequest

from daftari.stations.models import scope_of
from daftari.stations.rules import menu_for


def officer(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    # ``may``: what the menu offers, by the same predicates that open each page.
    return {"officer": getattr(user, "officer", None), "scope": scope, "may": menu_for(scope)}
