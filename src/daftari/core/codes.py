"""Verification codes printed on documents (a QR code and ``ABCDE-FGHJK`` beside it): the police
documents' and the refugee register's. A code is random, so a forged or altered one finds nothing,
and documents cannot be found by counting through their numbers."""

import secrets

# No 0/O, 1/I/L: a code read aloud over the phone or typed from paper must survive.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: capitals, without spaces or dashes."""
    return "".join(c for c in text.upper() if c.isalnum())[: CODE_LENGTH * 2]


def display_code(code: str) -> str:
    """``ABCDE-FGHJK``: easier to read out and type."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code
