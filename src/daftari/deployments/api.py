"""The readiness board on the API: the same read model as the page, logged alike."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router

from daftari.core.api_errors import ErrorOut
from daftari.deployments import queries
from daftari.deployments.schemas import BoardOut, BoardQuery

router = Router(tags=["deployments"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def board_out(board: queries.Board) -> dict[str, Any]:
    """The API's rendering of the board: nothing here decides what the reader may see."""
    contingent = board.contingent
    return {
        "contingent": contingent.pk,
        "mission": contingent.mission.code,
        "number": contingent.number,
        "departs_on": contingent.departs_on,
        "returns_on": contingent.returns_on,
        "criteria_version": board.criteria_version,
        "course_version": board.course.version,
        "ready": board.ready,
        "not_yet": board.not_yet,
        "excluded": board.excluded,
        "candidates": board.candidates,
        "readiness": board.readiness,
        "listed": board.page.paginator.count,
        "page": board.page.number,
        "per_page": board.page.paginator.per_page,
        "pages": board.page.paginator.num_pages,
        "has_next": board.page.has_next(),
        "rows": [
            {
                "candidate": row.candidate_id,
                "service_number": row.service_number,
                "name": row.name,
                "rank": row.rank,
                "age_on_departure": row.age,
                "years_of_service": row.years_of_service,
                "readiness": row.judgement.readiness.value,
                "reasons": [{"code": r.code, "message": r.message, "final": r.final} for r in row.judgement.reasons],
                "modules_passed": row.modules_passed,
                "training_certificate": row.certificate,
                "document_alerts": [
                    {"document": f.code, "alert": f.alert.value, "expires_on": f.expires_on} for f in row.document_flags
                ],
                "certified": row.letter_id is not None,
            }
            for row in board.rows
        ],
    }


@router.get(
    "/deployments/contingents/{contingent_id}/board",
    response={200: BoardOut, **ERRORS},
    summary="Read a contingent's readiness board",
    description="Every candidate as ready, not yet or excluded with all the reasons, the training modules passed "
    "and the document alerts, as the board page shows it; for the deployment, vetting, medical and trainer roles "
    "and commanders. One page of candidates at a time (`page` from 1, `per_page` up to 100, 50 by default; "
    "`readiness` lists only ready, not_yet or excluded); the counts are the whole contingent's. Each candidate "
    "listed is logged, and only those. The vetting officer's reasons are never here.",
)
def board(request: HttpRequest, contingent_id: uuid.UUID, filters: Query[BoardQuery]) -> dict[str, Any]:
    return board_out(
        queries.readiness_board(
            reader=_actor(request),
            contingent_id=contingent_id,
            channel="api",
            readiness=filters.readiness,
            page=filters.page,
            per_page=filters.per_page,
        )
    )
