"""Every change to officers, tokens and the access log goes through here."""

import functools
import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from daftari.core import prepared
from daftari.core.errors import DomainError, InvalidInput, NotPermitted
from daftari.core.phones import normalise_phone
from daftari.stations.models import AccessEvent, ApiToken, Officer, PublicReadCount, Station, scope_of
from daftari.stations.rules import (
    Role,
    Scope,
    can_deactivate_officer,
    can_revoke_api_token,
    needs_a_station,
    needs_second_factor,
    reads_only_to_review,
    runs_the_admin_site,
    scope_of_roles,
)

TOKEN_PREFIX = "dft_"  # noqa: S105 - a label, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_officer(
    *,
    username: str,
    password: str,
    service_number: str,
    rank: str,
    station: Station | None,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> Officer:
    roles = list(roles)
    if phone:
        normalised = normalise_phone(phone)
        if normalised is None:
            raise InvalidInput(fields={"phone": _("Not a valid phone number (e.g. 0712 345 678).")})
        phone = normalised
    reach = scope_of_roles(roles)
    if needs_a_station(reach) and station is None:
        raise InvalidInput(fields={"station": "Station and county roles need a station."})
    if User.objects.filter(username=username).exists():
        raise InvalidInput(fields={"username": "This username is taken."})
    if Officer.objects.filter(service_number=service_number).exists():
        raise InvalidInput(fields={"service_number": "This service number is already registered."})
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=runs_the_admin_site(reach),
        is_superuser=runs_the_admin_site(reach),
    )
    for role in roles:
        group, _created = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    return Officer.objects.create(user=user, service_number=service_number, rank=rank, station=station, phone=phone)


def issue_api_token(
    *, username: str, password: str, request: HttpRequest | None = None, name: str = "", otp: str | None = None
) -> str:
    """Checks the officer's password (lockout applies), and the authenticator code for the roles
    that need a second factor, and returns a new token, shown only this once.

    Not atomic on purpose: a failed check must stay recorded for django-axes' lockout count and
    the device's throttling.
    """
    user = authenticate(request, username=username, password=password)
    if user is None or not hasattr(user, "officer"):
        raise NotPermitted("Wrong username or password, or the account is locked.")
    if second_factor_required(user):
        if not (otp or "").strip():
            raise SecondFactorNeeded(fields={"otp": str(SecondFactorNeeded.default_message)})
        verify_second_factor(actor=user, token=otp or "")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name=name[:80],
        key_hash=hash_token(raw),
        prefix=raw[:8],
        created_at=timezone.now(),
        password_stamp=user.get_session_auth_hash(),
    )
    return raw


_TOKEN = prepared.Columns(ApiToken, "t")
_USER = prepared.Columns(User, "u")
_OFFICER = prepared.Columns(Officer, "o")
_STATION = prepared.Columns(Station, "s")


@functools.cache
def _token_sql(vendor: str) -> str:
    """The live token, its officer, their station and one row per role, in one query compiled once."""
    q, t = prepared.quoted, prepared.table
    through = User.groups.through
    return (
        f"SELECT {_TOKEN.sql}, {_USER.sql}, {_OFFICER.sql}, {_STATION.sql}, g.{q('name')}"  # noqa: S608 - names only
        f" FROM {t(ApiToken)} t JOIN {t(User)} u ON u.{q('id')} = t.{prepared.column(ApiToken, 'user')}"
        f" LEFT JOIN {t(Officer)} o ON o.{prepared.column(Officer, 'user')} = u.{q('id')}"
        f" LEFT JOIN {t(Station)} s ON s.{q('id')} = o.{prepared.column(Officer, 'station')}"
        f" LEFT JOIN {t(through)} ug ON ug.{prepared.column(through, 'user')} = u.{q('id')}"
        f" LEFT JOIN {t(Group)} g ON g.{q('id')} = ug.{prepared.column(through, 'group')}"
        f" WHERE t.{prepared.column(ApiToken, 'key_hash')} = %s AND t.{prepared.column(ApiToken, 'revoked_at')} IS NULL"
        f" AND u.{q('is_active')} = %s AND t.{prepared.column(ApiToken, 'created_at')} > %s"
    )


