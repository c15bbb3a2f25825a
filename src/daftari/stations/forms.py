"""The station pages' forms: signing in, an officer's own password, the access log's filters."""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm, ErrorLink, error_links, word_errors
from daftari.stations.models import Station

DATE_MESSAGES = {"invalid": _("Enter a real date, for example 2026-12-05.")}


class AccessLogFilterForm(DaftariForm):
    officer = forms.CharField(
        label=_("Officer"), max_length=150, required=False, help_text=_("Username or service number")
    )
    station = forms.CharField(label=_("Police station"), max_length=20, required=False, help_text=_("Station code"))
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE_MESSAGES
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}), error_messages=DATE_MESSAGES
    )
    record = forms.CharField(
        label=_("Record"), max_length=64, required=False, help_text=_("The record's id or notice number")
    )

    def __init__(self, *args: object, every_station: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The OCS reads only their own station's log: there is no station to choose.
        if not every_station:
            del self.fields["station"]

    def clean_station(self) -> str:
        code = str(self.cleaned_data.get("station") or "").strip().upper()
        if code and not Station.objects.filter(code__iexact=code).exists():
            raise forms.ValidationError(_("Enter the code of a police station, such as CENTRAL-NBI."))
        return code

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("date_to", _("The end date must be the same as or after the start date."))
        return data


class SignInForm(AuthenticationForm):
    """Django's sign-in (django-axes counts its failures), in the desk's words."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. After 5 wrong tries the account is locked for 10 minutes."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")

    @property
    def error_summary(self) -> list[ErrorLink]:
        return error_links(self, anchor="#id_username")


class ChangePasswordForm(PasswordChangeForm):
    """The officer's own password: the current one, then the new one twice (Django's validators)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        word_errors(self)
        self.fields["old_password"].error_messages["required"] = _("Enter your current password")
        self.fields["new_password1"].error_messages["required"] = _("Enter a new password")
        self.fields["new_password2"].error_messages["required"] = _("Enter the new password again")

    @property
    def error_summary(self) -> list[ErrorLink]:
        return error_links(self, anchor="#id_old_password")
