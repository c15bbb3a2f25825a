"""The signed books on the API: checkpoints, leaves, proofs and keys, for anyone to fetch.

Public on purpose: leaves hold only salted commitments, so oversight bodies, courts and the
defence can watch a station's book without an account (LEDGER.md, "What the server offers").
"""

from daftari_verify.checkpoint import ConsistencyProof, InclusionProof
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Path, Query, Router

from daftari.core.api_errors import ErrorOut
from daftari.core.errors import InvalidInput, NotFound
from daftari.ledger import keys, services
from daftari.ledger.models import Leaf, Log
from daftari.ledger.schemas import (
    ConsistencyProofOut,
    ConsistencyQuery,
    Count,
    InclusionProofOut,
    InclusionQuery,
    content,
)
from daftari.stations.models import Station

router = Router(tags=["ledger"], auth=None)

ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, 422: ErrorOut}
TEXT = "text/plain; charset=utf-8"


def _name(station: str) -> str:
    """The path's station code, 404 when no station could bear it (PostgreSQL refuses NUL in a query: 500)."""
    if "\x00" in station:
        raise NotFound()
    return station


def _log(station: str) -> Log:
    """The station's log; a station that has recorded nothing yet has an empty one."""
    found = Station.objects.filter(code=_name(station)).first()
    if found is None:
        raise NotFound()
    return Log.objects.filter(station=found).first() or Log(station=found, size=0)


def _fines_log(station: str) -> Log:
    """The fines log the hub writes for a node's station (NODES.md rule 1), named as ``ledger verify``
    names it (``CODE/fines``); 404 for a station that has none."""
    found = services.log_named(f"{_name(station)}/{services.FINES}")
    if found is None or found.station_id is not None:
        raise NotFound()
    return found


def _too_big(field: str, size: int) -> InvalidInput:
    message = gettext("The book has %(size)s leaves.") % {"size": size}
    return InvalidInput(fields={field: message})


@router.get(
    "/ledger/keys",
    response=ERRORS,
    summary="The keys the books are signed with",
    description="Verifier key strings (C2SP signed-note), one per line. Check them against a copy "
    "obtained elsewhere before trusting a checkpoint.",
    openapi_extra=content("text/plain", "Verifier key strings, one per line."),
)
def verifier_keys(request: HttpRequest) -> HttpResponse:
    return HttpResponse(keys.verifier_key() + "\n", content_type=TEXT)


def _checkpoint(log: Log) -> HttpResponse:
    latest = services.latest_checkpoint(log) if log.pk else None
    if latest is None:
        raise NotFound(gettext("This book has no signed checkpoint yet."))
    return HttpResponse(latest.signed_note, content_type=TEXT)


def _leaf(log: Log, index: int) -> HttpResponse:
    data = Leaf.objects.filter(log_id=log.pk, index=index).values_list("data", flat=True).first() if log.pk else None
    if data is None:
        raise NotFound(gettext("The book has no leaf at this index."))
    return HttpResponse(bytes(data), content_type="application/json")


def _inclusion(log: Log, query: InclusionQuery) -> dict[str, object]:
    if query.size > log.size:
        raise _too_big("size", log.size)
    if query.index >= query.size:
        raise InvalidInput(fields={"index": gettext("The leaf index must be less than the size.")})
    hashes = services.inclusion_proof(log, query.index, query.size)
    return InclusionProof(query.index, query.size, tuple(hashes)).to_json()


def _consistency(log: Log, query: ConsistencyQuery) -> dict[str, object]:
    if query.new > log.size:
        raise _too_big("new", log.size)
    if query.old > query.new:
        raise InvalidInput(fields={"old": gettext("The older size must not exceed the newer one.")})
    hashes = services.consistency_proof(log, query.old, query.new)
    return ConsistencyProof(query.old, query.new, tuple(hashes)).to_json()


