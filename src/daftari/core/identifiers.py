"""ID numbers and number plates as Daftari compares them: the book, the fines and the alerts register."""

import re


def normalise_id_number(text: str) -> str:
    return re.sub(r"[\s\-]", "", text or "").upper()


def normalise_plate(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())