def user_for_token(raw: str) -> User | None:
    """The officer a token belongs to, while it is neither revoked, expired nor idle too long,
    and the officer is active with the password the token was issued under."""
    now = timezone.now()
    issued_after = now - timedelta(hours=settings.DAFTARI_TOKEN_LIFETIME_HOURS)
    # Every API call asks this: one query (written once, not compiled per request) brings the
    # token, the officer, their station and their roles (one row each).
    rows = prepared.rows(_token_sql(connection.vendor), [hash_token(raw), True, prepared.when(issued_after)])
    if not rows:
        return None
    row = rows[0]
    token: ApiToken = _TOKEN.instance(row, 0)
    at = len(_TOKEN)
    user: User = _USER.instance(row, at)
    at += len(_USER)
    officer: Officer | None = _OFFICER.instance(row, at)
    at += len(_OFFICER)
    station: Station | None = _STATION.instance(row, at)
    role_names = [r[-1] for r in rows if r[-1] is not None]
    if now - (token.last_used_at or token.created_at) > timedelta(minutes=settings.DAFTARI_TOKEN_IDLE_MINUTES):
        return None
    if not constant_time_compare(token.password_stamp, user.get_session_auth_hash()):
        return None
    # Touch at most once a minute: a device polling every second should not write every second.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    ApiToken.user.field.set_cached_value(token, user)
    if officer is not None:
        Officer.station.field.set_cached_value(officer, station)
        Officer.user.field.set_cached_value(officer, user)
        User.officer.related.set_cached_value(user, officer)
        user._daftari_scope = officer.scope(role_names=role_names)  # type: ignore[attr-defined]
    else:
        User.officer.related.set_cached_value(user, None)
    return user


