"""The desk's forms: they turn posted text into typed values and show errors beside fields.

Validation of what may be recorded lives in ``rules.clean_entry`` (called by the service);
these forms only parse numbers and times, and place the service's dotted error keys
(``parties.0.phone``, ``details.arrested_at``) beside the field they belong to.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from daftari.alerts.rules import Sought
from daftari.core.forms import DaftariForm, ErrorLink, error_links
from daftari.occurrences import entry_types
from daftari.occurrences.entry_types import EntryTypeSpec, Kind
from daftari.occurrences.models import Party
from daftari.occurrences.rules import (
    NAIROBI,
    EntryDraft,
    OffenceInput,
    PartCorrection,
    PartsCorrection,
    PartyInput,
    PropertyInput,
    VehicleInput,
    sms_language_problem,
)

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MAX_ROWS = 20
SMS_LANGUAGE_CHOICES = [("", _("Choose a language")), ("en", "English"), ("sw", "Kiswahili")]


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def type_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose the kind of entry"))] + [
        (spec.code, spec.name) for spec in entry_types.ENTRY_TYPES if spec.direct
    ]


class EntryForm(DaftariForm):
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    entry_type = forms.ChoiceField(
        label=_("Kind of entry"),
        choices=type_choices,
        error_messages={"required": _("Choose the kind of entry"), "invalid_choice": _("Choose the kind of entry")},
    )
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        widget=_datetime_widget(),
        input_formats=DATETIME_INPUTS,
        error_messages={"required": _("Enter the date and time it happened")},
    )
    late = forms.BooleanField(
        label=_("Recorded late"),
        help_text=_("It happened more than a day ago: say why it is only recorded now."),
        required=False,
    )
    late_reason = forms.CharField(label=_("Why it is recorded late"), max_length=500, required=False)
    place = forms.CharField(label=_("Place"), required=False)
    lat = forms.FloatField(label=_("Latitude (optional)"), required=False)
    lon = forms.FloatField(label=_("Longitude (optional)"), required=False)
    narrative = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    refers_to = forms.CharField(
        label=_("Follows OB number (optional)"),
        help_text=_("For a follow-up, e.g. OB 12/29/11/2026"),
        required=False,
    )
    confirm_unusual = forms.BooleanField(label=_("The numbers are correct as typed"), required=False)
    sms_language = forms.ChoiceField(
        label=_("Language of the complainant's SMS"),
        choices=SMS_LANGUAGE_CHOICES,
        required=False,
        help_text=_("Ask the complainant: the OB number and the case's news come by SMS in this language."),
    )


def _choices_with_blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class PartyForm(DaftariForm):
    role = forms.ChoiceField(label=_("Role"), choices=_choices_with_blank(Party.Role.choices), required=False)
    name = forms.CharField(label=_("Name"), required=False)
    id_number = forms.CharField(label=_("ID or passport number"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=_choices_with_blank(Party.Sex.choices), required=False)
    age = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=130)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) not in (None, "") for name in ("name", "id_number", "phone", "sex", "age"))

    def to_input(self) -> PartyInput:
        data = self.cleaned_data
        return PartyInput(
            role=data["role"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            sex=data["sex"],
            age=data["age"],
        )


class OffenceForm(DaftariForm):
    section = forms.CharField(label=_("Law and section"), required=False)
    description = forms.CharField(label=_("Offence"), required=False)

    def is_blank(self) -> bool:
        return not (self.cleaned_data["section"] or self.cleaned_data["description"])

    def to_input(self) -> OffenceInput:
        return OffenceInput(section=self.cleaned_data["section"], description=self.cleaned_data["description"])


class PropertyForm(DaftariForm):
    description = forms.CharField(label=_("Item"), required=False)
    serial_number = forms.CharField(label=_("Serial number"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), required=False, min_value=1)
    value_kes = forms.IntegerField(label=_("Value (KES)"), required=False, min_value=0)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data["description"] or data["serial_number"] or data["value_kes"] is not None)

    def to_input(self) -> PropertyInput:
        data = self.cleaned_data
        return PropertyInput(
            description=data["description"],
            serial_number=data["serial_number"],
            quantity=data["quantity"] or 1,
            value_kes=data["value_kes"],
        )


class VehicleForm(DaftariForm):
    plate = forms.CharField(label=_("Number plate"), required=False)
    make_model = forms.CharField(label=_("Make and model"), required=False)
    colour = forms.CharField(label=_("Colour"), required=False)

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.values())

    def to_input(self) -> VehicleInput:
        data = self.cleaned_data
        return VehicleInput(plate=data["plate"], make_model=data["make_model"], colour=data["colour"])


def details_form(
    spec: EntryTypeSpec | None,
    data: QueryDict | None = None,
    initial: dict | None = None,
    *,
    from_book: Mapping[str, int] | None = None,
) -> forms.Form:
    """A form with the type's own fields; its values are passed on as typed, the service checks them.

    A figure the book gives (the day close) is shown only when ``from_book`` has it, prefilled with
    the book's value and with that value beside it, for the officer to confirm or change.
    """
    from_book = from_book or {}
    fields: dict[str, forms.Field] = {}
    initial = dict(initial or {})
    for detail in spec.fields if spec else ():
        if detail.figure and detail.name not in from_book:
            continue
        label = str(detail.label)
        f: forms.Field
        if detail.kind == Kind.LONGTEXT:
            f = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}))
        elif detail.kind in (Kind.INTEGER, Kind.MONEY):
            f = forms.CharField(label=label, widget=forms.NumberInput(attrs={"min": 0, "step": 1}))
        elif detail.kind == Kind.BOOLEAN:
            f = forms.BooleanField(label=label)
        elif detail.kind == Kind.DATE:
            f = forms.CharField(label=label, widget=forms.DateInput(attrs={"type": "date"}))
        elif detail.kind == Kind.DATETIME:
            f = forms.CharField(label=label, widget=forms.TextInput(attrs={"type": "datetime-local"}))
        elif detail.kind == Kind.CHOICE:
            f = forms.ChoiceField(label=label, choices=_choices_with_blank(detail.choices))
        else:
            f = forms.CharField(label=label, max_length=detail.max_length)
        f.required = False
        f.widget.is_required = False
        if detail.figure:
            f.help_text = _("From the book: %(count)d") % {"count": from_book[detail.name]}
            initial.setdefault(detail.name, from_book[detail.name])
        # The service decides what is required; the label says so to the officer.
        setattr(f, "daftari_required", detail.required)  # noqa: B010
        fields[detail.name] = f
    form_class = type("DetailsForm", (DaftariForm,), fields)
    form: forms.Form = form_class(data=data, initial=initial, prefix="details")
    return form


def _just_chosen(data: QueryDict | None, from_book: Mapping[str, int] | None) -> bool:
    """Whether the type's figures were not posted (the type was only chosen): they are then prefilled."""
    return data is not None and bool(from_book) and not any(f"details-{name}" in data for name in from_book or {})


