"""Pure rules of the national alerts register: what an alert must say, and how the desk's words are compared."""

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core.identifiers import normalise_id_number, normalise_plate
from daftari.core.phones import normalise_phone

MAX_NAME = 120
MAX_DESCRIPTION = 2_000
MAX_REASON = 500


class AlertKind(StrEnum):
    WANTED = "wanted"
    MISSING = "missing"
    STOLEN_VEHICLE = "stolen_vehicle"
    LOST_DOCUMENT = "lost_document"


KIND_NAMES = {
    AlertKind.WANTED: gettext_lazy("wanted person"),
    AlertKind.MISSING: gettext_lazy("missing person"),
    AlertKind.STOLEN_VEHICLE: gettext_lazy("stolen vehicle"),
    AlertKind.LOST_DOCUMENT: gettext_lazy("lost document"),
}


class MatchedOn(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    PLATE = "plate"
    NAME = "name"


@dataclass(frozen=True)
class AlertDraft:
    kind: str
    description: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    plate: str = ""


def name_key(name: str) -> str:
    """A name as it is compared: its words, case and order ignored ("KAMAU john" is "John Kamau").

    One word alone ("Otieno") names too many people to raise an alert: it has no key.
    """
    words = sorted(re.findall(r"[^\W\d_]+", (name or "").casefold()))
    return " ".join(words) if len(words) >= 2 else ""


def clean_alert(draft: AlertDraft) -> tuple[AlertDraft, dict[str, str]]:
    """The draft with its identifiers normalised, and every problem with it at once (field → message)."""
    errors: dict[str, str] = {}
    if draft.kind not in set(AlertKind):
        errors["kind"] = _("Select what the alert is for")
    name = " ".join((draft.name or "").split())
    if len(name) > MAX_NAME:
        errors["name"] = _("At most %(limit)d characters.") % {"limit": MAX_NAME}
    elif name and not any(ch.isalpha() for ch in name):
        errors["name"] = _("Enter the person's name in letters.")
    id_number = normalise_id_number(draft.id_number)
    if id_number and not (id_number.isalnum() and 4 <= len(id_number) <= 20):
        errors["id_number"] = _("An ID or document number has 4 to 20 letters and digits.")
    phone = ""
    if draft.phone and draft.phone.strip():
        phone = normalise_phone(draft.phone) or ""
        if not phone:
            errors["phone"] = _("Not a valid phone number (e.g. 0712 345 678 or +254 712 345 678).")
    plate = normalise_plate(draft.plate)
    if plate and not 2 <= len(plate) <= 12:
        errors["plate"] = _("Enter the number plate (2 to 12 letters and digits).")
    description = (draft.description or "").strip()
    if not description:
        errors["description"] = _("Enter who or what to look for, and what to do on finding them")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("At most %(limit)d characters.") % {"limit": MAX_DESCRIPTION}
    if draft.kind in (AlertKind.WANTED, AlertKind.MISSING):
        if not (name or id_number) and "name" not in errors and "id_number" not in errors:
            errors["name"] = _("Enter the person's name or ID number")
    elif draft.kind == AlertKind.STOLEN_VEHICLE:
        if not plate and "plate" not in errors:
            errors["plate"] = _("Enter the number plate of the stolen vehicle")
    elif draft.kind == AlertKind.LOST_DOCUMENT and not id_number and "id_number" not in errors:
        errors["id_number"] = _("Enter the number of the lost document")
    cleaned = replace(draft, name=name, id_number=id_number, phone=phone, plate=plate, description=description)
    return cleaned, errors


def clean_reason(reason: str) -> tuple[str, dict[str, str]]:
    text = (reason or "").strip()
    if not text:
        return text, {"reason": _("Enter why the alert is withdrawn (found, arrested, recovered ...)")}
    if len(text) > MAX_REASON:
        return text, {"reason": _("At most %(limit)d characters.") % {"limit": MAX_REASON}}
    return text, {}


@dataclass(frozen=True)
class Sought:
    """What the desk typed, normalised as the register stores it: the values an alert is matched on."""

    id_numbers: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    plates: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        id_numbers: tuple[str, ...] = (),
        phones: tuple[str, ...] = (),
        plates: tuple[str, ...] = (),
        names: tuple[str, ...] = (),
    ) -> "Sought":
        return cls(
            id_numbers=frozenset(n for n in map(normalise_id_number, id_numbers) if len(n) >= 4),
            phones=frozenset(p for p in (normalise_phone(t) for t in phones) if p),
            plates=frozenset(p for p in map(normalise_plate, plates) if len(p) >= 2),
            names=frozenset(k for k in map(name_key, names) if k),
        )

    def __bool__(self) -> bool:
        return bool(self.id_numbers or self.phones or self.plates or self.names)
