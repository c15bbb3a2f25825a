"""On a station node: joining the hub, and pushing the book to it (NODES.md rules 3 and 4).

The node numbers and records with no link at all; the push only reads what is recorded. It goes in
batches of 256 leaves, each with the node's signed checkpoint of the book up to the batch's end and
a consistency proof from where the hub stands. ``HubLink.sent_size`` moves forward only after the
hub's cosignature for a batch has been checked, so a node killed mid-push sends the batch again and
the hub, which already holds it, answers with the same cosignature: nothing lost, nothing twice.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from daftari_verify import note
from daftari_verify.checkpoint import Checkpoint
from daftari_verify.cosignature import CosignatureVerifier
from daftari_verify.errors import DaftariVerifyError
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core.errors import DomainError, InvalidInput
from daftari.hubfeed import apply as hub_data
from daftari.ledger import records
from daftari.ledger import services as ledger
from daftari.ledger.models import Commitment, Leaf, Log, Redaction
from daftari.nodes import keys, rules, wire
from daftari.nodes.models import Cosignature, HubLink
from daftari.nodes.rules import SyncOutcome
from daftari.occurrences.services import continue_ob_numbers
from daftari.stations.models import County, Officer, Station

log = logging.getLogger(__name__)

JOIN_PATH = "/api/v1/hub/join"
PUSH_PATH = "/api/v1/hub/push"
FEED_PATH = "/api/v1/hub/feed"
MAX_BATCH = wire.MAX_BATCH


class NotANode(DomainError):
    code = "not_a_node"
    status = 409
    default_message = gettext_lazy("This server runs as the hub; set DAFTARI_ROLE=node on a station node.")


class AlreadyJoined(DomainError):
    code = "already_joined"
    status = 409
    default_message = gettext_lazy("This node has already joined a hub.")


class NotJoined(DomainError):
    code = "not_joined"
    status = 409
    default_message = gettext_lazy("This node has not joined a hub yet: run daftari node join first.")


class HubUnreachable(DomainError):
    code = "hub_unreachable"
    status = 503
    default_message = gettext_lazy("The hub cannot be reached.")


def link() -> HubLink | None:
    return HubLink.objects.select_related("station").first()


def _client(hub_url: str) -> httpx.Client:
    return httpx.Client(base_url=hub_url, timeout=httpx.Timeout(settings.DAFTARI_NODE_TIMEOUT_SECONDS, connect=5.0))


# --- Join --------------------------------------------------------------------------------


def join(*, hub_url: str, code: str, now: datetime | None = None) -> HubLink:
    """Makes the node key, registers it with the hub on the one-time code, and stores the station
    and its officers (with their password hashes) so they can sign in here, once the hub's answer is
    signed by the key whose fingerprint ends the code."""
    if settings.DAFTARI_ROLE != "node":
        raise NotANode()
    if link() is not None:
        raise AlreadyJoined()
    hub_url = hub_url.rstrip("/")
    if rules.code_fingerprint(code) is None:
        raise InvalidInput(fields={"code": _("Type the whole enrolment code, as the hub printed it.")})
    public_key = str(keys.node_signer().verifier())
    try:
        with _client(hub_url) as client:
            answer = client.post(JOIN_PATH, json={"code": code, "public_key": public_key})
    except httpx.HTTPError as exc:
        raise HubUnreachable(_("The hub cannot be reached: %(reason)s") % {"reason": exc}) from None
    if answer.status_code != 200:
        raise DomainError(_error_message(answer))
    try:
        data = answer.json()
    except ValueError:
        data = None
    return accept_join_answer(hub_url=hub_url, code=code, answer=data, now=now or timezone.now())


def accept_join_answer(*, hub_url: str, code: str, answer: Any, now: datetime) -> HubLink:
    """Stores the hub's join answer once it verifies against the hub key the enrolment code pins,
    and nothing of one that does not (NODES.md rule 5): unsigned, signed by another key, altered."""
    data = wire.verified_join_answer(answer, code=code, node_key=str(keys.node_signer().verifier()))
    return _store_join(hub_url=hub_url, data=data, now=now)


def _error_message(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("message") or answer.status_code)
    except ValueError:
        return _("The hub answered %(status)d.") % {"status": answer.status_code}


@transaction.atomic
def _store_join(*, hub_url: str, data: dict[str, Any], now: datetime) -> HubLink:
    """The station, its officers and the link to the hub, from the hub's join data. The join moves
    the station's book from the hub to this node, so the node's OB numbers of today and yesterday go
    on after the last the hub gave: none is given twice on one day."""
    counters = rules.parse_ob_counters(data.get("ob_counters"))
    if counters is None:
        raise InvalidInput(
            fields={
                "ob_counters": _("The hub did not send the OB numbers to go on from; update the hub and join again.")
            }
        )
    station = apply_station(data["station"])
    origin = ledger.origin_for(station)
    if data["origin"] != origin:
        raise InvalidInput(
            fields={
                "DAFTARI_LOG_ORIGIN": _("The hub keeps this book as %(origin)s; set DAFTARI_LOG_ORIGIN to match.")
                % {"origin": data["origin"]}
            }
        )
    apply_officers(station, data["officers"])
    for ob_date, last_seq in counters:
        continue_ob_numbers(station=station, ob_date=ob_date, after=last_seq)
    return HubLink.objects.create(
        hub_url=hub_url,
        hub_key=str(CosignatureVerifier.parse(data["hub_key"])),
        feed_key=str(note.Verifier.parse(data["feed_key"])),
        station=station,
        origin=origin,
        joined_at=now,
        sent_size=int(data["next_index"]),
        hub_data_as_of=now,
    )


def apply_station(data: dict[str, Any]) -> Station:
    fields = {
        "name": data["name"],
        "county": County.objects.get(pk=data["county"]),
        "sub_county": data["sub_county"],
        "lat": Decimal(data["lat"]) if data["lat"] is not None else None,
        "lon": Decimal(data["lon"]) if data["lon"] is not None else None,
    }
    station, _created = Station.objects.update_or_create(code=data["code"], defaults=fields)
    return station


def apply_officers(station: Station, officers: list[dict[str, Any]]) -> None:
    """The station's officers as the hub holds them: accounts made or brought up to date, password
    hashes included (the password itself never leaves the hub)."""
    for data in officers:
        user = User.objects.filter(username=data["username"]).first() or User(username=data["username"])
        user.password = data["password"]
        user.first_name, user.last_name, user.is_active = data["first_name"], data["last_name"], data["is_active"]
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in data["roles"]])
        Officer.objects.update_or_create(
            user=user,
            defaults={
                "service_number": data["service_number"],
                "rank": data["rank"],
                "station": station,
                "phone": data["phone"],
            },
        )


# --- Push --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    outcome: SyncOutcome
    sent: int
    pending: int
    message: str


def pending_leaves(hub_link: HubLink) -> int:
    size = Log.objects.filter(station=hub_link.station).values_list("size", flat=True).first() or 0
    return max(size - hub_link.sent_size, 0)


def _book(station: Station) -> Log:
    """The station's log head with its tree built over every leaf recorded so far."""
    with transaction.atomic():
        head = ledger.lock_log(station)
        ledger.integrate(head)
    return head


