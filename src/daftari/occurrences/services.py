"""Every change to the Occurrence Book goes through one of these functions."""

import functools
import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from daftari.alerts import queries as alert_queries
from daftari.alerts.queries import AlertMatch
from daftari.core import human, prepared
from daftari.core.errors import (
    DuplicateWithDifferentContent,
    InvalidInput,
    NotFound,
    NotPermitted,
    NotPermittedAtStation,
)
from daftari.ledger import services as ledger
from daftari.occurrences import casework, entry_types, queries, records, rules
from daftari.occurrences.models import (
    ObCounter,
    Occurrence,
    Offence,
    Party,
    Person,
    PropertyItem,
    Vehicle,
)
from daftari.occurrences.rules import EntryDraft
from daftari.stations.models import Officer, Station, scope_of
from daftari.stations.rules import Scope, can_amend_entry, can_record_entry


class Recorded(NamedTuple):
    entry: Occurrence
    created: bool  # False when a retry with the same id and content returned the stored entry
    # The national alerts the new entry matches, shown to its recorder (``shown_on``); None: not asked.
    alerts: list[AlertMatch] | None = None


def _officer(actor: User) -> Officer:
    officer = getattr(actor, "officer", None)
    if officer is None:
        raise NotPermittedAtStation()
    return officer


@functools.cache
def _counter_sql() -> str:
    table = ObCounter._meta.db_table
    return (
        f"INSERT INTO {table} (station_id, ob_date, last_seq) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (station_id, ob_date) DO UPDATE SET last_seq = {table}.last_seq + 1 "
        "RETURNING last_seq"
    )


def _ob_counter(station: Station, ob_date: Any) -> prepared.Counted:
    # The upsert takes a row lock on the day's counter, so concurrent desks at one station
    # queue here; a rolled-back entry rolls its number back too, which keeps the day gapless.
    return prepared.Counted(field="ob_seq", counter=_counter_sql(), params=[station.pk, ob_date.isoformat()])


def _next_ob_seq(station: Station, ob_date: Any) -> int:
    counter = _ob_counter(station, ob_date)
    with connection.cursor() as cursor:
        cursor.execute(counter.counter, counter.params)
        return int(cursor.fetchone()[0])


def continue_ob_numbers(*, station: Station, ob_date: date, after: int) -> None:
    """The station's next OB number of ``ob_date`` is at least ``after`` + 1: when the book changes
    writer (a node joins, or hands it back), the new writer goes on from the old one's last number.
    The counter is raised, never lowered; call it inside the transaction that moves the book."""
    counter, created = ObCounter.objects.select_for_update().get_or_create(
        station=station, ob_date=ob_date, defaults={"last_seq": after}
    )
    if not created and counter.last_seq < after:
        ObCounter.objects.filter(pk=counter.pk).update(last_seq=after)


def find_entry(*, scope: Scope, reference: str, station: Station | None = None) -> Occurrence:
    """An entry by id or OB number, among those the scope may see (OB numbers need the station)."""
    visible = Occurrence.objects.visible_to(scope).select_related("station", "recorded_by__user")
    parsed = rules.parse_ob_number(reference)
    if parsed is not None:
        seq, ob_date = parsed
        found = visible.filter(station=station, ob_date=ob_date, ob_seq=seq).first() if station else None
    else:
        try:
            found = visible.filter(pk=uuid.UUID(str(reference))).first()
        except ValueError:
            found = None
    if found is None:
        raise NotFound()
    return found


_PERSON = prepared.Columns(Person, "p")


@functools.cache
def _person_sql(by: str) -> str:
    # Asked for every party of every recording: written once, not compiled each time.
    return (
        f"SELECT {_PERSON.sql} FROM {prepared.table(Person)} p"  # noqa: S608 - names only
        f" WHERE p.{prepared.column(Person, by)} = %s ORDER BY p.{prepared.column(Person, 'id')} LIMIT 1"
    )


def _person_queries(parties: list[rules.PartyInput]) -> list[prepared.Query | None]:
    """The read of each party's entry in the person index: by ID number, else phone (None: neither)."""
    found: list[prepared.Query | None] = []
    for party in parties:
        if party.id_number:
            found.append(prepared.Query(_person_sql("id_number"), [party.id_number]))
        elif party.phone:
            found.append(prepared.Query(_person_sql("phone"), [party.phone]))
        else:
            found.append(None)
    return found


