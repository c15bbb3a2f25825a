from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm
from daftari.documents.rules import KIND_NAMES, DocumentKind


class IssueForm(DaftariForm):
    # No document is chosen for the officer: a submit without a choice asks for one.
    kind = forms.ChoiceField(
        label=_("Document"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which document to issue"),
            "invalid_choice": _("Choose which document to issue"),
        },
    )
    applicant_name = forms.CharField(
        label=_("Issued to (name)"), max_length=120, required=False, help_text=_("Needed for an abstract.")
    )
    purpose = forms.CharField(
        label=_("Purpose (insurance, ID replacement, bank, court ...)"), max_length=200, required=False
    )
    injuries_alleged = forms.CharField(
        label=_("Alleged assault or injury (P3)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Left empty, the entry's narrative is used."),
    )
    investigating_officer = forms.CharField(label=_("Investigating officer (P3)"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Applicant's M-Pesa phone (abstract fee)"),
        max_length=32,
        required=False,
        help_text=_("When an abstract fee is set, the M-Pesa prompt goes to this phone."),
    )
    supersedes = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, kinds: list[DocumentKind], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, KIND_NAMES[k]) for k in kinds]  # type: ignore[attr-defined]


class RevokeForm(DaftariForm):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=300,
        error_messages={"required": _("Enter the reason for revoking the document")},
    )


class VerifyForm(DaftariForm):
    code = forms.CharField(
        label=_("Document code or fine notice number"),
        max_length=20,
        help_text=_("For example ABCDE-23456 from a police document, or the number on a fine notice"),
    )
