"""On SQLite a committed erasure also leaves the write-ahead log: its old page images are checkpointed away."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection

from daftari.ledger import keys
from daftari.ledger.redaction import redact
from daftari.occurrences.rules import PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.erasure_support import ORDER

NAME = "Nyokabi Wakarindi"

if connection.vendor == "sqlite":

    @pytest.fixture(autouse=True)
    def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
        settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
        keys.signer.cache_clear()

    # A real commit, so that the checkpoint after it runs; serialized rollback restores the counties.
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_after_an_erasure_commits_the_sqlite_wal_file_holds_no_trace_of_the_erased_name(
        desk_officer: User, admin_officer: User, station: Station
    ) -> None:
        wal = Path(f"{connection.settings_dict['NAME']}-wal")
        party = PartyInput(role="complainant", name=NAME, id_number="31415926", phone="0712345678")
        entry = record_occurrence(actor=desk_officer, station=station, draft=complaint(parties=(party,))).entry
        assert NAME.encode() in wal.read_bytes()  # committed, not yet checkpointed
        redact(actor=admin_officer, record_id=str(entry.pk), authority=ORDER)
        assert NAME.encode() not in wal.read_bytes()
        assert b"31415926" not in wal.read_bytes()