def build_push(head: Log, start: int, size: int) -> wire.Push:
    """The batch from leaf ``start``: up to 256 leaves with their records and salts, the node's
    signed checkpoint of the book up to its end, and the consistency proof from ``start``."""
    end = min(start + settings.DAFTARI_NODE_BATCH_LEAVES, size)
    rows = list(
        Leaf.objects.filter(log=head, index__gte=start, index__lt=min(start + MAX_BATCH, size)).order_by("index")
    )
    salts = dict(Commitment.objects.filter(leaf__in=rows).values_list("leaf_id", "salt"))
    for row in rows[: end - start]:
        if row.pk not in salts:
            # Erased by lawful order before it was sent: the batch reaches the redaction leaf that says so.
            redaction = Redaction.objects.filter(leaf=row).first()
            if redaction is None:
                continue
            erasing = Leaf.objects.filter(log=head, kind="redaction", record_id=str(redaction.pk)).first()
            if erasing is not None:
                end = max(end, min(erasing.index + 1, start + MAX_BATCH))
    leaves = []
    for row in rows[: end - start]:
        salt = salts.get(row.pk)
        record = records.load(row.kind, row.record_id) if salt is not None else None
        leaves.append(wire.PushedLeaf(bytes(row.data), record, bytes(salt) if salt is not None else None))
    root = ledger.root_at(head, end)
    checkpoint = Checkpoint(head.origin, end, root).sign(keys.node_signer())
    proof = ledger.consistency_proof(head, start, end) if start else []
    return wire.Push(head.origin, start, tuple(leaves), checkpoint, tuple(proof))


