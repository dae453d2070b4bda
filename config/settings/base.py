"""All settings, read from the environment (see .env.example). Production is this module plus env vars."""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# No default outside DEBUG: a production deployment must set its own key.
SECRET_KEY = (
    env.str("SECRET_KEY") if not DEBUG else env.str("SECRET_KEY", default="insecure-dev-key-only-for-debug")
)
# Key of the keyed hash (HMAC-SHA256) that replaces a client's BSN at import. Like SECRET_KEY it gets no
# default outside DEBUG, and a system check (core.checks) refuses an empty, short or example key unless DEBUG
# is on. Changing it makes new pseudonyms that do not match earlier imports: docs/pseudonymisation-key.md.
PSEUDONYMISATION_KEY = (
    env.str("PSEUDONYMISATION_KEY")
    if not DEBUG
    else env.str("PSEUDONYMISATION_KEY", default="insecure-dev-pseudonymisation-key")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Cross-origin use of the API (django-cors-headers), only under /api/: the origins (https://...) whose
# pages may call it from the browser. None by default. The schema (/api/v1/openapi.json) may be read
# from any origin whatever this says (api.middleware). A browser client needs If-Match and reads ETag.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "x-csrftoken",
    "x-request-id",
    "x-requested-with",
)
CORS_EXPOSE_HEADERS = ("api-version", "etag", "location", "retry-after", "www-authenticate", "x-request-id")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "django_rq",  # the Redis queues of the RQ backend (TASKS_BACKEND=django_tasks_rq.RQBackend)
    "django_tasks_rq",
    "audit",
    "core",
    "contracting",
    "coalitions",
    "compliance",
    "api",
    "portal",
    "devtools",
    "workspace",
    # Logins: lockout (django-axes) and the admin's second factor (maykin-2fa on django-two-factor-auth).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "two_factor.plugins.webauthn",
    "maykin_2fa",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.request_id.RequestIdMiddleware",  # X-Request-ID on the response and on every log line
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files (compressed), before everything else
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "api.middleware.ApiHeadersMiddleware",  # API-Version on every /api/ response
    "corsheaders.middleware.CorsMiddleware",  # CORS for /api/ (CORS_ALLOWED_ORIGINS below)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maykin_2fa.middleware.OTPMiddleware",
    "accounts.middleware.StaffSessionIdleTimeoutMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The embedded default (SQLite): write-ahead log, so that readers never wait for a writer; a busy timeout,
# so that a writer waits for the other instead of failing with "database is locked"; and transactions
# that take the write lock when they begin (IMMEDIATE), so that two transactions that read and then write
# (concurrent failed logins: axes counts them) wait in turn instead of one failing at its first write.
SQLITE_BUSY_TIMEOUT_SECONDS = env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=SQLITE_BUSY_TIMEOUT_SECONDS,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
# The authority that runs this installation, shown next to the product's name in the admin's header.
AUTHORITY_NAME = env.str("AUTHORITY_NAME", default="")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
# Uploaded documents: never inside anything served statically; downloads go through a permission-checking view.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media-not-served/"

# Accountability documents: local disk (MEDIA_ROOT/documents) by default; S3-compatible object storage
# (AWS S3, MinIO ...) through django-storages when AWS_STORAGE_BUCKET_NAME is set. Credentials come from
# the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables (boto3 reads them).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    DOCUMENT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "location": env.str("AWS_LOCATION", default="zorginkoop"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DOCUMENT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    # exports (exports/...) go where the documents go: the same bucket when one is configured
    "default": DOCUMENT_STORAGE
    if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes gzip and brotli variants that whitenoise serves (no separate web server needed)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "documents": DOCUMENT_STORAGE,
}
# Upload checks (compliance.documents.validation): size limit, and an optional virus scan by clamd.
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_MB", default=20) * 1024 * 1024
# Uploads are capped while they stream in (core.uploads), before they are written in full: documents at
# DOCUMENT_MAX_UPLOAD_MB, every other upload (admin forms, production imports) at UPLOAD_MAX_MB. Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB default) limits only the non-file fields of a request.
UPLOAD_MAX_BYTES = max(env.int("UPLOAD_MAX_MB", default=100) * 1024 * 1024, DOCUMENT_MAX_UPLOAD_BYTES)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
# Without CLAMD_SOCKET a deployment (DEBUG off) fails `check --deploy` and does not start (core.checks),
# unless the scan is waived explicitly, with the reason (e.g. "scanned by the upload gateway's ICAP").
DOCUMENT_VIRUS_SCAN_WAIVED = env.bool("DOCUMENT_VIRUS_SCAN_WAIVED", default=False)
DOCUMENT_VIRUS_SCAN_WAIVER_REASON = env.str("DOCUMENT_VIRUS_SCAN_WAIVER_REASON", default="")
# Reminder e-mails about documents: how many days before the due date the first one goes out.
DOCUMENT_REMINDER_DAYS_BEFORE = env.int("DOCUMENT_REMINDER_DAYS_BEFORE", default=14)
# The address of this site as users reach it, for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGIN_URL = "admin:login"

