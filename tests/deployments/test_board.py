"""Nominating, recording results, vetting against the cell register and the book, and the readiness board."""

import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from daftari.core.errors import InvalidInput, NotPermitted
from daftari.custody.services import book_in, record_death_or_serious_injury
from daftari.deployments import criteria, queries
from daftari.deployments.models import Candidate, Contingent, CriterionResult, VettingDecision
from daftari.deployments.rules import Readiness
from daftari.deployments.services import decide_vetting, record_result
from daftari.occurrences.rules import EntryDraft, PartyInput
from daftari.occurrences.services import record_occurrence
from daftari.stations.models import AccessEvent, Officer, Station
from tests.custody.conftest import arrest_draft, booking, enrol_arresting_officer
from tests.deployments.conftest import Nominate, equip, train

TESTS = ("language_english", "firearms", "driving", "computer")
FITNESS = ("medical_fitness", "mental_fitness")


def pass_everything(candidate: Candidate, trainer: User, medical_officer: User, deployment_officer: User) -> None:
    for test in TESTS:
        record_result(
            actor=trainer,
            candidate=candidate,
            criterion=test,
            passed=True,
            assessed_on=date(2026, 11, 2),
            assessed_by="IP Mwangi",
        )
    for test in FITNESS:
        record_result(
            actor=medical_officer,
            candidate=candidate,
            criterion=test,
            passed=True,
            assessed_on=date(2026, 11, 3),
            assessed_by="Dr Achieng",
        )
    train(candidate, trainer)
    equip(candidate, deployment_officer, medical_officer, expires_on=date(2031, 1, 1))


def test_a_candidate_is_drawn_from_the_officers_by_service_number(nominate: Nominate) -> None:
    candidate = nominate("kamau")
    assert candidate.officer.user.username == "kamau"
    assert candidate.date_of_birth == date(1990, 3, 15)