def revoke_api_token(*, actor: User, token: ApiToken) -> None:
    if not can_revoke_api_token(scope_of(actor), own_token=token.user_id == actor.pk):
        raise NotPermitted()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def revoke_tokens_of(user: User) -> int:
    """Every live token of ``user`` stops working; how many there were."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def change_password(*, actor: User, current_password: str, new_password: str) -> None:
    """The officer's own new password. Their device tokens are revoked; their other desk
    sessions end with the old password (Django's session hash), the view keeps this one."""
    if not actor.check_password(current_password):
        raise InvalidInput(fields={"old_password": _("Your current password was entered incorrectly.")})
    try:
        validate_password(new_password, actor)
    except ValidationError as weak:
        raise InvalidInput(fields={"new_password1": " ".join(weak.messages)}) from weak
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    revoke_tokens_of(actor)


@transaction.atomic
def deactivate_officer(*, actor: User, user: User) -> None:
    """The officer can no longer sign in; every token of theirs is revoked, for good."""
    if not can_deactivate_officer(scope_of(actor)):
        raise NotPermitted()
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    revoke_tokens_of(user)


def _purpose_for(scope: Scope, purpose: AccessEvent.Purpose) -> AccessEvent.Purpose:
    # The channel column still says where the review's read came from.
    if reads_only_to_review(scope) and purpose in (AccessEvent.Purpose.DESK_VIEW, AccessEvent.Purpose.API_READ):
        return AccessEvent.Purpose.OVERSIGHT_REVIEW
    return purpose


def log_access(
    *,
    actor: User,
    record_type: str,
    record_id: str,
    record_station: Station | None,
    purpose: AccessEvent.Purpose,
    outcome: str,
    channel: str = "desk",
) -> AccessEvent:
    """The one writer of the access log: every read of personal data, shown, withheld or denied."""
    [event] = log_accesses(
        actor=actor,
        reads=[(record_type, record_id, record_station.pk if record_station else None, outcome)],
        purpose=purpose,
        channel=channel,
    )
    return event


def log_accesses(
    *,
    actor: User,
    reads: Iterable[tuple[str, str, int | None, str]],
    purpose: AccessEvent.Purpose,
    channel: str = "desk",
) -> list[AccessEvent]:
    """Logs several reads of one request in one statement: (record type, record id, station id, outcome) each."""
    return store_access_events(access_events(actor=actor, reads=reads, purpose=purpose, channel=channel))


def store_access_events(events: list[AccessEvent]) -> list[AccessEvent]:
    """Stores the access events ``access_events`` made, in one statement."""
    if not events:
        return []
    if len(events) == 1:
        prepared.insert(events[0])  # every read of every request: its INSERT is written once
        return events
    return AccessEvent.objects.bulk_create(events)


def access_events(
    *,
    actor: User,
    reads: Iterable[tuple[str, str, int | None, str]],
    purpose: AccessEvent.Purpose,
    channel: str = "desk",
) -> list[AccessEvent]:
    """The access events of ``reads`` (see ``log_accesses``), not yet stored: for a caller that stores
    them together with its own rows (``prepared.insert_all``)."""
    scope = scope_of(actor)
    officer = getattr(actor, "officer", None)
    now = timezone.now()
    events = [
        AccessEvent(
            at=now,
            user=actor if actor.pk else None,
            username=actor.get_username(),
            roles=",".join(sorted(scope.roles)),
            officer_station_id=officer.station_id if officer else None,
            record_type=record_type,
            record_id=record_id,
            record_station_id=station_id,
            purpose=_purpose_for(scope, purpose),
            outcome=outcome,
            channel=channel,
        )
        for record_type, record_id, station_id, outcome in reads
    ]
    return events


def log_refused(
    *,
    actor: User,
    record_type: str,
    model: type[models.Model],
    record_id: object,
    purpose: AccessEvent.Purpose,
    channel: str,
    lookup: str = "pk",
) -> None:
    """Logs a refused read of a record that exists but is outside the actor's reach (it answered 404)."""
    try:
        hidden = model._default_manager.filter(**{lookup: record_id}).only(*{"pk", "station", lookup}).first()
    except (ValueError, ValidationError):
        return  # not even a well-formed id: nothing exists to be refused
    if hidden is not None:
        shown_id = hidden.pk if lookup == "pk" else getattr(hidden, lookup)
        reads = [(record_type, str(shown_id), hidden.station_id, AccessEvent.Outcome.DENIED)]  # type: ignore[attr-defined]
        log_accesses(actor=actor, reads=reads, purpose=purpose, channel=channel)


def outcome_of(*, withheld: bool) -> str:
    return AccessEvent.Outcome.WITHHELD if withheld else AccessEvent.Outcome.SHOWN


def count_public_read(*, record_type: str, outcome: str) -> None:
    """One more anonymous look-up today (Africa/Nairobi) of ``record_type`` with ``outcome``: one statement."""
    table = connection.ops.quote_name(PublicReadCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("on", record_type, outcome, reads) VALUES (%s, %s, %s, 1) '  # noqa: S608 - our table name
            f'ON CONFLICT ("on", record_type, outcome) DO UPDATE SET reads = {table}.reads + 1',
            [timezone.localdate(), record_type[:40], outcome[:10]],
        )


# --- The second factor (TOTP) -----------------------------------------------------------------


class SecondFactorNeeded(InvalidInput):
    default_message = _lazy("Your role needs the 6-digit code from your authenticator app too.")


class WrongSecondFactor(DomainError):
    code = "invalid_otp"
    status = 401
    default_message = _lazy("That code is wrong or has expired. Enter the code your app shows now.")


class NotEnrolled(DomainError):
    code = "second_factor_not_enrolled"
    status = 403
    default_message = _lazy("Set up your authenticator app first: sign in on the desk and follow the steps.")


def second_factor_required(user: User) -> bool:
    return needs_second_factor(scope_of(user), required_for=settings.DAFTARI_SECOND_FACTOR_ROLES)


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


@transaction.atomic
def start_totp_enrolment(*, actor: User) -> TOTPDevice:
    """The officer's device waiting for its first code: a new secret, or the one already shown."""
    if totp_device(actor) is not None:
        raise NotPermitted(_("Your authenticator app is already set up. An administrator can reset it."))
    waiting = totp_device(actor, confirmed=False)
    if waiting is not None:
        return waiting
    return TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)


def confirm_totp_enrolment(*, actor: User, token: str) -> TOTPDevice:
    """The first right code from the app proves it holds the secret; from now on it is the second factor."""
    device = totp_device(actor, confirmed=False)
    if device is None:
        raise NotEnrolled()
    if not device.verify_token(token.strip()):
        raise WrongSecondFactor(fields={"otp": str(WrongSecondFactor.default_message)})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def verify_second_factor(*, actor: User, token: str) -> TOTPDevice:
    """The officer's code checked against their app's device (throttled after failures; a code is used once)."""
    device = totp_device(actor)
    if device is None:
        raise NotEnrolled()
    if not device.verify_token(token.strip()):
        raise WrongSecondFactor(fields={"otp": str(WrongSecondFactor.default_message)})
    return device


@transaction.atomic
def enrol_totp_with_key(*, user: User, key_hex: str) -> TOTPDevice:
    """Sets up a known secret (the demo's published one); an existing device is left as it is."""
    existing = totp_device(user)
    if existing is not None:
        return existing
    return TOTPDevice.objects.create(user=user, name="demo", key=key_hex, confirmed=True)
