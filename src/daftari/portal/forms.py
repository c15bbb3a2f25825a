from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm


class CheckReportForm(DaftariForm):
    station = forms.CharField(
        label=_("Police station"),
        help_text=_("As written on your SMS or OB slip, for example Central Police Station."),
        max_length=120,
        error_messages={"required": _("Enter the police station where you reported.")},
    )
    ob_number = forms.CharField(
        label=_("OB number"),
        help_text=_("For example OB 12/3/6/2025."),
        max_length=40,
        error_messages={"required": _("Enter the OB number you were given.")},
    )
    phone_last4 = forms.RegexField(
        label=_("Last 4 digits of your phone number"),
        help_text=_("The phone number you gave when you reported."),
        regex=r"^\s*\d{4}\s*$",
        max_length=10,
        error_messages={
            "required": _("Enter the last 4 digits of your phone number."),
            "invalid": _("Enter exactly 4 digits, for example 5678."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "4"}),
    )

    def clean_phone_last4(self) -> str:
        return str(self.cleaned_data["phone_last4"]).strip()