def _post_push(client: httpx.Client, push: wire.Push) -> httpx.Response:
    body = json.dumps(push.to_json(), separators=(",", ":"), ensure_ascii=True).encode("ascii")
    signature = wire.sign_request(keys.node_signer(), origin=push.origin, method="POST", path=PUSH_PATH, body=body)
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": wire.CONTENT_ENCODING,
        wire.SIGNATURE_HEADER: signature,
    }
    return client.post(PUSH_PATH, content=wire.compress(body), headers=headers)


def sync(*, now: datetime | None = None) -> SyncResult:
    """Pushes everything the hub does not hold yet, batch by batch; returns how it ended (the exit code)."""
    if settings.DAFTARI_ROLE != "node":
        raise NotANode()
    hub_link = link()
    if hub_link is None:
        raise NotJoined()
    HubLink.objects.filter(pk=hub_link.pk).update(last_attempt_at=now or timezone.now())
    head = _book(hub_link.station)
    sent = 0
    try:
        with _client(hub_link.hub_url) as client:
            # The hub's data first: a national alert reaches the desk even while the book waits.
            not_applied = pull(client, hub_link)
            if hub_link.refused_at is not None:
                return SyncResult(SyncOutcome.REFUSED, 0, pending_leaves(hub_link), hub_link.refusal)
            for _attempt in range(head.size // settings.DAFTARI_NODE_BATCH_LEAVES + 10):
                hub_link.refresh_from_db()
                if hub_link.sent_size >= head.size:
                    break
                push = build_push(head, hub_link.sent_size, head.size)
                answer = _post_push(client, push)
                outcome = _handle_answer(hub_link, head, push, answer)
                if outcome is not None:
                    return outcome
                sent += len(push.leaves)
    except httpx.HTTPError as exc:
        return _unreachable(hub_link, str(exc) or type(exc).__name__, sent)
    if not_applied:
        HubLink.objects.filter(pk=hub_link.pk).update(last_sync_at=timezone.now(), last_error=not_applied[:500])
        return SyncResult(SyncOutcome.REFUSED, sent, pending_leaves(hub_link), not_applied)
    HubLink.objects.filter(pk=hub_link.pk).update(last_sync_at=timezone.now(), last_error="")
    hub_link.refresh_from_db()
    return SyncResult(SyncOutcome.UP_TO_DATE, sent, pending_leaves(hub_link), _("Up to date."))


def pull(client: httpx.Client, hub_link: HubLink) -> str:
    """Fetches the hub's data after what this node last verified and applies it once all of it
    verifies against the hub's key pinned at join (hubfeed.apply). Returns why it was not applied,
    or "" when it was; an answer of 5xx raises, as the hub being away does."""
    last = hub_data.last_verified()
    path = f"{FEED_PATH}?since={last.size if last is not None else 0}&at={int(timezone.now().timestamp())}"
    signature = wire.sign_request(keys.node_signer(), origin=hub_link.origin, method="GET", path=path, body=b"")
    answer = client.get(path, headers={wire.SIGNATURE_HEADER: signature})
    if answer.status_code >= 500:
        answer.raise_for_status()
    if answer.status_code == 409 and last is None:
        return ""  # the hub has published nothing yet: nothing to take, nothing wrong
    if answer.status_code != 200:
        return _("The hub did not send its data: %(reason)s") % {"reason": _error_message(answer)}
    try:
        payload = answer.json()
    except ValueError:
        payload = None
    result = hub_data.apply_feed(payload, hub_link.feed_key, last, station_code=hub_link.station.code)
    if not result.ok:
        log.error("nodes: the hub's data was refused (%s): %s", result.failed_check, result.message)
        return _("The hub's data did not verify and was not used: %(reason)s") % {"reason": result.message}
    HubLink.objects.filter(pk=hub_link.pk).update(hub_data_as_of=timezone.now())
    return ""


def _unreachable(hub_link: HubLink, reason: str, sent: int) -> SyncResult:
    HubLink.objects.filter(pk=hub_link.pk).update(last_error=reason[:500])
    return SyncResult(SyncOutcome.UNREACHABLE, sent, pending_leaves(hub_link), reason)


def _handle_answer(hub_link: HubLink, head: Log, push: wire.Push, answer: httpx.Response) -> SyncResult | None:
    """None to go on with the next batch; a result to stop with."""
    if answer.status_code >= 500:
        return _unreachable(hub_link, _("The hub answered %(status)d.") % {"status": answer.status_code}, 0)
    try:
        data = answer.json()
    except ValueError:
        return _unreachable(hub_link, _("The hub answered %(status)d.") % {"status": answer.status_code}, 0)
    if answer.status_code == 200:
        problem = _store_cosignature(hub_link, push, str(data.get("cosigned", "")))
        if problem is None:
            return None
        HubLink.objects.filter(pk=hub_link.pk).update(last_error=problem[:500])
        return SyncResult(SyncOutcome.REFUSED, 0, pending_leaves(hub_link), problem)
    if answer.status_code == 409 and isinstance(data.get("next_index"), int):
        next_index = data["next_index"]
        if next_index > head.size:
            message = _("The hub holds %(hub)d leaves of this book, the node only %(node)d.") % {
                "hub": next_index,
                "node": head.size,
            }
            return _refused(hub_link, message)
        HubLink.objects.filter(pk=hub_link.pk).update(sent_size=next_index)
        return None
    message = str(data.get("message") or answer.status_code)
    if answer.status_code in (401, 403):
        return _refused(hub_link, message)
    HubLink.objects.filter(pk=hub_link.pk).update(last_error=message[:500])
    return SyncResult(SyncOutcome.REFUSED, 0, pending_leaves(hub_link), message)


def _refused(hub_link: HubLink, message: str) -> SyncResult:
    HubLink.objects.filter(pk=hub_link.pk).update(refused_at=timezone.now(), refusal=message, last_error=message[:500])
    return SyncResult(SyncOutcome.REFUSED, 0, pending_leaves(hub_link), message)


def _store_cosignature(hub_link: HubLink, push: wire.Push, cosigned: str) -> str | None:
    """Keeps the hub's receipt, once it is the hub's key over this very checkpoint; only then is the
    batch counted as sent. Returns what is wrong with it, if anything."""
    try:
        timestamp = CosignatureVerifier.parse(hub_link.hub_key).verify(cosigned)
        same = note.parse(cosigned)[0] == note.parse(push.checkpoint)[0]
    except DaftariVerifyError as exc:
        return _("The hub's cosignature does not verify: %(reason)s") % {"reason": exc}
    if not same:
        return _("The hub cosigned another checkpoint than the one sent.")
    at = datetime.fromtimestamp(timestamp, tz=UTC)
    with transaction.atomic():
        Cosignature.objects.get_or_create(size=push.end, defaults={"cosigned_note": cosigned, "cosigned_at": at})
        HubLink.objects.filter(pk=hub_link.pk, sent_size__lt=push.end).update(
            sent_size=push.end, witnessed_size=push.end, witnessed_at=at
        )
    return None
