"""The cell register: who was booked in, what happened to them, and where they are now.

``CustodyRecord``, ``PropertyItem`` and ``CustodyEvent`` are recorded once and never changed
(database guards, see database.py); ``CustodyState`` is the projection the services update in the
same transaction as the event that changed it.
"""

import uuid
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from daftari.custody.rules import CELL_LABELS, Cell, differs
from daftari.occurrences.entry_types import DAILY_CLOSE
from daftari.occurrences.models import Occurrence
from daftari.stations.models import Officer, Station
from daftari.stations.rules import Scope, station_filter

CELL_CHOICES = [(c.value, CELL_LABELS[c]) for c in Cell]


class GazettedHoliday(models.Model):
    """A public holiday declared by gazette notice that the holidays package does not know (e.g. Idd ul-Adha).

    Configuration, not a record: the admin adds and corrects these.
    """

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)
    gazette_notice = models.CharField(max_length=120, blank=True, help_text=_("e.g. Gazette Notice No. 6521 of 2026"))

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CustodyQuerySet(models.QuerySet["CustodyRecord"]):
    def visible_to(self, scope: Scope) -> "CustodyQuerySet":
        """Records of the stations the scope may see, and detainees transferred into them."""
        lookup = station_filter(scope)
        if lookup is None:
            return self.none()
        if not lookup:
            return self.all()
        here = {f"projection__current_{key}": value for key, value in lookup.items()}
        return self.filter(Q(**lookup) | Q(**here))


