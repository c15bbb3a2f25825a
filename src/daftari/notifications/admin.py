from django.contrib import admin

from daftari.notifications.models import Recipient, SmsMessage
from daftari.stations.admin import LogsPersonalReads


@admin.register(SmsMessage)
class SmsMessageAdmin(LogsPersonalReads, admin.ModelAdmin):
    access_record_type = "sms"
    list_display = ["created_at", "to", "template", "language", "status", "attempts"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to", "event_key", "provider_message_id"]
    readonly_fields = [f.name for f in SmsMessage._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Recipient)
class RecipientAdmin(LogsPersonalReads, admin.ModelAdmin):
    access_record_type = "sms_recipient"
    list_display = ["phone", "language", "updated_at"]
    search_fields = ["phone"]
