"""At the hub: enrolling station nodes, and verifying, mirroring and witnessing their books.

NODES.md rule 2: a batch is accepted only when every leaf hashes into the node's signed checkpoint,
every record matches its leaf's commit, the checkpoint is signed by the node's pinned key, and it
is consistent with the last checkpoint the hub accepted. Anything else from the node itself is a
refusal: the node's sync stops, the batch is kept as evidence, oversight and the admins are told.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daftari_verify import merkle, note
from daftari_verify.checkpoint import Checkpoint, open_checkpoint
from daftari_verify.errors import DaftariVerifyError
from daftari_verify.leaf import Leaf as LeafV1
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daftari.core.errors import DomainError, InvalidInput, NotFound
from daftari.custody.alerts import officer_phones
from daftari.hubfeed import publish as feed
from daftari.ledger import keys as ledger_keys
from daftari.nodes import handover, keys, mirror, rules, wire
from daftari.nodes.models import AcceptedCheckpoint, EnrolledNode, Refusal
from daftari.notifications.services import send_sms
from daftari.occurrences.models import ObCounter
from daftari.stations.models import Officer, Station
from daftari.stations.queries import officers_who
from daftari.stations.rules import is_alerted_to_node_refusals

log = logging.getLogger(__name__)

KIND_REDACTION = "redaction"


class EnrolmentCodeInvalid(DomainError):
    code = "enrolment_code_invalid"
    status = 403
    default_message = gettext_lazy("This enrolment code is unknown, used or expired. Ask the hub for a new one.")


class NodeNotEnrolled(DomainError):
    code = "node_not_enrolled"
    status = 401
    default_message = gettext_lazy("This node is not enrolled at the hub, or its request is not signed by its key.")


class NodeHalted(DomainError):
    code = "refused"
    status = 403
    default_message = gettext_lazy(
        "The hub refused this node's book; its sync stays stopped until oversight reviews it."
    )


class BehindOrAhead(DomainError):
    code = "resume_elsewhere"
    status = 409
    default_message = gettext_lazy("The hub expects the book from another leaf: resume from next_index.")

    def __init__(self, next_index: int) -> None:
        super().__init__(fields={"start": _("Resume from leaf %(index)d.") % {"index": next_index}})
        self.next_index = next_index


class Refused(DomainError):
    code = "refused"
    status = 403
    default_message = gettext_lazy("The hub refused this batch as a possible rewrite of the book.")

    def __init__(self, reason: str, index: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.index = index


def _origin_for(station: Station) -> str:
    return f"{settings.DAFTARI_LOG_ORIGIN}/{station.code}"


# --- Enrolment ---------------------------------------------------------------------------


def enrol(*, station: Station, by: str = "", now: datetime | None = None) -> tuple[EnrolledNode, str]:
    """A new one-time enrolment code for a node of ``station``, valid 24 hours; only its hash is kept.
    The code ends with the fingerprint of the hub's own log key, which signs the join answer."""
    now = now or timezone.now()
    code = rules.new_enrolment_code(hub_key=feed.hub_verifier_key())
    node = EnrolledNode.objects.create(
        station=station,
        code_hash=rules.hash_code(code),
        code_expires_at=now + rules.ENROLMENT_VALID_FOR,
        enrolled_at=now,
        enrolled_by=by,
    )
    return node, code


def join(*, code: str, public_key: str, now: datetime | None = None) -> EnrolledNode:
    """Uses the code once: pins the node's key. A used, expired or unknown code is refused alike."""
    now = now or timezone.now()
    try:
        verifier = note.Verifier.parse(public_key)
    except DaftariVerifyError:
        raise InvalidInput(fields={"public_key": _("Send the node's verifier key string.")}) from None
    with transaction.atomic():
        node = (
            EnrolledNode.objects.select_for_update()
            .select_related("station")
            .filter(code_hash=rules.hash_code(code), joined_at__isnull=True, code_expires_at__gt=now)
            .first()
        )
        if node is None:
            raise EnrolmentCodeInvalid()
        node.joined_at, node.public_key, node.origin = now, str(verifier), _origin_for(node.station)
        try:
            with transaction.atomic():
                node.save(update_fields=["joined_at", "public_key", "origin"])
        except IntegrityError:
            raise EnrolmentCodeInvalid(_("Another node already keeps this station's book.")) from None
        # From now on the node alone writes the station's book; the hub mirrors it (rule 1).
        handover.to_node(node, at=now)
    return node


