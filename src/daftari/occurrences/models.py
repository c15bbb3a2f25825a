import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from daftari.core import human
from daftari.occurrences import entry_types
from daftari.occurrences.entry_types import Kind
from daftari.occurrences.rules import format_ob_number
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Scope, station_filter


class OccurrenceQuerySet(models.QuerySet["Occurrence"]):
    def visible_to(self, scope: Scope) -> "OccurrenceQuerySet":
        lookup = station_filter(scope)
        if lookup is None:
            return self.none()
        return self.filter(**lookup)


class Occurrence(models.Model):
    """One entry in a station's Occurrence Book. Never updated, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Read through one_ob_number_per_station_day and occ_station_recorded, which lead with the station.
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="occurrences", db_index=False)
    ob_date = models.DateField(help_text="The Nairobi calendar day of recording.")
    ob_seq = models.PositiveIntegerField()
    entry_type = models.CharField(max_length=20, choices=entry_types.choices())
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="recorded_entries")
    place = models.CharField(max_length=200)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    narrative = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    refers_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups")
    is_late = models.BooleanField(default=False)
    # Why an entry was recorded long after it happened (required then, see rules.typed_time_problem).
    late_reason = models.CharField(max_length=500, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    search_text = models.TextField(blank=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["station", "ob_date", "ob_seq"]
        constraints = [
            models.UniqueConstraint(fields=["station", "ob_date", "ob_seq"], name="one_ob_number_per_station_day"),
        ]
        indexes = [
            models.Index(fields=["station", "-recorded_at"], name="occ_station_recorded"),
            models.Index(fields=["ob_date", "ob_seq"], name="occ_ob_number"),
            models.Index(fields=["recorded_at"], name="occ_recorded_at"),
            # Here rather than db_index, which on PostgreSQL adds a twin for LIKE that nothing reads (issue 10).
            models.Index(fields=["entry_type"], name="occ_entry_type"),
            # The few entries naming a police officer suspected, and the corrections that name one, found
            # without reading the whole book (vetting for a deployment abroad reads them all).
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(details__has_key=entry_types.SUSPECTED_OFFICER.name),
                name="occ_suspected_officer",
            ),
            models.Index(
                fields=["refers_to"],
                condition=models.Q(
                    entry_type="AMENDMENT", details__changes__has_key=entry_types.SUSPECTED_OFFICER.name
                ),
                name="occ_corrects_suspected_officer",
            ),
        ]

    def __str__(self) -> str:
        return self.ob_number

    @property
    def ob_number(self) -> str:
        return format_ob_number(self.ob_seq, self.ob_date)

    @property
    def spec(self) -> entry_types.EntryTypeSpec:
        return entry_types.BY_CODE[self.entry_type]

    @property
    def restricted(self) -> bool:
        """GBV and the like, with every correction and follow-up of such an entry (they repeat what it says)."""
        if self.spec.restricted:
            return True
        return self.refers_to_id is not None and self.refers_to.restricted  # type: ignore[union-attr]

    @property
    def original(self) -> "Occurrence":
        """The first entry of the chain this one follows or corrects (itself when it follows none)."""
        entry = self
        while entry.refers_to_id is not None:
            entry = entry.refers_to  # type: ignore[assignment]
        return entry

    def keep_parts(self, **parts: list[Any]) -> None:
        """Remembers the parts just written with the entry, as a prefetch would.

        Reading them back in the same request (the response, the complainant's SMS) then costs no query.
        """
        cache = self.__dict__.setdefault("_prefetched_objects_cache", {})
        for name, objects in parts.items():
            cached = getattr(self, name).all()
            cached._result_cache = list(objects)
            cached._prefetch_done = True
            cache[name] = cached

    def detail_rows(self) -> list[tuple[Any, Any]]:
        """(label, value) for each type-specific field that was filled in, in the form's order."""
        rows = []
        for field in self.spec.fields:
            if field.name in self.details:
                value = self.details[field.name]
                if field.choices:
                    value = dict(field.choices).get(value, value)
                elif field.kind == Kind.MONEY:
                    value = human.kes(value)
                elif field.kind in (Kind.DATE, Kind.DATETIME):
                    # Stored as ISO text ("2026-12-05T09:15+03:00"); read as "5 Dec 2026, 09:15".
                    value = human.human(value)
                rows.append((field.label, value))
        return rows


class ObCounter(models.Model):
    """The last OB number given out at a station on a day; advanced in the recording transaction."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT)
    ob_date = models.DateField()
    last_seq = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "ob_date"], name="one_counter_per_station_day")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.ob_date}: {self.last_seq}"


class Person(models.Model):
    """The person index: parties across entries linked by ID number or phone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, blank=True)
    id_number = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    first_seen_at = models.DateTimeField()

    class Meta:
        # A recording asks for the first person stored under an ID number (or phone): ordered by
        # the key within the number, so that is one step down the index. With the number alone
        # indexed, PostgreSQL could walk the whole key index instead, where the number repeats.
        indexes = [
            models.Index(fields=["id_number", "id"], name="person_id_number_first"),
            models.Index(fields=["phone", "id"], name="person_phone_first"),
        ]

    def __str__(self) -> str:
        return self.name or self.id_number or self.phone


