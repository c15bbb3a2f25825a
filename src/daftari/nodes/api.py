"""The hub's endpoints for station nodes (join, push) and, later, the status of the link.

Join is authorised by the one-time enrolment code; a push by the node's own signature over the
request (wire.py), checked against the key the hub pinned at join. No session or token: a node is
not an officer.
"""

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Query, Router

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import NotFound, NotPermitted
from daftari.nodes import handover, hub, queries, wire
from daftari.nodes.schemas import (
    PUSH_BODY,
    FeedIn,
    FeedOut,
    HandBackIn,
    HandBackOut,
    HubNodeOut,
    JoinIn,
    JoinOut,
    NodeStatusOut,
    PushOut,
    ResumeOut,
)
from daftari.stations.api import API_AUTH
from daftari.stations.models import Station, scope_of
from daftari.stations.rules import can_hand_back_book, sees_link_state, sees_station_nodes

router = Router(tags=["nodes"], auth=None)


def _hub_only() -> None:
    if settings.DAFTARI_ROLE != "hub":
        raise NotFound()


@router.post(
    "/hub/join",
    response={200: JoinOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A station node joins the hub with its one-time enrolment code",
    description="Pins the node's public key for the station the code was made for (`daftari hub enrol`) "
    "and answers with what the node needs to work alone: the station, its officers (password hashes), "
    "the log origin of its book and the hub's cosigner key, signed (`signature`) by the hub's own log key "
    "(`feed_key`), whose fingerprint ends the code: the node stores nothing of an answer that does not "
    "verify. A code works once, for 24 hours; 403 for one unknown, used or expired.",
)
def join(request: HttpRequest, payload: JoinIn) -> dict[str, object]:
    _hub_only()
    node = hub.join(code=payload.code, public_key=payload.public_key)
    return hub.join_answer(node, code=payload.code)


@router.post(
    "/hub/push",
    response={200: PushOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ResumeOut, 422: ErrorOut},
    summary="A station node pushes a batch of its book",
    description="Signed by the node (`X-Daftari-Node-Signature`, see the README), over the JSON, which may "
    "travel gzip-compressed (`Content-Encoding: gzip`; inflated no further than the request limit, 413 past it). "
    "The hub verifies every "
    "leaf against the node's signed checkpoint, every record against its leaf's commit, the checkpoint's "
    "signature and its consistency with the last accepted one, then stores the batch and answers with its "
    "cosignature (C2SP tlog-cosignature). The same batch again gets the same answer. 409 with `next_index` "
    "when the batch does not start where the hub stands; 403 `refused` when the hub refused the node's book "
    "(its sync stays stopped, oversight is alerted); 401 for a request not signed by an enrolled node.",
    openapi_extra=PUSH_BODY,
)
def push(request: HttpRequest) -> JsonResponse | dict[str, object]:
    _hub_only()
    body = request.body
    if request.headers.get("Content-Encoding", "").strip().lower() == wire.CONTENT_ENCODING:
        body = wire.inflate(body, limit=settings.DAFTARI_MAX_REQUEST_BYTES)
    # The shape first (422 names every wrong field), then who sent it (401).
    batch = wire.parse_push(body)
    node = hub.node_for_request(
        signature=request.headers.get(wire.SIGNATURE_HEADER, ""), method="POST", path=request.path, body=body
    )
    try:
        accepted = hub.accept_push(
            node=node, push=batch, body=body, signature=request.headers.get(wire.SIGNATURE_HEADER, "")
        )
    except hub.BehindOrAhead as elsewhere:
        return JsonResponse(
            {
                "error": elsewhere.code,
                "message": elsewhere.message,
                "fields": elsewhere.fields,
                "next_index": elsewhere.next_index,
            },
            status=409,
        )
    return {"size": accepted.size, "cosigned": accepted.cosigned_note}


@router.get(
    "/hub/feed",
    response={200: FeedOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="A station node pulls the hub's data",
    description="Signed by the node like a push, over the path with its query (`since`, and `at`, the node's "
    "clock: a request older than 5 minutes is refused). The hub's log after `since`: its station, its "
    "officers (password hashes), the offence schedule, the gazetted holidays and the national alerts, each "
    "record with its leaf and salt, and the hub's signed checkpoint with the consistency proof from `since`. "
    "The node verifies all of it before it uses any. 409 when `since` is past the hub's log.",
)
def hub_feed(request: HttpRequest, params: Query[FeedIn]) -> dict[str, object]:
    _hub_only()
    node = hub.node_for_request(
        signature=request.headers.get(wire.SIGNATURE_HEADER, ""),
        method="GET",
        path=request.get_full_path(),
        body=b"",
    )
    return hub.feed_for(node=node, since=params.since, signed_at=params.at)


@router.get(
    "/node/status",
    auth=API_AUTH,
    response={200: NodeStatusOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="On a station node: how far the hub holds the book",
    description="Read from the node's own database: it answers with the hub away. 404 on the hub, or on "
    "a node that has not joined one.",
)
def node_status(request: HttpRequest) -> queries.LinkState:
    state = queries.link_state()
    if state is None:
        raise NotFound()
    if not sees_link_state(scope_of(request.auth), station_code=state.station):  # type: ignore[attr-defined]
        raise NotPermitted()
    return state


@router.get(
    "/hub/nodes",
    auth=API_AUTH,
    response={200: list[HubNodeOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="At the hub: each station node, how far behind it is, and its refusals",
    description="For administrators and oversight (every node), commanders (their county's) and an OCS "
    "(their station's).",
)
def hub_nodes(request: HttpRequest) -> list[queries.NodeRow]:
    _hub_only()
    scope = scope_of(request.auth)  # type: ignore[attr-defined]
    if not sees_station_nodes(scope):
        raise NotPermitted()
    return queries.nodes_for(scope)


@router.post(
    "/hub/nodes/{station}/hand-back",
    auth=API_AUTH,
    response={200: HandBackOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="At the hub: take a station's book back from its node",
    description="For administrators (`daftari hub hand-back` does the same). Writes the handover leaf in the "
    "station's book, naming the node's book as the hub holds it; the hub records for the station again and "
    "refuses whatever the node sends from then on (403 `book_handed_back`). 409 `book_not_at_node` when no "
    "node keeps the book.",
)
def hand_back(request: HttpRequest, station: str, payload: HandBackIn) -> dict[str, object]:
    _hub_only()
    user = request.auth  # type: ignore[attr-defined]
    if not can_hand_back_book(scope_of(user)):
        raise NotPermitted()
    found = Station.objects.filter(code=station).first()
    if found is None:
        raise NotFound()
    moved = handover.hand_back(station=found, by=user.username, reason=payload.reason.strip())
    return {"station": found.code, "node_size": moved.node_size, "node_root": moved.node_root, "at": moved.at}