def _rows(data: QueryDict | None, name: str, default: int) -> int:
    if data is None:
        return default
    try:
        count = int(data.get(f"{name}_rows") or default)
    except (TypeError, ValueError):
        count = default
    if data.get("add") == name:
        count += 1
    return max(1, min(count, MAX_ROWS))


@dataclass
class NewEntryForms:
    """Everything on the new-entry screen, bound to one POST (or unbound for a fresh form)."""

    main: EntryForm
    spec: EntryTypeSpec | None
    details: forms.Form
    parties: list[PartyForm]
    offences: list[OffenceForm]
    property_items: list[PropertyForm]
    vehicles: list[VehicleForm]
    group_errors: dict[str, list[str]] = field(default_factory=dict)
    # Which form row each part of the draft came from (blank rows are skipped).
    rows_used: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        data: QueryDict | None = None,
        *,
        entry_type: str = "",
        refers_to: str = "",
        from_book: Mapping[str, int] | None = None,
    ) -> "NewEntryForms":
        """``from_book``: the figures the book gives for the chosen type (the day close), to prefill."""
        if data is None:
            now = timezone.now().astimezone(NAIROBI).replace(second=0, microsecond=0, tzinfo=None)
            main = EntryForm(
                initial={
                    "client_id": uuid.uuid4(),
                    "occurred_at": now,
                    "entry_type": entry_type,
                    "refers_to": refers_to,
                }
            )
        else:
            main = EntryForm(data)
            entry_type = data.get("entry_type", "")
        spec = entry_types.BY_CODE.get(entry_type)
        if spec is not None and not spec.direct:
            spec = None
        party_initial = [{"role": (spec.required_roles[0] if spec and spec.required_roles else "complainant")}]
        parties = [
            PartyForm(data, prefix=f"parties-{i}", initial=party_initial[0] if i == 0 else None)
            for i in range(_rows(data, "parties", 2))
        ]
        return cls(
            main=main,
            spec=spec,
            details=details_form(spec, None if _just_chosen(data, from_book) else data, from_book=from_book),
            parties=parties,
            offences=[OffenceForm(data, prefix=f"offences-{i}") for i in range(_rows(data, "offences", 1))],
            property_items=[
                PropertyForm(data, prefix=f"property_items-{i}") for i in range(_rows(data, "property_items", 1))
            ],
            vehicles=[VehicleForm(data, prefix=f"vehicles-{i}") for i in range(_rows(data, "vehicles", 1))],
        )

    @property
    def asks_to_confirm_numbers(self) -> bool:
        """Whether an ID number or plate was questioned (or already confirmed), so the desk may confirm it."""
        if self.main.is_bound and self.main.data.get("confirm_unusual"):
            return True
        rows = [*self.parties, *self.vehicles]
        return any(form.is_bound and (form.errors.get("id_number") or form.errors.get("plate")) for form in rows)

    @property
    def required_roles(self) -> list[str]:
        labels = dict(Party.Role.choices)
        return [str(labels.get(role, role)) for role in (self.spec.required_roles if self.spec else ())]

    def _row_groups(self) -> dict[str, list[Any]]:
        return {
            "parties": self.parties,
            "offences": self.offences,
            "property_items": self.property_items,
            "vehicles": self.vehicles,
        }

    def sought(self) -> Sought:
        """The names, ID numbers, phones and plates typed so far, valid or not, to match against alerts."""
        if not self.main.is_bound:
            return Sought()

        def typed(rows: list[Any], name: str) -> tuple[str, ...]:
            return tuple(str(form.data.get(form.add_prefix(name), "")) for form in rows)

        return Sought.of(
            id_numbers=typed(self.parties, "id_number"),
            phones=typed(self.parties, "phone"),
            names=typed(self.parties, "name"),
            plates=typed(self.vehicles, "plate"),
        )

    def is_valid(self) -> bool:
        valid = self.main.is_valid() & self.details.is_valid()
        for rows in self._row_groups().values():
            for form in rows:
                valid &= form.is_valid()
        if valid:
            parties = [form.to_input() for form in self.parties if not form.is_blank()]
            problem = sms_language_problem(parties, self.main.cleaned_data.get("sms_language") or "")
            if problem:
                self.main.add_error("sms_language", problem)
                valid = False
        return bool(valid)

    def typed_complainant_phone(self) -> str:
        """The complainant's phone as typed so far (valid or not), to offer the language it chose before."""
        if not self.main.is_bound:
            return ""
        for form in self.parties:
            if form.data.get(form.add_prefix("role")) == Party.Role.COMPLAINANT:
                phone = str(form.data.get(form.add_prefix("phone"), "")).strip()
                if phone:
                    return phone
        return ""

    def to_draft(self) -> EntryDraft:
        """The draft to record; call only after ``is_valid()``."""
        data = self.main.cleaned_data
        parts: dict[str, tuple[Any, ...]] = {}
        for name, rows in self._row_groups().items():
            used = [i for i, form in enumerate(rows) if not form.is_blank()]
            self.rows_used[name] = used
            parts[name] = tuple(rows[i].to_input() for i in used)
        details = {name: value for name, value in self.details.cleaned_data.items() if value not in ("", None, False)}
        occurred_at: datetime = data["occurred_at"]
        return EntryDraft(
            entry_type=data["entry_type"],
            occurred_at=occurred_at,
            place=data["place"],
            narrative=data["narrative"],
            details=details,
            parties=parts["parties"],
            offences=parts["offences"],
            property_items=parts["property_items"],
            vehicles=parts["vehicles"],
            lat=data["lat"],
            lon=data["lon"],
            refers_to=data["refers_to"].strip() or None,
            late=bool(data.get("late")),
            late_reason=data.get("late_reason") or "",
            confirm_unusual=data["confirm_unusual"],
            sms_language=data.get("sms_language") or "",
        )

    def add_service_errors(self, fields: dict[str, str]) -> None:
        """Places each of the service's dotted error keys beside its field."""
        groups = self._row_groups()
        for key, message in fields.items():
            head, _sep, rest = key.partition(".")
            if head in groups and rest:
                index_text, _sep, name = rest.partition(".")
                used = self.rows_used.get(head, [])
                try:
                    form = groups[head][used[int(index_text)]]
                except (ValueError, IndexError):
                    self.group_errors.setdefault(head, []).append(message)
                    continue
                form.add_error(name if name in form.fields else None, message)
            elif head == "details" and rest in self.details.fields:
                self.details.add_error(rest, message)
            elif head in groups or head == "details":
                self.group_errors.setdefault(head, []).append(message)
            elif key in self.main.fields:
                self.main.add_error(key, message)
            else:
                self.main.add_error(None, message)

    def error_summary(self) -> list[ErrorLink]:
        links: list[ErrorLink] = [ErrorLink("#id_entry_type", str(e)) for e in self.main.non_field_errors()]
        links += _field_links(self.main, "")
        links += _field_links(self.details, "")
        for name, rows in self._row_groups().items():
            for message in self.group_errors.get(name, []):
                links.append(ErrorLink(f"#{name}", message))
            for i, form in enumerate(rows):
                label = _row_label(name, i)
                links += [ErrorLink(f"#{name}-{i}", f"{label}: {e}") for e in form.non_field_errors()]
                links += _field_links(form, label)
        for message in self.group_errors.get("details", []):
            links.append(ErrorLink("#type-fields", message))
        return links


