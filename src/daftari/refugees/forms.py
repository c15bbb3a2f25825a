from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.refugees.rules import (
    DOCUMENT_NAMES,
    OFFICES,
    RELATIONSHIP_NAMES,
    SEX_NAMES,
    DocumentKind,
    Relationship,
    Sex,
)

OFFICE_CHOICES = [(code, name) for code, name in OFFICES.items()]
DATE = forms.DateInput(attrs={"type": "date"})


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Name or alias"), max_length=120, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=30, required=False)
    household_number = forms.CharField(
        label=_("Household number"), max_length=20, required=False, help_text=_("e.g. HH-KAK-26-000123")
    )


class RegisterPersonForm(forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120)
    aliases = forms.CharField(
        label=_("Other names used"), max_length=300, required=False, help_text=_("Separated by commas.")
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[(s.value, SEX_NAMES[s]) for s in Sex])
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DATE)
    date_of_birth_estimated = forms.BooleanField(label=_("The date of birth is estimated"), required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=60)
    languages = forms.CharField(label=_("Languages spoken"), max_length=200, required=False)
    specific_needs = forms.CharField(
        label=_("Specific needs"),
        max_length=300,
        required=False,
        help_text=_("Disability, unaccompanied or separated child, serious medical condition ..."),
    )
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    ethnicity = forms.CharField(
        label=_("Ethnicity"), max_length=60, required=False, help_text=_("Read back only by the DRS supervisor.")
    )
    religion = forms.CharField(
        label=_("Religion"), max_length=60, required=False, help_text=_("Read back only by the DRS supervisor.")
    )
    biometric_ref = forms.CharField(
        label=_("Biometric record id"),
        max_length=64,
        required=False,
        help_text=_("The id of the person's record in the biometric system; no images are kept here."),
    )
    office = forms.ChoiceField(label=_("DRS office"), choices=OFFICE_CHOICES)
    registered_on = forms.DateField(label=_("Date of registration"), widget=DATE)
    case_reference = forms.CharField(label=_("Case file number"), max_length=80, required=False)
    household_number = forms.CharField(
        label=_("Household number"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to start a new household with this person as principal applicant."),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the principal applicant"),
        choices=[(r.value, RELATIONSHIP_NAMES[r]) for r in Relationship],
    )


class StatusStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Next step"), choices=[])
    on = forms.DateField(label=_("Date"), widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)

    def __init__(self, *args: object, steps: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["step"].choices = steps  # type: ignore[attr-defined]


class IssueDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=[(k.value, DOCUMENT_NAMES[k]) for k in DocumentKind])
    number = forms.CharField(label=_("Document number"), max_length=30, help_text=_("e.g. RID-KAK-26-000123"))
    office = forms.ChoiceField(label=_("DRS office"), choices=OFFICE_CHOICES)
    issued_on = forms.DateField(label=_("Date of issue"), widget=DATE)
    expires_on = forms.DateField(label=_("Expiry date"), widget=DATE, required=False)


class DocumentEventForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)
