"""The errors a service raises when a request cannot be carried out.

Views and API handlers turn them into a page message or the one JSON error shape
``{"error": code, "message": text, "fields": {...}}`` with ``status``.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message: str | None = None, *, fields: dict[str, str] | None = None) -> None:
        self.message = str(message or self.default_message)
        self.fields = fields or {}
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "invalid"
    status = 422
    default_message = _("Some fields need correcting.")


class NotFound(DomainError):
    """Also what an officer gets for another station's record: its existence is not revealed."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class NotPermitted(DomainError):
    code = "not_permitted"
    status = 403
    default_message = _("Your role does not allow this.")


class NotPermittedAtStation(NotPermitted):
    code = "not_permitted_at_station"
    default_message = _("You may only record at your own station.")


class DuplicateWithDifferentContent(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This id was already used for a different record.")


class AppendOnly(DomainError):
    code = "append_only"
    status = 405
    default_message = _("Recorded entries are never changed or deleted; record a correction instead.")
