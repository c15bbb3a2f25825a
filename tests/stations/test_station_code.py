"""A station's code names its signed log: once the book has a leaf, the code never changes."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from daftari.core.errors import InvalidInput
from daftari.ledger.models import Log
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint


def test_a_station_without_a_book_may_take_a_new_code(station: Station) -> None:
    station.code = "CENTRAL-NAIROBI"
    station.save()
    assert Station.objects.get(pk=station.pk).code == "CENTRAL-NAIROBI"


def test_the_code_of_a_station_with_a_log_cannot_be_changed(desk_officer: User, station: Station) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    assert Log.objects.filter(station=station).exists()
    station.code = "CENTRAL-NAIROBI"
    with pytest.raises(InvalidInput) as refused:
        station.save()
    assert "code" in refused.value.fields
    assert Station.objects.get(pk=station.pk).code == "CENTRAL-NBI"


def test_other_details_of_a_station_with_a_log_can_still_be_changed(desk_officer: User, station: Station) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    station.name = "Central Police Station, Nairobi"
    station.save()
    assert Station.objects.get(pk=station.pk).name == "Central Police Station, Nairobi"


def test_the_admin_does_not_rename_a_station_whose_book_has_begun(
    client: Client, admin_officer: User, desk_officer: User, station: Station
) -> None:
    record_occurrence(actor=desk_officer, station=station, draft=complaint())
    client.force_login(admin_officer)
    client.post(
        reverse("admin:stations_station_change", args=[station.pk]),
        {"code": "CENTRAL-NAIROBI", "name": station.name, "county": station.county_id, "sub_county": ""},
    )
    assert Station.objects.get(pk=station.pk).code == "CENTRAL-NBI"