# Logins (accounts/). Lockout with django-axes on every login path (admin, portal, API basic
# authentication): after LOGIN_FAILURE_LIMIT failures a username, and a client address, cannot log in for
# LOGIN_COOLOFF_MINUTES. The first backend refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: one account, or one address
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lockout ends when it said it would
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # SQLite and PostgreSQL alike
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_CLIENT_STR_CALLABLE = "accounts.lockout.client_str"  # log lines without username or address
LOGIN_CLIENT_IP_HEADER = env.str("LOGIN_CLIENT_IP_HEADER", default="")
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail
AXES_VERBOSE = False
# What axes keeps of a failed attempt's form (until the cool-off ends): never passwords or tokens.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "auth-username",
    "auth-password",
    "token-otp_token",
    "backup-otp_token",
    "ip_address",
]
# Second factor (maykin-2fa: TOTP apps, WebAuthn security keys, recovery codes) for staff users (officers,
# auditors, administrators) on the admin. ALLOW_LOGIN_WITHOUT_SECOND_FACTOR lets the demo log in with a
# password only; it has no effect unless DEBUG is on, and `manage.py check` fails when it is set without DEBUG.
ALLOW_LOGIN_WITHOUT_SECOND_FACTOR = env.bool("ALLOW_LOGIN_WITHOUT_SECOND_FACTOR", default=False)
MAYKIN_2FA_ALLOW_MFA_BYPASS_BACKENDS = (
    ["django.contrib.auth.backends.ModelBackend"] if ALLOW_LOGIN_WITHOUT_SECOND_FACTOR and DEBUG else []
)
TWO_FACTOR_PATCH_ADMIN = False  # maykin_2fa.monkeypatch_admin() in config/urls.py
TWO_FACTOR_WEBAUTHN_RP_NAME = env.str("TWO_FACTOR_WEBAUTHN_RP_NAME", default="Zorginkoop")
OTP_TOTP_ISSUER = TWO_FACTOR_WEBAUTHN_RP_NAME
# A staff user's session ends after this many minutes without a request (accounts.middleware).
OFFICER_SESSION_IDLE_MINUTES = env.int("OFFICER_SESSION_IDLE_MINUTES", default=15)

# An export queued or running for longer than this is marked failed (its worker or database connection died)
# by the hourly scheduler job, with an audit event, and can be started again.
EXPORT_TIMEOUT_MINUTES = env.int("EXPORT_TIMEOUT_MINUTES", default=30)

# The jobs of `manage.py run_scheduler` (core/scheduler.py): each a management command, run once per hour
# (from minute `at`) or once per day (from hour `at`, local time), across however many servers run it.
SCHEDULED_JOBS = [
    {"name": "exports_recover", "command": "exports_recover", "every": "hour", "at": 5},
    {"name": "documents_daily", "command": "documents_daily", "every": "day", "at": 2},
    {"name": "evaluate_conditions", "command": "evaluate_conditions", "every": "day", "at": 3},
    {"name": "anchor_audit_trail", "command": "anchor_audit_trail", "every": "day", "at": 4},
    {"name": "calendar_daily", "command": "calendar_daily", "every": "day", "at": 6},
]
# A scheduled run that has not finished after this many minutes is taken over by another server.
SCHEDULER_LEASE_MINUTES = env.int("SCHEDULER_LEASE_MINUTES", default=120)

# Background work (Django's Tasks API, django-tasks). The backend is a setting, the code is the same:
# - django_tasks.backends.immediate.ImmediateBackend: in-process, right after the request commits (the demo);
# - django_tasks_db.DatabaseBackend: a queue table, worked by `manage.py db_worker` (SQLite or PostgreSQL);
# - django_tasks_rq.RQBackend: Redis queues (REDIS_URL), worked by worker pools on several machines:
#   `manage.py rqworker --job-class django_tasks_rq.Job default`.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"),
        "QUEUES": ["default"],
    }
}
RQ_SHOW_ADMIN_LINK = False  # no RQ dashboard in the officers' admin; the queues are watched through /health
RQ_QUEUES = {
    "default": {
        "URL": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "DEFAULT_TIMEOUT": env.int("TASK_TIMEOUT_SECONDS", default=3600),
    }
}

