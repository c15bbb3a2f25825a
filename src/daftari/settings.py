"""Daftari's one settings module, driven by the environment.

Out of the box it runs on SQLite under ``var/`` with debug on. Set ``DATABASE_URL`` for
PostgreSQL and ``DAFTARI_DEBUG=0`` for production, where secrets must be supplied.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envmap(name: str, default: str = "") -> dict[str, str]:
    """ "KAK=+254700000001, *=+254700000009" from the environment, as {"KAK": ..., "*": ...}."""
    pairs = (item.partition("=") for item in os.getenv(name, default).split(","))
    return {key.strip().upper(): value.strip() for key, sep, value in pairs if sep and key.strip() and value.strip()}


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.getenv("DAFTARI_DATA_DIR", "var")).resolve()
DEBUG = envbool("DAFTARI_DEBUG", "1")
# The test suite is the only place where the database may be flushed.
TESTING = envbool("DAFTARI_TESTING", "0") or "pytest" in sys.modules

_DEV_SECRET = "daftari-development-secret-not-for-production"  # noqa: S105


def envsecret(name: str, default: str) -> str:
    """A secret from the environment; outside debug the development default is refused."""
    value = os.getenv(name, "")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DAFTARI_DEBUG is off")
    return default


SECRET_KEY = envsecret("DAFTARI_SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = [h for h in os.getenv("DAFTARI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("DAFTARI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    # Only for its templates and static files: /api/v1/docs loads Swagger UI from here, not a CDN.
    "ninja",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "daftari.core",
    "daftari.stations",
    "daftari.ledger",
    "daftari.notifications",
    "daftari.payments",
    "daftari.alerts",
    "daftari.occurrences",
    "daftari.custody",
    "daftari.fines",
    "daftari.refugees",
    "daftari.documents",
    "daftari.deployments",
    "daftari.portal",
    "daftari.reports",
    "daftari.hubfeed",
    "daftari.nodes",
]

MIDDLEWARE = [
    "daftari.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "daftari.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "daftari.stations.middleware.IdleTimeoutMiddleware",
    "daftari.stations.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "daftari.core.page_errors.DomainErrorPages",
]

ROOT_URLCONF = "daftari.urls"
WSGI_APPLICATION = "daftari.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "daftari.stations.context_processors.officer",
                "daftari.custody.alerts.banner",
                "daftari.nodes.context_processors.link",
            ],
            # Values as people read them ({{ x|when }}, {{ x|kes }}, {{ x|human }}) in every template and SMS.
            "builtins": ["daftari.core.templatetags.daftari_human"],
        },
    }
]


def _database() -> dict:
    url = os.getenv("DATABASE_URL", "")
    if url:
        # Connections are kept between requests; a health check before reuse means a PostgreSQL
        # restart costs a reconnect, not a 500 on the first request of every old connection.
        database = dict(
            dj_database_url.parse(url, conn_max_age=envint("DAFTARI_DB_CONN_MAX_AGE", "60"), conn_health_checks=True)
        )
        if database["ENGINE"] == "django.db.backends.postgresql":
            # The same backend, whose health check asks the server only when it has spoken (core/postgresql).
            database["ENGINE"] = "daftari.core.postgresql"
        return database
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # SQLite: IMMEDIATE transactions take the write lock at BEGIN, so two desks recording at
    # once queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "daftari.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete: a lawful erasure's personal data must not linger in freed pages of the file.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
            ),
        },
        # The test database is a file, not Django's shared in-memory one, so that a live server
        # thread gets a connection of its own, as in production, instead of sharing the test's.
        "TEST": {"NAME": str(DATA_DIR / "test-daftari.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Lockout: 5 failures for the same username from the same address lock it for 10 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1 / 6  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# A desk computer is shared: the session ends after 30 idle minutes.
DAFTARI_IDLE_TIMEOUT_SECONDS = envint("DAFTARI_IDLE_TIMEOUT_SECONDS", "1800")
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and envbool("DAFTARI_SECURE_COOKIES", "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sw", _("Kiswahili"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "daftari_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Nairobi"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Outside debug the stylesheet and scripts are linked by names that carry a hash of their content
    # (after `daftari collectstatic`, which `make run` does), so browsers cache them for a year.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "daftari.core.staticfiles.VersionedStaticFiles"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secrets that ride in URLs (Daraja's callback token) never reach a log line.
    "filters": {"url_secrets": {"()": "daftari.core.logmask.MaskUrlSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["url_secrets"]}},
    "root": {"handlers": ["console"], "level": os.getenv("DAFTARI_LOG_LEVEL", "WARNING")},
    # Django's own handlers (its default console, runserver's) would print request paths unmasked.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Daftari's own settings.
DAFTARI_LATE_ENTRY_HOURS = envint("DAFTARI_LATE_ENTRY_HOURS", "24")
# Counts from 1 to this minus one are shown as "<N" on every crime figure (issue 12): a 1 in a small
# station can identify a victim.
DAFTARI_SMALL_NUMBER_THRESHOLD = envint("DAFTARI_SMALL_NUMBER_THRESHOLD", "5")
DAFTARI_PAGE_SIZE = envint("DAFTARI_PAGE_SIZE", "25")
# How many days of back-captured crimes `daftari demo` records before its day (the figures pages).
DAFTARI_DEMO_HISTORY_DAYS = envint("DAFTARI_DEMO_HISTORY_DAYS", "90")
# Only the test suite may flush the database: the Occurrence Book is append-only.
DAFTARI_ALLOW_FLUSH = TESTING
# The project's own static files (htmx, the stylesheet) sit in the package, not in an app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

# The signed book (LEDGER.md): one log per station, origin "<DAFTARI_LOG_ORIGIN>/<station code>".
DAFTARI_LOG_ORIGIN = os.getenv("DAFTARI_LOG_ORIGIN", "daftari.local/ob")
DAFTARI_LEDGER_KEY_FILE = Path(os.getenv("DAFTARI_LEDGER_KEY_FILE", str(DATA_DIR / "ledger-signing.key")))
DAFTARI_LEDGER_SIGNING_KEY = os.getenv("DAFTARI_LEDGER_SIGNING_KEY", "")

# Station nodes and the national hub (NODES.md): one code base, two roles. A node keeps its
# station's book with no link at all and pushes it to the hub at DAFTARI_HUB_URL when it can.
DAFTARI_ROLE = os.getenv("DAFTARI_ROLE", "hub").strip().lower()
if DAFTARI_ROLE not in ("hub", "node"):
    raise ImproperlyConfigured("DAFTARI_ROLE must be hub or node")
# Refugee documents the hub publishes to its nodes at most per worker tick (30 s): the publish is a few
# statements whatever the number (0.3-0.45 ms a document measured). The hub's log is locked meanwhile and
# a national alert waits for it, so a tick holds it about 2 s (5,000 documents): a whole register
# (~800,000) first reaches the nodes in 160 ticks (80 minutes), not 13 hours.
DAFTARI_REFUGEE_DOCUMENTS_PER_PUBLISH = envint("DAFTARI_REFUGEE_DOCUMENTS_PER_PUBLISH", "5000")
DAFTARI_HUB_URL = os.getenv("DAFTARI_HUB_URL", "").rstrip("/")
# The node's own Ed25519 key (the hub pins it at enrolment) and the hub's witness key (cosignatures).
DAFTARI_NODE_KEY_FILE = Path(os.getenv("DAFTARI_NODE_KEY_FILE", str(DATA_DIR / "node-signing.key")))
DAFTARI_HUB_WITNESS_KEY_FILE = Path(os.getenv("DAFTARI_HUB_WITNESS_KEY_FILE", str(DATA_DIR / "hub-witness.key")))
DAFTARI_HUB_WITNESS_KEY = os.getenv("DAFTARI_HUB_WITNESS_KEY", "")
DAFTARI_NODE_SYNC_SECONDS = envint("DAFTARI_NODE_SYNC_SECONDS", "15")
# Leaves per push (C2SP tlog-mirror's 256); smaller only to test many batches with few entries.
DAFTARI_NODE_BATCH_LEAVES = max(1, min(envint("DAFTARI_NODE_BATCH_LEAVES", "256"), 256))
DAFTARI_NODE_TIMEOUT_SECONDS = envint("DAFTARI_NODE_TIMEOUT_SECONDS", "30")

# PostgreSQL: the role the application connects as in production, without UPDATE, DELETE or
# TRUNCATE on the book's tables (migrations run as the owner, who grants it; see core/db_roles.py).
# Empty: no role is managed.
DAFTARI_APP_DB_ROLE = os.getenv("DAFTARI_APP_DB_ROLE", "")

# SMS (notifications): "console" prints, "file" appends JSON lines (tests), "africastalking" sends;
# a dotted path names any other BaseSmsBackend.
DAFTARI_SMS_BACKEND = os.getenv("DAFTARI_SMS_BACKEND", "file" if TESTING else "console")
DAFTARI_SMS_FILE_PATH = Path(os.getenv("DAFTARI_SMS_FILE_PATH", str(DATA_DIR / "sms.jsonl")))
DAFTARI_AFRICASTALKING_USERNAME = os.getenv("DAFTARI_AFRICASTALKING_USERNAME", "sandbox")
DAFTARI_AFRICASTALKING_API_KEY = os.getenv("DAFTARI_AFRICASTALKING_API_KEY", "")
DAFTARI_AFRICASTALKING_SENDER_ID = os.getenv("DAFTARI_AFRICASTALKING_SENDER_ID", "")
# Empty: the SDK's own host. Set to a local simulator's URL in development and tests.
DAFTARI_AFRICASTALKING_BASE_URL = os.getenv("DAFTARI_AFRICASTALKING_BASE_URL", "")
# The secret path segment of the delivery-report webhook; empty turns the webhook off.
DAFTARI_SMS_WEBHOOK_TOKEN = os.getenv("DAFTARI_SMS_WEBHOOK_TOKEN", "")

# The Department of Refugee Services is told by SMS when an asylum seeker or refugee is booked into
# the cells: the phone of each DRS office by its code (KAK, DAD, NBI, ...; the office that issued the
# person's document), and "*" for the office told when no other is (e.g. the head office in Nairobi).
DAFTARI_DRS_PHONES = envmap("DAFTARI_DRS_PHONES")

# Art. 49 court hours (Africa/Nairobi), for the custody clock.
DAFTARI_COURT_OPENS = os.getenv("DAFTARI_COURT_OPENS", "08:00")
DAFTARI_COURT_CLOSES = os.getenv("DAFTARI_COURT_CLOSES", "17:00")

# The public portal (no login). Links in SMS point at DAFTARI_PUBLIC_BASE_URL + /public/...
DAFTARI_PUBLIC_BASE_URL = os.getenv("DAFTARI_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# "Check my report": this many wrong answers from one address for one report (station, OB number),
# or DAFTARI_PORTAL_MAX_FAILURES_PER_CLIENT from one address in all, within the window get the
# 429 page at that address until the window has passed.
DAFTARI_PORTAL_MAX_FAILURES = envint("DAFTARI_PORTAL_MAX_FAILURES", "5")
DAFTARI_PORTAL_MAX_FAILURES_PER_CLIENT = envint("DAFTARI_PORTAL_MAX_FAILURES_PER_CLIENT", "20")
DAFTARI_PORTAL_FAILURE_WINDOW_MINUTES = envint("DAFTARI_PORTAL_FAILURE_WINDOW_MINUTES", "15")


# M-Pesa Daraja (payments). Development and tests talk to `daftari daraja-sim` (port 8001 under
# `make run`); production sets the Safaricom host and real credentials. Outside debug a missing
# credential stays empty: payments then fail clearly instead of using a development value.
def _dev_only(name: str, default: str) -> str:
    return os.getenv(name, "") or (default if DEBUG else "")


DAFTARI_DARAJA_BASE_URL = os.getenv("DAFTARI_DARAJA_BASE_URL", "http://127.0.0.1:8001")
DAFTARI_DARAJA_CONSUMER_KEY = _dev_only("DAFTARI_DARAJA_CONSUMER_KEY", "daftari-dev-consumer-key")
DAFTARI_DARAJA_CONSUMER_SECRET = _dev_only("DAFTARI_DARAJA_CONSUMER_SECRET", "daftari-dev-consumer-secret")
DAFTARI_DARAJA_SHORTCODE = os.getenv("DAFTARI_DARAJA_SHORTCODE", "174379")
# The public sandbox passkey Safaricom publishes for shortcode 174379.
DAFTARI_DARAJA_PASSKEY = _dev_only(
    "DAFTARI_DARAJA_PASSKEY", "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
)
# Transaction Status (confirming a paybill payment with Daraja) is run by an API initiator: its name and
# its password encrypted with Safaricom's certificate, both from the Daraja portal.
DAFTARI_DARAJA_INITIATOR = _dev_only("DAFTARI_DARAJA_INITIATOR", "testapi")
DAFTARI_DARAJA_SECURITY_CREDENTIAL = _dev_only("DAFTARI_DARAJA_SECURITY_CREDENTIAL", "daftari-dev-security-credential")
# Daraja calls back at DAFTARI_PUBLIC_BASE_URL + the payments callback paths.
# The secret path segment of the Daraja callbacks (they are not signed); empty turns them off. It is
# masked in every log line (core/logmask.py); production refuses the development value and short ones.
_DEV_CALLBACK_TOKEN = "daftari-dev-daraja-callback"  # noqa: S105
DAFTARI_DARAJA_CALLBACK_TOKEN = _dev_only("DAFTARI_DARAJA_CALLBACK_TOKEN", _DEV_CALLBACK_TOKEN)
if (
    not DEBUG
    and DAFTARI_DARAJA_CALLBACK_TOKEN
    and (DAFTARI_DARAJA_CALLBACK_TOKEN == _DEV_CALLBACK_TOKEN or len(DAFTARI_DARAJA_CALLBACK_TOKEN) < 20)
):
    raise ImproperlyConfigured(
        "DAFTARI_DARAJA_CALLBACK_TOKEN must be a secret of at least 20 characters when DAFTARI_DEBUG is off"
    )
# The addresses Safaricom publishes as the source of Daraja's callbacks. A callback from anywhere else is
# refused (403) before its body is read. DAFTARI_DARAJA_CALLBACK_ALLOWED_IPS (comma-separated addresses or
# CIDR networks) replaces the list; debug adds this machine, where `daftari daraja-sim` calls from.
SAFARICOM_CALLBACK_ADDRESSES = (
    "196.201.214.200",
    "196.201.214.206",
    "196.201.213.114",
    "196.201.214.207",
    "196.201.214.208",
    "196.201.213.44",
    "196.201.212.127",
    "196.201.212.138",
    "196.201.212.129",
    "196.201.212.136",
    "196.201.212.74",
    "196.201.212.69",
)
DAFTARI_DARAJA_CALLBACK_ALLOWED_IPS = [
    a.strip() for a in os.getenv("DAFTARI_DARAJA_CALLBACK_ALLOWED_IPS", "").split(",") if a.strip()
] or [*SAFARICOM_CALLBACK_ADDRESSES, *(("127.0.0.1", "::1") if DEBUG else ())]

# Documents: a police abstract's fee in whole shillings, paid by M-Pesa (never cash); 0 = free. P3 is always free.
DAFTARI_ABSTRACT_FEE_KES = envint("DAFTARI_ABSTRACT_FEE_KES", "0")

# The public pay page: at most this many M-Pesa prompts per phone, and per notice, within the window
# (one prompt per notice is pending at a time in any case).
DAFTARI_PAY_PROMPTS_PER_PHONE = envint("DAFTARI_PAY_PROMPTS_PER_PHONE", "5")
DAFTARI_PAY_PROMPTS_PER_NOTICE = envint("DAFTARI_PAY_PROMPTS_PER_NOTICE", "5")
DAFTARI_PAY_PROMPT_WINDOW_MINUTES = envint("DAFTARI_PAY_PROMPT_WINDOW_MINUTES", "60")

# Instant fines: days to pay after the notice, then days overdue before a Notice to Attend Court.
DAFTARI_FINES_DAYS_TO_PAY = envint("DAFTARI_FINES_DAYS_TO_PAY", "7")
DAFTARI_FINES_DAYS_TO_ESCALATE = envint("DAFTARI_FINES_DAYS_TO_ESCALATE", "14")
# A demerit-points ledger per driving licence, for the smart-licence scheme: off until it is in force.
DAFTARI_FINES_DEMERIT_POINTS = envbool("DAFTARI_FINES_DEMERIT_POINTS", "0")

# The roadside photo on a notice (evidence), at most this many bytes.
DAFTARI_FINES_MAX_PHOTO_BYTES = envint("DAFTARI_FINES_MAX_PHOTO_BYTES", str(2 * 1024 * 1024))
# A JSON body carrying the largest photo in base64 (4/3 of its size) with the rest of the notice must be readable.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, DAFTARI_FINES_MAX_PHOTO_BYTES * 4 // 3 + 65_536)

# --- Sessions, tokens and the edges (issue 10) ---------------------------------------------
# No request body above this many bytes is read: the middleware answers 413 from Content-Length.
# The largest honest body is a fine notice carrying its photo (in base64 over the API).
DAFTARI_MAX_REQUEST_BYTES = envint("DAFTARI_MAX_REQUEST_BYTES", str(DATA_UPLOAD_MAX_MEMORY_SIZE))
# Uploads within the limit stay in memory: nothing a request sends is written to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = DAFTARI_MAX_REQUEST_BYTES
# Device tokens (POST /api/v1/auth/token) end this many hours after issue, or after this many
# minutes unused, whichever comes first; a password change or deactivation ends them at once.
DAFTARI_TOKEN_LIFETIME_HOURS = envint("DAFTARI_TOKEN_LIFETIME_HOURS", "12")
DAFTARI_TOKEN_IDLE_MINUTES = envint("DAFTARI_TOKEN_IDLE_MINUTES", "120")
# The public verify pages (documents, fine notices): requests a minute from one client address.
DAFTARI_PUBLIC_VERIFY_PER_MINUTE = envint("DAFTARI_PUBLIC_VERIFY_PER_MINUTE", "30")
# The public pay page: look-ups of a notice number a minute from one client address.
DAFTARI_PUBLIC_PAY_PER_MINUTE = envint("DAFTARI_PUBLIC_PAY_PER_MINUTE", "20")
# The pay page asks where its prompt stands every 4 seconds while M-Pesa has not answered.
DAFTARI_PUBLIC_PAY_STATUS_PER_MINUTE = envint("DAFTARI_PUBLIC_PAY_STATUS_PER_MINUTE", "30")
# Content-Security-Policy outside debug (core/middleware.py): scripts, styles and everything else
# from this site only, no inline code; images may be data: URIs (Swagger UI's icons). Empty: none sent.
DAFTARI_CONTENT_SECURITY_POLICY = os.getenv(
    "DAFTARI_CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
# HSTS on every HTTPS answer (SecurityMiddleware sends it only over HTTPS): a year, subdomains too.
SECURE_HSTS_SECONDS = envint("DAFTARI_HSTS_SECONDS", "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DAFTARI_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = False
# The second factor (TOTP, django-otp): these roles enter a code from an authenticator app after
# the password, on the desk and for a device token. Comma-separated; empty turns it off.
DAFTARI_SECOND_FACTOR_ROLES = [
    r.strip() for r in os.getenv("DAFTARI_SECOND_FACTOR_ROLES", "ocs,commander,oversight,admin").split(",") if r.strip()
]
OTP_TOTP_ISSUER = "Daftari"
