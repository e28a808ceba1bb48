"""Ventanilla settings.

Everything is configured from environment variables with documented defaults
(see README.md, "Configuración"). The embedded default keeps all of its state
(SQLite database, job store, attachments, secret key) in VENTANILLA_DATA_DIR.
"""

import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("VENTANILLA_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept
    in the data directory, so sessions survive restarts without committing it."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]


def _default_site_url() -> str:
    """Where `ventanilla serve` listens (HOST, PORT), as a browser reaches it:
    a wildcard address (0.0.0.0, ::) becomes the loopback name."""
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    port = os.environ.get("PORT", "").strip() or "8000"
    host = {"0.0.0.0": "127.0.0.1", "::": "localhost", "[::]": "localhost"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}:{port}"


# Public base URL used in emails (links back to the portal); by default the
# address `ventanilla serve` listens on, so PORT=8801 links to :8801.
SITE_URL = (os.environ.get("SITE_URL", "").strip() or _default_site_url()).rstrip("/")

INSTALLED_APPS = [
    "ventanilla.core",
    "ventanilla.accounts",
    "ventanilla.tickets",
    "ventanilla.mail",
    "ventanilla.kb",
    "ventanilla.chat",
    "ventanilla.sla",
    "ventanilla.status",
    "ventanilla.fields",
    "ventanilla.notifications",
    "ventanilla.integrations",
    "ventanilla.core.admin_site.AdminConfig",  # django.contrib.admin, models grouped by task
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "csp",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Sync-only middlewares go last (docs/performance.md, change 17): under
    # ASGI, Django runs every middleware above the lowest sync-only one in
    # sync mode too, so a request switches between the event loop and its
    # thread once on the way in instead of once per async-capable hook.
    "ventanilla.accounts.middleware.UserPreferencesMiddleware",
    "ventanilla.accounts.middleware.AgentTwoFactorMiddleware",
    "ventanilla.core.middleware.NulFreeQueryMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"
ASGI_APPLICATION = "ventanilla.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ventanilla.core.context_processors.branding",
                "ventanilla.accounts.context_processors.area_layout",
            ],
        },
    },
]

# Database: embedded SQLite (WAL) by default; DATABASE_URL (e.g.
# postgres://postgres@127.0.0.1:5432/ventanilla) for PostgreSQL.
if os.environ.get("DATABASE_URL"):
    # Under ASGI, persistent per-thread connections pile up until PostgreSQL
    # refuses clients ("too many clients already", seen in `make bench`):
    # use psycopg's pool instead, bounded per process.
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": envint("DATABASE_POOL_MIN", 1),
        "max_size": envint("DATABASE_POOL_MAX", 8),
        "timeout": 20,
    }
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, with writers queued on a file lock
            # (ventanilla/core/sqlite/base.py, docs/performance.md change 19).
            "ENGINE": "ventanilla.core.sqlite",
            "NAME": DATA_DIR / "ventanilla.sqlite3",
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE
                # transactions avoid "database is locked" upgrade deadlocks.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            # Performance (docs/performance.md, change 10): keep each thread's
            # connection instead of reopening the file and re-running the
            # PRAGMAs on every request. Under ASGI, requests run on reused
            # threads (ventanilla/core/request_threads.py, change 15), so
            # this is one connection per busy thread; WAL gives each
            # transaction a fresh snapshot.
            "CONN_MAX_AGE": envint("DATABASE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          # One pool per process, not one per request (change 16).
                          "OPTIONS": {"pool_class": "ventanilla.core.cache.SharedConnectionPool"}}}
    # Performance (docs/performance.md, change 11): sessions read from Redis,
    # written through to the database. Only with a shared cache: a
    # per-process cache would keep serving a session that another worker
    # ended (logout).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis, a SQLite file in the data directory that every process
    # of this host shares (web workers, job consumer, `mail pipe`): rate
    # limits, allauth's login limits included, hold across processes.
    CACHES = {"default": {"BACKEND": "ventanilla.core.cache.SqliteCache",
                          "LOCATION": str(DATA_DIR / "cache.sqlite3")}}

