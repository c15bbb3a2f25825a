"""Phone numbers as Daftari stores them: E.164, read the way Kenyans write them (07…, 01…, +254…)."""

import functools

import phonenumbers

# Numbers this module gave, in E.164: given back as they are, since parsing one again gives itself.
_GIVEN: set[str] = set()


def normalise_phone(text: str) -> str | None:
    """A Kenyan or international number in E.164, or None when it is not a valid number."""
    # A recording asks for the same number several times, as typed and then as stored (the party,
    # the SMS, its recipient): parsing it is not cheap.
    if text in _GIVEN:
        return text
    normal = _parsed(text)
    if normal is not None:
        if len(_GIVEN) >= 4096:
            _GIVEN.clear()
        _GIVEN.add(normal)
    return normal


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> str | None:
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, "KE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
