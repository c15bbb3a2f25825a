"""Phone numbers as Daftari stores them: E.164, read the way Kenyans write them (07…, 01…, +254…)."""

import functools

import phonenumbers


# A recording asks for the same number several times (the party, the SMS, its recipient): parsing it is not cheap.
@functools.lru_cache(maxsize=4096)
def normalise_phone(text: str) -> str | None:
    """A Kenyan or international number in E.164, or None when it is not a valid number."""
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, "KE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