def test_an_unknown_service_number_or_a_second_nomination_is_refused(
    nominate: Nominate, deployment_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    for number in ("SN-NOBODY", candidate.officer.service_number):
        with pytest.raises(InvalidInput) as refused:
            from daftari.deployments.services import nominate_candidate

            nominate_candidate(
                actor=deployment_officer,
                contingent=contingent,
                service_number=number,
                date_of_birth=date(1990, 1, 1),
                joined_service_on=date(2012, 1, 1),
            )
        assert "service_number" in refused.value.fields


def test_a_trainer_records_tests_but_not_fitness_and_the_medical_officer_the_reverse(
    nominate: Nominate, trainer: User, medical_officer: User
) -> None:
    candidate = nominate("kamau")
    with pytest.raises(NotPermitted):
        record_result(
            actor=trainer,
            candidate=candidate,
            criterion="medical_fitness",
            passed=True,
            assessed_on=date(2026, 11, 1),
            assessed_by="x",
        )
    with pytest.raises(NotPermitted):
        record_result(
            actor=medical_officer,
            candidate=candidate,
            criterion="firearms",
            passed=True,
            assessed_on=date(2026, 11, 1),
            assessed_by="x",
        )
    assert not CriterionResult.objects.exists()


def test_a_recorded_result_is_never_changed_a_retake_is_a_new_one(
    nominate: Nominate, trainer: User, deployment_officer: User, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    first = record_result(
        actor=trainer,
        candidate=candidate,
        criterion="driving",
        passed=False,
        assessed_on=date(2026, 11, 1),
        assessed_by="x",
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE deployments_criterionresult SET passed = %s WHERE id = %s", [True, first.pk.hex])
    record_result(
        actor=trainer,
        candidate=candidate,
        criterion="driving",
        passed=True,
        assessed_on=date(2026, 11, 5),
        assessed_by="x",
    )
    board = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk)
    assert "driving" not in [r.code for r in board.rows[0].judgement.reasons]


def test_the_board_shows_ready_not_yet_and_excluded_with_the_reasons(
    nominate: Nominate,
    trainer: User,
    medical_officer: User,
    vetting_officer: User,
    deployment_officer: User,
    contingent: Contingent,
) -> None:
    ready = nominate("ready")
    pass_everything(ready, trainer, medical_officer, deployment_officer)
    decide_vetting(
        actor=vetting_officer, candidate=ready, decision="cleared", reason="Nothing found.", findings_seen=[]
    )
    waiting = nominate("waiting")
    excluded = nominate("excluded")
    pass_everything(excluded, trainer, medical_officer, deployment_officer)
    decide_vetting(
        actor=vetting_officer, candidate=excluded, decision="excluded", reason="IPOA case open.", findings_seen=[]
    )
    too_old = nominate("tooold", date_of_birth=date(1965, 1, 1))

    board = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk)
    state = {row.candidate_id: row.judgement for row in board.rows}
    assert state[ready.pk].readiness == Readiness.READY
    assert state[waiting.pk].readiness == Readiness.NOT_YET
    documents = {f"document:{rule.code}" for rule in criteria.documents().documents}
    assert {r.code for r in state[waiting.pk].reasons} == {*TESTS, *FITNESS, "training", *documents, "vetting"}
    assert state[excluded.pk].readiness == Readiness.EXCLUDED
    assert [r.message for r in state[excluded.pk].reasons] == ["Excluded at vetting."]
    assert state[too_old.pk].readiness == Readiness.EXCLUDED
    assert (board.ready, board.not_yet, board.excluded) == (1, 1, 2)
    # The vetting officer's reason stays on the vetting record, never on the board.
    assert all("IPOA" not in r.message for j in state.values() for r in j.reasons)


def _bulk_candidates(
    contingent: Contingent,
    station: Station,
    how_many: int,
    nominated_by: Officer,
    *,
    first: int = 0,
    born: date = date(1985, 1, 1),
    assessed: bool = True,
) -> None:
    """``how_many`` candidates numbered from ``first``; ``assessed``: every test and fitness passed."""
    numbers = range(first, first + how_many)
    users = User.objects.bulk_create([User(username=f"bulk{contingent.pk.hex[:4]}{i}") for i in numbers])
    officers = Officer.objects.bulk_create(
        [
            Officer(user=u, service_number=f"B{contingent.number}-{i:05d}", rank="PC", station=station)
            for i, u in zip(numbers, users, strict=True)
        ]
    )
    now = timezone.now()
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                contingent=contingent,
                officer=o,
                date_of_birth=born + timedelta(days=i),
                joined_service_on=date(2010, 1, 1),
                nominated_at=now,
                nominated_by=nominated_by,
            )
            for i, o in enumerate(officers)
        ]
    )
    CriterionResult.objects.bulk_create(
        [
            CriterionResult(
                candidate=c,
                criterion=test,
                criteria_version="v",
                passed=True,
                assessed_on=date(2026, 11, 1),
                assessed_by="x",
                recorded_at=now,
                recorded_by=nominated_by,
            )
            for c in candidates
            for test in (*TESTS, *FITNESS)
            if assessed
        ]
    )


def test_a_contingent_of_400_is_judged_and_paged_in_the_same_number_of_queries_as_one_of_3(
    deployment_officer: User,
    contingent: Contingent,
    mission,
    station: Station,  # type: ignore[no-untyped-def]
) -> None:
    from daftari.deployments.services import open_contingent

    small = open_contingent(
        actor=deployment_officer,
        mission=mission,
        number=7,
        departs_on=date(2027, 9, 1),
        returns_on=date(2028, 9, 1),
        size=3,
        units="GSU",
    )
    _bulk_candidates(small, station, 3, deployment_officer.officer)
    _bulk_candidates(contingent, station, 400, deployment_officer.officer)
    queries.readiness_board(reader=deployment_officer, contingent_id=small.pk)  # the reader's roles, read once
    counts = []
    for which, expected in ((small, 3), (contingent, 400)):
        with CaptureQueriesContext(connection) as queries_run:
            board = queries.readiness_board(reader=deployment_officer, contingent_id=which.pk)
        assert len(board.rows) == min(expected, queries.BOARD_PAGE) and board.candidates == expected
        # The access log's rows go in one statement (SQLite splits a large insert into batches).
        reads = [q for q in queries_run.captured_queries if 'INSERT INTO "stations_accessevent"' not in q["sql"]]
        counts.append(len(reads))
    assert counts[0] == counts[1] == 10
    # Only the candidates shown are logged: the small one twice, the first page of the large one.
    assert AccessEvent.objects.filter(record_type="candidate", username="deployment").count() == 3 + 3 + 50


# --- Vetting ---------------------------------------------------------------------------------------


