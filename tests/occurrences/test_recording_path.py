"""The recording path does its work in one transaction and asks the database once for the caller."""

import uuid
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from daftari.notifications.models import SmsMessage
from daftari.notifications.services import NewEventSms, render_sms, send_sms, sms_for_new_event
from daftari.occurrences.models import Occurrence
from daftari.stations.models import AccessEvent, Officer, scope_of
from daftari.stations.rules import Role
from daftari.stations.services import issue_api_token, user_for_token
from tests.conftest import PASSWORD
from tests.occurrences.test_api import Api, complaint_body


@pytest.fixture
def desk_api(client: Client, desk_officer: User) -> Api:
    return Api(client, desk_officer)


def test_a_recorded_entry_and_its_recorders_read_are_stored_together_once(desk_api: Api) -> None:
    response = desk_api.post("/occurrences", complaint_body())
    assert response.status_code == 201, response.content
    events = AccessEvent.objects.filter(record_id=response.json()["id"])
    assert [(e.purpose, e.channel, e.outcome) for e in events] == [("record", "api", "shown")]


def test_a_recording_refused_by_the_database_leaves_no_read_behind(desk_api: Api, station: Any) -> None:
    # A client id already taken by another station's entry: the insert fails and the transaction goes.
    first = desk_api.post("/occurrences", complaint_body())
    taken = first.json()["id"]
    retry = desk_api.post("/occurrences", complaint_body(id=taken, narrative="Something else entirely was said."))
    assert retry.status_code == 409
    assert AccessEvent.objects.filter(record_id=taken, purpose=AccessEvent.Purpose.RECORD).count() == 1
    assert Occurrence.objects.count() == 1


def test_a_retried_recording_logs_its_read_again_as_an_api_read(desk_api: Api) -> None:
    body = complaint_body(id=str(uuid.uuid4()))
    assert desk_api.post("/occurrences", body).status_code == 201
    assert desk_api.post("/occurrences", body).status_code == 200
    purposes = sorted(AccessEvent.objects.filter(record_id=body["id"]).values_list("purpose", flat=True))
    assert purposes == ["api_read", "record"]


def test_the_token_brings_the_officers_roles_in_the_same_query(desk_api: Api) -> None:
    assert desk_api.get("/entry-types").status_code == 200  # the first call marks the token used
    with CaptureQueriesContext(connection) as queries:
        assert desk_api.get("/entry-types").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    auth = [sql for sql in reads if "auth_group" in sql or "apitoken" in sql]
    assert len(auth) == 1, auth


def test_a_role_taken_away_stops_working_on_the_next_call_with_the_same_token(
    desk_api: Api, desk_officer: User
) -> None:
    assert desk_api.post("/occurrences", complaint_body()).status_code == 201
    desk_officer.groups.remove(Group.objects.get(name=Role.DESK))
    refused = desk_api.post("/occurrences", complaint_body())
    assert refused.status_code == 403, refused.content
    assert Occurrence.objects.count() == 1


def test_the_roles_read_with_the_token_are_the_officers_roles(make_officer: Any, station: Any) -> None:
    officer = make_officer("two-roles", [Role.DESK, Role.INVESTIGATOR], station)
    officer.is_superuser = True
    officer.save()
    Group.objects.get_or_create(name="not-a-role")[0].user_set.add(officer)
    raw = issue_api_token(username="two-roles", password=PASSWORD, request=RequestFactory().post("/"))
    through_token = user_for_token(raw)
    assert through_token is not None
    assert scope_of(through_token) == Officer.objects.get(user=officer).scope()
    assert scope_of(through_token).roles == {Role.DESK, Role.INVESTIGATOR, Role.ADMIN}


NEW_EVENT = {"station": "Central", "status_url": "https://x"}


def a_new_events_sms(event_key: str) -> NewEventSms:
    return sms_for_new_event(
        to="0712 345 678",
        template="complaint_recorded",
        context=NEW_EVENT,
        awaiting="ob_number",
        language="sw",
        event_key=event_key,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_sms_said_to_be_new_is_refused_outside_the_transaction_that_made_its_event() -> None:
    with pytest.raises(RuntimeError):
        a_new_events_sms("x:1").send("OB 1/5/12/2026")
    assert not SmsMessage.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_sms_said_to_be_new_whose_key_is_taken_fails_loudly_instead_of_sending_twice() -> None:
    from django.db import transaction

    context = {**NEW_EVENT, "ob_number": "OB 1/5/12/2026"}
    send_sms(to="+254712345678", template="complaint_recorded", context=context, event_key="x:2")
    with pytest.raises(IntegrityError), transaction.atomic():
        a_new_events_sms("x:2").send("OB 1/5/12/2026")
    assert SmsMessage.objects.filter(event_key="x:2").count() == 1


def test_a_new_events_sms_made_before_its_number_says_the_number_it_is_sent_with_and_queues_its_delivery(
    db: None,
) -> None:
    sms = a_new_events_sms("x:3")
    with transaction.atomic():
        sent = sms.send("OB 7/5/12/2026")
    stored = SmsMessage.objects.get(event_key="x:3")
    made_afresh = render_sms(
        template="complaint_recorded", context={**NEW_EVENT, "ob_number": "OB 7/5/12/2026"}, language="sw"
    )
    assert stored.body == sent.body == made_afresh
    assert (stored.to, stored.language, stored.status) == ("+254712345678", "sw", SmsMessage.Status.QUEUED)
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(stored.pk)]).count() == 1