def station_data(node: EnrolledNode, *, now: datetime | None = None) -> dict[str, Any]:
    """What a node needs to work alone: its station, its officers with their password hashes, and
    the last OB number the hub gave at the station today and yesterday, which the node goes on from.

    Read after the join moved the book (the hub numbers nothing more at the station), so the
    counters are the hub's last."""
    station = node.station
    since = rules.first_ob_day_carried(now or timezone.now())
    counters = ObCounter.objects.filter(station=station, ob_date__gte=since).order_by("ob_date")
    officers = []
    for officer in Officer.objects.filter(station=station).select_related("user").prefetch_related("user__groups"):
        user = officer.user
        officers.append(
            {
                "username": user.username,
                "password": user.password,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "is_active": user.is_active,
                "service_number": officer.service_number,
                "rank": officer.rank,
                "phone": officer.phone,
                "roles": sorted(group.name for group in user.groups.all()),
            }
        )
    return {
        "station": {
            "code": station.code,
            "name": station.name,
            "county": station.county_id,
            "sub_county": station.sub_county,
            "lat": str(station.lat) if station.lat is not None else None,
            "lon": str(station.lon) if station.lon is not None else None,
        },
        "officers": officers,
        "ob_counters": [{"ob_date": c.ob_date.isoformat(), "last_seq": c.last_seq} for c in counters],
        "origin": node.origin,
        "hub_key": str(keys.hub_cosigner().verifier()),
        "feed_key": feed.hub_verifier_key(),
        "next_index": node.size,
    }


def join_answer(node: EnrolledNode, *, code: str, now: datetime | None = None) -> dict[str, Any]:
    """The station's data for the node that just joined on ``code``, signed by the hub's own log
    key, the one whose fingerprint the code carries: the node verifies it before storing anything
    (NODES.md rule 5)."""
    return wire.sign_join_answer(
        ledger_keys.signer(), code=code, node_key=node.public_key, answer=station_data(node, now=now)
    )


# --- The hub's data, pulled by a node ------------------------------------------------------


def feed_for(*, node: EnrolledNode, since: int, signed_at: int, now: datetime | None = None) -> dict[str, Any]:
    """What the node of a station pulls of the hub's log after ``since``: its station, its officers,
    the offences, the holidays and the national alerts, with a signed checkpoint the node verifies.
    A signed pull is good for five minutes: a captured one cannot fetch the officers later."""
    now = now or timezone.now()
    if node.left_at is not None:
        raise handover.BookHandedBack()
    if not rules.request_is_fresh(signed_at, now=now.timestamp()):
        raise NodeNotEnrolled(_("The node's request is too old or its clock is wrong: check the node's time."))
    EnrolledNode.objects.filter(pk=node.pk).update(last_contact_at=now)
    return feed.build_feed(node.station, since)


# --- Pushes ------------------------------------------------------------------------------


def node_for_request(*, signature: str, method: str, path: str, body: bytes) -> EnrolledNode:
    """The enrolled node that signed this request with its pinned key."""
    origin = wire.request_origin(signature)
    # The node keeping the book now, and those that kept it before a handover back to the hub
    # (told so, not taken for strangers): each by its own pinned key.
    candidates = (
        EnrolledNode.objects.select_related("station").filter(origin=origin).exclude(public_key="").order_by("-pk")
        if origin
        else EnrolledNode.objects.none()
    )
    for node in candidates:
        verifier = note.Verifier.parse(node.public_key)
        if wire.request_is_signed_by(signature, verifier, origin=node.origin, method=method, path=path, body=body):
            return node
    raise NodeNotEnrolled()


@dataclass(frozen=True)
class Accepted:
    size: int
    cosigned_note: str


