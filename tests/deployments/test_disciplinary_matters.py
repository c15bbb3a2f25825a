"""Disciplinary (NPS Internal Affairs Unit, service board) and IPOA matters at home: recorded by the vetting
officer, concluded or opened again by new steps, found at vetting while pending, shown as history once
concluded, read by IPOA and hidden from everyone else (issue 15)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments import queries
from daftari.deployments.models import Candidate, DisciplinaryMatter, DisciplinaryStep
from daftari.deployments.rules import matter_pending, matter_state
from daftari.deployments.services import record_disciplinary_matter, record_matter_step
from daftari.stations.models import AccessEvent
from daftari.stations.rules import Role
from tests.conftest import OfficerFactory
from tests.deployments.conftest import Nominate

OPENED_ON = date(2026, 3, 2)


@pytest.fixture
def ipoa(make_officer: OfficerFactory) -> User:
    return make_officer("ipoa", [Role.OVERSIGHT], None)


def open_matter(candidate: Candidate, actor: User, **overrides: object) -> DisciplinaryMatter:
    data: dict[str, object] = {
        "service_number": candidate.officer.service_number,
        "body": "ipoa",
        "reference": "IPOA/CMP/2026/0142",
        "opened_on": OPENED_ON,
        "allegation": "Complainant A alleges he was beaten at a roadblock.",
    }
    return record_disciplinary_matter(actor=actor, **{**data, **overrides})  # type: ignore[arg-type]


def conclude(matter: DisciplinaryMatter, actor: User, outcome: str, on: date = date(2026, 9, 1)) -> None:
    record_matter_step(actor=actor, matter=matter, outcome=outcome, on=on, note="Decided at the hearing.")


def test_a_matter_is_pending_until_concluded_and_the_latest_step_counts() -> None:
    assert matter_pending([])
    assert not matter_pending(["sanctioned"])
    assert matter_state(["not_substantiated", "pending"]) == "pending"  # opened again on review
    assert matter_state(["sanctioned", "withdrawn"]) == "withdrawn"  # an outcome corrected


def test_a_pending_ipoa_matter_is_a_vetting_finding_with_its_link(
    client: Client, nominate: Nominate, vetting_officer: User
) -> None:
    candidate = nominate("kamau")
    matter = open_matter(candidate, vetting_officer)
    [finding] = queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk).findings
    assert (finding.kind, finding.role, finding.matter_id) == ("pending_matter", "ipoa", matter.pk)
    assert finding.matter_reference == "IPOA/CMP/2026/0142" and finding.at.date() == OPENED_ON
    assert finding.reference()["record_type"] == "disciplinary_matter"
    assert AccessEvent.objects.filter(
        username="vetting", record_type="disciplinary_matter", record_id=str(matter.pk), purpose="lookup"
    ).exists()
    client.force_login(vetting_officer)
    page = client.get(reverse("deployments_vetting", args=[candidate.pk])).content.decode()
    link = f"{reverse('deployments_disciplinary', args=[candidate.pk])}#matter-{matter.pk}"
    assert "Pending disciplinary or IPOA matter" in page and f'href="{link}"' in page


def test_a_concluded_matter_is_no_longer_pending_and_shows_as_history(
    client: Client, nominate: Nominate, vetting_officer: User
) -> None:
    candidate = nominate("kamau")
    matter = open_matter(candidate, vetting_officer, body="internal", reference="IAU/2025/77")
    conclude(matter, vetting_officer, "not_substantiated")
    record = queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk)
    assert record.findings == []
    [line] = record.history
    assert (line.matter.pk, line.state, line.pending) == (matter.pk, "not_substantiated", False)
    client.force_login(vetting_officer)
    page = client.get(reverse("deployments_vetting", args=[candidate.pk])).content.decode()
    assert "Disciplinary and IPOA matters concluded" in page and "Concluded: not substantiated" in page
    # Opened again on review: pending, a finding again.
    record_matter_step(actor=vetting_officer, matter=matter, outcome="pending", on=date(2026, 10, 1), note="Review.")
    kinds = [f.kind for f in queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk).findings]
    assert kinds == ["pending_matter"]


def test_only_the_vetting_officer_records_a_matter_and_its_steps(
    nominate: Nominate, vetting_officer: User, deployment_officer: User, ipoa: User
) -> None:
    candidate = nominate("kamau")
    for someone in (deployment_officer, ipoa):
        with pytest.raises(NotPermitted):
            open_matter(candidate, someone)
    matter = open_matter(candidate, vetting_officer)
    with pytest.raises(NotPermitted):
        conclude(matter, ipoa, "withdrawn")
    assert DisciplinaryStep.objects.count() == 0


def test_a_matter_with_bad_fields_is_refused_naming_every_field(nominate: Nominate, vetting_officer: User) -> None:
    candidate = nominate("kamau")
    with pytest.raises(InvalidInput) as refused:
        open_matter(
            candidate,
            vetting_officer,
            service_number="SN999999",
            body="court",
            reference=" ",
            opened_on=timezone.localdate() + timedelta(days=1),
            allegation="",
        )
    assert set(refused.value.fields) == {"service_number", "body", "reference", "opened_on", "allegation"}
    open_matter(candidate, vetting_officer)
    with pytest.raises(InvalidInput) as again:
        open_matter(candidate, vetting_officer, reference="ipoa/cmp/2026/0142")
    assert set(again.value.fields) == {"reference"}


def test_a_step_is_dated_between_the_opening_and_today_with_a_note(nominate: Nominate, vetting_officer: User) -> None:
    matter = open_matter(nominate("kamau"), vetting_officer)
    with pytest.raises(InvalidInput) as refused:
        record_matter_step(
            actor=vetting_officer, matter=matter, outcome="acquitted", on=OPENED_ON - timedelta(days=1), note=""
        )
    assert set(refused.value.fields) == {"outcome", "on", "note"}


def test_a_recorded_matter_and_step_are_never_changed_in_the_database(
    nominate: Nominate, vetting_officer: User
) -> None:
    matter = open_matter(nominate("kamau"), vetting_officer)
    conclude(matter, vetting_officer, "sanctioned")
    for table, column in (("deployments_disciplinarymatter", "allegation"), ("deployments_disciplinarystep", "note")):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {column} = 'rewritten'")  # noqa: S608 - our tables
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our tables


def test_a_colleague_at_the_desk_cannot_read_any_of_it_and_each_refusal_is_logged(
    client: Client, nominate: Nominate, vetting_officer: User, desk_officer: User
) -> None:
    candidate = nominate("kamau")
    open_matter(candidate, vetting_officer)
    client.force_login(desk_officer)
    for page in ("deployments_disciplinary", "deployments_vetting"):
        assert client.get(reverse(page, args=[candidate.pk])).status_code == 403
    denied = AccessEvent.objects.filter(username="desk", record_id=str(candidate.pk), outcome="denied")
    assert set(denied.values_list("record_type", flat=True)) == {"disciplinary", "vetting"}
    assert not AccessEvent.objects.filter(username="desk", outcome="shown").exists()
    post = {"body": "ipoa", "reference": "IPOA/CMP/2026/0999", "opened_on": "2026-03-02", "allegation": "x"}
    assert client.post(reverse("deployments_disciplinary", args=[candidate.pk]), post).status_code == 403
    assert DisciplinaryMatter.objects.count() == 1


def test_ipoa_reads_the_matters_without_the_forms_and_the_read_is_logged(
    client: Client, nominate: Nominate, vetting_officer: User, ipoa: User
) -> None:
    candidate = nominate("kamau")
    open_matter(candidate, vetting_officer)
    client.force_login(ipoa)
    page = client.get(reverse("deployments_disciplinary", args=[candidate.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "IPOA/CMP/2026/0142" in body and "Record a matter" not in body
    assert AccessEvent.objects.filter(
        username="ipoa", record_type="disciplinary", record_id=str(candidate.pk), outcome="shown"
    ).exists()
    post = {"body": "ipoa", "reference": "IPOA/CMP/2026/0999", "opened_on": "2026-03-02", "allegation": "x"}
    assert client.post(reverse("deployments_disciplinary", args=[candidate.pk]), post).status_code == 403


def test_the_vetting_officer_records_a_matter_and_its_outcome_on_the_page_with_field_errors_in_both_languages(
    client: Client, nominate: Nominate, vetting_officer: User
) -> None:
    candidate = nominate("kamau")
    client.force_login(vetting_officer)
    url = reverse("deployments_disciplinary", args=[candidate.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    bad = {"body": "ipoa", "reference": "IPOA/CMP/2026/0142", "opened_on": tomorrow, "allegation": "Beaten."}
    refused = client.post(url, bad)
    assert refused.status_code == 422 and "The date cannot be in the future." in refused.content.decode()
    client.cookies["django_language"] = "sw"
    swahili = client.post(url, bad, HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "The date cannot be in the future." not in swahili and "Before which body" not in swahili
    client.cookies["django_language"] = "en"
    assert client.post(url, {**bad, "opened_on": "2026-03-02"}).status_code == 302
    matter = DisciplinaryMatter.objects.get()
    assert (matter.officer_id, matter.body, matter.recorded_by.user) == (candidate.officer_id, "ipoa", vetting_officer)
    step = {"matter": str(matter.pk), "outcome": "sanctioned", "on": "2026-09-01", "note": "Fined a month's pay."}
    assert client.post(url, step).status_code == 302
    assert [s.outcome for s in matter.steps.all()] == ["sanctioned"]
    page = client.get(url).content.decode()
    assert "Concluded: sanctioned" in page and "Fined a month&#x27;s pay." in page


def test_findings_for_many_officers_take_one_query_more_for_their_matters(
    make_officer: OfficerFactory, vetting_officer: User, nominate: Nominate
) -> None:
    from django.test.utils import CaptureQueriesContext

    candidate = nominate("kamau")
    open_matter(candidate, vetting_officer)
    concluded = open_matter(candidate, vetting_officer, reference="IPOA/CMP/2025/0007")
    conclude(concluded, vetting_officer, "withdrawn")
    numbers = [candidate.officer.service_number, *(f"SN9{n:04d}" for n in range(399))]
    counts = []
    for wanted in (numbers[:1], numbers):
        with CaptureQueriesContext(connection) as run:
            found = queries.findings_for(wanted)
        counts.append(len(run.captured_queries))
    # custody events, deaths in custody, allegations, the four of the police offences (two when the
    # book has none), the mirrored books of station nodes (one each for their suspected officers, their
    # deaths in custody entries and their cells' deaths and injuries, when they have none), and the matters
    # with their latest step.
    assert counts[0] == counts[1] == 9
    assert [f.matter_reference for f in found[candidate.officer.service_number]] == ["IPOA/CMP/2026/0142"]