def _row_label(group: str, index: int) -> str:
    labels = {
        "parties": _("Person %(n)s"),
        "offences": _("Offence %(n)s"),
        "property_items": _("Property item %(n)s"),
        "vehicles": _("Vehicle %(n)s"),
    }
    return str(labels[group]) % {"n": index + 1}


def _field_links(form: forms.Form, prefix: str) -> list[ErrorLink]:
    return error_links(form, prefix=prefix, form_errors=False)


class AmendForm(DaftariForm):
    """A correction: a reason and the corrected value of any field the officer changes."""

    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))
    narrative = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    place = forms.CharField(label=_("Place"), required=False)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"), widget=_datetime_widget(), input_formats=DATETIME_INPUTS, required=False
    )
    confirm_unusual = forms.BooleanField(
        label=_("The numbers are correct as typed"),
        required=False,
        help_text=_(
            "Tick only after checking the ID numbers and number plates with the person or the document: "
            "the entry is then recorded and flagged."
        ),
    )

    def changes(self, current: dict[str, Any], details: forms.Form) -> dict[str, Any]:
        """Only the fields whose value differs from the entry as it reads now."""
        changed: dict[str, Any] = {}
        for name in ("narrative", "place"):
            value = self.cleaned_data.get(name) or ""
            if value.strip() and value.strip() != str(current.get(name, "")).strip():
                changed[name] = value
        moment = self.cleaned_data.get("occurred_at")
        if moment is not None:
            text = moment.astimezone(NAIROBI).isoformat(timespec="minutes")
            if text != current.get("occurred_at"):
                changed["occurred_at"] = text
        for name, value in details.cleaned_data.items():
            if value in ("", None):
                continue
            before = current.get(name)
            if isinstance(before, bool) or isinstance(value, bool):
                if bool(value) != bool(before):
                    changed[name] = value
            elif str(value).strip() != ("" if before is None else str(before)):
                changed[name] = value
        return changed


