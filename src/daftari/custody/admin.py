"""The cell register in the admin: gazetted holidays are configuration; the register itself is read-only."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from daftari.custody.models import CustodyEvent, CustodyRecord, CustodyState, GazettedHoliday, PropertyItem
from daftari.stations.admin import LogsPersonalReads


@admin.register(GazettedHoliday)
class GazettedHolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "gazette_notice"]
    search_fields = ["name", "gazette_notice"]


class ReadOnly:
    """Bookings and events are recorded at the desk and never changed, the admin included."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PropertyItemInline(ReadOnly, admin.TabularInline):
    model = PropertyItem
    fields = ["position", "quantity", "description", "value_kes"]


class CustodyEventInline(ReadOnly, admin.TabularInline):
    model = CustodyEvent
    fields = ["kind", "at", "station", "recorded_by", "details"]


@admin.register(CustodyRecord)
class CustodyRecordAdmin(LogsPersonalReads, ReadOnly, admin.ModelAdmin):
    access_record_type = "custody"
    list_display = ["booked_in_at", "station", "cell", "court_deadline", "remand_warning"]
    list_filter = ["station", "cell"]
    inlines = [PropertyItemInline, CustodyEventInline]


@admin.register(CustodyState)
class CustodyStateAdmin(LogsPersonalReads, ReadOnly, admin.ModelAdmin):
    # Each row names the detainee (the booking's name).
    access_record_type = "custody"

    def record_id_of(self, obj: CustodyState) -> str:
        return str(obj.custody_id)

    def station_id_of(self, obj: CustodyState) -> int | None:
        return obj.current_station_id

    list_display = ["custody", "state", "current_station", "current_cell", "closed_at", "brought_within_deadline"]
    list_filter = ["state", "current_station"]
