"""Misconduct alleged in the mission (SEA included): recorded by the vetting officer, tracked by steps to
an outcome, corrected by new records, read by IPOA, hidden from everyone else, and found at the next vetting."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.deployments import queries
from daftari.deployments.models import Allegation, AllegationEvent, Candidate, Contingent, Mission
from daftari.deployments.rules import allegation_open, allegation_state, may_add_step
from daftari.deployments.services import (
    nominate_candidate,
    open_contingent,
    record_allegation,
    record_allegation_step,
)
from daftari.stations.models import AccessEvent
from tests.deployments.conftest import Nominate

# The contingent of the fixtures departs on 1 June 2027: move it into the past for the mission's records.
LEFT_ON = date(2025, 6, 25)


@pytest.fixture
def deployed(deployment_officer: User, mission: Mission, nominate: Nominate) -> Candidate:
    first = open_contingent(
        actor=deployment_officer,
        mission=mission,
        number=1,
        departs_on=LEFT_ON,
        returns_on=date(2026, 12, 25),
        size=400,
        units="GSU",
    )
    someone = nominate("kamau")  # drawn into the fixtures' contingent 6
    return nominate_candidate(
        actor=deployment_officer,
        contingent=first,
        service_number=someone.officer.service_number,
        date_of_birth=someone.date_of_birth,
        joined_service_on=someone.joined_service_on,
    )


def allege(candidate: Candidate, actor: User, **overrides: object) -> Allegation:
    data: dict[str, object] = {
        "category": "sea",
        "reported_on": date(2025, 9, 3),
        "source": "MSS conduct and discipline unit",
        "summary": "Complainant A alleges transactional sex near the base.",
    }
    return record_allegation(actor=actor, candidate=candidate, **{**data, **overrides})  # type: ignore[arg-type]


def test_an_allegation_is_open_until_an_outcome_and_a_correction_leaves_the_state() -> None:
    assert allegation_state([]) == "reported" and allegation_open([])
    assert allegation_state(["referred", "investigating"]) == "investigating"
    assert not allegation_open(["referred", "substantiated", "correction"])
    assert allegation_state(["referred", "substantiated", "correction"]) == "substantiated"
    assert not may_add_step(["unsubstantiated"], "investigating")
    assert may_add_step(["unsubstantiated"], "correction")


def test_only_the_vetting_officer_records_an_allegation_and_its_steps(
    deployed: Candidate, vetting_officer: User, deployment_officer: User, oversight: User
) -> None:
    for actor in (deployment_officer, oversight):
        with pytest.raises(NotPermitted):
            allege(deployed, actor)
    allegation = allege(deployed, vetting_officer)
    with pytest.raises(NotPermitted):
        record_allegation_step(
            actor=deployment_officer, allegation=allegation, step="referred", on=date(2025, 9, 4), note="x"
        )
    assert Allegation.objects.count() == 1 and not AllegationEvent.objects.exists()


def test_an_allegation_is_reported_in_the_mission_with_its_source_and_summary(
    deployed: Candidate, vetting_officer: User
) -> None:
    with pytest.raises(InvalidInput) as refused:
        allege(deployed, vetting_officer, reported_on=LEFT_ON - timedelta(days=1), source=" ", summary="")
    assert set(refused.value.fields) == {"reported_on", "source", "summary"}


def test_steps_track_it_to_an_outcome_and_after_it_only_a_correction_is_recorded(
    deployed: Candidate, vetting_officer: User
) -> None:
    allegation = allege(deployed, vetting_officer)

    def step(name: str, on: date = date(2025, 10, 1), note: str = "Done.") -> AllegationEvent:
        return record_allegation_step(actor=vetting_officer, allegation=allegation, step=name, on=on, note=note)

    step("referred")
    step("substantiated")
    with pytest.raises(InvalidInput) as refused:
        step("investigating")
    assert "step" in refused.value.fields
    with pytest.raises(InvalidInput):
        step("correction", on=date(2025, 1, 1))  # before the report
    correction = step("correction", note="The outcome letter is dated 2 October, not 1 October.")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deployments_allegationevent SET step = 'closed' WHERE id = %s", [correction.pk.hex])
    line = queries.conduct_record(reader=vetting_officer, candidate_id=deployed.pk).allegations[0]
    assert line.state == "substantiated" and not line.open
    assert [e.step for e in line.events] == ["referred", "substantiated", "correction"]


def test_ipoa_reads_the_conduct_record_the_deployment_officer_is_refused_and_both_are_logged(
    deployed: Candidate, vetting_officer: User, oversight: User, deployment_officer: User
) -> None:
    allege(deployed, vetting_officer)
    assert len(queries.conduct_record(reader=oversight, candidate_id=deployed.pk).allegations) == 1
    with pytest.raises(NotPermitted):
        queries.conduct_record(reader=deployment_officer, candidate_id=deployed.pk)
    logged = AccessEvent.objects.filter(record_type="conduct", record_id=str(deployed.pk))
    assert set(logged.values_list("outcome", flat=True)) == {"shown", "denied"}


def test_the_next_vetting_finds_an_allegation_from_an_earlier_deployment(
    deployed: Candidate, vetting_officer: User, contingent: Contingent
) -> None:
    allege(deployed, vetting_officer)
    next_rotation = Candidate.objects.get(contingent=contingent, officer=deployed.officer)
    found = queries.vetting_record(reader=vetting_officer, candidate_id=next_rotation.pk)
    [finding] = found.findings
    assert finding.kind == "mission_allegation" and finding.candidate_id == deployed.pk
    assert AccessEvent.objects.filter(record_type="conduct", record_id=str(deployed.pk), purpose="lookup").exists()


# --- Pages -----------------------------------------------------------------------------------------


def test_the_vetting_officer_records_an_allegation_and_a_step_on_the_page(
    client: Client, deployed: Candidate, vetting_officer: User
) -> None:
    client.force_login(vetting_officer)
    url = reverse("deployments_conduct", args=[deployed.pk])
    assert client.get(url).status_code == 200
    data = {"category": "force", "reported_on": "2025-08-01", "source": "HNP liaison", "summary": "Struck a man."}
    assert client.post(url, {**data, "summary": ""}).status_code == 422
    assert client.post(url, data).status_code == 302
    allegation = Allegation.objects.get()
    step = {"allegation": str(allegation.pk), "step": "referred", "on": "2025-08-02", "note": ""}
    answer = client.post(url, step)
    assert answer.status_code == 422 and f'href="#id_{allegation.pk}_note"' in answer.content.decode()
    assert client.post(url, {**step, "note": "Referred to the mission's investigators."}).status_code == 302
    page = client.get(url).content.decode()
    assert "Referred for investigation" in page and "Excessive use of force" in page


def test_the_conduct_page_is_refused_to_a_trainer_and_is_in_kiswahili(
    client: Client, deployed: Candidate, trainer: User, vetting_officer: User
) -> None:
    client.force_login(trainer)
    assert client.get(reverse("deployments_conduct", args=[deployed.pk])).status_code == 403
    client.force_login(vetting_officer)
    client.cookies["django_language"] = "sw"
    body = client.get(reverse("deployments_conduct", args=[deployed.pk]), HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Conduct in the mission" not in body and "Record an allegation" not in body
