import pytest
from django.contrib.auth.models import User

from daftari.alerts.models import Alert
from daftari.alerts.rules import AlertDraft, AlertKind
from daftari.alerts.services import issue_alert


def wanted(**overrides: str) -> AlertDraft:
    fields = {
        "kind": AlertKind.WANTED,
        "name": "Otieno Juma Baraka",
        "id_number": "29876543",
        "phone": "0722000111",
        "description": "Wanted for the armed robbery at Moi Avenue on 1 Dec. Call the OCS Central at once.",
    }
    fields.update(overrides)
    return AlertDraft(**fields)


def stolen(**overrides: str) -> AlertDraft:
    fields = {"kind": AlertKind.STOLEN_VEHICLE, "plate": "KDA 123B", "description": "White Toyota Probox."}
    fields.update(overrides)
    return AlertDraft(**fields)


@pytest.fixture
def wanted_alert(ocs: User) -> Alert:
    return issue_alert(actor=ocs, draft=wanted()).alert


@pytest.fixture
def stolen_car(ocs: User) -> Alert:
    return issue_alert(actor=ocs, draft=stolen()).alert
