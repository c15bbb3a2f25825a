from django.http import HttpRequest

from daftari.stations.models import scope_of


def officer(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"officer": getattr(user, "officer", None), "scope": scope_of(user)}
