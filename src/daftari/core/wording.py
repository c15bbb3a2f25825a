"""Error messages in the words of the GOV.UK Design System, derived from a field's label.

"Enter the place", "Choose the cell", "Age must be a whole number": the message names the field the
way its label does, in the page's language, so one rule words every form, the rules' field errors
and the API's 422 answers alike. A field whose question needs other words says so itself (its own
``error_messages``, or its own message in the rules).
"""

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext

# Labels that already read as what to enter ("When it happened", "Who was informed").
_QUESTION_WORDS = ("when ", "what ", "who ", "why ", "where ", "how ", "which ", "whether ")
_ARTICLES = ("the ", "a ", "an ", "your ", "their ")


def in_sentence(label: object) -> str:
    """The label as it reads inside a sentence: first letter lower-cased unless it is an acronym ("OB number")."""
    text = str(label).strip().rstrip(":").strip()
    if "(" in text:
        # "Latitude (optional)", "Value (KES)": the brackets are a hint for the label, not the field's name.
        head = text.split("(", 1)[0].strip()
        text = head or text
    if len(text) >= 2 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _object(label: object) -> str:
    """``Place`` → "the place"; ``When it happened`` → "when it happened". Kiswahili takes no article."""
    text = in_sentence(label)
    if text.lower().startswith(_QUESTION_WORDS + _ARTICLES):
        return text
    return gettext("the %(field)s") % {"field": text}


def capital(label: object) -> str:
    text = str(label).strip().rstrip(":").strip()
    if "(" in text:
        text = text.split("(", 1)[0].strip() or text
    return text[:1].upper() + text[1:]


def enter(label: object) -> str:
    """What a blank typed field says: "Enter the place"."""
    return gettext("Enter %(field)s") % {"field": _object(label)}


def choose(label: object) -> str:
    """What a blank choice says: "Choose the cell"."""
    return gettext("Choose %(field)s") % {"field": _object(label)}


def choose_from_list(label: object) -> str:
    return gettext("Choose %(field)s from the list") % {"field": _object(label)}


def whole_number(label: object) -> str:
    return gettext("%(field)s must be a whole number") % {"field": capital(label)}


def number(label: object) -> str:
    return gettext("%(field)s must be a number") % {"field": capital(label)}


def real_date(label: object) -> str:
    return gettext("%(field)s must be a real date, for example 29/11/2026") % {"field": capital(label)}


def real_date_and_time(label: object) -> str:
    return gettext("%(field)s must be a real date and time, for example 29/11/2026 08:15") % {"field": capital(label)}


def at_most_characters(label: object, limit: int) -> str:
    return gettext("%(field)s must be %(limit)d characters or fewer") % {"field": capital(label), "limit": limit}


def at_least(label: object, limit: Any) -> str:
    return gettext("%(field)s must be %(limit)s or more") % {"field": capital(label), "limit": limit}


def at_most(label: object, limit: Any) -> str:
    return gettext("%(field)s must be %(limit)s or less") % {"field": capital(label), "limit": limit}


def not_in_future(label: object) -> str:
    return gettext("%(field)s must be in the past") % {"field": capital(label)}


def label_of(name: str) -> str:
    """A field name as words, for a field that has no label (the API's): ``entry_type`` → "Entry type"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# Lazy forms, for messages built when a form class is defined and read in the page's language.
enter_lazy = lazy(enter, str)
choose_lazy = lazy(choose, str)
choose_from_list_lazy = lazy(choose_from_list, str)
whole_number_lazy = lazy(whole_number, str)
number_lazy = lazy(number, str)
real_date_lazy = lazy(real_date, str)
real_date_and_time_lazy = lazy(real_date_and_time, str)