# Background jobs: Huey on SQLite in the data directory, or Redis.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").upper()

HUEY = {
    "name": "ventanilla",
    "immediate": envbool("HUEY_IMMEDIATE", False),
    # The consumer logs at LOG_LEVEL like everything else: at Huey's own
    # default (INFO) it printed every job, ~28 lines a minute, burying the
    # emails `make run` prints to the console.
    "consumer": {"workers": envint("HUEY_WORKERS", 2), "worker_type": "thread",
                 "verbose": {"DEBUG": True, "INFO": None}.get(LOG_LEVEL, False)},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "ventanilla.core.jobs.SqliteHuey",
                 "filename": str(DATA_DIR / "jobs.sqlite3")})

# IMAP polling of the support mailboxes. Certificates are always verified;
# VENTANILLA_IMAP_CA_FILE adds a CA bundle to trust (a private CA, or the
# self-signed certificate of the test server) instead of the system's.
VENTANILLA_IMAP_CA_FILE = os.environ.get("VENTANILLA_IMAP_CA_FILE", "")
VENTANILLA_IMAP_TIMEOUT_SECONDS = envint("VENTANILLA_IMAP_TIMEOUT_SECONDS", 30)
# Messages ingested per poll of one mailbox (a backlog drains over several polls).
VENTANILLA_IMAP_MAX_PER_POLL = envint("VENTANILLA_IMAP_MAX_PER_POLL", 500)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "ventanilla.accounts.backends.ModelBackend",
    "ventanilla.accounts.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12, as the help centre tells customers (and current guidance); sign-up
    # shows every rule under the password. The demo's users (demo1234) are
    # created without validation.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: log in by email, verified email required to sign up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "ventanilla.accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "ventanilla.accounts.forms.SignupForm"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("VENTANILLA_SITE_NAME", "Ventanilla")

# Tickets: limits that the portal and the other channels share.
VENTANILLA = {
    "MAX_FILE_BYTES": envint("VENTANILLA_MAX_FILE_MB", 10) * 1024 * 1024,
    "MAX_MESSAGE_BYTES": envint("VENTANILLA_MAX_MESSAGE_MB", 25) * 1024 * 1024,
    # Ticket creations allowed per customer per hour through the portal.
    "TICKET_CREATE_RATE": os.environ.get("VENTANILLA_TICKET_CREATE_RATE", "20/h"),
    # Live chat: an agent is offered chats only while one of their console
    # sockets sent a heartbeat within this many seconds (it sends one every
    # 15 s; the margin covers a reload or a missed beat).
    "CHAT_CONSOLE_LIVE_SECONDS": envint("VENTANILLA_CHAT_CONSOLE_LIVE_SECONDS", 40),
    # Seconds a customer waits for an agent's first answer before being told
    # nobody could attend them yet and offered to leave the chat as a ticket.
    "CHAT_ANSWER_SECONDS": envint("VENTANILLA_CHAT_ANSWER_SECONDS", 60),
    # Minutes between two auto-close sweeps.
    "AUTO_CLOSE_EVERY_MINUTES": envint("VENTANILLA_AUTO_CLOSE_EVERY_MINUTES", 15),
    # Notification emails: attempts before one is marked fallido, and the
    # first retry delay, doubled on each further attempt (60 s, 2, 4, 8, 16 min).
    "MAIL_SEND_ATTEMPTS": envint("VENTANILLA_MAIL_SEND_ATTEMPTS", 6),
    "MAIL_RETRY_BASE_SECONDS": envint("VENTANILLA_MAIL_RETRY_BASE_SECONDS", 60),
    # Inbound emails one sender may turn into ticket messages; past it they
    # are quarantined (kept, not dropped) so a flood cannot fill the queues.
    "MAIL_SENDER_RATE": os.environ.get("VENTANILLA_MAIL_SENDER_RATE", "20/h"),
    # At most this many people on a ticket through an email's Cc (from a
    # verified sender, or one already on the ticket); the rest are listed
    # on the message for the agents, not subscribed.
    "MAIL_MAX_PARTICIPANTS": envint("VENTANILLA_MAIL_MAX_PARTICIPANTS", 10),
    # authserv-ids of our own receiving servers (comma-separated): only their
    # Authentication-Results "dmarc=pass" verifies a sender. Empty: DKIM only.
    "MAIL_TRUSTED_AUTHSERV": [
        host.strip() for host in os.environ.get("VENTANILLA_MAIL_TRUSTED_AUTHSERV", "").split(",")
        if host.strip()
    ],
    # The LMTP intake that `ventanilla serve` starts (`ventanilla mail lmtp`)
    # for Postfix or Exim: a Unix socket path, or a TCP port on LMTP_HOST
    # (loopback: LMTP has no authentication). Neither set: no LMTP server.
    "LMTP_SOCKET": os.environ.get("VENTANILLA_LMTP_SOCKET", "").strip(),
    "LMTP_PORT": envint("VENTANILLA_LMTP_PORT", 0),
    "LMTP_HOST": os.environ.get("VENTANILLA_LMTP_HOST", "").strip() or "127.0.0.1",
    # Processes accepting on that socket: each ingests on about one core.
    "LMTP_PROCESSES": envint("VENTANILLA_LMTP_PROCESSES", 1),
}
# Domain of our own Message-IDs; empty: the domain of DEFAULT_FROM_EMAIL.
VENTANILLA_MAIL_DOMAIN = os.environ.get("VENTANILLA_MAIL_DOMAIN", "")