def accept_push(
    *, node: EnrolledNode, push: wire.Push, body: bytes, signature: str, now: datetime | None = None
) -> Accepted:
    """Verifies a batch (``push``, parsed from ``body``) of the node's book and, if everything holds,
    mirrors it and cosigns its checkpoint.

    A batch repeated after a lost answer gets the same cosignature back and changes nothing. A
    refusal is recorded in a transaction of its own, so the evidence stays whatever happens next.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _accept(node.pk, push, now)
    except Refused as refused:
        _refuse(node_id=node.pk, refused=refused, body=body, signature=signature, now=now)
        raise
    except handover.BookHandedBack:
        # Not a rewrite: entries the node recorded after the book went back. Kept as evidence.
        Refusal.objects.create(
            node_id=node.pk,
            at=now,
            index=push.start,
            reason=_("pushed after the book was handed back to the hub"),
            batch=body.decode("utf-8", "replace"),
            signature=signature,
        )
        raise


def _accept(node_id: int, push: wire.Push, now: datetime) -> Accepted:
    node = EnrolledNode.objects.select_for_update().select_related("station").get(pk=node_id)
    if node.left_at is not None:
        raise handover.BookHandedBack()
    if node.halted_at is not None:
        raise NodeHalted()
    if push.origin != node.origin:
        raise InvalidInput(fields={"origin": _("This node keeps the book %(origin)s.") % {"origin": node.origin}})
    try:
        checkpoint = open_checkpoint(push.checkpoint, note.Verifier.parse(node.public_key), origin=node.origin)
    except DaftariVerifyError as exc:
        raise Refused(
            _("the checkpoint is not signed by the node's enrolled key (%(reason)s)") % {"reason": exc}, None
        ) from None
    if checkpoint.size != push.end:
        raise InvalidInput(fields={"checkpoint": _("The checkpoint must be of size start + the number of leaves.")})
    if push.start != node.size:
        return _repeated_or_elsewhere(node, push, checkpoint)
    node.last_contact_at = now
    # A history rewritten before the new leaves shows first as a checkpoint that does not extend
    # the accepted one: name it a fork, before looking at the leaves.
    _check_consistency(node, push, checkpoint)
    state = merkle.TreeState.from_bytes(bytes(node.edge))
    rows = []
    redacted_without_record: dict[int, str] = {}
    for offset, pushed in enumerate(push.leaves):
        index = push.start + offset
        leaf = _check_leaf(node, pushed, index)
        if pushed.record is None:
            redacted_without_record[index] = leaf.record
        state.append(merkle.leaf_hash(pushed.data))
        rows.append(mirror.NewLeaf(index, leaf.kind, leaf.record, pushed.data, pushed.record, pushed.salt))
    if state.root() != checkpoint.root:
        raise Refused(
            _("leaves %(first)d..%(last)d do not hash to the root the node signed")
            % {"first": push.start, "last": push.end - 1},
            push.start,
        )
    _check_redactions(node, rows, redacted_without_record)
    mirror.store(node, rows, received_at=now)
    if node.indexed_size >= node.size:
        # National search indexes the batch right after the commit: the accept itself only verifies
        # and stores. While the book is not yet indexed up to here, a job is already queued or
        # running, and it indexes until it reaches the book's size, read under this node's lock
        # (mirror.index_new), so it takes this batch too; the periodic job catches up on a lost one.
        transaction.on_commit(lambda: _index_soon(node.pk))
    cosigned = keys.hub_cosigner().cosign(push.checkpoint, int(now.timestamp()))
    AcceptedCheckpoint.objects.create(
        node=node, size=checkpoint.size, root=checkpoint.root, cosigned_note=cosigned, accepted_at=now
    )
    node.size, node.edge, node.witnessed_size = state.size, state.to_bytes(), state.size
    node.save(update_fields=["size", "edge", "witnessed_size", "last_contact_at"])
    return Accepted(size=state.size, cosigned_note=cosigned)


def _index_soon(node_id: int) -> None:
    from daftari.nodes.tasks import index_mirrored_book

    try:
        index_mirrored_book.enqueue(node_id)
    except Exception:
        # The batch is committed and cosigned; the worker's periodic job indexes it within 30 s.
        log.exception("nodes: could not queue the indexing of node %s's book", node_id)


def _repeated_or_elsewhere(node: EnrolledNode, push: wire.Push, checkpoint: Checkpoint) -> Accepted:
    """A batch the hub already holds gets its cosignature again, if it is the same book; a batch
    that would leave a gap, or overlap in part, is told where to resume."""
    if push.end <= node.size:
        accepted = AcceptedCheckpoint.objects.filter(node=node, size=push.end).first()
        if accepted is not None:
            if bytes(accepted.root) != checkpoint.root:
                raise Refused(
                    _("a second, different book of size %(size)d was signed (a fork)") % {"size": push.end},
                    push.start,
                )
            return Accepted(size=node.size, cosigned_note=accepted.cosigned_note)
    raise BehindOrAhead(node.size)


def _check_leaf(node: EnrolledNode, pushed: wire.PushedLeaf, index: int) -> LeafV1:
    try:
        leaf = LeafV1.from_bytes(pushed.data)
    except DaftariVerifyError as exc:
        raise Refused(
            _("leaf %(index)d is not a v1 leaf (%(reason)s)") % {"index": index, "reason": exc}, index
        ) from None
    if leaf.log != node.origin:
        raise Refused(_("leaf %(index)d belongs to another book") % {"index": index}, index)
    if leaf.prev is not None and leaf.prev >= index:
        raise Refused(_("leaf %(index)d refers to a leaf that is not earlier") % {"index": index}, index)
    if pushed.record is None:
        if pushed.salt is not None:
            raise Refused(_("leaf %(index)d comes with a salt but no record") % {"index": index}, index)
        return leaf
    if pushed.salt is None:
        raise Refused(_("the record of leaf %(index)d comes without its salt") % {"index": index}, index)
    try:
        leaf.check_record(pushed.record, pushed.salt)
    except DaftariVerifyError:
        raise Refused(
            _("the record of leaf %(index)d does not match its leaf's commit (changed after it was recorded)")
            % {"index": index},
            index,
        ) from None
    return leaf


def _check_consistency(node: EnrolledNode, push: wire.Push, checkpoint: Checkpoint) -> None:
    if node.size == 0:
        return
    last = AcceptedCheckpoint.objects.filter(node=node, size=node.size).first()
    old_root = bytes(last.root) if last is not None else merkle.TreeState.from_bytes(bytes(node.edge)).root()
    try:
        merkle.verify_consistency(node.size, checkpoint.size, old_root, checkpoint.root, push.proof)
    except DaftariVerifyError:
        raise Refused(
            _("the new checkpoint is not consistent with the one accepted at size %(size)d (a fork)")
            % {"size": node.size},
            node.size,
        ) from None


def _check_redactions(node: EnrolledNode, rows: list[mirror.NewLeaf], without_record: dict[int, str]) -> None:
    """A record may be missing only when it was erased by lawful order: a ``redaction`` leaf of this
    batch, whose own record checks out, names it."""
    if not without_record:
        return
    named = {
        row.record["redacts"]
        for row in rows
        if row.kind == KIND_REDACTION and row.record is not None and isinstance(row.record.get("redacts"), int)
    }
    for index in sorted(without_record):
        if index not in named:
            raise Refused(
                _("the record of leaf %(index)d is missing and no redaction names it") % {"index": index}, index
            )


def _refuse(*, node_id: int, refused: Refused, body: bytes, signature: str, now: datetime) -> None:
    with transaction.atomic():
        node = EnrolledNode.objects.select_for_update().select_related("station").get(pk=node_id)
        Refusal.objects.create(
            node=node,
            at=now,
            index=refused.index,
            reason=refused.reason,
            batch=body.decode("utf-8", "replace"),
            signature=signature,
        )
        first = node.halted_at is None
        if first:
            node.halted_at = now
            node.save(update_fields=["halted_at"])
            _alert_refusal(node, refused, now)
    log.critical("nodes: refused a batch of %s: %s", node.origin, refused.reason)


def _alert_refusal(node: EnrolledNode, refused: Refused, now: datetime) -> None:
    phones = officer_phones(officers_who(is_alerted_to_node_refusals))
    for phone in phones:
        try:
            send_sms(
                to=phone,
                template="node_refused",
                context={"station": node.station.code, "reason": refused.reason[:80]},
                event_key=f"node-refused:{node.pk}:{now.isoformat()}:{phone}",
            )
        except InvalidInput:
            log.warning("node refusal alert: officer phone %r is not a valid number", phone)


def nodes() -> list[EnrolledNode]:
    return list(
        EnrolledNode.objects.filter(joined_at__isnull=False).select_related("station").order_by("station__code")
    )


def node_of(station_code: str) -> EnrolledNode:
    node = EnrolledNode.objects.filter(
        station__code=station_code, joined_at__isnull=False, left_at__isnull=True
    ).first()
    if node is None:
        raise NotFound()
    return node
