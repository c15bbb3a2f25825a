import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from daftari.core import append_only
from daftari.occurrences.database import APPEND_ONLY_TABLES
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent

OCCURRENCE_TABLES = {
    "occurrences_occurrence",
    "occurrences_party",
    "occurrences_offence",
    "occurrences_propertyitem",
    "occurrences_vehicle",
}


@override_settings(DAFTARI_ALLOW_FLUSH=False)
def test_flush_is_refused_outside_the_test_suite(recorded_complaint: Occurrence) -> None:
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)
    assert Occurrence.objects.filter(pk=recorded_complaint.pk).exists()


@pytest.mark.django_db
def test_the_guards_cover_every_table_of_the_book() -> None:
    assert set(APPEND_ONLY_TABLES) == OCCURRENCE_TABLES
    assert set(append_only.guarded_tables(connection)) >= OCCURRENCE_TABLES


def _erase(entry: Occurrence) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE occurrences_occurrence SET narrative = 'erased' WHERE id = %s", [entry.pk.hex])


def test_guards_lifted_and_put_back_refuse_changes_again(recorded_complaint: Occurrence) -> None:
    table = "occurrences_occurrence"
    append_only.uninstall(connection, [table])
    assert table not in append_only.guarded_tables(connection)
    append_only.install(connection, [table])
    assert table in append_only.guarded_tables(connection)
    with pytest.raises(DatabaseError, match="append-only"):
        _erase(recorded_complaint)
    recorded_complaint.refresh_from_db()
    assert recorded_complaint.narrative.startswith("Complainant reports")


def test_the_admin_shows_an_entry_but_never_adds_changes_or_deletes_one(
    client: Client, admin_officer: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(admin_officer)
    pk = recorded_complaint.pk
    listing = client.get(reverse("admin:occurrences_occurrence_changelist"))
    assert listing.status_code == 200
    assert recorded_complaint.ob_number in listing.content.decode()
    page = client.get(reverse("admin:occurrences_occurrence_change", args=[pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert AccessEvent.objects.filter(record_id=str(pk), channel="admin", username=admin_officer.username).exists()
    assert client.get(reverse("admin:occurrences_occurrence_add")).status_code == 403
    assert client.post(reverse("admin:occurrences_occurrence_change", args=[pk]), {"place": "X"}).status_code == 403
    assert client.post(reverse("admin:occurrences_occurrence_delete", args=[pk]), {"post": "yes"}).status_code == 403
    recorded_complaint.refresh_from_db()
    assert recorded_complaint.place == "Moi Avenue, near the bus stage"


def test_writing_back_the_same_values_changes_nothing_and_is_let_through(desk_officer, station) -> None:  # type: ignore[no-untyped-def]
    # Django restores test data (serialized rollback) by saving rows that are already there.
    from daftari.occurrences.services import record_occurrence
    from tests.conftest import complaint

    entry = record_occurrence(actor=desk_officer, station=station, draft=complaint()).entry
    with connection.cursor() as cursor:
        cursor.execute("UPDATE occurrences_occurrence SET narrative = narrative, place = place")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE occurrences_occurrence SET place = 'elsewhere'")
    entry.refresh_from_db()
    assert entry.place == "Moi Avenue, near the bus stage"
