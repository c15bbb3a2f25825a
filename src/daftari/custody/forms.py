"""The desk forms of the cell register: they read the page; the rules decide what is allowed."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from daftari.core.forms import DaftariForm
from daftari.custody import rules
from daftari.custody.models import CELL_CHOICES, CustodyEvent
from daftari.occurrences.forms import DATETIME_INPUTS, _datetime_widget

SEX_CHOICES = [("", "—"), ("M", _("Male")), ("F", _("Female")), ("X", _("Other / not stated"))]
# No choice that becomes part of the record is made for the officer: each list starts empty.
PUNISHMENT_CHOICES = [("", "—"), *((p.value, rules.PUNISHMENT_LABELS[p]) for p in rules.Punishment)]
RELEASE_CHOICES = [
    ("", "—"),
    ("police_bond", _("Police bond")),
    ("cash_bail", _("Cash bail")),
    ("free", _("Released free")),
]
OUTCOME_CHOICES = [
    ("", "—"),
    ("remanded", _("Remanded")),
    ("released", _("Released by the court")),
    ("charged", _("Charged")),
]

INTERPRETER_CHOICES = [
    ("", "—"),
    *rules.INTERPRETER_LANGUAGES.items(),
    (rules.INTERPRETER_OTHER, _("Another language (type it below)")),
]


class BookInForm(DaftariForm):
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name of the person in custody"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=130)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    id_number = forms.CharField(label=_("ID or passport number"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False)
    arrested_at = forms.DateTimeField(
        label=_("Time of arrest"),
        widget=_datetime_widget(),
        input_formats=DATETIME_INPUTS,
        error_messages={"required": _("Enter the date and time of the arrest")},
    )
    late = forms.BooleanField(
        label=_("Recorded late"),
        help_text=_("The arrest was more than a day ago: say why the person is only booked in now."),
        required=False,
    )
    late_reason = forms.CharField(label=_("Why it is recorded late"), max_length=500, required=False)
    arresting_officer = forms.CharField(label=_("Arresting officer (service number)"), required=False)
    cell = forms.ChoiceField(label=_("Cell"), choices=[("", "—"), *CELL_CHOICES], required=False)
    offence_section = forms.CharField(label=_("Offence: section"), required=False)
    offence_description = forms.CharField(label=_("Offence: description"), required=False)
    punishable_by = forms.ChoiceField(
        label=_("Punishable by"),
        choices=PUNISHMENT_CHOICES,
        error_messages={
            "required": _("Choose what the offence is punishable by (or Not known)"),
            "invalid_choice": _("Choose what the offence is punishable by (or Not known)"),
        },
    )
    physical_condition = forms.CharField(
        label=_("Physical condition"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    injuries_seen = forms.BooleanField(label=_("Injuries seen"), required=False)
    injuries = forms.CharField(label=_("Injuries"), required=False)
    needs_medication = forms.BooleanField(label=_("Needs medication"), required=False)
    mental_health_concern = forms.BooleanField(label=_("Mental-health concern"), required=False)
    ocs_told = forms.BooleanField(label=_("OCS told of health issues"), required=False)
    kin_informed = forms.BooleanField(label=_("Next of kin informed"), required=False)
    kin_name = forms.CharField(label=_("Who was informed"), required=False)
    kin_informed_at = forms.DateTimeField(
        label=_("When they were informed"), widget=_datetime_widget(), input_formats=DATETIME_INPUTS, required=False
    )
    asylum_seeker_or_refugee = forms.BooleanField(
        label=_("Asylum seeker or refugee"),
        help_text=_("Also when the ID given is a refugee register document: the register's number says so."),
        required=False,
    )
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"),
        help_text=_("The language the person is questioned in. Required for an asylum seeker or refugee."),
        choices=INTERPRETER_CHOICES,
        required=False,
    )
    interpreter_language_other = forms.CharField(
        label=_("Other language"), help_text=_("When the language is not in the list."), required=False
    )
    immigration_only = forms.BooleanField(
        label=_("Held only on an immigration matter"),
        help_text=_(
            "No criminal charge: the person is held apart from criminal detainees (Refugees Regulations 2024)."
        ),
        required=False,
    )
    property_items = forms.CharField(
        label=_("Property taken"),
        help_text=_("One item a line: quantity, description, value in shillings — e.g. 1, Tecno phone, 12000"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def property_inputs(self) -> tuple[rules.PropertyInput, ...]:
        items = []
        for line in (self.cleaned_data.get("property_items") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            quantity, value = 1, None
            if len(parts) >= 2 and parts[0].isdigit():
                quantity = int(parts[0])
                parts = parts[1:]
            if len(parts) >= 2 and parts[-1].replace(" ", "").isdigit():
                value = int(parts[-1].replace(" ", ""))
                parts = parts[:-1]
            items.append(rules.PropertyInput(description=", ".join(parts), quantity=quantity, value_kes=value))
        return tuple(items)

    def booking(self) -> rules.Booking:
        data = self.cleaned_data
        offence = rules.OffenceInput(
            section=data.get("offence_section") or "",
            description=data.get("offence_description") or "",
            punishable_by=data.get("punishable_by") or "unknown",
        )
        return rules.Booking(
            detainee=rules.DetaineeInput(
                name=data.get("name") or "",
                sex=data.get("sex") or "",
                id_number=data.get("id_number") or "",
                phone=data.get("phone") or "",
                age=data.get("age"),
                date_of_birth=data.get("date_of_birth"),
            ),
            arresting_officer=data.get("arresting_officer") or "",
            arrested_at=data["arrested_at"],
            cell=data.get("cell") or "",
            offences=(offence,) if offence.section or offence.description else (),
            physical_condition=data.get("physical_condition") or "",
            health=rules.HealthCheck(
                injuries_seen=bool(data.get("injuries_seen")),
                injuries=data.get("injuries") or "",
                needs_medication=bool(data.get("needs_medication")),
                mental_health_concern=bool(data.get("mental_health_concern")),
                ocs_told=bool(data.get("ocs_told")),
            ),
            next_of_kin=rules.NextOfKin(
                informed=bool(data.get("kin_informed")),
                name=data.get("kin_name") or "",
                informed_at=data.get("kin_informed_at"),
            ),
            property_items=self.property_inputs(),
            late=bool(data.get("late")),
            late_reason=data.get("late_reason") or "",
            asylum_seeker_or_refugee=bool(data.get("asylum_seeker_or_refugee")),
            interpreter_language=self.chosen_language(),
            immigration_only=bool(data.get("immigration_only")),
        )

    def chosen_language(self) -> str:
        """The listed language's code, or the language typed when it is not in the list."""
        chosen = self.cleaned_data.get("interpreter_language") or ""
        if chosen == rules.INTERPRETER_OTHER:
            return str(self.cleaned_data.get("interpreter_language_other") or "")
        return str(chosen)

    def field_of(self, key: str) -> str | None:
        """The form field that shows the rule's error ``key``."""
        if key == "interpreter_language" and self.cleaned_data.get("interpreter_language") == rules.INTERPRETER_OTHER:
            return "interpreter_language_other"
        return BOOKING_FIELDS.get(key)


