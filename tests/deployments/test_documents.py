"""Passports, visas, mission IDs, vaccinations and the medical clearance: who records them, and the
alerts for what lapses before departure or during the deployment."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments import criteria, queries
from daftari.deployments.models import CandidateDocument, Contingent
from daftari.deployments.rules import DocumentAlert, HeldDocument, add_months, document_flags
from daftari.deployments.services import record_document
from daftari.stations.models import AccessEvent
from tests.deployments.conftest import DEPARTS_ON, Nominate, equip

RETURNS_ON = date(2028, 6, 1)


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2028, 6, 1), 6) == date(2028, 12, 1)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_a_document_missing_lapsing_before_departure_or_during_the_deployment_is_flagged() -> None:
    rules = criteria.documents()
    far = HeldDocument(date(2031, 1, 1))
    held = dict.fromkeys((r.code for r in rules.documents), far) | {
        "visa": HeldDocument(date(2027, 5, 31)),  # the day before departure
        "cholera": HeldDocument(date(2028, 5, 31)),  # the day before the return
        # The passport must last six months beyond the return: one day short.
        "passport": HeldDocument(date(2028, 11, 30)),
    }
    del held["mission_id"]
    flags = {f.code: f.alert for f in document_flags(rules, held, departs_on=DEPARTS_ON, returns_on=RETURNS_ON)}
    assert flags == {
        "passport": DocumentAlert.DURING_DEPLOYMENT,
        "visa": DocumentAlert.BEFORE_DEPARTURE,
        "mission_id": DocumentAlert.MISSING,
        "cholera": DocumentAlert.DURING_DEPLOYMENT,
    }
    held["passport"] = HeldDocument(date(2028, 12, 1))
    held["yellow_fever"] = HeldDocument(None)  # it does not lapse
    flags = {f.code for f in document_flags(rules, held, departs_on=DEPARTS_ON, returns_on=RETURNS_ON)}
    assert "passport" not in flags and "yellow_fever" not in flags


def test_the_deployment_officer_records_travel_documents_and_the_medical_officer_the_medical_ones(
    nominate: Nominate, deployment_officer: User, medical_officer: User, trainer: User
) -> None:
    candidate = nominate("kamau")
    passport = {"kind": "passport", "number": "AK123456", "issued_on": date(2025, 1, 1), "expires_on": date(2035, 1, 1)}
    vaccine = {"kind": "cholera", "number": "", "issued_on": date(2026, 9, 1), "expires_on": date(2028, 9, 1)}
    for actor, document in ((medical_officer, passport), (deployment_officer, vaccine), (trainer, passport)):
        with pytest.raises(NotPermitted):
            record_document(actor=actor, candidate=candidate, **document)  # type: ignore[arg-type]
    assert not CandidateDocument.objects.exists()
    record_document(actor=deployment_officer, candidate=candidate, **passport)  # type: ignore[arg-type]
    record_document(actor=medical_officer, candidate=candidate, **vaccine)  # type: ignore[arg-type]
    assert CandidateDocument.objects.count() == 2


def test_a_document_needs_its_number_and_an_expiry_after_its_issue(
    nominate: Nominate, deployment_officer: User, medical_officer: User
) -> None:
    candidate = nominate("kamau")
    with pytest.raises(InvalidInput) as refused:
        record_document(
            actor=deployment_officer,
            candidate=candidate,
            kind="passport",
            number=" ",
            issued_on=date(2025, 1, 1),
            expires_on=None,
        )
    assert set(refused.value.fields) == {"number", "expires_on"}
    with pytest.raises(InvalidInput) as backwards:
        record_document(
            actor=medical_officer,
            candidate=candidate,
            kind="medical_clearance",
            number="",
            issued_on=date(2025, 1, 1),
            expires_on=date(2024, 1, 1),
        )
    assert set(backwards.value.fields) == {"expires_on"}
    with pytest.raises(InvalidInput) as unknown:
        record_document(
            actor=deployment_officer,
            candidate=candidate,
            kind="library_card",
            number="1",
            issued_on=date(2025, 1, 1),
            expires_on=None,
        )
    assert "kind" in unknown.value.fields
    # Yellow fever's certificate may have no expiry.
    record_document(
        actor=medical_officer,
        candidate=candidate,
        kind="yellow_fever",
        number="",
        issued_on=date(2020, 1, 1),
        expires_on=None,
    )


def test_a_renewal_is_a_new_record_the_latest_counts_and_none_is_changed(
    nominate: Nominate, deployment_officer: User, medical_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    equip(candidate, deployment_officer, medical_officer, expires_on=date(2027, 3, 1))  # before departure
    row = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk).rows[0]
    lapsed = {r.code for r in row.judgement.reasons if r.code.startswith("document:")}
    assert lapsed == {f"document:{rule.code}" for rule in criteria.documents().documents if rule.expires}
    passport = CandidateDocument.objects.get(kind="passport")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deployments_candidatedocument SET expires_on = %s WHERE id = %s",
            [date(2035, 1, 1), passport.pk.hex],
        )
    equip(candidate, deployment_officer, medical_officer, expires_on=date(2028, 3, 1))  # lapses during it
    row = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk).rows[0]
    assert not [r for r in row.judgement.reasons if r.code.startswith("document:")]
    assert {f.code for f in row.lapsing_in_mission} == {r.code for r in criteria.documents().documents if r.expires}


# --- Pages -----------------------------------------------------------------------------------------


def test_the_medical_details_are_for_the_medical_officer_and_the_reads_are_logged(
    client: Client, nominate: Nominate, deployment_officer: User, medical_officer: User
) -> None:
    candidate = nominate("kamau")
    record_document(
        actor=medical_officer,
        candidate=candidate,
        kind="cholera",
        number="CHOL-7788",
        issued_on=date(2026, 9, 1),
        expires_on=date(2028, 9, 1),
    )
    url = reverse("deployments_documents", args=[candidate.pk])
    client.force_login(medical_officer)
    assert "CHOL-7788" in client.get(url).content.decode()
    client.force_login(deployment_officer)
    page = client.get(url).content.decode()
    assert "CHOL-7788" not in page and "1 Sep 2028" in page  # the expiry, for planning, and no more
    assert AccessEvent.objects.filter(record_type="candidate_documents", record_id=str(candidate.pk)).count() == 2


def test_the_deployment_officer_records_a_passport_on_the_page(
    client: Client, nominate: Nominate, deployment_officer: User
) -> None:
    candidate = nominate("kamau")
    client.force_login(deployment_officer)
    url = reverse("deployments_documents", args=[candidate.pk])
    page = client.get(url).content.decode()
    assert "Passport" in page and 'value="cholera"' not in page  # only what this role records is offered
    data = {"kind": "passport", "number": "AK1", "issued_on": "2025-01-01", "expires_on": ""}
    assert client.post(url, data).status_code == 422
    assert client.post(url, {**data, "expires_on": "2035-01-01"}).status_code == 302
    assert CandidateDocument.objects.get().number == "AK1"
    assert client.post(url, {**data, "kind": "cholera", "expires_on": "2035-01-01"}).status_code == 422


def test_a_commander_reads_the_documents_but_records_none(
    client: Client,
    nominate: Nominate,
    make_officer,
    station,  # type: ignore[no-untyped-def]
) -> None:
    from daftari.stations.rules import Role

    candidate = nominate("kamau")
    client.force_login(make_officer("commander", [Role.COMMANDER], station))
    url = reverse("deployments_documents", args=[candidate.pk])
    assert client.get(url).status_code == 200
    data = {"kind": "passport", "number": "AK1", "issued_on": "2025-01-01", "expires_on": "2035-01-01"}
    assert client.post(url, data).status_code == 403
    assert not CandidateDocument.objects.exists()


def test_the_expiry_page_lists_what_lapses_soonest_first_and_logs_the_candidates_listed(
    client: Client,
    nominate: Nominate,
    deployment_officer: User,
    medical_officer: User,
    desk_officer: User,
) -> None:
    late = nominate("late")
    equip(late, deployment_officer, medical_officer, expires_on=date(2028, 3, 1))
    early = nominate("early")
    equip(early, deployment_officer, medical_officer, expires_on=date(2027, 4, 1))
    fine = nominate("fine")
    equip(fine, deployment_officer, medical_officer, expires_on=date(2031, 1, 1))
    alerts = queries.expiring_documents(reader=deployment_officer, today=date(2026, 12, 6))
    assert [a.candidate_id for a in alerts][:1] == [early.pk]
    assert {a.candidate_id for a in alerts} == {early.pk, late.pk}
    assert {a.flag.alert for a in alerts if a.candidate_id == late.pk} == {DocumentAlert.DURING_DEPLOYMENT}
    listed = AccessEvent.objects.filter(record_type="candidate_documents", purpose="list")
    assert set(listed.values_list("record_id", flat=True)) == {str(early.pk), str(late.pk)}
    # Once the contingent is back, its documents no longer alert.
    assert queries.expiring_documents(reader=deployment_officer, today=date(2028, 6, 2)) == []
    client.force_login(deployment_officer)
    page = client.get(reverse("deployments_expiring"))
    assert page.status_code == 200 and "before departure" in page.content.decode()
    client.cookies["django_language"] = "sw"
    swahili = client.get(reverse("deployments_expiring"), HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Documents expiring" not in swahili and "before departure" not in swahili
    client.force_login(desk_officer)
    assert client.get(reverse("deployments_expiring")).status_code == 403


def test_the_board_flags_a_document_lapsing_during_the_deployment(
    client: Client, nominate: Nominate, deployment_officer: User, medical_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    equip(candidate, deployment_officer, medical_officer, expires_on=date(2028, 3, 1))
    client.force_login(deployment_officer)
    page = client.get(reverse("readiness_board", args=[contingent.pk])).content.decode()
    assert "Alert:" in page and "during the deployment" in page


# --- SMS alerts --------------------------------------------------------------------------------------


def test_the_officer_is_told_by_sms_once_per_document_and_a_renewal_alerts_afresh(
    nominate: Nominate, deployment_officer: User, medical_officer: User
) -> None:
    from daftari.core import periodic
    from daftari.deployments.alerts import send_document_alerts
    from daftari.notifications.models import SmsMessage
    from daftari.stations.models import Officer

    candidate = nominate("kamau")
    silent = nominate("nophone")  # no phone: nobody to tell, nothing fails
    Officer.objects.filter(pk=candidate.officer.pk).update(phone="+254712345678")
    equip(candidate, deployment_officer, medical_officer, expires_on=date(2031, 1, 1))
    equip(silent, deployment_officer, medical_officer, expires_on=date(2027, 1, 1))
    record_document(
        actor=deployment_officer,
        candidate=candidate,
        kind="passport",
        number="AK1",
        issued_on=date(2025, 1, 1),
        expires_on=date(2027, 5, 1),
    )
    today = date(2026, 12, 6)
    assert send_document_alerts(today) == 1
    [sms] = SmsMessage.objects.all()
    assert sms.to == "+254712345678" and "Passport" in sms.body and "1 May 2027" in sms.body
    assert "before your contingent (MSS-HAITI) departs on 1 Jun 2027" in sms.body
    assert send_document_alerts(today) == 0  # the next tick sends nothing again
    record_document(
        actor=deployment_officer,
        candidate=candidate,
        kind="passport",
        number="AK2",
        issued_on=date(2026, 11, 1),
        expires_on=date(2028, 7, 1),  # renewed, but short of the six months beyond the return
    )
    assert send_document_alerts(today) == 1
    assert "before your planned return" in SmsMessage.objects.latest("created_at").body
    assert "deployments.document_alerts" in periodic.names()
    assert send_document_alerts(date(2028, 6, 2)) == 0  # back home: no more alerts
