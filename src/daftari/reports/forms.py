"""The filters of the lists behind the OCS's dashboard, from the query string."""

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