class Party(models.Model):
    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant")
        VICTIM = "victim", _("victim")
        SUSPECT = "suspect", _("suspect")
        WITNESS = "witness", _("witness")
        REPORTER = "reporter", _("reporter")
        DRIVER = "driver", _("driver")
        DECEASED = "deceased", _("deceased")
        MISSING_PERSON = "missing_person", _("missing person")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        OTHER = "X", _("Other / not stated")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="parties")
    position = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="parties")
    name = models.CharField(max_length=120, blank=True)
    id_number = models.CharField(max_length=20, blank=True)
    id_number_unusual = models.BooleanField(default=False)
    phone = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["occurrence", "position"]
        # Here rather than db_index, which on PostgreSQL adds a twin for LIKE that nothing reads (issue 10).
        indexes = [
            models.Index(fields=["id_number"], name="party_id_number"),
            models.Index(fields=["phone"], name="party_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class Offence(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="offences")
    position = models.PositiveSmallIntegerField()
    section = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["occurrence", "position"]

    def __str__(self) -> str:
        return " — ".join(p for p in (self.section, self.description) if p)


class PropertyItem(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="property_items")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    serial_number = models.CharField(max_length=80, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    value_kes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["occurrence", "position"]

    def __str__(self) -> str:
        return self.description


class Vehicle(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="vehicles")
    position = models.PositiveSmallIntegerField()
    plate = models.CharField(max_length=12, db_index=True)
    plate_unusual = models.BooleanField(default=False)
    make_model = models.CharField(max_length=80, blank=True)
    colour = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["occurrence", "position"]

    def __str__(self) -> str:
        return self.plate


# --- Case follow-up of a public-facing entry (complaints, GBV, lost documents, ...) ------------


class CaseStatusChoice(models.TextChoices):
    ASSIGNED = "assigned", _("assigned to an investigator")
    UNDER_INVESTIGATION = "under_investigation", _("under investigation")
    SUSPECT_ARRESTED = "suspect_arrested", _("suspect arrested")
    FILE_TO_ODPP = "file_to_odpp", _("file sent to the ODPP")
    IN_COURT = "in_court", _("in court")
    CLOSED = "closed", _("closed")


class CaseUpdate(models.Model):
    """One step of a case's follow-up: an assignment or a change of status. Never updated, never deleted."""

    Status = CaseStatusChoice

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="case_updates")
    status = models.CharField(max_length=20, choices=CaseStatusChoice.choices)
    investigator = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="case_updates_recorded")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurrence", "recorded_at"]
        # The follow-up rollup's worker reads the updates recorded since its mark.
        indexes = [models.Index(fields=["recorded_at"], name="case_update_recorded_at")]

    def __str__(self) -> str:
        return f"{self.occurrence_id} {self.status} {self.recorded_at:%Y-%m-%d %H:%M}"


class CaseStatus(models.Model):
    """The projection of a case's updates: where it stands now and who is investigating."""

    Status = CaseStatusChoice

    occurrence = models.OneToOneField(
        Occurrence, on_delete=models.PROTECT, primary_key=True, related_name="case_status"
    )
    status = models.CharField(max_length=20, choices=CaseStatusChoice.choices)
    investigator = models.ForeignKey(Officer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.occurrence_id}: {self.status}"
