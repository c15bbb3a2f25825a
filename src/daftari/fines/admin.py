"""Instant fines in the admin: everything is read-only; uncertain catalogue rows show their source."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from daftari.fines.models import FineNotice, NoticeEvent, NoticeOffence, NoticeState, OffenceCatalogue, ScheduledOffence
from daftari.stations.admin import LogsPersonalReads


class ReadOnly:
    """The catalogue is imported with ``daftari fines import-catalogue``; notices are issued, never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ScheduledOffenceInline(ReadOnly, admin.TabularInline):
    model = ScheduledOffence
    fields = ["code", "offence", "fine_kes", "legal_reference", "status", "source"]


@admin.register(OffenceCatalogue)
class OffenceCatalogueAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["version", "effective_from", "effective_to", "imported_at", "source_file"]
    inlines = [ScheduledOffenceInline]


@admin.register(ScheduledOffence)
class ScheduledOffenceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "catalogue", "fine_kes", "legal_reference", "status", "source"]
    list_filter = ["status", "catalogue"]
    search_fields = ["code", "offence"]


class NoticeOffenceInline(ReadOnly, admin.TabularInline):
    model = NoticeOffence
    fields = ["position", "code", "offence", "fine_kes", "measured_speed", "speed_limit"]


class NoticeEventInline(ReadOnly, admin.TabularInline):
    model = NoticeEvent
    fields = ["kind", "at", "amount_kes", "mpesa_receipt", "late", "recorded_by", "details"]


@admin.register(FineNotice)
class FineNoticeAdmin(LogsPersonalReads, ReadOnly, admin.ModelAdmin):
    access_record_type = "fine_notice"

    def record_id_of(self, obj: FineNotice) -> str:
        return obj.number

    list_display = ["number", "issued_at", "station", "plate", "total_kes", "warning_only"]
    list_filter = ["station"]
    search_fields = ["number", "plate", "driver_licence"]
    inlines = [NoticeOffenceInline, NoticeEventInline]


@admin.register(NoticeState)
class NoticeStateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["notice", "state", "paid_kes", "late", "updated_at"]
    list_filter = ["state"]
