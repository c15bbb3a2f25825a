from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm
from daftari.fines.models import NoticeEvent


class CancelForm(DaftariForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=500,
        error_messages={"required": _("Enter the reason for cancelling")},
    )


class ContestForm(DaftariForm):
    note = forms.CharField(label=_("The motorist contests: note or court file"), max_length=500, required=False)


class CourtOutcomeForm(DaftariForm):
    # Nothing is chosen for the officer: the outcome closes the notice for good.
    outcome = forms.ChoiceField(
        label=_("Court outcome"),
        choices=[("", _("Choose the court outcome")), *NoticeEvent.Outcome.choices],
        error_messages={
            "required": _("Choose convicted and paid, acquitted or withdrawn."),
            "invalid_choice": _("Choose convicted and paid, acquitted or withdrawn."),
        },
    )
