"""The Occurrence Book in the admin: to read, never to add, change or delete."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from daftari.occurrences.models import Occurrence, Offence, Party, Person, PropertyItem, Vehicle
from daftari.stations.models import AccessEvent
from daftari.stations.services import log_access


class ReadOnly:
    """The book is append-only everywhere, the admin included: entries are recorded at the desk."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PartyInline(ReadOnly, admin.TabularInline):
    model = Party
    fields = ["role", "name", "id_number", "phone", "sex", "age", "date_of_birth", "person"]


class OffenceInline(ReadOnly, admin.TabularInline):
    model = Offence
    fields = ["section", "description"]


class PropertyItemInline(ReadOnly, admin.TabularInline):
    model = PropertyItem
    fields = ["description", "serial_number", "quantity", "value_kes"]


class VehicleInline(ReadOnly, admin.TabularInline):
    model = Vehicle
    fields = ["plate", "plate_unusual", "make_model", "colour"]


@admin.register(Occurrence)
class OccurrenceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["ob_number", "station", "entry_type", "occurred_at", "recorded_at", "recorded_by", "is_late"]
    list_filter = ["entry_type", "is_late", "station__county", "station"]
    search_fields = ["id", "place", "parties__id_number", "vehicles__plate"]
    date_hierarchy = "recorded_at"
    list_select_related = ["station", "recorded_by__user"]
    inlines = [PartyInline, OffenceInline, PropertyItemInline, VehicleInline]
    exclude = ["search_text"]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        entry = Occurrence.objects.filter(pk=object_id).select_related("station").first()
        if entry is not None:
            # An admin reading an entry reads personal data like anyone else: it is logged.
            log_access(
                actor=request.user,  # type: ignore[arg-type]
                record_type="occurrence",
                record_id=str(entry.pk),
                record_station=entry.station,
                purpose=AccessEvent.Purpose.ADMIN,
                outcome=AccessEvent.Outcome.SHOWN,
                channel="admin",
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Person)
class PersonAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "id_number", "phone", "first_seen_at"]
    search_fields = ["name", "id_number", "phone"]
