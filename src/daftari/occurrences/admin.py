"""The Occurrence Book in the admin: to read, never to add, change or delete."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from daftari.occurrences.models import Occurrence, Offence, Party, Person, PropertyItem, Vehicle
from daftari.stations.admin import LogsPersonalReads


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
class OccurrenceAdmin(LogsPersonalReads, ReadOnly, admin.ModelAdmin):
    access_record_type = "occurrence"
    list_display = ["ob_number", "station", "entry_type", "occurred_at", "recorded_at", "recorded_by", "is_late"]
    list_filter = ["entry_type", "is_late", "station__county", "station"]
    search_fields = ["id", "place", "parties__id_number", "vehicles__plate"]
    date_hierarchy = "recorded_at"
    list_select_related = ["station", "recorded_by__user"]
    inlines = [PartyInline, OffenceInline, PropertyItemInline, VehicleInline]
    exclude = ["search_text"]


@admin.register(Person)
class PersonAdmin(LogsPersonalReads, ReadOnly, admin.ModelAdmin):
    access_record_type = "person"
    list_display = ["name", "id_number", "phone", "first_seen_at"]
    search_fields = ["name", "id_number", "phone"]