def _persons_for(
    parties: list[rules.PartyInput], rows: list[tuple[Any, ...] | None], now: datetime
) -> tuple[list[Person | None], list[Person]]:
    """Each party's entry in the person index, from the row its query found (the first one stored),
    and those of them that are new, not yet stored. Two parties with the same ID number (or phone)
    in one entry are one new person."""
    persons: list[Person | None] = []
    new: list[Person] = []
    found = iter(rows)
    for party in parties:
        if party.id_number:
            by, value = "id_number", party.id_number
        elif party.phone:
            by, value = "phone", party.phone
        else:
            persons.append(None)
            continue
        row = next(found)
        person: Person | None = _PERSON.instance(row, 0) if row is not None else None
        if person is None:
            person = next((p for p in new if getattr(p, by) == value), None)
        if person is None:
            person = Person(name=party.name, id_number=party.id_number, phone=party.phone, first_seen_at=now)
            new.append(person)
        persons.append(person)
    return persons, new


def _write_parts(
    entry: Occurrence,
    draft: EntryDraft,
    persons: list[Person | None],
    counted: prepared.Counted | None,
    before: list[Any],
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Stores the rows ``before`` (stored first), then the entry with its people, offences, property
    and vehicles (on PostgreSQL in one round trip, which also takes its OB number when ``counted``);
    returns its full ledger record, and those parts by name (for ``Occurrence.keep_parts``)."""
    parties = [
        Party(
            occurrence=entry,
            position=i,
            role=p.role,
            person=persons[i],
            name=p.name,
            id_number=p.id_number,
            id_number_unusual=bool(p.id_number) and not rules.id_number_is_usual(p.id_number),
            phone=p.phone,
            sex=p.sex,
            date_of_birth=p.date_of_birth,
            age=p.age,
        )
        for i, p in enumerate(draft.parties)
    ]
    offences = [
        Offence(occurrence=entry, position=i, section=o.section, description=o.description)
        for i, o in enumerate(draft.offences)
    ]
    items = [
        PropertyItem(
            occurrence=entry,
            position=i,
            description=item.description,
            serial_number=item.serial_number,
            quantity=item.quantity,
            value_kes=item.value_kes,
        )
        for i, item in enumerate(draft.property_items)
    ]
    vehicles = [
        Vehicle(
            occurrence=entry,
            position=i,
            plate=v.plate,
            plate_unusual=not rules.plate_is_usual(v.plate),
            make_model=v.make_model,
            colour=v.colour,
        )
        for i, v in enumerate(draft.vehicles)
    ]
    # The record is made before the number is taken (from then to the commit the station's other
    # desks wait), and the number put in after.
    record = records.ledger_record(entry, parties, offences, items, vehicles)
    # A taken client id: IntegrityError.
    prepared.insert_all(
        [*before, entry, *parties, *offences, *items, *vehicles], counted=counted, counted_at=len(before)
    )
    record["ob"] = entry.ob_number
    parts: dict[str, list[Any]] = {
        "parties": parties,
        "offences": offences,
        "property_items": items,
        "vehicles": vehicles,
    }
    return record, parts


def _replay(client_id: uuid.UUID | None, station: Station, digest: str) -> Occurrence | None:
    """The stored entry when this is a retry of the same create; 409 when the id was used otherwise."""
    if client_id is None:
        return None
    existing = Occurrence.objects.filter(pk=client_id).select_related("station").first()
    if existing is None:
        return None
    if existing.station_id != station.pk or existing.content_hash != digest:
        raise DuplicateWithDifferentContent()
    return existing


def _insert(
    *,
    actor: User,
    station: Station,
    draft: EntryDraft,
    digest: str,
    refers_to: Occurrence | None,
    client_id: uuid.UUID | None,
    now: datetime,
    shown_on: str | None = None,
) -> Recorded:
    entry_id = client_id or uuid.uuid4()
    try:
        # A retry is found by its id clashing on insert (below), not by a read before every insert.
        with transaction.atomic():
            # Everything that does not need the number comes first: the day's counter stays locked,
            # and the station's other desks wait, only from here to the commit.
            spec = entry_types.BY_CODE[draft.entry_type]
            parties = list(draft.parties)
            # The parties' people, the SMS's remembered language and, for a recorder shown the entry,
            # the national alerts it matches are read at once (PostgreSQL: one round trip).
            person_queries = [q for q in _person_queries(parties) if q is not None]
            language_query = casework.complainant_language_query(draft) if spec.public_facing else None
            sought = rules.sought_in(draft)
            alert_query = (
                alert_queries.matching_query(reader=actor, station=station, sought=sought)
                if shown_on is not None
                else None
            )
            asked = [*person_queries, *([language_query] if language_query else [])]
            found_rows = prepared.all_rows([*asked, *([alert_query] if alert_query else [])])
            found = [rows[0] if rows else None for rows in found_rows[: len(asked)]]
            persons, new_persons = _persons_for(parties, found[: len(person_queries)], now)
            matched = (
                alert_queries.matches_in(reader=actor, sought=sought, rows=found_rows[-1], channel=shown_on)
                if alert_query is not None and shown_on is not None
                else None
            )
            # The alerts shown are logged as look-ups with the recorder's read, stored with the entry.
            reads = list(matched.lookups) if matched is not None else []
            if shown_on is not None:
                read = queries.recorder_read(
                    recorder=actor,
                    entry_id=entry_id,
                    station_id=station.pk,
                    restricted=entry_types.BY_CODE[draft.entry_type].restricted
                    or (refers_to is not None and refers_to.restricted),
                    channel=shown_on,
                )
                reads.append(read)
            # The SMS (its language chosen now and remembered, or the one remembered; its text but for
            # the number) and the leaf an amendment follows are settled before it too.
            remembered = found[len(person_queries)] if language_query else None
            sms_language = (
                casework.complainant_sms_language(draft, remembered=remembered) if spec.public_facing else None
            )
            sms = (
                casework.complainant_recorded_sms(draft, entry_id=entry_id, station=station, language=sms_language)
                if sms_language is not None
                else None
            )
            earlier = ledger.leaf_for(str(refers_to.pk)) if refers_to is not None else None
            ob_date = rules.ob_date_of(now)
            # PostgreSQL: the day's number is taken in the entry's own INSERT (the counter locked one
            # round trip less); SQLite, with no round trips to save, takes it first.
            counted = _ob_counter(station, ob_date) if connection.vendor == "postgresql" else None
            entry = Occurrence(
                id=entry_id,
                station=station,
                ob_date=ob_date,
                entry_type=draft.entry_type,
                occurred_at=draft.occurred_at,
                recorded_at=now,
                recorded_by=_officer(actor),
                place=draft.place,
                lat=draft.lat,
                lon=draft.lon,
                narrative=draft.narrative,
                details=draft.details,
                refers_to=refers_to,
                is_late=draft.late
                or rules.is_late(
                    occurred_at=draft.occurred_at,
                    recorded_at=now,
                    late_after_hours=settings.DAFTARI_LATE_ENTRY_HOURS,
                ),
                late_reason=draft.late_reason,
                content_hash=digest,
                search_text=rules.search_document(draft),
            )
            if counted is None:
                entry.ob_seq = _next_ob_seq(station, ob_date)
            # The new people and the recorder's read are stored before the number is taken, on
            # PostgreSQL in the entry's round trip: the counter is locked from there to the commit.
            record, parts = _write_parts(entry, draft, persons, counted, [*new_persons, *reads])
            # The leaf and the SMS need the number and nothing of each other: sent at once (PostgreSQL).
            with prepared.together():
                ledger.append(
                    station=station,
                    kind=records.KIND_AMENDMENT if draft.entry_type == "AMENDMENT" else records.KIND_OCCURRENCE,
                    record_id=str(entry.pk),
                    record=record,
                    by=entry.recorded_by.service_number,
                    ob=entry.ob_number,
                    prev=earlier.index if earlier is not None else None,
                    at=now,
                )
                if sms is not None:
                    sms.send(entry.ob_number)
    except IntegrityError:
        # The id is taken: a retry of a create that was stored (perhaps by a racing retry), or a clash.
        replay = _replay(client_id, station, digest)
        if replay is None:
            raise
        return Recorded(replay, created=False)
    # Kept for the answer once the commit has let the station's other desks go on.
    entry.keep_parts(**parts)
    alerts = None if shown_on is None else (matched.matches if matched is not None else [])
    return Recorded(entry, created=True, alerts=alerts)


def _with_register_service_numbers(draft: EntryDraft) -> tuple[EntryDraft, dict[str, str]]:
    """Officers named in an entry, as the officers' register writes them; errors for unknown service numbers.

    The desk types the service number, perhaps followed by rank and name ("224503 CPL Hassan Abdi");
    the book records the register's own words for that number, so the entry names a real officer.
    """
    fields = entry_types.BY_CODE[draft.entry_type].fields if draft.entry_type in entry_types.BY_CODE else ()
    typed = {f.name: rules.typed_service_number(draft.details.get(f.name)) for f in fields if f.officer}
    typed = {name: number for name, number in typed.items() if number}
    if not typed:
        return draft, {}
    matching = Q()
    for number in typed.values():
        matching |= Q(service_number__iexact=number)
    register = {o.service_number.upper(): o for o in Officer.objects.filter(matching).select_related("user")}
    details, errors = dict(draft.details), {}
    for name, number in typed.items():
        officer = register.get(number.upper())
        if officer is None:
            errors[f"details.{name}"] = _("No officer has the service number %(number)s. Check it.") % {
                "number": number
            }
        else:
            details[name] = f"{officer.service_number} {officer.display_name}"
    return EntryDraft(**{**draft.__dict__, "details": details}), errors


class Handover(Protocol):
    def __call__(
        self, *, actor: User, station: Station, draft: EntryDraft, client_id: uuid.UUID | None
    ) -> Recorded: ...


# Entry types whose recording is a state change an app above the book owns (custody: into the cells,
# a release, the day close). That app registers the one service that writes the OB line together
# with its own record in one transaction; every way into the book (desk, API, demo) reaches it.
_HANDOVERS: dict[str, Handover] = {}


def hand_over(entry_type: str, handler: Handover) -> None:
    _HANDOVERS[entry_type] = handler


def record_occurrence(
    *,
    actor: User,
    station: Station,
    draft: EntryDraft,
    client_id: uuid.UUID | None = None,
    shown_on: str | None = None,
) -> Recorded:
    """Records a new entry in the station's book and gives it the next OB number of the day.

    ``shown_on``: the channel that shows the new entry back to its recorder in this request; that
    read is then logged in the recording transaction (one commit, not two).

    An entry type handed over to another app (see ``hand_over``) is recorded by that app's service.
    """
    handler = _HANDOVERS.get(draft.entry_type)
    if handler is None:
        return write_entry(actor=actor, station=station, draft=draft, client_id=client_id, shown_on=shown_on)
    with transaction.atomic():
        recorded = handler(actor=actor, station=station, draft=draft, client_id=client_id)
        if shown_on is not None and recorded.created:
            queries.log_recorder_read(
                recorder=actor,
                entry_id=recorded.entry.pk,
                station_id=station.pk,
                restricted=recorded.entry.restricted,
                channel=shown_on,
            )
        return recorded


class Prepared(NamedTuple):
    draft: EntryDraft
    refers_to: Occurrence | None
    errors: dict[str, str]


def prepare_entry(*, actor: User, station: Station, draft: EntryDraft, now: datetime | None = None) -> Prepared:
    """The draft checked and normalised, the earlier entry it follows, and every field error (none raised).

    The apps an entry type is handed over to call this first, so the desk sees the book's errors and
    their own in one answer.
    """
    scope = scope_of(actor)
    if not can_record_entry(scope, station_code=station.code):
        raise NotPermittedAtStation()
    ledger.ensure_recorded_here(station)
    return _checked(scope, station, draft, now or timezone.now())


def _checked(scope: Scope, station: Station, draft: EntryDraft, now: datetime) -> Prepared:
    cleaned, errors = rules.clean_entry(draft, now=now, late_after=timedelta(hours=settings.DAFTARI_LATE_ENTRY_HOURS))
    cleaned, unknown = _with_register_service_numbers(cleaned)
    errors.update(unknown)
    refers_to = None
    if cleaned.refers_to and "refers_to" not in errors:
        try:
            refers_to = find_entry(scope=scope, reference=cleaned.refers_to, station=station)
        except NotFound:
            errors["refers_to"] = _("No earlier entry with that OB number or id here.")
        else:
            if refers_to.station_id != station.pk:
                errors["refers_to"] = _("The earlier entry is in another station's book.")
                refers_to = None
            else:
                cleaned = EntryDraft(**{**cleaned.__dict__, "refers_to": str(refers_to.pk)})
    return Prepared(cleaned, refers_to, dict(errors))


def write_entry(
    *,
    actor: User,
    station: Station,
    draft: EntryDraft,
    client_id: uuid.UUID | None = None,
    shown_on: str | None = None,
) -> Recorded:
    """Writes the entry in the book as it is, without handing it over.

    For ``record_occurrence`` and for the services of the apps an entry type is handed over to,
    which write the OB line of their own state change with it.
    """
    now = timezone.now()
    scope = scope_of(actor)
    if not can_record_entry(scope, station_code=station.code):
        raise NotPermittedAtStation()
    prepared = _checked(scope, station, draft, now)
    if prepared.errors:
        ledger.ensure_recorded_here(station)  # refused before its errors, as prepare_entry refuses it
        raise InvalidInput(fields=prepared.errors)
    # A book its station node keeps is refused by the ledger's append, whose one statement checks it
    # (BookKeptAtNode): the entry's transaction rolls back, nothing is written and no number taken.
    return _insert(
        actor=actor,
        station=station,
        draft=prepared.draft,
        digest=rules.content_hash(prepared.draft),
        refers_to=prepared.refers_to,
        client_id=client_id,
        now=now,
        shown_on=shown_on,
    )


def recorded_it(actor: User, occurrence: Occurrence) -> bool:
    officer = getattr(actor, "officer", None)
    return officer is not None and occurrence.recorded_by_id == officer.pk


def _correction_narrative(
    occurrence: Occurrence, reason: str, changes: dict[str, Any], parts: dict[str, list[dict[str, Any]]]
) -> str:
    """What the book says of a correction, in the recording officer's language: each field by its
    label, each value as people read it ("When it happened: 5 Dec 2026, 09:15"), never the codes."""
    labels = {"narrative": _("What happened"), "place": _("Place"), "occurred_at": _("When it happened")}
    labels.update({f.name: str(f.label) for f in occurrence.spec.fields})
    choices = {f.name: dict(f.choices) for f in occurrence.spec.fields if f.choices}
    summary = "; ".join(
        f"{labels.get(name, name)}: {choices.get(name, {}).get(value, human.human(value))}"
        for name, value in changes.items()
    )
    if parts:
        # What was done to the people, offences, property and vehicles; their values are the correction's own parts.
        summary = "; ".join(filter(None, [summary, rules.parts_summary(parts)]))
    return _("Correction of %(ob)s. Reason: %(reason)s. Corrected: %(changes)s") % {
        "ob": occurrence.ob_number,
        "reason": reason.rstrip("."),
        "changes": summary,
    }


def amend_occurrence(
    *,
    actor: User,
    occurrence: Occurrence,
    reason: str,
    changes: dict[str, Any],
    client_id: uuid.UUID | None = None,
    parts: rules.PartsCorrection | None = None,
) -> Recorded:
    """Records a correction of an entry as a new AMENDMENT entry; the original is never touched.

    ``changes`` corrects the entry's fields; ``parts`` its people, offences, property and vehicles
    (corrected, added or marked entered in error), checked by the same rules as a new entry's. The
    corrected parts are the correction's own parts, so search and the person index find them.
    """
    station = occurrence.station
    scope = scope_of(actor)
    if not can_record_entry(scope, station_code=station.code):
        raise NotPermittedAtStation()
    if not can_amend_entry(scope, station_code=station.code, recorded_it=recorded_it(actor, occurrence)):
        raise NotPermitted(_("Only the desk, the OCS or the officer who recorded it corrects this entry."))
    if occurrence.entry_type == "AMENDMENT":
        raise InvalidInput(fields={"occurrence": _("Correct the original entry, not a correction.")})
    if not queries.in_circle(reader=actor, entry=occurrence):
        raise NotPermitted(str(queries.RESTRICTED_MESSAGE))
    now = timezone.now()
    parts = parts or rules.PartsCorrection()
    cleaned, errors = rules.clean_changes(occurrence.spec, changes, reason, now=now, parts=bool(parts))
    counts = {kind: len(found) for kind, found in queries.corrected_parts(occurrence).items()}
    values, mapping = rules.clean_parts_correction(
        parts, counts=counts, today=now.astimezone(rules.NAIROBI).date(), errors=errors
    )
    if errors:
        raise InvalidInput(fields=dict(errors))
    reason = reason.strip()
    details: dict[str, Any] = {"reason": reason, "changes": cleaned}
    if mapping:
        details["parts"] = mapping
    draft = EntryDraft(
        entry_type="AMENDMENT",
        occurred_at=now,
        place=occurrence.place,
        narrative=_correction_narrative(occurrence, reason, cleaned, mapping),
        details=details,
        parties=values["parties"],
        offences=values["offences"],
        property_items=values["property_items"],
        vehicles=values["vehicles"],
        refers_to=str(occurrence.pk),
        confirm_unusual=parts.confirm_unusual,
    )
    body: dict[str, Any] = {"amends": str(occurrence.pk), "reason": reason, "changes": cleaned}
    if mapping:
        body["parts"] = mapping
        body["values"] = {kind: [asdict(v) for v in rows] for kind, rows in values.items() if rows}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return _insert(
        actor=actor,
        station=station,
        draft=draft,
        digest=digest,
        refers_to=occurrence,
        client_id=client_id,
        now=now,
    )
