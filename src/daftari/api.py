"""The device and integration API at /api/v1/: one router per app, one error shape."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from daftari.alerts.api import router as alerts_router
from daftari.core.api_errors import JsonOnly, install_error_handlers, method_not_allowed_response, not_found_response
from daftari.core.openapi import DaftariSchema, build_schema
from daftari.custody.api import router as custody_router
from daftari.deployments.api import router as deployments_router
from daftari.documents.api import router as documents_router
from daftari.fines.api import router as fines_router
from daftari.ledger.api import router as ledger_router
from daftari.nodes.api import router as nodes_router
from daftari.occurrences.api import router as occurrences_router
from daftari.reports.api import router as reports_router
from daftari.stations.api import API_AUTH
from daftari.stations.api import router as auth_router


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed_response(response, request.method or "")
        return response

    return wrapper


def _unknown_address(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return not_found_response()


class DaftariAPI(NinjaAPI):
    """ninja answers an unsupported method and an unknown path in plain text; here they keep the shape.
    Its OpenAPI document also declares the answers every operation can give (core/openapi.py)."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        urls.append(re_path(r"^.*$", _unknown_address))
        return urls

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> DaftariSchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return build_schema(self, path_prefix)


api = DaftariAPI(
    title="Daftari API",
    version="1",
    description="The digital Occurrence Book of Kenyan police stations, for devices and integrations. "
    'Every error answers `{"error": code, "message": text, "fields": {field: message}}`.',
    urls_namespace="api",
    auth=API_AUTH,
    parser=JsonOnly(),
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/", occurrences_router)
api.add_router("/", ledger_router)
api.add_router("/", custody_router)
api.add_router("/", fines_router)
api.add_router("/", documents_router)
api.add_router("/", nodes_router)
api.add_router("/", alerts_router)
api.add_router("/", reports_router)
api.add_router("/", deployments_router)
