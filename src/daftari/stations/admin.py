from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from daftari.core.forms import WordedAdmin
from daftari.stations.models import AccessEvent, ApiToken, County, Officer, Station
from daftari.stations.rules import role_names
from daftari.stations.services import log_accesses, revoke_api_token, revoke_tokens_of


class LogsPersonalReads:
    """For the admin of records that hold personal data: every record a list or a page shows is a read,
    written to the access log like a read at the desk (purpose ``admin``, channel ``admin``)."""

    access_record_type = ""

    def station_id_of(self, obj: Any) -> int | None:
        return getattr(obj, "station_id", None)

    def record_id_of(self, obj: Any) -> str:
        return str(obj.pk)

    def _log_reads(self, request: HttpRequest, objects: Iterable[Any]) -> None:
        log_accesses(
            actor=request.user,  # type: ignore[arg-type]
            reads=[
                (self.access_record_type, self.record_id_of(o), self.station_id_of(o), AccessEvent.Outcome.SHOWN)
                for o in objects
            ],
            purpose=AccessEvent.Purpose.ADMIN,
            channel="admin",
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self._log_reads(request, changelist.result_list)
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if response.status_code == 200:
            shown = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            if shown is not None:
                self._log_reads(request, [shown])
        return response


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "capital"]
    search_fields = ["name", "capital"]


@admin.register(Station)
class StationAdmin(WordedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "county", "sub_county", "phone"]
    list_filter = ["county"]
    search_fields = ["code", "name", "sub_county"]
    list_select_related = ["county"]

    def get_readonly_fields(self, request: HttpRequest, obj: Station | None = None) -> list[str]:
        return ["code"] if obj is not None and obj.has_log() else []


@admin.register(Officer)
class OfficerAdmin(WordedAdmin, admin.ModelAdmin):
    list_display = ["service_number", "user", "full_name", "rank", "station", "roles"]
    list_filter = ["rank", "station__county", "user__groups"]
    search_fields = ["service_number", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "station"]
    autocomplete_fields = ["user", "station"]

    @admin.display(description=_("name"))
    def full_name(self, officer: Officer) -> str:
        return officer.user.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, officer: Officer) -> str:
        return role_names(sorted(officer.scope().roles))


class OfficerInline(WordedAdmin, admin.StackedInline):
    model = Officer
    can_delete = False
    autocomplete_fields = ["station"]
    verbose_name_plural = _("officer")


class OfficerUserAdmin(WordedAdmin, UserAdmin):
    inlines = [OfficerInline]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated is final for the tokens: reactivating the account does not revive them.
            revoke_tokens_of(obj)


admin.site.unregister(User)
admin.site.register(User, OfficerUserAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API (the raw token is shown once); here they are only revoked."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "user__username", "name"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_api_token(actor=request.user, token=token)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens)) % {"count": len(tokens)},
            messages.SUCCESS,
        )


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The access log is evidence: it is read here, never written or removed."""

    list_display = ["at", "username", "roles", "purpose", "record_type", "record_id", "record_station", "outcome"]
    list_filter = ["outcome", "purpose", "channel", "record_station"]
    search_fields = ["username", "record_id"]
    date_hierarchy = "at"
    list_select_related = ["record_station"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessEvent | None = None) -> bool:
        return False
