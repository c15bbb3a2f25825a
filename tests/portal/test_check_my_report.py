""" "Check my report": the status for the right details, one answer for every wrong one, a rate
limit on guesses that is logged, in English and Kiswahili, small enough for a feature phone."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from daftari.ledger import keys
from daftari.occurrences.casework import Status, assign_investigator, update_case_status
from daftari.occurrences.models import Occurrence
from daftari.portal.models import PortalLookup

URL = "/public/status"


@pytest.fixture(autouse=True)
def signing_key(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DAFTARI_LEDGER_KEY_FILE = tmp_path / "ledger.key"
    settings.DAFTARI_SMS_BACKEND = "file"
    settings.DAFTARI_SMS_FILE_PATH = tmp_path / "sms.jsonl"
    keys.signer.cache_clear()


def ask(client: Client, entry: Occurrence, *, last4: str = "5678", station: str = "CENTRAL-NBI", ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(URL, {"station": station, "ob_number": entry.ob_number, "phone_last4": last4}, REMOTE_ADDR=ip)


def without_csrf(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def test_the_right_details_show_the_status_station_and_date(
    public_client: Client, ocs: User, investigator: User, recorded_complaint: Occurrence
) -> None:
    assign_investigator(actor=ocs, occurrence=recorded_complaint, investigator=investigator.officer)
    update_case_status(actor=investigator, occurrence=recorded_complaint, status=Status.SUSPECT_ARRESTED)

    response = ask(public_client, recorded_complaint)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Suspect arrested" in page
    assert "Central Police Station" in page
    assert recorded_complaint.ob_number in page
    # Nothing else about the case: no names, no narrative, no investigator.
    assert "Wanjiku" not in page
    assert "motorcycle" not in page
    assert "Investigator" not in page
    assert PortalLookup.objects.get().outcome == PortalLookup.Outcome.FOUND


def test_a_report_not_yet_assigned_says_so(public_client: Client, recorded_complaint: Occurrence) -> None:
    response = ask(public_client, recorded_complaint, station="Central Police Station")
    assert response.status_code == 200
    assert "not yet assigned" in response.content.decode()


def test_the_station_may_be_given_by_name_without_police_station(
    public_client: Client, recorded_complaint: Occurrence
) -> None:
    assert ask(public_client, recorded_complaint, station="central").status_code == 200


def test_wrong_digits_and_an_unknown_ob_number_get_the_same_answer(
    public_client: Client, recorded_complaint: Occurrence
) -> None:
    wrong_phone = ask(public_client, recorded_complaint, last4="0000")
    unknown = public_client.post(
        URL,
        {
            "station": "CENTRAL-NBI",
            "ob_number": recorded_complaint.ob_number.replace("OB 1/", "OB 99/"),
            "phone_last4": "0000",
        },
        REMOTE_ADDR="10.0.0.1",
    )
    wrong_station = ask(public_client, recorded_complaint, station="NOWHERE", last4="0000")

    assert wrong_phone.status_code == unknown.status_code == wrong_station.status_code == 404
    # The OB number typed is echoed back in the form, so compare the pages with the same input.
    assert without_csrf(wrong_phone.content) == without_csrf(wrong_station.content).replace("NOWHERE", "CENTRAL-NBI")
    assert "We could not find a report" in unknown.content.decode()
    assert without_csrf(unknown.content).replace("OB 99/", "OB 1/") == without_csrf(wrong_phone.content)


def test_an_entry_that_is_not_public_facing_is_never_found(public_client: Client, desk_officer: User, station) -> None:  # type: ignore[no-untyped-def]
    from daftari.occurrences.rules import PartyInput
    from daftari.occurrences.services import record_occurrence
    from tests.conftest import complaint

    visitor = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=complaint(
            entry_type="VISITOR",
            details={"purpose": "Visit"},
            parties=(PartyInput(role="reporter", name="Otieno", phone="0712345678"),),
            narrative="Visitor.",
        ),
    ).entry
    assert ask(public_client, visitor).status_code == 404


def test_five_wrong_guesses_from_one_address_get_429_even_with_the_right_digits(
    public_client: Client, recorded_complaint: Occurrence
) -> None:
    for _ in range(5):
        assert ask(public_client, recorded_complaint, last4="1111").status_code == 404

    refused = ask(public_client, recorded_complaint)

    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    outcomes = list(PortalLookup.objects.order_by("at", "id").values_list("outcome", "ip", "ob_number"))
    assert outcomes[-1] == ("limited", "10.0.0.1", recorded_complaint.ob_number)
    assert [o for o, _, _ in outcomes].count("not_found") == 5


def test_a_strangers_wrong_guesses_do_not_lock_the_complainant_out(
    public_client: Client, recorded_complaint: Occurrence
) -> None:
    for i in range(5):
        ask(public_client, recorded_complaint, last4="1111", ip=f"10.0.1.{i}")
        ask(public_client, recorded_complaint, last4="2222", ip="10.0.1.99")
    assert ask(public_client, recorded_complaint, ip="10.0.1.99").status_code == 429

    assert ask(public_client, recorded_complaint, ip="10.0.2.1").status_code == 200


def test_the_lock_is_per_report_and_the_station_given_by_name_is_the_same_report(
    public_client: Client, recorded_complaint: Occurrence
) -> None:
    for station in ("CENTRAL-NBI", "central-nbi", "Central", "Central Police Station", "central-nbi"):
        ask(public_client, recorded_complaint, last4="1111", station=station)
    assert ask(public_client, recorded_complaint).status_code == 429


def test_one_address_trying_many_reports_is_limited(
    public_client: Client,
    recorded_complaint: Occurrence,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from daftari.occurrences.rules import format_ob_number

    for seq in range(settings.DAFTARI_PORTAL_MAX_FAILURES_PER_CLIENT):
        number = format_ob_number(100 + seq, recorded_complaint.ob_date)
        public_client.post(
            URL, {"station": "CENTRAL-NBI", "ob_number": number, "phone_last4": "1111"}, REMOTE_ADDR="10.0.3.3"
        )
    assert ask(public_client, recorded_complaint, ip="10.0.3.3").status_code == 429
    assert ask(public_client, recorded_complaint, ip="10.0.3.4").status_code == 200


def test_old_failures_no_longer_count(public_client: Client, recorded_complaint: Occurrence) -> None:
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(5):
        ask(public_client, recorded_complaint, last4="1111")
    PortalLookup.objects.update(at=timezone.now() - timedelta(minutes=16))

    assert ask(public_client, recorded_complaint).status_code == 200


def test_a_form_with_missing_or_bad_digits_is_shown_again_with_errors_and_not_counted(
    public_client: Client, recorded_complaint: Occurrence
) -> None:
    response = public_client.post(URL, {"station": "", "ob_number": recorded_complaint.ob_number, "phone_last4": "12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter exactly 4 digits" in page
    assert 'href="#id_station"' in page
    assert not PortalLookup.objects.exists()


def test_the_form_needs_its_csrf_token(recorded_complaint: Occurrence) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        URL, {"station": "CENTRAL-NBI", "ob_number": recorded_complaint.ob_number, "phone_last4": "5678"}
    )
    assert response.status_code == 403

    page = client.get(URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    ok = client.post(
        URL,
        {
            "csrfmiddlewaretoken": token.group(1),
            "station": "CENTRAL-NBI",
            "ob_number": recorded_complaint.ob_number,
            "phone_last4": "5678",
        },
    )
    assert ok.status_code == 200


def test_the_pages_need_no_login_and_are_small(public_client: Client, recorded_complaint: Occurrence) -> None:
    for response in (public_client.get("/public/"), public_client.get(URL), ask(public_client, recorded_complaint)):
        assert response.status_code == 200
        assert len(response.content) < 30_000
        assert b"<script" not in response.content


def test_the_status_page_in_kiswahili(public_client: Client, recorded_complaint: Occurrence) -> None:
    public_client.post("/i18n/setlang/", {"language": "sw", "next": URL})
    form = public_client.get(URL)
    assert 'lang="sw"' in form.content.decode()
    assert "Angalia ripoti yangu" in form.content.decode()

    found = ask(public_client, recorded_complaint)
    assert "Hali" in found.content.decode()


def test_the_index_leads_to_check_my_report_and_to_verify(public_client: Client) -> None:
    page = public_client.get("/public/").content.decode()
    assert 'href="/public/status"' in page
    assert 'href="/verify"' in page