def test_a_new_events_sms_whose_template_never_shows_the_awaited_value_is_refused_when_made(db: None) -> None:
    with pytest.raises(ValueError, match="reference"):
        sms_for_new_event(
            to="0712 345 678",
            template="complaint_recorded",
            context=NEW_EVENT,
            awaiting="reference",
            language="en",
            event_key="x:4",
        )


def test_the_token_brings_the_officer_and_station_as_stored_with_nothing_left_to_ask(desk_officer: User) -> None:
    raw = issue_api_token(username=desk_officer.username, password=PASSWORD, request=RequestFactory().post("/"))
    with CaptureQueriesContext(connection) as queries:
        user = user_for_token(raw)
        assert user is not None
        officer, stored = user.officer, Officer.objects.select_related("user", "station").get(user=desk_officer)
        station = officer.station
        assert station is not None and stored.station is not None
        same_user = [getattr(user, f.attname) for f in User._meta.concrete_fields]
        same_officer = [getattr(officer, f.attname) for f in Officer._meta.concrete_fields]
        same_station = [getattr(station, f.attname) for f in type(station)._meta.concrete_fields]
        assert same_user == [getattr(stored.user, f.attname) for f in User._meta.concrete_fields]
        assert same_officer == [getattr(stored, f.attname) for f in Officer._meta.concrete_fields]
        assert same_station == [getattr(stored.station, f.attname) for f in type(station)._meta.concrete_fields]
        assert officer.user is user
        asked = len(queries.captured_queries)
        assert user.date_joined.tzinfo is not None  # times come back as the ORM gives them, on both engines
    # The token's query, the first use's touch and the check above: the officer and station came with the token.
    assert asked == 3, [q["sql"] for q in queries.captured_queries]


def test_a_token_of_an_officer_without_a_station_still_answers(make_officer: Any) -> None:
    make_officer("no-station", [Role.ANALYST], None)
    raw = issue_api_token(username="no-station", password=PASSWORD, request=RequestFactory().post("/"))
    user = user_for_token(raw)
    assert user is not None and user.officer.station is None
    assert scope_of(user).roles == {Role.ANALYST}


def test_a_token_of_a_deactivated_officer_brings_nobody(desk_officer: User) -> None:
    raw = issue_api_token(username=desk_officer.username, password=PASSWORD, request=RequestFactory().post("/"))
    User.objects.filter(pk=desk_officer.pk).update(is_active=False)
    assert user_for_token(raw) is None


def test_a_recording_reads_nothing_while_the_days_ob_counter_is_locked(desk_api: Api) -> None:
    # The station's other desks wait from the counter's statement to the commit: what the recording
    # must read (the SMS's remembered language among it) is read before; on PostgreSQL the number is
    # taken in the entry's own INSERT, and the entry's SMS still carries that number.
    assert desk_api.post("/occurrences", complaint_body()).status_code == 201  # the station's log exists
    with CaptureQueriesContext(connection) as queries:
        response = desk_api.post("/occurrences", complaint_body(sms_language="sw"))
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries]
    counter = next(i for i, sql in enumerate(statements) if "occurrences_obcounter" in sql)
    end = next(i for i, sql in enumerate(statements) if i > counter and ("SAVEPOINT" in sql or sql == "COMMIT"))
    locked = statements[counter:end]
    assert any("notifications_recipient" in sql for sql in statements[:counter])
    assert not any(sql.startswith("SELECT") and "notifications" in sql for sql in locked), locked
    assert ("occurrences_occurrence" in locked[0]) == (connection.vendor == "postgresql"), locked[0]
    if connection.vendor == "postgresql":
        # The entry with its parts and number; then the ledger leaf with the SMS and its delivery job.
        assert len(locked) == 2, locked
        assert "ledger_leaf" in locked[1] and "notifications_smsmessage" in locked[1], locked[1]
    sms = SmsMessage.objects.get(event_key=f"complaint_recorded:{response.json()['id']}")
    assert response.json()["ob_number"] in sms.body
    assert sms.language == "sw"


def test_a_recordings_statements_are_prepared_once_per_connection_and_its_values_never_written_into_them(
    desk_api: Api,
) -> None:
    # PostgreSQL parses and plans each of the recording path's statements once per connection; the
    # values go beside the statement, so a narrative's quotes are data, never SQL (on SQLite too).
    said = "He said: 'it''s mine'; DROP TABLE occurrences_occurrence; --"
    for _ in range(3):
        assert desk_api.post("/occurrences", complaint_body(narrative=said)).status_code == 201
    assert list(Occurrence.objects.values_list("narrative", flat=True)) == [said] * 3
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, parameter_types FROM pg_prepared_statements WHERE from_sql = false")
            prepared = cursor.fetchall()
        # The entry's rows go in one statement: the first recording's with the complainant's new
        # person, the next two's (who find that person) without.
        inserts = sorted((s for s, _types in prepared if s.startswith("WITH counted(n) AS")), key=len)
        assert len(inserts) == 2, prepared
        for statement in inserts:
            assert all(t in statement for t in ("occurrences_occurrence", "occurrences_party", "stations_accessevent"))
        assert "occurrences_person" in inserts[1] and "occurrences_person" not in inserts[0]
        # The SMS and its delivery job in one statement too.
        assert any("notifications_smsmessage" in s and "django_tasks" in s for s, _types in prepared), prepared
        assert any("stations_apitoken" in s for s, _types in prepared), prepared
        assert all(said not in s for s, _types in prepared)