CHECKPOINT = "A C2SP tlog-checkpoint in a signed note. 404 until the first checkpoint is signed."
LEAF = "The leaf's exact bytes, as hashed into the book (JSON leaf v1: no personal data)."
INCLUSION = (
    "RFC 9162 §2.1.3 inclusion proof of leaf `index` in the tree of the first `size` leaves. "
    "422 names the field when `size` is more than the book holds or `index` is not less than `size`."
)
CONSISTENCY = (
    "RFC 9162 §2.1.4 consistency proof between two tree sizes. "
    "422 names the field when `new` is more than the book holds or `old` is more than `new`."
)
FINES = " A node station's fines log at the hub (NODES.md rule 1); 404 for a station that has none."


@router.get(
    "/ledger/{station}/checkpoint",
    response=ERRORS,
    summary="The latest signed checkpoint of a station's book",
    description=CHECKPOINT,
    openapi_extra=content("text/plain", "The signed checkpoint."),
)
def checkpoint(request: HttpRequest, station: str) -> HttpResponse:
    return _checkpoint(_log(station))


@router.get(
    "/ledger/{station}/leaves/{index}",
    response=ERRORS,
    summary="One leaf of a station's book",
    description=LEAF,
    openapi_extra=content("application/json", "The leaf bytes.", {"type": "object"}),
)
def leaf(request: HttpRequest, station: str, index: Path[Count]) -> HttpResponse:
    return _leaf(_log(station), index)


@router.get(
    "/ledger/{station}/proof/inclusion",
    response={200: InclusionProofOut, **ERRORS},
    summary="Proof that a leaf is in the book of a given size",
    description=INCLUSION,
)
def inclusion(request: HttpRequest, station: str, query: Query[InclusionQuery]) -> dict[str, object]:
    return _inclusion(_log(station), query)


@router.get(
    "/ledger/{station}/proof/consistency",
    response={200: ConsistencyProofOut, **ERRORS},
    summary="Proof that the book of size `new` extends the book of size `old`",
    description=CONSISTENCY,
)
def consistency(request: HttpRequest, station: str, query: Query[ConsistencyQuery]) -> dict[str, object]:
    return _consistency(_log(station), query)


# A node station's fines log at the hub: the same four under the name ``ledger verify`` gives it
# (``CODE/fines``), so ``daftari-verify watch .../api/v1/ledger/CODE/fines`` follows it.


@router.get(
    "/ledger/{station}/fines/checkpoint",
    response=ERRORS,
    summary="The latest signed checkpoint of a node station's fines log",
    description=CHECKPOINT + FINES,
    openapi_extra=content("text/plain", "The signed checkpoint."),
)
def fines_checkpoint(request: HttpRequest, station: str) -> HttpResponse:
    return _checkpoint(_fines_log(station))


@router.get(
    "/ledger/{station}/fines/leaves/{index}",
    response=ERRORS,
    summary="One leaf of a node station's fines log",
    description=LEAF + FINES,
    openapi_extra=content("application/json", "The leaf bytes.", {"type": "object"}),
)
def fines_leaf(request: HttpRequest, station: str, index: Path[Count]) -> HttpResponse:
    return _leaf(_fines_log(station), index)


@router.get(
    "/ledger/{station}/fines/proof/inclusion",
    response={200: InclusionProofOut, **ERRORS},
    summary="Proof that a leaf is in a node station's fines log of a given size",
    description=INCLUSION + FINES,
)
def fines_inclusion(request: HttpRequest, station: str, query: Query[InclusionQuery]) -> dict[str, object]:
    return _inclusion(_fines_log(station), query)


@router.get(
    "/ledger/{station}/fines/proof/consistency",
    response={200: ConsistencyProofOut, **ERRORS},
    summary="Proof that a node station's fines log of size `new` extends the one of size `old`",
    description=CONSISTENCY + FINES,
)
def fines_consistency(request: HttpRequest, station: str, query: Query[ConsistencyQuery]) -> dict[str, object]:
    return _consistency(_fines_log(station), query)
