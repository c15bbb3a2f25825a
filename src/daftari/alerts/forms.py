from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.alerts.models import Alert
from daftari.alerts.rules import MAX_DESCRIPTION, MAX_NAME, MAX_REASON


class IssueAlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the alert is for"), choices=Alert.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("Name"), max_length=MAX_NAME, required=False, help_text=_("The person's, or the document holder's.")
    )
    id_number = forms.CharField(label=_("ID, passport or document number"), max_length=32, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    plate = forms.CharField(label=_("Number plate"), max_length=20, required=False)
    description = forms.CharField(
        label=_("Description and what to do"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Age, marks, clothes or the vehicle's make and colour; whom to call on finding them."),
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)


class WithdrawAlertForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=MAX_REASON,
        help_text=_("Found, arrested, recovered, issued in error ..."),
    )
