from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm, word_errors
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


class SearchForm(DaftariForm):
    name = forms.CharField(label=_("Name or alias"), max_length=120, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=30, required=False)
    household_number = forms.CharField(
        label=_("Household number"), max_length=20, required=False, help_text=_("e.g. HH-KAK-26-000123")
    )


class RegisterPersonForm(DaftariForm):
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


class StatusStepForm(DaftariForm):
    step = forms.ChoiceField(label=_("Next step"), choices=[])
    on = forms.DateField(label=_("Date"), widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)

    def __init__(self, *args: object, steps: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = steps  # type: ignore[attr-defined]


class IssueDocumentForm(DaftariForm):
    kind = forms.ChoiceField(label=_("Document"), choices=[(k.value, DOCUMENT_NAMES[k]) for k in DocumentKind])
    number = forms.CharField(label=_("Document number"), max_length=30, help_text=_("e.g. RID-KAK-26-000123"))
    office = forms.ChoiceField(label=_("DRS office"), choices=OFFICE_CHOICES)
    issued_on = forms.DateField(label=_("Date of issue"), widget=DATE)
    expires_on = forms.DateField(label=_("Expiry date"), widget=DATE, required=False)


class DocumentEventForm(DaftariForm):
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


MOVING_RELATIONSHIPS = [(r.value, RELATIONSHIP_NAMES[r]) for r in Relationship if r != Relationship.PRINCIPAL]
ANY_RELATIONSHIP = [(r.value, RELATIONSHIP_NAMES[r]) for r in Relationship]


def member_field(person_id: object) -> str:
    return f"rel_{person_id}".replace("-", "")


def moving_field(person_id: object) -> str:
    return f"move_{person_id}".replace("-", "")


class MergeForm(DaftariForm):
    """Merge this household into another: each member's relationship to the other's principal applicant."""

    into = forms.CharField(label=_("Household to merge into"), max_length=20, help_text=_("e.g. HH-KAK-26-000123"))
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("e.g. family reunification"))

    def __init__(self, *args: object, members: list[tuple[object, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for person_id, name in members:
            self.fields[member_field(person_id)] = forms.ChoiceField(
                label=_("%(name)s: relationship to the principal applicant of that household") % {"name": name},
                choices=MOVING_RELATIONSHIPS,
            )
        word_errors(self)


class SplitForm(DaftariForm):
    """Members who leave to form a new household, each with their relationship to its principal applicant."""

    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("e.g. a grown child's own family"))

    def __init__(self, *args: object, members: list[tuple[object, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for person_id, name in members:
            self.fields[moving_field(person_id)] = forms.BooleanField(
                label=_("%(name)s leaves to form the new household") % {"name": name}, required=False
            )
            self.fields[member_field(person_id)] = forms.ChoiceField(
                label=_("%(name)s: relationship in the new household") % {"name": name}, choices=ANY_RELATIONSHIP
            )
        word_errors(self)


class CorrectionForm(DaftariForm):
    national_id = forms.CharField(
        label=_("National ID number"), max_length=20, help_text=_("7 or 8 digits, or the 14 of a Maisha Namba")
    )
    evidence = forms.CharField(
        label=_("Evidence of the match"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The IPRS record, the chief's or elders' letter, the vetting committee's finding."),
    )


class CorrectionDecisionForm(DaftariForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False, help_text=_("Required to reject."))


class DocumentCheckForm(DaftariForm):
    number = forms.CharField(
        label=_("Refugee document number"), max_length=30, help_text=_("As on the card, e.g. RID-KAK-26-000123")
    )
