from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.deployments.models import (
    Allegation,
    AllegationEvent,
    DisciplinaryMatter,
    DisciplinaryStep,
    Mission,
    VettingDecision,
)

DATE = forms.DateInput(attrs={"type": "date"})


class MissionForm(forms.Form):
    code = forms.SlugField(label=_("Mission code"), max_length=30, help_text=_("Short code, e.g. MSS-HAITI"))
    name = forms.CharField(label=_("Mission name"), max_length=200)
    mandate = forms.CharField(
        label=_("Mandate"), max_length=300, required=False, help_text=_("e.g. UNSC Resolution 2699 (2023)")
    )


class ContingentForm(forms.Form):
    mission = forms.ModelChoiceField(label=_("Mission"), queryset=Mission.objects.order_by("code"))
    number = forms.IntegerField(label=_("Contingent number"), min_value=1, max_value=999)
    departs_on = forms.DateField(label=_("Departure date"), widget=DATE)
    returns_on = forms.DateField(label=_("Planned return date"), widget=DATE)
    size = forms.IntegerField(label=_("Planned size (officers)"), min_value=1, max_value=10000)
    units = forms.CharField(label=_("Units"), max_length=200, help_text=_("e.g. GSU, AP-RDU, ASTU, BPU"))


class NominateForm(forms.Form):
    service_number = forms.CharField(label=_("Service number"), max_length=20)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE)
    joined_service_on = forms.DateField(label=_("Date joined the service"), widget=DATE)


class ResultForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Test or examination"), widget=forms.RadioSelect)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Passed")), ("no", _("Not passed"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    assessed_on = forms.DateField(label=_("Date of the test or examination"), widget=DATE)
    assessed_by = forms.CharField(label=_("Assessor or examining officer"), max_length=120)

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["criterion"].choices = choices  # type: ignore[attr-defined]


class VettingForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=VettingDecision.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TrainingForm(forms.Form):
    OUTCOMES = {"passed": (True, True), "not_passed": (True, False), "absent": (False, False)}

    module = forms.ChoiceField(label=_("Module"), widget=forms.RadioSelect)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("passed", _("Attended and passed the assessment")),
            ("not_passed", _("Attended, assessment not passed")),
            ("absent", _("Did not attend")),
        ],
        widget=forms.RadioSelect,
    )
    held_on = forms.DateField(label=_("Date the module was held"), widget=DATE)
    trainer_name = forms.CharField(label=_("Trainer who ran the module"), max_length=120)

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["module"].choices = choices  # type: ignore[attr-defined]

    def attended_and_passed(self) -> tuple[bool, bool]:
        """The outcome chosen, as record_training takes it."""
        return self.OUTCOMES[self.cleaned_data["outcome"]]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), widget=forms.RadioSelect)
    number = forms.CharField(
        label=_("Number"), max_length=40, required=False, help_text=_("Not needed for a vaccination or clearance")
    )
    issued_on = forms.DateField(label=_("Date of issue or vaccination"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Expiry date"), widget=DATE, required=False, help_text=_("Leave empty only if it does not expire")
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]


class AllegationForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is alleged"), choices=Allegation.Category.choices, widget=forms.RadioSelect
    )
    reported_on = forms.DateField(label=_("Date reported"), widget=DATE)
    source = forms.CharField(
        label=_("Reported by"), max_length=200, help_text=_("e.g. the mission's conduct and discipline unit")
    )
    summary = forms.CharField(
        label=_("What is alleged"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Do not name the complainant or a victim: refer to them (complainant A, victim B)."),
    )


class AllegationStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=AllegationEvent.Step.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class DisciplinaryMatterForm(forms.Form):
    body = forms.ChoiceField(
        label=_("Before which body"), choices=DisciplinaryMatter.Body.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(
        label=_("Reference number"), max_length=60, help_text=_("As on the body's file, e.g. IPOA/CMP/2026/0142")
    )
    opened_on = forms.DateField(label=_("Date opened"), widget=DATE)
    allegation = forms.CharField(
        label=_("What is alleged"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Do not name the complainant or a victim: refer to them (complainant A, victim B)."),
    )


class MatterStepForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Where the matter stands"), choices=DisciplinaryStep.Outcome.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class TourForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    on = forms.DateField(label=_("Date"), widget=DATE)
    passed = forms.TypedChoiceField(
        label=_("Return medical result"),
        choices=[("", "—"), ("yes", _("Pass")), ("no", _("Fail"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        help_text=_("The return medical only: pass or fail, no medical detail"),
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["step"].choices = choices  # type: ignore[attr-defined]
