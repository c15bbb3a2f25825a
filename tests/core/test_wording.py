"""Error messages are worded from the field's label, GOV.UK style, in the page's language."""

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.utils import translation

from daftari.core import wording
from daftari.core.api_errors import validation_fields
from daftari.core.forms import DaftariForm


class _Example(DaftariForm):
    place = forms.CharField(label="Place", max_length=10)
    when = forms.DateTimeField(label="When it happened")
    age = forms.IntegerField(label="Age", min_value=0, max_value=130)
    cell = forms.ChoiceField(label="Cell", choices=[("", "—"), ("male_adult", "Male adult")])
    ob_number = forms.CharField(label="OB number")
    own = forms.CharField(label="Own", error_messages={"required": "Say something of your own."})


def _messages(data: dict[str, str]) -> dict[str, list[str]]:
    form = _Example(data)
    form.is_valid()
    return {name: list(errors) for name, errors in form.errors.items()}


def test_a_blank_required_field_says_enter_or_choose_with_its_label() -> None:
    assert _messages({}) == {
        "place": ["Enter the place"],
        "when": ["Enter when it happened"],
        "age": ["Enter the age"],
        "cell": ["Choose the cell"],
        "ob_number": ["Enter the OB number"],
        "own": ["Say something of your own."],
    }


def test_a_value_of_the_wrong_kind_or_size_says_what_the_field_must_be() -> None:
    messages = _messages({"place": "x" * 11, "when": "tomorrow", "age": "200", "cell": "attic", "ob_number": "1"})
    assert messages["place"] == ["Place must be 10 characters or fewer"]
    assert messages["when"] == ["When it happened must be a real date and time, for example 29/11/2026 08:15"]
    assert messages["age"] == ["Age must be 130 or less"]
    assert messages["cell"] == ["Choose the cell from the list"]
    assert _messages({"age": "two"})["age"] == ["Age must be a whole number"]
    assert _messages({"age": "-1"})["age"] == ["Age must be 0 or more"]


def test_no_message_is_djangos_generic_one() -> None:
    texts = [m for ms in _messages({"age": "x", "cell": "x"}).values() for m in ms]
    assert not [t for t in texts if t in ("This field is required.", "Enter a valid value.", "Enter a whole number.")]


def test_the_messages_are_in_kiswahili_when_the_page_is() -> None:
    class Translated(DaftariForm):
        place = forms.CharField(label=translation.gettext_lazy("Place"))
        sex = forms.ChoiceField(label=translation.gettext_lazy("Sex"), choices=[("", "—"), ("M", "M")])

    with translation.override("sw"):
        form = Translated({})
        form.is_valid()
        assert form.errors["place"] == ["Andika mahali"]
        assert form.errors["sex"] == ["Chagua jinsia"]


def test_an_acronym_keeps_its_capitals_and_a_hint_in_brackets_is_left_out() -> None:
    assert wording.enter("ID or passport number") == "Enter the ID or passport number"
    assert wording.enter("Value (KES)") == "Enter the value"
    assert wording.whole_number("Cash bail (KES)") == "Cash bail must be a whole number"


def test_the_api_words_a_missing_field_as_the_desk_does() -> None:
    fields = validation_fields(
        [
            {"type": "missing", "loc": ("body", "payload", "place")},
            {"type": "missing", "loc": ("body", "p", "parties", 0, "phone")},
        ]
    )
    assert fields == {"place": "Enter the place", "parties.0.phone": "Enter the phone"}


@pytest.mark.django_db
def test_the_new_entry_form_asks_for_the_place_and_what_happened_in_the_desks_words(desk_client: Client) -> None:
    response = desk_client.post("/entries/new", {"entry_type": "COMPLAINT", "occurred_at": "2026-01-01T10:00"})
    text = response.content.decode()
    assert "Enter the place" in text
    assert "Enter what happened" in text
    assert "This field is required" not in text


@pytest.mark.django_db
def test_the_rules_word_a_blank_field_the_same_way_in_kiswahili(desk_client: Client) -> None:
    desk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    response = desk_client.post("/entries/new", {"entry_type": "COMPLAINT", "occurred_at": "2026-01-01T10:00"})
    text = response.content.decode()
    assert "Andika mahali" in text


@pytest.mark.django_db
def test_the_api_answers_a_blank_place_with_the_rules_words_like_the_desk(client: Client, desk_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.occurrences.test_api import Api, complaint_body

    answer = Api(client, desk_officer).post("/occurrences", complaint_body(place="", narrative=""))
    assert answer.status_code == 422
    assert answer.json()["fields"]["place"] == "Enter the place"
    assert answer.json()["fields"]["narrative"] == "Enter what happened"


@pytest.mark.django_db
def test_the_admins_forms_word_a_blank_field_from_its_label(client: Client, admin_officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin_officer)
    page = client.post("/admin/stations/station/add/", {}).content.decode()
    assert "Enter the code" in page and "Enter the name" in page
    assert "This field is required." not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    page = client.post("/admin/stations/station/add/", {}).content.decode()
    assert "This field is required." not in page and "Andika" in page
