from django.contrib import admin
from django.http import HttpRequest

from daftari.portal.models import PortalLookup


@admin.register(PortalLookup)
class PortalLookupAdmin(admin.ModelAdmin[PortalLookup]):
    list_display = ["at", "ip", "station_code", "ob_number", "outcome"]
    list_filter = ["outcome"]
    search_fields = ["ip", "ob_number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PortalLookup | None = None) -> bool:
        return False