class SearchForm(DaftariForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("OB number, ID number, phone, number plate, a name or words of the narrative"),
    )
    type = forms.ChoiceField(label=_("Kind of entry"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    station = forms.ChoiceField(label=_("Police station"), required=False)

    def __init__(self, *args: Any, stations: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Any kind")), *entry_types.choices()]  # type: ignore[attr-defined]
        if stations is None:
            # Every station in Kenya is too long a list for a slow link: the code is typed instead.
            self.fields["station"] = forms.CharField(
                label=_("Police station code"), required=False, help_text=_("e.g. CENTRAL-NBI; empty for all")
            )
        else:
            self.fields["station"].choices = [("", _("Any station")), *stations]  # type: ignore[attr-defined]


class CloseCaseForm(DaftariForm):
    """Closing a case (cannot be undone): its reason, asked on the "Are you sure?" page."""

    reason = forms.CharField(
        label=_("Reason for closing the case"),
        max_length=300,
        error_messages={"required": _("Enter the reason the case is closed")},
    )
    note = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)


class InErrorForm(DaftariForm):
    in_error = forms.BooleanField(label=_("Entered in error"), required=False)


PART_FORMS: dict[str, type[PartyForm] | type[OffenceForm] | type[PropertyForm] | type[VehicleForm]] = {
    "parties": PartyForm,
    "offences": OffenceForm,
    "property_items": PropertyForm,
    "vehicles": VehicleForm,
}
PART_HEADINGS = {
    "parties": _("People"),
    "offences": _("Offences"),
    "property_items": _("Property"),
    "vehicles": _("Vehicles"),
}


class PartRow(NamedTuple):
    position: int | None  # in the entry as it reads now; None: the row that adds one
    form: Any
    in_error: InErrorForm | None


class PartsCorrectionForms:
    """The correction form's people, offences, property and vehicles: one row per part as the entry
    reads now (prefilled; changed values correct it, or tick "Entered in error") and one row to add."""

    def __init__(self, current: dict[str, list[tuple[int, dict[str, Any]]]], data: QueryDict | None = None) -> None:
        self.kinds: list[tuple[str, Any, list[PartRow]]] = []
        for kind, form_class in PART_FORMS.items():
            rows = [
                PartRow(
                    position,
                    form_class(data, prefix=f"{kind}-{position}", initial=initial),
                    InErrorForm(data, prefix=f"{kind}-{position}"),
                )
                for position, initial in current.get(kind, [])
            ]
            rows.append(PartRow(None, form_class(data, prefix=f"{kind}-new"), None))
            self.kinds.append((kind, PART_HEADINGS[kind], rows))
        self._targets: dict[str, list[Any]] = {}
        self._data = data

    def _posted(self, form: Any) -> bool:
        # A row whose fields were not sent at all (an older form) corrects nothing: it is not blanked.
        return self._data is not None and any(form.add_prefix(name) in self._data for name in form.fields)

    def is_valid(self) -> bool:
        valid = True
        for _kind, _heading, rows in self.kinds:
            for row in rows:
                valid = row.form.is_valid() & (row.in_error is None or row.in_error.is_valid()) and valid
        return valid

    def correction(self, *, confirm_unusual: bool) -> PartsCorrection:
        """What the officer changed: the rows whose values differ, those ticked in error, a filled add row."""
        chosen: dict[str, list[PartCorrection]] = {}
        for kind, _heading, rows in self.kinds:
            corrections: list[PartCorrection] = []
            targets: list[Any] = []
            for row in rows:
                if not self._posted(row.form) and not (row.in_error and row.in_error.cleaned_data.get("in_error")):
                    continue
                if row.in_error is not None and row.in_error.cleaned_data.get("in_error"):
                    corrections.append(PartCorrection(of=row.position, in_error=True))
                elif row.position is not None and row.form.has_changed():
                    corrections.append(PartCorrection(of=row.position, value=row.form.to_input()))
                elif row.position is None and not row.form.is_blank():
                    corrections.append(PartCorrection(of=None, value=row.form.to_input()))
                else:
                    continue
                targets.append(row.form)
            chosen[kind] = corrections
            self._targets[kind] = targets
        return PartsCorrection(
            parties=tuple(chosen["parties"]),
            offences=tuple(chosen["offences"]),
            property_items=tuple(chosen["property_items"]),
            vehicles=tuple(chosen["vehicles"]),
            confirm_unusual=confirm_unusual,
        )

    def place_error(self, key: str, message: str) -> bool:
        """Puts a service error keyed ``parties.1.id_number`` beside its field; False if it is not a part's."""
        kind, _, rest = key.partition(".")
        index, _, name = rest.partition(".")
        targets = self._targets.get(kind)
        if targets is None or not index.isdigit() or int(index) >= len(targets):
            return False
        form = targets[int(index)]
        form.add_error(name if name in form.fields else None, message)
        return True

    def error_links(self) -> list[ErrorLink]:
        links: list[ErrorLink] = []
        for _kind, heading, rows in self.kinds:
            for n, row in enumerate(rows, start=1):
                links += error_links(row.form, prefix=f"{heading} {n}")
        return links