# The API (api/authentication.py): API tokens (Bearer) for machines, sessions for people. HTTP basic
# authentication with a person's password only when API_ALLOW_BASIC_AUTH is set.
API_ALLOW_BASIC_AUTH = env.bool("API_ALLOW_BASIC_AUTH", default=False)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Requests per API token, per logged-in user and per client address of anonymous callers (api/throttling.py):
# "<number>/<second|minute|hour|day>"; over the limit the API answers 429 with Retry-After.
API_THROTTLE_RATES = {
    "token": env.str("API_THROTTLE_TOKEN", default="600/minute"),
    "user": env.str("API_THROTTLE_USER", default="600/minute"),
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
}
# The cache (the API's rate limits count in it). Locally one per process; a shared cache (redis://...)
# makes the limits count across processes and machines.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",  # first: its challenge goes with every 401
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.BasicAuthentication",  # only with API_ALLOW_BASIC_AUTH
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "api.permissions.ReadOnlyUnlessTransition",
        "api.permissions.TokenScopes",
        "api.query.KnownQueryParameters",  # 400 for a query key the schema does not list
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": [
        "djangorestframework_camel_case.render.CamelCaseJSONRenderer",
        "api.renderers.BrowsableAPIRenderer",  # CamelCase, with its CSP for DRF's style attributes
    ],
    "DEFAULT_PARSER_CLASSES": [
        "djangorestframework_camel_case.parser.CamelCaseJSONParser",
        "djangorestframework_camel_case.parser.CamelCaseFormParser",
        "djangorestframework_camel_case.parser.CamelCaseMultiPartParser",
    ],
    "JSON_UNDERSCOREIZE": {"no_underscore_before_number": True},
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # No ?format=: the Accept header chooses the representation (an unknown query key is a 400).
    "URL_FORMAT_OVERRIDE": None,
}

# The OpenAPI description (api/schema.py): where the API is (the served schema names the address it was
# fetched from), and whom to ask about it (NL API Design Rules /core/doc-openapi-contact).
API_SERVER_URL = env.str("API_SERVER_URL", default="https://zorginkoop.nl/api/v1")
API_CONTACT = {
    "name": env.str("API_CONTACT_NAME", default="Zorginkoop"),
    "email": env.str("API_CONTACT_EMAIL", default="api@zorginkoop.nl"),
    "url": env.str("API_CONTACT_URL", default="https://zorginkoop.nl"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Zorginkoop API",
    "DESCRIPTION": "Procedures, applications, agreements, coalitions and memberships of Wmo and youth care.",
    "VERSION": "1.0.0",
    "CONTACT": API_CONTACT,
    "SERVERS": [{"url": API_SERVER_URL}],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVE_INCLUDE_SCHEMA": True,  # the ADR want GET /openapi.json in the description itself
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny", "api.query.KnownQueryParameters"],
    "COMPONENT_SPLIT_REQUEST": True,
    "CAMELIZE_NAMES": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "api.schema.split_reasoned_transitions",
        "api.schema.adr_postprocess",
    ],
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "contracting.models.ContractingAuthority.Kind",
        "ExportKindEnum": "compliance.models.reports.ExportKind",
        "ProductionKindEnum": "compliance.models.production.ProductionKind",
        "ImportStatusEnum": "compliance.models.production.ImportStatus",
    },
}

# Logs on standard error: one JSON object per line in production (LOG_FORMAT=json, the default unless DEBUG),
# each with the request id of the request it belongs to; readable lines on a developer machine. Log messages
# name records by uuid, never by a person's name or BSN.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT is json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "json_ensure_ascii": False,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zorginkoop@localhost")
# The SMTP server (with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

# --------------------------------------------------------------------------- HTTPS, cookies, sessions, CSP
# Secure by default whenever DEBUG is off; each can be changed through the environment. With production
# variables `manage.py check --deploy --fail-level WARNING` reports nothing (.ci/run runs it).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Behind a proxy that ends TLS: the header the proxy sets and its value for https, e.g.
# "HTTP_X_FORWARDED_PROTO,https". Only when the proxy always sets or strips that header; unset = not trusted.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER is 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https."
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
COOKIE_SAMESITE = env.str("COOKIE_SAMESITE", default="Lax")
if COOKIE_SAMESITE not in ("Lax", "Strict"):
    raise ImproperlyConfigured("COOKIE_SAMESITE is Lax or Strict.")
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = COOKIE_SAMESITE
# A session ends this many seconds after it last changed (Django's default is two weeks); officers' sessions
# end sooner after inactivity (OFFICER_SESSION_IDLE_MINUTES).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)

# Content-Security-Policy (django-csp 4): only this site's own scripts, styles, images and fonts; no inline
# script or style (templates link static files), no plugins, no framing, forms post only here. The browsable
# API adds style attributes for DRF's templates (api.renderers).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": env.str("CSP_REPORT_URI", default="") or None,
    },
}

# The audit trail (audit/). The daily anchor (`manage.py anchor_audit_trail`) is also appended to this file,
# meant for another disk or host (write-once storage, a different owner); empty = only the AuditAnchor table.
AUDIT_ANCHOR_FILE = env.str("AUDIT_ANCHOR_FILE", default="")
# At most one failed-login event per account, and one for all unknown usernames together, per this many minutes.
AUDIT_LOGIN_FAILURE_WINDOW_MINUTES = env.int("AUDIT_LOGIN_FAILURE_WINDOW_MINUTES", default=15)