class CustodyRecord(models.Model):
    """One booking into the cells, from an ARREST entry. Never updated, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="custody_records")
    arrest = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="custody_records")
    # The OB line of the booking (a CELLS entry), written in the same transaction; empty only for
    # bookings recorded before the book and the cells were one path.
    cells_entry = models.OneToOneField(
        Occurrence, on_delete=models.PROTECT, null=True, blank=True, related_name="cells_booking"
    )
    detainee_name = models.CharField(max_length=120)
    detainee_id_number = models.CharField(max_length=20, blank=True, db_index=True)
    detainee_sex = models.CharField(max_length=1)
    detainee_age = models.PositiveSmallIntegerField(null=True, blank=True)
    detainee_date_of_birth = models.DateField(null=True, blank=True)
    detainee_phone = models.CharField(max_length=20, blank=True)
    offences = models.JSONField(default=list)
    arresting_officer = models.CharField(max_length=20, help_text=_("Service number"))
    arrested_at = models.DateTimeField()
    booked_in_at = models.DateTimeField()
    cell = models.CharField(max_length=10, choices=CELL_CHOICES)
    court_deadline = models.DateTimeField(db_index=True)
    physical_condition = models.TextField(blank=True)
    health = models.JSONField(default=dict)
    next_of_kin_informed = models.BooleanField(default=False)
    next_of_kin_name = models.CharField(max_length=120, blank=True)
    next_of_kin_informed_at = models.DateTimeField(null=True, blank=True)
    remand_warning = models.BooleanField(default=False)
    # Booked in long after the arrest (the book's late-entry window), with the reason.
    late = models.BooleanField(default=False)
    late_reason = models.CharField(max_length=500, blank=True, default="")
    # An asylum seeker or refugee (Refugees Act 2021): marked at the desk, or known from a refugee
    # register document given as identity. The language they are questioned in, through an
    # interpreter; held only on an immigration matter, they are kept apart from criminal detainees.
    asylum_seeker_or_refugee = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=60, blank=True, default="")
    immigration_only = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="custody_bookings")
    content_hash = models.CharField(max_length=64)

    objects = CustodyQuerySet.as_manager()

    class Meta:
        ordering = ["-booked_in_at"]
        indexes = [models.Index(fields=["station", "-booked_in_at"], name="custody_station_booked")]

    def __str__(self) -> str:
        return f"{self.detainee_name} ({self.booked_in_at:%Y-%m-%d %H:%M})"


class PropertyItem(models.Model):
    """One thing taken from the detainee at book-in and held by the station."""

    custody = models.ForeignKey(CustodyRecord, on_delete=models.PROTECT, related_name="property_items")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    value_kes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["custody", "position"]
        constraints = [models.UniqueConstraint(fields=["custody", "position"], name="one_custody_item_per_position")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class CustodyEvent(models.Model):
    """Something that happened to a person in custody. Never updated, never deleted."""

    class Kind(models.TextChoices):
        MEAL = "meal", _("Meal")
        VISIT = "visit", _("Visit")
        HEALTH = "health", _("Health event")
        CELL_TRANSFER = "cell_transfer", _("Moved to another cell")
        CONTINUED_DETENTION = "continued_detention", _("Continued detention (reason)")
        RELEASE = "release", _("Release")
        TO_COURT = "to_court", _("Taken to court")
        STATION_TRANSFER = "station_transfer", _("Transfer to another station")
        ESCAPE = "escape", _("Escape")
        DEATH = "death", _("Death in custody")
        SERIOUS_INJURY = "serious_injury", _("Serious injury in custody")
        PROPERTY_RETURNED = "property_returned", _("Property returned or disposed of")
        HANDED_FOR_REMOVAL = "handed_for_removal", _("Handed to immigration for removal from Kenya")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    custody = models.ForeignKey(CustodyRecord, on_delete=models.PROTECT, related_name="events")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="custody_events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    # Typed long before it was recorded, with the reason: it counts at recorded_at for Art. 49.
    late = models.BooleanField(default=False)
    late_reason = models.CharField(max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="custody_events")
    details = models.JSONField(default=dict)
    # The OB line of an event the book records too (a release), written in the same transaction.
    entry = models.OneToOneField(
        Occurrence, on_delete=models.PROTECT, null=True, blank=True, related_name="custody_event"
    )
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["custody", "recorded_at"]
        indexes = [models.Index(fields=["custody", "recorded_at"], name="custody_event_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CustodyState(models.Model):
    """Where a booked-in person is now. A projection of the events, updated with each of them."""

    class State(models.TextChoices):
        IN_CUSTODY = "in_custody", _("In custody")
        RELEASED = "released", _("Released")
        REMANDED = "remanded", _("Remanded by the court")
        CHARGED = "charged", _("Charged in court")
        ESCAPED = "escaped", _("Escaped")
        DIED = "died", _("Died in custody")
        HANDED_OVER = "handed_over", _("Handed to immigration")

    custody = models.OneToOneField(CustodyRecord, on_delete=models.PROTECT, primary_key=True, related_name="projection")
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_CUSTODY, db_index=True)
    current_cell = models.CharField(max_length=10, choices=CELL_CHOICES)
    current_station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="custody_now")
    closed_at = models.DateTimeField(null=True, blank=True)
    brought_within_deadline = models.BooleanField(null=True, blank=True)
    continued_detention_recorded_at = models.DateTimeField(null=True, blank=True)
    # Written by the alerts job so each alert goes out once.
    alert_warning_sent_at = models.DateTimeField(null=True, blank=True)
    alert_breach_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["current_station", "state"], name="custody_state_station")]

    def __str__(self) -> str:
        return f"{self.custody_id}: {self.state}"


class FigureRow(NamedTuple):
    label: str
    from_book: int
    counted: int | None
    explanation: str
    differs: bool


class DayClose(models.Model):
    """A station's day closed: each figure the book and the cells board give, beside the figure the
    officer confirmed or counted, with the explanation of any difference. Never updated, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="day_closes")
    day = models.DateField()
    # The DAILY_CLOSE line of the book, written in the same transaction.
    entry = models.OneToOneField(Occurrence, on_delete=models.PROTECT, related_name="day_close")
    # [{"key", "from_book", "counted", "explanation"}]; counted is null where the officer was not asked.
    figures = models.JSONField(default=list)
    differences = models.PositiveSmallIntegerField(default=0)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="day_closes")

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["station", "-day"], name="day_close_station_day")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.day:%Y-%m-%d}"

    def rows(self) -> list[FigureRow]:
        """Each figure with its label, in the order recorded, for the entry page's table."""
        labels = {f.name: f.label for f in DAILY_CLOSE.fields}
        return [
            FigureRow(
                label=str(labels.get(f["key"], f["key"])),
                from_book=f["from_book"],
                counted=f["counted"],
                explanation=f["explanation"],
                differs=differs(f["from_book"], f["counted"]),
            )
            for f in self.figures
        ]
