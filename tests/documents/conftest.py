import pytest
from django.contrib.auth.models import User

from daftari.documents.models import IssuedDocument
from daftari.documents.services import issue_document
from daftari.ledger import keys
from daftari.occurrences.models import Occurrence
from daftari.occurrences.rules import PartyInput, VehicleInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.conftest import complaint
from tests.payments.conftest import daraja_settings, paybill, simulator  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_PUBLIC_BASE_URL = "https://daftari.example"
    keys.signer.cache_clear()


@pytest.fixture
def lost_id(desk_officer: User, station: Station) -> Occurrence:
    draft = complaint(
        entry_type="LOST_DOC",
        narrative="Reports losing her national ID card between Kencom and Archives.",
        details={"document_kind": "national_id", "document_number": "12345678"},
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


@pytest.fixture
def accident(desk_officer: User, station: Station) -> Occurrence:
    draft = complaint(
        entry_type="TRAFFIC_ACCIDENT",
        narrative="Matatu KDA 123A rear-ended a saloon car at the Haile Selassie roundabout.",
        details={"slight": 2},
        parties=(PartyInput(role="driver", name="Otieno Juma", phone="0722000111"),),
        vehicles=(VehicleInput(plate="KDA 123A"),),
    )
    return record_occurrence(actor=desk_officer, station=station, draft=draft).entry


@pytest.fixture
def abstract(desk_officer: User, lost_id: Occurrence) -> IssuedDocument:
    return issue_document(
        actor=desk_officer,
        occurrence=lost_id,
        kind="abstract_lost_document",
        applicant_name="Wanjiku Kamau",
        purpose="ID replacement",
    )
