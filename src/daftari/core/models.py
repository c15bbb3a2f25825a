from django.db import models


class ClientRate(models.Model):
    """How many requests one client made to one kind of public page in the current window."""

    scope = models.CharField(max_length=40)
    client = models.CharField(max_length=45)
    window_no = models.BigIntegerField()
    hits = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "client"], name="one_rate_per_client")]

    def __str__(self) -> str:
        return f"{self.scope} {self.client}: {self.hits}"