def test_vetting_finds_the_arresting_officer_of_a_death_in_custody_with_its_evidence(
    desk_officer: User, station: Station, vetting_officer: User, deployment_officer: User, contingent: Contingent
) -> None:
    enrol_arresting_officer(station)
    arrest = record_occurrence(actor=desk_officer, station=station, draft=arrest_draft()).entry
    record = book_in(actor=desk_officer, station=station, booking=booking(), arrest=arrest).record
    record_death_or_serious_injury(
        actor=desk_officer, custody=record, kind="death", note="Found unresponsive in the cell."
    )
    from daftari.deployments.services import nominate_candidate

    candidate = nominate_candidate(
        actor=deployment_officer,
        contingent=contingent,
        service_number=record.arresting_officer,
        date_of_birth=date(1988, 1, 1),
        joined_service_on=date(2010, 1, 1),
    )
    found = queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk)
    [finding] = found.findings
    assert finding.kind == "custody_death"
    assert finding.role == "arresting"
    assert finding.custody_id == record.pk
    assert finding.occurrence_id == arrest.pk
    assert finding.ob_number == arrest.ob_number
    logged = AccessEvent.objects.filter(username="vetting")
    assert logged.filter(record_type="vetting", record_id=str(candidate.pk), outcome="shown").exists()
    assert logged.filter(record_type="custody", record_id=str(record.pk)).exists()


def test_vetting_finds_an_officer_named_on_duty_in_a_death_in_custody_entry(
    desk_officer: User, station: Station, vetting_officer: User, nominate: Nominate
) -> None:
    candidate = nominate("onduty")
    number = candidate.officer.service_number
    entry = record_occurrence(
        actor=desk_officer,
        station=station,
        draft=EntryDraft(
            entry_type="DEATH_IN_CUSTODY",
            occurred_at=timezone.now() - timedelta(hours=2),
            place="Cell 2",
            narrative="Detainee collapsed in the cell and was pronounced dead at hospital.",
            details={
                "circumstances": "Collapsed in the cell.",
                "officers_on_duty": f"Cpl Kiprono SN9999, PC Onduty {number}",
            },
            parties=(PartyInput(role="deceased", name="John Doe", sex="M", age=30),),
        ),
    ).entry
    found = queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk)
    assert [(f.kind, f.role, f.occurrence_id) for f in found.findings] == [("ob_death_in_custody", "on_duty", entry.pk)]


def test_an_officer_with_no_such_record_has_no_findings(vetting_officer: User, nominate: Nominate) -> None:
    candidate = nominate("clean")
    assert queries.vetting_record(reader=vetting_officer, candidate_id=candidate.pk).findings == []


def test_only_the_vetting_officer_decides_and_always_with_a_reason(
    nominate: Nominate, vetting_officer: User, deployment_officer: User
) -> None:
    candidate = nominate("kamau")
    with pytest.raises(NotPermitted):
        decide_vetting(actor=deployment_officer, candidate=candidate, decision="cleared", reason="ok", findings_seen=[])
    with pytest.raises(InvalidInput):
        decide_vetting(actor=vetting_officer, candidate=candidate, decision="excluded", reason="  ", findings_seen=[])
    decide_vetting(
        actor=vetting_officer, candidate=candidate, decision="excluded", reason="Death in custody.", findings_seen=[]
    )
    decide_vetting(
        actor=vetting_officer, candidate=candidate, decision="cleared", reason="IPOA cleared him.", findings_seen=[]
    )
    assert list(VettingDecision.objects.order_by("decided_at").values_list("decision", flat=True)) == [
        "excluded",
        "cleared",
    ]


def test_a_refused_read_of_a_vetting_record_is_logged(nominate: Nominate, deployment_officer: User) -> None:
    candidate = nominate("kamau")
    with pytest.raises(NotPermitted):
        queries.vetting_record(reader=deployment_officer, candidate_id=candidate.pk)
    assert AccessEvent.objects.filter(
        record_type="vetting", record_id=str(candidate.pk), username="deployment", outcome="denied"
    ).exists()


# --- Pages -----------------------------------------------------------------------------------------


def test_a_desk_officer_cannot_open_the_board_or_the_deployments(
    client: Client, desk_officer: User, contingent: Contingent
) -> None:
    client.force_login(desk_officer)
    assert client.get(reverse("readiness_board", args=[contingent.pk])).status_code == 403
    assert client.get(reverse("deployments")).status_code == 403


