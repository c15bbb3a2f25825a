"""The base of every desk and public form: GOV.UK error messages and the error summary's links.

A field's blank, invalid or out-of-range message is derived from its label and kind
(``wording``): "Enter the place", "Choose the cell", "Age must be a whole number". A field that
declares its own message keeps it.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from daftari.core import wording


class ErrorLink(NamedTuple):
    """One line of the error summary: the field it links to and what is wrong."""

    href: str
    message: str


def _choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.BooleanField | forms.ModelChoiceField)


def _derived_messages(field: forms.Field) -> dict[str, Any]:
    label = field.label or ""
    messages: dict[str, Any] = {
        "required": wording.choose_lazy(label) if _choice(field) else wording.enter_lazy(label),
        "invalid_choice": wording.choose_from_list_lazy(label),
    }
    if isinstance(field, forms.IntegerField):
        messages["invalid"] = wording.whole_number_lazy(label)
    elif isinstance(field, forms.FloatField | forms.DecimalField):
        messages["invalid"] = wording.number_lazy(label)
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = wording.real_date_and_time_lazy(label)
    elif isinstance(field, forms.DateField):
        messages["invalid"] = wording.real_date_lazy(label)
    elif isinstance(field, forms.CharField | forms.UUIDField):
        messages["invalid"] = wording.enter_lazy(label)
    messages["max_length"] = _Limit(label, "max_length")
    messages["min_value"] = _Limit(label, "min_value")
    messages["max_value"] = _Limit(label, "max_value")
    return messages


class _Limit(str):
    """A limit message with Django's ``%(limit_value)s`` placeholder, worded from the label when formatted."""

    label: Any
    code: str

    def __new__(cls, label: Any, code: str) -> "_Limit":
        made = super().__new__(cls, "%(limit_value)s")
        made.label, made.code = label, code
        return made

    def __mod__(self, params: Any) -> str:
        limit: Any = params.get("limit_value") if isinstance(params, dict) else params
        if self.code == "max_length":
            return wording.at_most_characters(self.label, int(limit))
        if self.code == "min_value":
            return wording.at_least(self.label, limit)
        return wording.at_most(self.label, limit)


def _class_defaults(field: forms.Field) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for klass in reversed(type(field).__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    return defaults


def word_errors(form: forms.BaseForm) -> None:
    """Replaces Django's generic messages on each of ``form``'s fields by ones derived from the label.

    A message the field declared itself (``error_messages=``) is kept.
    """
    for field in form.fields.values():
        defaults = _class_defaults(field)
        for code, message in _derived_messages(field).items():
            current = field.error_messages.get(code)
            # Validators' codes (max_length, min_value) are absent until a message is set for them.
            if current is None or current is defaults.get(code):
                field.error_messages[code] = message


def error_links(
    form: forms.BaseForm, *, prefix: str = "", anchor: str = "", form_errors: bool = True
) -> list[ErrorLink]:
    """The form's errors as summary links, each to its field; errors of the whole form link to ``anchor``."""
    links = []
    if form_errors:
        links += [ErrorLink(anchor or _first_field_anchor(form), str(e)) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        # A set of radio buttons or boxes has no element of its own id: the link leads to the first.
        target = f"{bound.auto_id}_0" if _is_radio(bound) else bound.auto_id
        for error in errors:
            links.append(ErrorLink(f"#{target}", summary_text(str(error), label=bound.label, prefix=prefix)))
    return links


def _is_radio(bound: forms.BoundField) -> bool:
    return isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


def summary_text(message: str, *, label: object, prefix: str = "") -> str:
    """The summary's line for a field's message: the message itself when it names the field
    ("Enter the place"), else led by the label ("Place: At most 200 characters"); a row's
    fields are led by the row ("Person 2, Phone: ...")."""
    name = wording.in_sentence(label)
    if name and name.lower() not in message.lower():
        message = f"{wording.capital(label)}: {message}"
    return f"{prefix}, {message}" if prefix else message


def _first_field_anchor(form: forms.BaseForm) -> str:
    for bound in form.visible_fields():
        return f"#{bound.auto_id}"
    return "#main"


class DaftariForm(forms.Form):
    """A form whose messages are worded from its labels, and which lists its errors for the summary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        word_errors(self)

    @property
    def error_summary(self) -> list[ErrorLink]:
        return error_links(self)


def links_from_fields(errors: dict[str, Any], *, target: Callable[[str], str] | None = None) -> list[ErrorLink]:
    """Summary links for a page whose fields are written by hand: error key → ``#id_<key>``,
    or the element id ``target`` gives for the key."""
    return [ErrorLink(f"#{target(key) if target else f'id_{key}'}", str(message)) for key, message in errors.items()]


def worded(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class`` with its messages worded from its labels (for forms Django builds: the admin's)."""

    def __init__(self: forms.BaseForm, *args: Any, **kwargs: Any) -> None:
        form_class.__init__(self, *args, **kwargs)
        word_errors(self)

    return type(form_class.__name__, (form_class,), {"__init__": __init__})


class WordedAdmin:
    """A ModelAdmin (or inline) mixin: the admin's forms say "Enter the code", not "This field is required."."""

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return worded(super().get_form(request, obj, change=change, **kwargs))  # type: ignore[misc]

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = worded(formset.form)
        return formset
