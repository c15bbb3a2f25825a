from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm


class CancelForm(DaftariForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        error_messages={"required": _("Enter the reason for cancelling")},
    )