# The booking's rule fields by the form field that shows them.
BOOKING_FIELDS = {
    "detainee.name": "name",
    "detainee.sex": "sex",
    "detainee.age": "age",
    "detainee.date_of_birth": "date_of_birth",
    "detainee.id_number": "id_number",
    "detainee.phone": "phone",
    "arresting_officer": "arresting_officer",
    "arrested_at": "arrested_at",
    "cell": "cell",
    "offences": "offence_description",
    "offences.0.section": "offence_section",
    "offences.0.description": "offence_description",
    "offences.0.punishable_by": "punishable_by",
    "physical_condition": "physical_condition",
    "health.injuries": "injuries",
    "health.ocs_told": "ocs_told",
    "next_of_kin.name": "kin_name",
    "next_of_kin.informed_at": "kin_informed_at",
    "late_reason": "late_reason",
    "interpreter_language": "interpreter_language",
}

# Starts empty: a submit without a choice is an error, never a meal nobody served.
EVENT_KIND_CHOICES = [
    ("", _("Choose what happened")),
    *((k, label) for k, label in CustodyEvent.Kind.choices if k != CustodyEvent.Kind.PROPERTY_RETURNED),
]


class EventForm(DaftariForm):
    """One form for every kind of event; only the fields of the chosen kind are sent on."""

    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=EVENT_KIND_CHOICES,
        error_messages={"required": _("Choose what happened"), "invalid_choice": _("Choose what happened")},
    )
    at = forms.DateTimeField(
        label=_("When it happened"),
        help_text=_("Leave empty for now."),
        widget=_datetime_widget(),
        input_formats=DATETIME_INPUTS,
        required=False,
    )
    late = forms.BooleanField(
        label=_("Recorded late"),
        help_text=_("It happened more than an hour ago: it counts at the time it is recorded for Art. 49."),
        required=False,
    )
    late_reason = forms.CharField(label=_("Why it is recorded late"), max_length=500, required=False)
    note = forms.CharField(label=_("Note"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False)
    visitor = forms.CharField(label=_("Visitor"), required=False)
    to_cell = forms.ChoiceField(label=_("To cell"), choices=[("", "—"), *CELL_CHOICES], required=False)
    to_station = forms.CharField(label=_("To station (code)"), required=False)
    release_on = forms.ChoiceField(label=_("Released on"), choices=RELEASE_CHOICES, required=False)
    amount_kes = forms.IntegerField(label=_("Cash bail (KES)"), required=False, min_value=0)
    receipt_number = forms.CharField(label=_("Receipt number"), required=False)
    court = forms.CharField(label=_("Court"), required=False)
    case_number = forms.CharField(label=_("Case number"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, required=False)
    received_by = forms.CharField(label=rules.EVENT_FIELD_LABELS["received_by"], required=False)
    authority = forms.CharField(label=rules.EVENT_FIELD_LABELS["authority"], required=False)

    def details(self) -> dict[str, Any]:
        kind = rules.EventKind(self.cleaned_data["kind"])
        names = {name for name, _required, _kind in rules.EVENT_FIELDS[kind]}
        return {name: value for name, value in self.cleaned_data.items() if name in names and value not in (None, "")}


# Details the API takes that the desk form does not ask for.
API_ONLY_DETAIL_LABELS = {
    "relationship": _("Relationship"),
    "taken_to_hospital": _("Taken to hospital"),
    "ocs_told": _("OCS told"),
}
DETAIL_VALUE_LABELS: dict[str, dict[str, Any]] = {
    "to_cell": dict(CELL_CHOICES),
    "release_on": dict(RELEASE_CHOICES),
    "outcome": dict(OUTCOME_CHOICES),
}


def event_detail_rows(details: Any) -> list[tuple[str, str]]:
    """An event's details as (label, value) rows, in the words of the form that asks for them.

    The returned or disposed-of items are left out: the property table shows them.
    """
    if not isinstance(details, dict):
        return []
    rows = []
    for key, value in details.items():
        if key == "items":
            continue
        field = EventForm.base_fields.get(key)
        label: object = field.label if field is not None else API_ONLY_DETAIL_LABELS.get(key, key)
        shown: object = value
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif key in DETAIL_VALUE_LABELS:
            shown = DETAIL_VALUE_LABELS[key].get(value, value)
        rows.append((str(label), str(shown)))
    return rows
