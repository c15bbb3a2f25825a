"""The access log's filters: by officer, station, date range and record, from the query string."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.stations.models import Station

DATE_MESSAGES = {"invalid": _("Enter a real date, for example 2026-12-05.")}


class AccessLogFilterForm(forms.Form):
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
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
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
