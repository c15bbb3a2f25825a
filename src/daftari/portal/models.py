from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalLookup(models.Model):
    """One "Check my report" attempt: the log of guesses, and what the rate limit counts."""

    class Outcome(models.TextChoices):
        FOUND = "found", _("found")
        NOT_FOUND = "not_found", _("not found")
        LIMITED = "limited", _("refused: too many attempts")

    at = models.DateTimeField(db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    station_code = models.CharField(max_length=20)
    ob_number = models.CharField(max_length=40, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.ip} {self.station_code} {self.ob_number}: {self.outcome}"
