from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "daftari.payments"
    label = "payments"
    verbose_name = _("M-Pesa payments")

    def ready(self) -> None:
        from daftari.core import periodic
        from daftari.payments import services

        periodic.register("payments.query_pending", services.query_pending)