def test_the_deployment_officer_opens_the_board_in_english_and_kiswahili(
    client: Client, deployment_officer: User, contingent: Contingent, nominate: Nominate
) -> None:
    nominate("kamau")
    client.force_login(deployment_officer)
    page = client.get(reverse("readiness_board", args=[contingent.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Readiness board" in body and "Not yet" in body and "<script" not in body.split("<main")[-1]
    client.cookies["django_language"] = "sw"
    swahili = client.get(reverse("readiness_board", args=[contingent.pk]), HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Readiness board" not in swahili


def test_the_vetting_page_is_refused_to_the_deployment_officer_and_logged(
    client: Client, deployment_officer: User, nominate: Nominate
) -> None:
    candidate = nominate("kamau")
    client.force_login(deployment_officer)
    assert client.get(reverse("deployments_vetting", args=[candidate.pk])).status_code == 403
    assert AccessEvent.objects.filter(record_type="vetting", outcome="denied").exists()


def test_the_vetting_officer_excludes_on_the_page_and_the_board_says_so(
    client: Client, vetting_officer: User, deployment_officer: User, nominate: Nominate, contingent: Contingent
) -> None:
    candidate = nominate("kamau")
    client.force_login(vetting_officer)
    url = reverse("deployments_vetting", args=[candidate.pk])
    assert client.post(url, {"decision": "excluded", "reason": ""}).status_code == 422
    assert client.post(url, {"decision": "excluded", "reason": "Named in a custody death."}).status_code == 302
    board = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk)
    assert board.rows[0].judgement.readiness == Readiness.EXCLUDED


def test_a_trainer_records_a_result_on_the_page(client: Client, trainer: User, nominate: Nominate) -> None:
    candidate = nominate("kamau")
    client.force_login(trainer)
    url = reverse("deployments_result", args=[candidate.pk])
    page = client.get(url).content.decode()
    assert "Firearms qualification" in page and "Medical fitness" not in page
    answer = client.post(
        url, {"criterion": "firearms", "passed": "yes", "assessed_on": "2026-11-02", "assessed_by": "IP Mwangi"}
    )
    assert answer.status_code == 302
    assert CriterionResult.objects.get().passed is True


def test_an_unknown_contingent_is_404(client: Client, deployment_officer: User) -> None:
    client.force_login(deployment_officer)
    assert client.get(reverse("readiness_board", args=[uuid.uuid4()])).status_code == 404


def test_the_deployment_officer_opens_a_mission_and_a_contingent_and_nominates_on_the_pages(
    client: Client, deployment_officer: User, desk_officer: User
) -> None:
    client.force_login(deployment_officer)
    assert client.get(reverse("deployments_new_mission")).status_code == 200
    mission = {"code": "MSS-HAITI", "name": "MSS Haiti", "mandate": "UNSC Res. 2699"}
    assert client.post(reverse("deployments_new_mission"), mission).status_code == 302
    assert client.post(reverse("deployments_new_mission"), mission).status_code == 422  # the code is taken
    from daftari.deployments.models import Mission

    contingent = {
        "mission": str(Mission.objects.get().pk),
        "number": "1",
        "departs_on": "2027-06-01",
        "returns_on": "2027-05-01",
        "size": "400",
        "units": "GSU",
    }
    assert client.post(reverse("deployments_new_contingent"), contingent).status_code == 422  # returns before leaving
    assert (
        client.post(reverse("deployments_new_contingent"), {**contingent, "returns_on": "2028-06-01"}).status_code
        == 302
    )
    opened = Contingent.objects.get()
    url = reverse("deployments_nominate", args=[opened.pk])
    nominee = {
        "service_number": desk_officer.officer.service_number,
        "date_of_birth": "1990-01-01",
        "joined_service_on": "2012-01-01",
    }
    assert client.post(url, nominee).status_code == 302
    assert client.post(url, nominee).status_code == 422  # nominated already
    assert "Contingent number" in client.get(reverse("deployments")).content.decode()
    client.force_login(desk_officer)
    assert client.post(reverse("deployments_new_mission"), {**mission, "code": "OTHER"}).status_code == 403


def test_a_deployment_officer_lands_on_the_deployments_and_is_not_offered_the_book(
    client: Client, deployment_officer: User
) -> None:
    client.force_login(deployment_officer)
    landing = client.get(reverse("today"))
    assert landing.status_code == 302 and landing["Location"] == reverse("deployments")
    menu = client.get(reverse("deployments")).content.decode()
    assert "Today&#x27;s book" not in menu and "Deployments" in menu
