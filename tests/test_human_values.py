"""Pages, SMS and documents show values as people read them: "5 Dec 2026, 09:15", "Male", "KES 2,500".

Never an ISO timestamp (``2026-12-05T09:15+03:00``), a stored letter or code (``M``, ``ISSUED``)
or an amount without its thousands. The same pages in Kiswahili name the months and the values
in Kiswahili.
"""

import re
from datetime import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from daftari.core import human
from daftari.custody.services import book_in
from daftari.fines.models import FineNotice
from daftari.fines.services import issue_notice
from daftari.ledger import keys
from daftari.notifications.models import SmsMessage
from daftari.occurrences.rules import NAIROBI
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import Station
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer
from tests.fines.conftest import draft as notice_draft

ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CODES = re.compile(r">\s*(M|F|X|ISSUED|PAID|CANCELLED|IN_CUSTODY|ARREST|COMPLAINT)\s*<")


@pytest.fixture(autouse=True)
def signing_key(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    keys.signer.cache_clear()


def _visible_text(page: str) -> str:
    """The page without its tags' attributes: a ``datetime-local`` input's value is for the browser, not a reader."""
    return re.sub(r"<[^>]+>", "<>", page)


def test_the_formats_are_the_ones_people_write() -> None:
    moment = datetime(2026, 12, 5, 9, 15, tzinfo=NAIROBI)
    assert human.when(moment) == "5 Dec 2026, 09:15"
    assert human.when("2026-12-05T09:15+03:00") == "5 Dec 2026, 09:15"
    assert human.day("2026-12-05") == "5 Dec 2026"
    assert human.kes(10500) == "KES 10,500"
    assert human.human(True) == "Yes" and human.human(None) == ""
    with translation.override("sw"):
        assert human.when(moment) == "5 Dis 2026, 09:15"
        assert human.human(False) == "Hapana"


@pytest.mark.django_db
def test_an_arrest_and_its_custody_record_read_in_words(client: Client, desk_officer: User, station: Station) -> None:
    enrol_arresting_officer(station)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    record = book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    client.force_login(desk_officer)

    entry_page = _visible_text(client.get(f"/entries/{arrest.pk}").content.decode())
    custody_page = _visible_text(client.get(f"/custody/{record.pk}").content.decode())

    for page in (entry_page, custody_page):
        assert not ISO_MOMENT.search(page), ISO_MOMENT.search(page)
        assert not CODES.search(page), CODES.search(page)
        assert "ARREST entry" not in page
    assert human.when(arrest.occurred_at) in entry_page  # the arrest's time, from the entry's details too
    assert "Male" in custody_page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    custody_in_swahili = client.get(f"/custody/{record.pk}").content.decode()
    assert "Mwanamume" in custody_in_swahili


@pytest.mark.django_db
def test_a_notice_reads_its_amounts_and_state_in_words(
    client: Client,
    traffic_officer: User,
    station: Station,
    tmp_path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    notice: FineNotice = issue_notice(actor=traffic_officer, station=station, draft=notice_draft()).notice
    client.force_login(traffic_officer)
    page = _visible_text(client.get(f"/fines/notices/{notice.number}").content.decode())
    assert "KES 2,500" in page
    assert not CODES.search(page)
    assert not ISO_MOMENT.search(page)
    sms = SmsMessage.objects.get(event_key=f"fines:notice:{notice.number}").body
    assert "KES 2,500" in sms and human.when(notice.due_at) in sms


@pytest.mark.django_db
def test_a_kiswahili_notice_sms_names_the_month_in_kiswahili(
    traffic_officer: User,
    station: Station,
    tmp_path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    notice = issue_notice(actor=traffic_officer, station=station, draft=notice_draft(language="sw")).notice
    sms = SmsMessage.objects.get(event_key=f"fines:notice:{notice.number}").body
    with translation.override("sw"):
        due = human.when(notice.due_at)
    assert due in sms and "Jumla KES 2,500" in sms


@pytest.mark.django_db
def test_the_access_log_names_roles_and_records_in_words(
    client: Client,
    oversight: User,
    desk_officer: User,
    station: Station,
    recorded_complaint,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(desk_officer)
    client.get(f"/entries/{recorded_complaint.pk}")
    client.force_login(oversight)
    page = client.get("/access-log").content.decode()
    assert "Report office (desk)" in page and "OB entry" in page
    # The username column, then the role by its name (it was the stored code, "desk").
    assert re.search(r">desk</td>\s*<td[^>]*>Report office \(desk\)</td>", page)
    assert ">occurrence<" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sw"
    page = client.get("/access-log").content.decode()
    assert "Ofisi ya ripoti (dawati)" in page and "Tukio la OB" in page


@pytest.mark.django_db
def test_the_book_words_a_correction_by_its_labels_and_values_in_the_officers_language(
    desk_officer: User,
    station: Station,
    recorded_complaint,  # type: ignore[no-untyped-def]
) -> None:
    from daftari.occurrences.services import amend_occurrence

    moment = datetime(2026, 1, 5, 9, 15, tzinfo=NAIROBI)
    english = amend_occurrence(
        actor=desk_officer,
        occurrence=recorded_complaint,
        reason="The complainant gave the wrong time.",
        changes={"occurred_at": moment.isoformat()},
    ).entry
    assert "When it happened: 5 Jan 2026, 09:15" in english.narrative
    assert "occurred_at" not in english.narrative and not ISO_MOMENT.search(english.narrative)
    with translation.override("sw"):
        swahili = amend_occurrence(
            actor=desk_officer,
            occurrence=recorded_complaint,
            reason="Mahali si sahihi.",
            changes={"place": "Barabara ya Tom Mboya"},
        ).entry
    assert swahili.narrative.startswith(f"Marekebisho ya {recorded_complaint.ob_number}. Sababu: Mahali si sahihi.")
    assert "Mahali: Barabara ya Tom Mboya" in swahili.narrative


@pytest.mark.django_db
def test_a_corrected_choice_and_date_read_by_their_labels_on_the_entry_page(
    desk_client: Client, desk_officer: User, station: Station
) -> None:
    from daftari.occurrences.services import amend_occurrence
    from tests.conftest import complaint

    lost = complaint(entry_type="LOST_DOC", details={"document_kind": "national_id", "lost_on": "2026-01-04"})
    entry = record_occurrence(actor=desk_officer, station=station, draft=lost).entry
    amend_occurrence(
        actor=desk_officer,
        occurrence=entry,
        reason="It was the passport that was lost.",
        changes={"document_kind": "passport", "lost_on": "2026-01-03"},
    )
    page = _visible_text(desk_client.get(f"/entries/{entry.pk}").content.decode())
    assert "What was lost: Passport" in page and "Date lost: 3 Jan 2026" in page
    assert "passport<" not in page and "2026-01-03" not in page
    assert "National ID card" in page