# Attachments live in the data directory, outside the static root, and are
# served only through the access-checked download view.
MEDIA_ROOT = Path(os.environ.get("VENTANILLA_MEDIA_DIR", DATA_DIR / "attachments"))
MEDIA_URL = "/_no-publico/"  # no route serves it: downloads go through the access check
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/nunca-publico/"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Past one host, attachments need storage every host sees: VENTANILLA_MEDIA_DIR
# on a shared mount, or an S3-compatible bucket through django-storages
# (`pip install "ventanilla[s3]"`). Objects stay private: the download view
# reads them and streams them after its access check, never hands out a URL.
# The keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, which
# django-storages reads from the environment itself.
if os.environ.get("VENTANILLA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["VENTANILLA_S3_BUCKET"],
            "location": os.environ.get("VENTANILLA_S3_PREFIX", "attachments"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            # Empty sends no ACL header: buckets with ACLs disabled (AWS's
            # default for new buckets) refuse "private" but are private anyway.
            "default_acl": os.environ.get("VENTANILLA_S3_ACL", "private") or None,
            "querystring_auth": True,  # should a URL ever be built, it is signed
            "file_overwrite": False,
        },
    }
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("VENTANILLA_STATIC_ROOT", DATA_DIR / "static"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Larger uploads are written here while they arrive (not /tmp): a request
# killed mid-upload leaves its partial file, which the hourly sweep
# (tickets.submissions.sweep) deletes after a few hours.
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Mexico_City")
USE_I18N = True
USE_TZ = True

# Email: SMTP when EMAIL_HOST is set, else printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# A hung mail server must not hold a job worker forever; the job retries.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Soporte <soporte@example.com>")

# Security: cookies are secure when served over https (SECURE_COOKIES=1
# behind a TLS-terminating proxy that sets X-Forwarded-Proto).
SECURE_COOKIES = envbool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A failed CSRF check answers with the site's own page (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "ventanilla.core.views.csrf_failure"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Refusals (403, 400) are logged in one line, without a traceback
# (ventanilla/core/logging.py); server errors keep theirs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_one_line": {"()": "ventanilla.core.logging.ClientErrorsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "filters": ["client_errors_one_line"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # The consumer (run_huey) installs its own handler: don't print twice.
    "loggers": {"huey": {"propagate": False}},
}

