from django.contrib import admin
from django.http import HttpRequest

from daftari.payments.models import DarajaCallback, Payment
from daftari.stations.admin import LogsPersonalReads


class ReadOnly(admin.ModelAdmin):
    """Money and M-Pesa's own words are evidence: the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(LogsPersonalReads, ReadOnly):
    access_record_type = "payment"
    list_display = ["created_at", "account_reference", "method", "amount_kes", "paid_kes", "state", "mpesa_receipt"]
    list_filter = ["state", "method"]
    search_fields = ["account_reference", "mpesa_receipt", "checkout_request_id", "phone"]
    date_hierarchy = "created_at"


@admin.register(DarajaCallback)
class DarajaCallbackAdmin(LogsPersonalReads, ReadOnly):
    access_record_type = "daraja_callback"
    list_display = ["received_at", "kind", "key", "processed"]
    list_filter = ["kind", "processed"]
    search_fields = ["key"]
    readonly_fields = ["kind", "key", "received_at", "processed", "raw_payload"]
    exclude = ["raw"]

    def raw_payload(self, obj: DarajaCallback) -> str:
        return bytes(obj.raw).decode("utf-8", errors="replace")
