"""The filters of the lists behind the OCS's dashboard, from the query string."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm
from daftari.occurrences.models import CaseStatusChoice
from daftari.stations.models import Officer

STATUS_MESSAGES = {"invalid_choice": _("Choose a case status from the list.")}


class StationCasesForm(DaftariForm):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Cases")), ("unassigned", _("Unassigned complaints"))],
        error_messages={"invalid_choice": _("Choose cases or unassigned complaints.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every open case")), *CaseStatusChoice.choices],
        error_messages=STATUS_MESSAGES,
    )
    investigator = forms.ChoiceField(
        label=_("Investigator"),
        required=False,
        error_messages={"invalid_choice": _("Choose an investigator of this station.")},
    )
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)

    def __init__(self, *args: object, investigators: list[Officer], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.investigators = {str(o.pk): o for o in investigators}
        self.fields["investigator"].choices = [  # type: ignore[attr-defined]
            ("", _("Every investigator")),
            *((str(o.pk), o.display_name) for o in investigators),
        ]

    def chosen_investigator(self) -> Officer | None:
        return self.investigators.get(self.cleaned_data.get("investigator") or "")


class StationNoticesForm(DaftariForm):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("overdue", _("Unpaid past the deadline: cancel or take to court")),
            ("contested", _("Contested: awaiting the court's outcome")),
        ],
        error_messages={"invalid_choice": _("Choose which notices to show.")},
    )


class CrimeFiguresForm(DaftariForm):
    """Which crime figures: a level, its station or county code, and a period (at most a year)."""

    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("station", _("Station")), ("county", _("County")), ("national", _("National"))],
        error_messages={"invalid_choice": _("Choose station, county or national."), "required": _("Choose a level.")},
    )
    code = forms.CharField(label=_("Station or county code"), required=False, max_length=20)
    start = forms.DateField(
        label=_("From"), error_messages={"invalid": _("Enter a date like 2026-11-01."), "required": _("Enter a date.")}
    )
    end = forms.DateField(
        label=_("To"), error_messages={"invalid": _("Enter a date like 2026-11-30."), "required": _("Enter a date.")}
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end, level = data.get("start"), data.get("end"), data.get("level")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot be before its start."))
        elif start and end and (end - start).days > 366:
            self.add_error("end", _("Choose a period of at most a year."))
        # Figures compare with the period before and a year earlier: far dates have neither.
        if isinstance(start, date) and not 1900 <= start.year <= 2999:
            self.add_error("start", _("Enter a date like 2026-11-01."))
        if isinstance(end, date) and not 1900 <= end.year <= 2999:
            self.add_error("end", _("Enter a date like 2026-11-30."))
        code = str(data.get("code") or "").strip()
        if level in ("station", "county") and not code:
            self.add_error("code", _("Enter the station code or the county number."))
        if level == "county" and code and not (code.isdigit() and 1 <= int(code) <= 47):
            self.add_error("code", _("Enter a county number from 1 to 47."))
        data["code"] = code
        return data


class MonthlyReturnForm(DaftariForm):
    """Which monthly crime return: a station or a county, and a calendar month."""

    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("station", _("Station")), ("county", _("County"))],
        error_messages={"invalid_choice": _("Choose station or county."), "required": _("Choose a level.")},
    )
    code = forms.CharField(
        label=_("Station or county code"),
        max_length=20,
        error_messages={"required": _("Enter the station code or the county number.")},
    )
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        error_messages={"invalid": _("Enter a month like 2026-11."), "required": _("Enter a month like 2026-11.")},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        code = str(data.get("code") or "").strip()
        if data.get("level") == "county" and code and not (code.isdigit() and 1 <= int(code) <= 47):
            self.add_error("code", _("Enter a county number from 1 to 47."))
        month = data.get("month")
        # The return compares with the month before and a year earlier: far dates have neither.
        if isinstance(month, date) and not 1900 <= month.year <= 2999:
            self.add_error("month", _("Enter a month like 2026-11."))
        data["code"] = code
        return data
