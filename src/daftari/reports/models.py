"""Crime figures kept current by the worker (issue 12): derived counters, not records.

``CrimeTally`` is what one counted entry contributes (its station, day, hour and category as it reads
after every correction); ``CrimeCount`` sums the tallies by station, day, hour and category, so the
figures pages read a few hundred rows instead of the whole book. Both are recomputable from the book
at any time (``rollup.naive_counts``); they are the only tables here that are updated.
"""

from django.db import models


class CrimeTally(models.Model):
    entry_id = models.UUIDField(primary_key=True)
    station_code = models.CharField(max_length=40)
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=20)

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.category}"


class CrimeCount(models.Model):
    station_code = models.CharField(max_length=40)
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station_code", "day", "hour", "category"], name="one_crime_count_cell"),
        ]
        indexes = [models.Index(fields=["day", "station_code"], name="crime_count_day_station")]

    def __str__(self) -> str:
        return f"{self.station_code} {self.day} {self.hour:02d}h {self.category}: {self.count}"


class RollupMark(models.Model):
    """How far the worker has read the book: entries recorded up to ``recorded_at`` are counted."""

    name = models.CharField(max_length=40, primary_key=True)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.recorded_at.isoformat()}"


# ``CrimeCount`` summed to the grains the county and national figures read, kept with it by the worker
# (the same moves) and by ``rollup.rebuild``: at 1,500 stations nearly every entry has a station-hour cell
# of its own, so summing ``CrimeCount`` over a national month would read most of a month's entries.


class CrimeCountyDay(models.Model):
    county_code = models.PositiveSmallIntegerField()
    day = models.DateField()
    category = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county_code", "day", "category"], name="one_county_day_cell")]
        indexes = [models.Index(fields=["day", "county_code"], name="crime_county_day")]

    def __str__(self) -> str:
        return f"county {self.county_code} {self.day} {self.category}: {self.count}"


class CrimeCountyHour(models.Model):
    county_code = models.PositiveSmallIntegerField()
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county_code", "day", "hour"], name="one_county_hour_cell")]
        indexes = [models.Index(fields=["day", "county_code"], name="crime_county_hour_day")]

    def __str__(self) -> str:
        return f"county {self.county_code} {self.day} {self.hour:02d}h: {self.count}"


class CrimeStationDay(models.Model):
    station_code = models.CharField(max_length=40)
    county_code = models.PositiveSmallIntegerField()
    day = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_code", "day"], name="one_station_day_cell")]
        indexes = [models.Index(fields=["day", "county_code"], name="crime_station_day")]

    def __str__(self) -> str:
        return f"{self.station_code} {self.day}: {self.count}"


class CustodyDay(models.Model):
    """The custody figures of a station's day that do not change with the clock, recounted by the worker
    for every station-day something was recorded for (``custody_rollup``): suspects on the ARREST entries
    that happened that day, bookings in that day and how the decided ones kept Art. 49, and the deaths
    and serious injuries in custody that day. Who is still held is counted live (a few rows)."""

    station_code = models.CharField(max_length=40)
    county_code = models.PositiveSmallIntegerField()
    day = models.DateField()
    arrested = models.IntegerField(default=0)
    held = models.IntegerField(default=0)
    within = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    deaths = models.IntegerField(default=0)
    serious_injuries = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_code", "day"], name="one_custody_day")]
        indexes = [models.Index(fields=["day", "county_code"], name="custody_day_county")]

    def __str__(self) -> str:
        return f"{self.station_code} {self.day}: {self.held} held"


class FollowUpDay(models.Model):
    """The follow-up of a station's day of reports from the public, recounted by the worker for every
    station-day a report was recorded or a case updated for (``follow_up_rollup``): the reports recorded
    that day and, of them, those assigned to an investigator now, charged (their case reached court) and
    closed."""

    station_code = models.CharField(max_length=40)
    county_code = models.PositiveSmallIntegerField()
    day = models.DateField()
    reports = models.IntegerField(default=0)
    assigned = models.IntegerField(default=0)
    charged = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_code", "day"], name="one_follow_up_day")]
        indexes = [models.Index(fields=["day", "county_code"], name="follow_up_day_county")]

    def __str__(self) -> str:
        return f"{self.station_code} {self.day}: {self.closed} of {self.reports} closed"


class FollowUpCloseDays(models.Model):
    """How many of a station's day of reports were closed after so many whole days: the histogram whose
    sums over any period and area give the median days to close exactly."""

    station_code = models.CharField(max_length=40)
    county_code = models.PositiveSmallIntegerField()
    day = models.DateField()
    days = models.IntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station_code", "day", "days"], name="one_follow_up_close_days")]
        indexes = [models.Index(fields=["day", "county_code"], name="follow_up_close_days_county")]

    def __str__(self) -> str:
        return f"{self.station_code} {self.day}: {self.count} closed after {self.days} days"
