"""The readiness board a page at a time: small enough for a slow link, filtered by readiness, the counts
the whole contingent's and only the candidates shown logged as read (issue 15)."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from daftari.deployments import queries
from daftari.deployments.models import Candidate, Contingent
from daftari.deployments.rules import Readiness
from daftari.deployments.services import decide_vetting
from daftari.stations.models import AccessEvent, Station
from tests.deployments.conftest import Nominate
from tests.deployments.test_board import _bulk_candidates, pass_everything
from tests.occurrences.test_api import Api

SERVICE_NUMBER = re.compile(r"<tr>\s*<td>([^<]+)</td>")


@pytest.fixture
def large(
    contingent: Contingent,
    station: Station,
    deployment_officer: User,
    nominate: Nominate,
    trainer: User,
    medical_officer: User,
    vetting_officer: User,
) -> Candidate:
    """120 candidates: 100 not yet (nothing assessed: every reason shown), 19 too old (excluded) and
    one ready, who is returned."""
    officer = deployment_officer.officer  # type: ignore[attr-defined]
    _bulk_candidates(contingent, station, 100, officer, assessed=False)
    _bulk_candidates(contingent, station, 19, officer, first=100, born=date(1960, 1, 1))
    ready = nominate("ready")
    pass_everything(ready, trainer, medical_officer, deployment_officer)
    decide_vetting(
        actor=vetting_officer, candidate=ready, decision="cleared", reason="Nothing found.", findings_seen=[]
    )
    return ready


def _all_numbers(contingent: Contingent) -> list[str]:
    return sorted(contingent.candidates.values_list("officer__service_number", flat=True))


def _shown(client: Client, contingent: Contingent, **params: str) -> tuple[int, str, list[str]]:
    page = client.get(reverse("readiness_board", args=[contingent.pk]), params)
    body = page.content.decode()
    return page.status_code, body, SERVICE_NUMBER.findall(body)


def _logged(user: User) -> set[str]:
    rows = AccessEvent.objects.filter(record_type="candidate", username=user.username, channel="desk")
    return set(rows.values_list("record_id", flat=True))


def test_a_board_of_120_is_under_100_kb_a_page_lists_50_and_the_next_page_the_next_50(
    client: Client, deployment_officer: User, contingent: Contingent, large: Candidate
) -> None:
    client.force_login(deployment_officer)
    every = _all_numbers(contingent)
    status, body, first = _shown(client, contingent)
    assert status == 200 and len(body.encode()) < 100_000
    assert first == every[:50]
    # The counts stay the whole contingent's; the page links to the next without JavaScript.
    assert "120: Ready 1 · Not yet 100 · Excluded 19" in body
    assert 'href="?page=2" rel="next"' in body and "Page 1 of 3" in body
    status, body, second = _shown(client, contingent, page="2")
    assert status == 200 and second == every[50:100]
    assert 'href="?page=1" rel="prev"' in body and 'href="?page=3" rel="next"' in body


def test_only_the_candidates_shown_on_the_page_are_logged_as_read(
    client: Client, deployment_officer: User, contingent: Contingent, large: Candidate
) -> None:
    client.force_login(deployment_officer)
    by_number = dict(contingent.candidates.values_list("officer__service_number", "pk"))
    _shown(client, contingent, page="2")
    _, _, shown = _shown(client, contingent, page="3")
    assert len(shown) == 20
    assert _logged(deployment_officer) == {str(by_number[n]) for n in _all_numbers(contingent)[50:]}


def test_the_filter_lists_only_the_candidates_in_that_state_and_keeps_it_across_pages(
    client: Client, deployment_officer: User, contingent: Contingent, large: Candidate
) -> None:
    client.force_login(deployment_officer)
    status, body, shown = _shown(client, contingent, readiness="excluded")
    assert status == 200 and len(shown) == 19 and all(n >= "B6-00100" for n in shown)
    assert 'aria-current="page">Excluded (19)' in body and "120: Ready 1" in body
    _, _, ready = _shown(client, contingent, readiness="ready")
    assert ready == [large.officer.service_number]
    status, body, not_yet = _shown(client, contingent, readiness="not_yet", page="2")
    assert status == 200 and not_yet == [f"B6-{i:05d}" for i in range(50, 100)]
    assert 'href="?readiness=not_yet&amp;page=1" rel="prev"' in body
    board = queries.readiness_board(reader=deployment_officer, contingent_id=contingent.pk, readiness="excluded")
    assert {row.judgement.readiness for row in board.rows} == {Readiness.EXCLUDED}


@pytest.mark.parametrize(
    ("asked", "first_of"),
    [
        ({"page": "0"}, 0),
        ({"page": "-3"}, 0),
        ({"page": "two"}, 0),
        ({"page": "1e3"}, 0),
        ({"page": "99"}, 100),
        ({"page": "99999999999999999999999"}, 100),
        ({"page": "9" * 5000}, 100),  # past the digits Python turns into a number unasked
        ({"readiness": "sleeping"}, 0),
    ],
)
def test_a_page_number_that_is_not_one_gives_the_first_page_and_one_past_the_end_the_last(
    client: Client,
    deployment_officer: User,
    contingent: Contingent,
    large: Candidate,
    asked: dict[str, str],
    first_of: int,
) -> None:
    client.force_login(deployment_officer)
    status, _, shown = _shown(client, contingent, **asked)
    assert status == 200 and shown[0] == _all_numbers(contingent)[first_of]


def test_a_state_with_no_candidate_says_so_in_english_and_kiswahili(
    client: Client, deployment_officer: User, contingent: Contingent, nominate: Nominate
) -> None:
    nominate("kamau")
    client.force_login(deployment_officer)
    status, body, shown = _shown(client, contingent, readiness="ready")
    assert status == 200 and shown == [] and "No candidate is in this state." in body
    assert "All candidates (1)" in body
    client.cookies["django_language"] = "sw"
    swahili = client.get(
        reverse("readiness_board", args=[contingent.pk]), {"readiness": "ready"}, HTTP_ACCEPT_LANGUAGE="sw"
    ).content.decode()
    assert "Hakuna mgombea katika hali hii." in swahili and "Wagombea wote (1)" in swahili


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_pages_the_board_and_filters_it_with_the_counts_of_the_whole_contingent(
    client: Client, deployment_officer: User, contingent: Contingent, large: Candidate
) -> None:
    api = Api(client, deployment_officer)
    path = f"/deployments/contingents/{contingent.pk}/board"
    every = _all_numbers(contingent)
    first = api.get(path).json()
    assert [r["service_number"] for r in first["rows"]] == every[:50]
    assert (first["page"], first["pages"], first["listed"], first["has_next"]) == (1, 3, 120, True)
    assert (first["candidates"], first["ready"], first["not_yet"], first["excluded"]) == (120, 1, 100, 19)
    second = api.get(path, page=2, per_page=30).json()
    assert [r["service_number"] for r in second["rows"]] == every[30:60]
    excluded = api.get(path, readiness="excluded").json()
    assert len(excluded["rows"]) == 19 and {r["readiness"] for r in excluded["rows"]} == {"excluded"}
    assert (excluded["listed"], excluded["has_next"], excluded["candidates"]) == (19, False, 120)
    past = api.get(path, page=9).json()
    assert past["page"] == 3 and [r["service_number"] for r in past["rows"]] == every[100:]
    logged = AccessEvent.objects.filter(record_type="candidate", username=deployment_officer.username, channel="api")
    assert logged.count() == 50 + 30 + 19 + 20


@pytest.mark.parametrize(
    "asked",
    [{"page": 0}, {"page": "two"}, {"per_page": 0}, {"per_page": 101}, {"readiness": "sleeping"}],
)
def test_the_api_answers_a_bad_page_or_state_with_422_and_the_field(
    client: Client, deployment_officer: User, contingent: Contingent, asked: dict[str, object]
) -> None:
    answer = Api(client, deployment_officer).get(f"/deployments/contingents/{contingent.pk}/board", **asked)
    assert answer.status_code == 422, answer.content
    assert next(iter(asked)) in answer.content.decode()
