from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper


@pytest.fixture(autouse=True)
def sms_to_a_file(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.DAFTARI_SMS_FILE_PATH
