"""A number given back in E.164 reads as itself, and a typed Kenyan mobile number is read without
phonenumbers: neither shortcut changes an answer."""

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from daftari.core import phones

typed = st.one_of(
    st.from_regex(r"0[17][0-9]{8}", fullmatch=True),
    st.from_regex(r"\+254 ?[17][0-9]{2} ?[0-9]{3} ?[0-9]{3}", fullmatch=True),
    st.from_regex(r"(0|\+254)[0-9]{9}", fullmatch=True),
    st.from_regex(r"\+(44|1|256|255|33)[0-9]{6,11}", fullmatch=True),
    st.text(max_size=16),
)


def parsed_afresh(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, "KE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@settings(max_examples=300, deadline=None)
@given(typed)
def test_a_number_normalised_once_and_again_is_what_parsing_it_afresh_gives(text: str) -> None:
    first = phones.normalise_phone(text)
    expected = parsed_afresh(text) if text.strip() else None
    assert first == expected
    if first is not None:
        assert phones.normalise_phone(first) == first == parsed_afresh(first)
