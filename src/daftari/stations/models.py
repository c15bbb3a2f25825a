import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.core.errors import InvalidInput
from daftari.stations.rules import NO_SCOPE, Role, Scope, role_names

CODE_IS_FIXED = _("The station code cannot change once its book has begun: its signed log is named by it.")


class County(models.Model):
    code = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=60, unique=True)
    capital = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "counties"

    def __str__(self) -> str:
        return f"{self.code:03d} {self.name}"


class Station(models.Model):
    code = models.SlugField(max_length=20, unique=True, help_text=_("Short code, e.g. CENTRAL-NBI"))
    name = models.CharField(max_length=120)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="stations")
    sub_county = models.CharField(max_length=80, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The report office's number as the public dials it: printed on the OB slip.
    phone = models.CharField(
        max_length=20, blank=True, help_text=_("The report office's number as the public dials it, e.g. 020 222 2222")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The code names the station's signed log (its origin): renamed, every checkpoint and proof
        # already handed out would stop verifying.
        if self.pk is not None and self.has_log():
            stored = Station.objects.filter(pk=self.pk).values_list("code", flat=True).first()
            if stored is not None and stored != self.code:
                raise InvalidInput(fields={"code": str(CODE_IS_FIXED)})
        super().save(*args, **kwargs)

    def has_log(self) -> bool:
        return self.pk is not None and Station.objects.filter(pk=self.pk, ledger_log__isnull=False).exists()


class Officer(models.Model):
    class Rank(models.TextChoices):
        CONSTABLE = "PC", _("Police Constable")
        CORPORAL = "CPL", _("Corporal")
        SERGEANT = "SGT", _("Sergeant")
        SENIOR_SERGEANT = "SSGT", _("Senior Sergeant")
        INSPECTOR = "IP", _("Inspector")
        CHIEF_INSPECTOR = "CI", _("Chief Inspector")
        SUPERINTENDENT = "SP", _("Superintendent")
        SENIOR_SUPERINTENDENT = "SSP", _("Senior Superintendent")
        ASSISTANT_COMMISSIONER = "ACP", _("Assistant Commissioner of Police")
        CIVILIAN = "CIV", _("Civilian staff")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    service_number = models.CharField(max_length=20, unique=True)
    rank = models.CharField(max_length=4, choices=Rank.choices)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, null=True, blank=True, related_name="officers")
    # For alerts (custody deadlines, deaths in custody), in E.164.
    phone = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["service_number"]

    def __str__(self) -> str:
        return f"{self.get_rank_display()} {self.user.get_full_name() or self.user.username} ({self.service_number})"

    @property
    def display_name(self) -> str:
        return f"{self.rank} {self.user.get_full_name() or self.user.username}"

    def scope(self, role_names: Iterable[str] | None = None) -> Scope:
        """What the officer may do; ``role_names``: their groups' names when the caller already read them."""
        known = {role.value for role in Role}
        names = self.user.groups.values_list("name", flat=True) if role_names is None else role_names
        roles = frozenset(Role(name) for name in names if name in known)
        if self.user.is_superuser:
            roles |= {Role.ADMIN}
        station = self.station
        return Scope(
            roles=roles,
            station_code=station.code if station else None,
            county_code=station.county_id if station else None,
            station_id=station.pk if station else None,
        )


def holding_role(role: Role) -> models.Q:
    """The lookup of officers who hold ``role``: a role is held as the group of its name."""
    return models.Q(user__groups__name=role.value)


def scope_of(user: object) -> Scope:
    cached = getattr(user, "_daftari_scope", None)
    if cached is not None:
        return cached
    officer = getattr(user, "officer", None)
    scope = officer.scope() if officer is not None and getattr(user, "is_active", False) else NO_SCOPE
    if user is not None:
        user._daftari_scope = scope  # type: ignore[attr-defined]
    return scope


class ApiToken(models.Model):
    """A device's bearer token. Only its SHA-256 is stored; the token is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=80, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The officer's session hash when the token was issued (an HMAC of the password hash): a
    # changed password, by any path, leaves it behind and the token stops working.
    password_stamp = models.CharField(max_length=128, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


# The kinds of record the access log names, as the log shows them.
RECORD_TYPE_NAMES = {
    "occurrence": _("OB entry"),
    "custody": _("Custody record"),
    "custody_board": _("Cells board"),
    "fine_notice": _("Fine notice"),
    "document": _("Document"),
    "payment": _("Payment"),
    "person": _("Person"),
    "refugee_person": _("Person on the refugee register"),
    "sms": _("SMS"),
    "sms_recipient": _("SMS recipient"),
    "daraja_callback": _("M-Pesa callback"),
    "candidate": _("Deployment candidate"),
    "vetting": _("Vetting record"),
    "disciplinary": _("Disciplinary and IPOA matters"),
    "disciplinary_matter": _("Disciplinary or IPOA matter"),
}


class AccessEvent(models.Model):
    """One read of personal data: who saw which record, in what role, and whether it was shown."""

    class Outcome(models.TextChoices):
        SHOWN = "shown", _("shown")
        WITHHELD = "withheld", _("personal data withheld")
        DENIED = "denied", _("denied")

    class Purpose(models.TextChoices):
        """Why the record was read. Rows written before these existed keep their free-text purpose."""

        DESK_VIEW = "desk_view", _("read at the desk")
        API_READ = "api_read", _("read on the API")
        RECORD = "record", _("the answer to recording it")
        SEARCH = "search", _("search")
        LIST = "list", _("a list or register")
        LOOKUP = "lookup", _("a look-up by ID number, phone, plate or licence")
        PRINT = "print", _("printed")
        CASEWORK = "casework", _("casework")
        OVERSIGHT_REVIEW = "oversight_review", _("oversight review")
        EVIDENCE = "evidence", _("evidence bundle")
        PUBLIC_VERIFY = "public_verify", _("public verify page")
        ADMIN = "admin", _("administration")

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    username = models.CharField(max_length=150)
    roles = models.CharField(max_length=120)
    officer_station = models.ForeignKey(Station, on_delete=models.PROTECT, null=True, related_name="+")
    record_type = models.CharField(max_length=40)
    record_id = models.CharField(max_length=64)
    # Read through the index of (record_station, -at) below, which leads with it.
    record_station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, related_name="access_events", db_index=False
    )
    purpose = models.CharField(max_length=60, choices=Purpose.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    channel = models.CharField(max_length=10, default="desk")

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["record_station", "-at"]),
            # Here rather than db_index, which on PostgreSQL adds a twin for LIKE that nothing reads (issue 10).
            models.Index(fields=["record_id"], name="access_record_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.purpose} {self.record_type}:{self.record_id}"

    @property
    def role_names(self) -> str:
        return role_names(self.roles.split(","))

    @property
    def record_type_label(self) -> str:
        return str(RECORD_TYPE_NAMES.get(self.record_type, self.record_type))


class PublicReadCount(models.Model):
    """How many anonymous public look-ups of one kind of record a day had, and with what answer.

    The public verify pages count here instead of writing an access event per request: nobody is
    identified, and a flood of requests must not become a flood of rows.
    """

    on = models.DateField()
    record_type = models.CharField(max_length=40)
    outcome = models.CharField(max_length=10)
    reads = models.PositiveIntegerField()

    class Meta:
        ordering = ["-on", "record_type", "outcome"]
        constraints = [models.UniqueConstraint(fields=["on", "record_type", "outcome"], name="one_count_a_day")]

    def __str__(self) -> str:
        return f"{self.on} {self.record_type} {self.outcome}: {self.reads}"