# --- fields ---
# Consent requests (and their signed email links) expire after this many
# hours; the link page is rate limited per IP.
VENTANILLA_FIELDS = {
    "CONSENT_EXPIRY_HOURS": envint("VENTANILLA_CONSENT_EXPIRY_HOURS", 168),
    "CONSENT_LINK_RATE": os.environ.get("VENTANILLA_CONSENT_LINK_RATE", "30/h"),
}

# --- status ---
VENTANILLA_STATUS = {
    # Accepted submissions of the public contact forms (no account), the
    # three together: per IP (an office shares one) and per email or
    # account identifier. Invalid, spam and refused submissions do not count.
    "CONTACT_RATE": os.environ.get("VENTANILLA_CONTACT_RATE", "30/h"),
    "CONTACT_EMAIL_RATE": os.environ.get("VENTANILLA_CONTACT_EMAIL_RATE", "5/h"),
}
# Departments customers never pick in "Abrir ticket" (read by
# tickets.selectors.portal_departments): the identity checks of
# status.services.IDENTITY_DEPARTMENT arrive only through their own form.
VENTANILLA_PORTAL_HIDDEN_DEPARTMENTS = ["verificacion"]

# --- kb ---
# Searches (help page and /api/v1/kb/search), feedback answers and
# self-service reports allowed per visitor (IP or user) per window.
KB = {
    "SEARCH_RATE": os.environ.get("VENTANILLA_KB_SEARCH_RATE", "120/m"),
    "FEEDBACK_RATE": os.environ.get("VENTANILLA_KB_FEEDBACK_RATE", "30/h"),
    "SELFSERVICE_RATE": os.environ.get("VENTANILLA_KB_SELFSERVICE_RATE", "120/h"),
}

# --- chat ---
# Live chat over WebSockets on the same uvicorn server (Django Channels). One
# process: the in-memory channel layer; with REDIS_URL, channels-redis carries
# chat events between every server process, through Redis publish/subscribe
# (docs/chat.md: at 1,000 concurrent chats its list-based layer failed 0.4 %
# of messages with read timeouts, this one none, at half the latency).
# Publish/subscribe channels ignore Redis's database number, so the prefix is
# this deployment's own: two sites sharing a Redis server never hear each other.
if REDIS_URL:
    _channels_prefix = "ventanilla-chat-" + hashlib.sha256(
        f"channels:{SECRET_KEY}".encode()).hexdigest()[:16]
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL], "prefix": _channels_prefix}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# 'self' covers same-origin ws(s):// in CSP Level 3 browsers; older ones need
# the WebSocket origin named.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"].append(
    SITE_URL.replace("https://", "wss://", 1).replace("http://", "ws://", 1))
# A bare WebSocket echo at ws/eco/ for `make bench` (the latency floor); off in production.
VENTANILLA_CHAT_ECHO = envbool("VENTANILLA_CHAT_ECHO", False)

# --- integrations ---
# django-ninja's Swagger UI assets are served from static files (no CDN).
INSTALLED_APPS += ["ninja"]
VENTANILLA_INTEGRATIONS = {
    # Webhook deliveries: attempts per delivery, first retry delay (doubled
    # on each attempt), and failed deliveries in a row that disable a webhook.
    "WEBHOOK_ATTEMPTS": envint("VENTANILLA_WEBHOOK_ATTEMPTS", 6),
    "WEBHOOK_RETRY_BASE_SECONDS": envint("VENTANILLA_WEBHOOK_RETRY_BASE_SECONDS", 30),
    "WEBHOOK_TIMEOUT_SECONDS": envint("VENTANILLA_WEBHOOK_TIMEOUT_SECONDS", 10),
    "WEBHOOK_DISABLE_AFTER": envint("VENTANILLA_WEBHOOK_DISABLE_AFTER", 5),
    # Single sign-on links are valid this long (and only once).
    "SSO_MAX_AGE_SECONDS": envint("VENTANILLA_SSO_MAX_AGE_SECONDS", 90),
}
