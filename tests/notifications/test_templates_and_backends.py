import io
import json
from pathlib import Path

import pytest

from daftari.notifications.backends import ConsoleBackend, FileBackend, get_backend
from daftari.notifications.services import render_sms
from tests.notifications.conftest import SettingsWrapper

TEMPLATES = Path(__file__).resolve().parents[2] / "src/daftari/notifications/templates/sms"


def test_every_sms_template_exists_in_english_and_kiswahili() -> None:
    names = {p.name.split(".")[0] for p in TEMPLATES.glob("*.txt")}
    assert names
    for name in names:
        assert (TEMPLATES / f"{name}.en.txt").exists(), name
        assert (TEMPLATES / f"{name}.sw.txt").exists(), name


def test_an_sms_is_plain_text_not_html_escaped() -> None:
    body = render_sms(
        template="case_status",
        context={"ob_number": "OB 1/1/1/2025", "station": "Kapenguria & Sons", "status": "in court", "status_url": "u"},
        language="en",
    )
    assert "Kapenguria & Sons" in body


@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_custody_deadline_is_shown_in_nairobi_time(language: str) -> None:
    from datetime import UTC, datetime

    body = render_sms(
        template="custody_deadline_breach",
        context={"detainee": "John Otieno", "station": "Central", "deadline": datetime(2025, 6, 2, 14, 0, tzinfo=UTC)},
        language=language,
    )
    assert "17:00" in body
    assert "John Otieno" in body


def test_the_file_backend_appends_one_json_line_per_message(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "out" / "sms.jsonl"
    first = FileBackend().send("+254712345678", "one")
    second = get_backend().send("+254700000001", "two\nlines")
    lines = [json.loads(line) for line in (tmp_path / "out" / "sms.jsonl").read_text().splitlines()]
    assert [(m["id"], m["to"], m["body"]) for m in lines] == [
        (first, "+254712345678", "one"),
        (second, "+254700000001", "two\nlines"),
    ]
    assert first != second


def test_the_console_backend_prints_the_message() -> None:
    out = io.StringIO()
    message_id = ConsoleBackend(stream=out).send("+254712345678", "Daftari: hello")
    assert "+254712345678" in out.getvalue()
    assert "Daftari: hello" in out.getvalue()
    assert message_id in out.getvalue()
