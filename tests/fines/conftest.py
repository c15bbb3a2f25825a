"""A traffic officer at Central stops a matatu: a notice for two offences, ready to pay."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from daftari.fines import rules
from daftari.fines.models import FineNotice
from daftari.fines.services import issue_notice
from daftari.ledger import keys
from daftari.stations.models import Station
from tests.payments.conftest import daraja_settings, paybill, simulator  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def draft(**overrides: object) -> rules.NoticeDraft:
    fields: dict[str, object] = {
        "plate": "KCA 123A",
        "driver_name": "Kamau Njoroge",
        "driver_id_number": "23456789",
        "driver_licence": "DL1234567",
        "driver_phone": "0712345678",
        "place": "Thika Road, near Roysambu",
        "issued_at": timezone.now() - timedelta(minutes=5),
        # Not wearing a seat belt (500) and using a phone while driving (2,000).
        "offences": (rules.OffenceInput("MO28"), rules.OffenceInput("MO34")),
    }
    fields.update(overrides)
    return rules.NoticeDraft(**fields)  # type: ignore[arg-type]


@pytest.fixture
def notice(traffic_officer: User, station: Station) -> FineNotice:
    return issue_notice(actor=traffic_officer, station=station, draft=draft()).notice


def c2b(
    reference: str,
    amount: int,
    trans_id: str = "TK1ABCDEF1",
    phone: str = "254712345678",
    *,
    first: str = "KAMAU",
    last: str = "",
) -> bytes:
    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": "20261129101500",
            "TransAmount": f"{amount}.00",
            "BusinessShortCode": "174379",
            "BillRefNumber": reference,
            "MSISDN": phone,
            "FirstName": first,
            "MiddleName": "",
            "LastName": last,
        }
    ).encode()
