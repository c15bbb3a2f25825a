"""The readiness board on the API: the board page's read model, its refusals as 4xx with messages."""

import uuid
from datetime import date

from django.contrib.auth.models import User
from django.test import Client

from daftari.deployments.models import Contingent
from daftari.stations.models import AccessEvent
from tests.deployments.conftest import Nominate, equip, train
from tests.occurrences.test_api import Api


def test_the_board_on_the_api_gives_each_candidate_with_the_reasons_training_and_document_alerts(
    client: Client,
    nominate: Nominate,
    deployment_officer: User,
    medical_officer: User,
    trainer: User,
    contingent: Contingent,
) -> None:
    candidate = nominate("kamau")
    train(candidate, trainer, modules=("human_rights",))
    equip(candidate, deployment_officer, medical_officer, expires_on=date(2028, 3, 1))
    answer = Api(client, deployment_officer).get(f"/deployments/contingents/{contingent.pk}/board")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["mission"], body["number"], body["not_yet"]) == ("MSS-HAITI", 6, 1)
    [row] = body["rows"]
    assert row["candidate"] == str(candidate.pk) and row["readiness"] == "not_yet"
    assert row["modules_passed"] == 1 and not row["certified"]
    assert {r["code"] for r in row["reasons"]} >= {"training", "vetting", "firearms"}
    assert {a["alert"] for a in row["document_alerts"]} == {"during_deployment"}
    assert AccessEvent.objects.filter(record_type="candidate", record_id=str(candidate.pk), channel="api").exists()


def test_the_board_on_the_api_is_refused_to_the_desk_and_unknown_contingents_are_404(
    client: Client, desk_officer: User, deployment_officer: User, contingent: Contingent
) -> None:
    refused = Api(client, desk_officer).get(f"/deployments/contingents/{contingent.pk}/board")
    assert refused.status_code == 403 and refused.json()["message"]
    missing = Api(client, deployment_officer).get(f"/deployments/contingents/{uuid.uuid4()}/board")
    assert missing.status_code == 404
