"""Django settings for recsite.

Everything that differs between machines comes from environment variables (see README.md).
With none set, the site runs on the embedded defaults: a SQLite file and a Celery broker kept
in files under DATA_DIR, so nothing but Python is needed. Production sets DATABASE_URL
(PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, DEBUG=false and ALLOWED_HOSTS.
"""
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from recsite.env import env_bool, env_float, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "django-insecure-development-only-key"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where downloads, the embedded database and broker, and trained models live.
DATA_DIR = env_path("DATA_DIR", BASE_DIR / "var")
DOWNLOAD_DIR = env_path("DOWNLOAD_DIR", DATA_DIR / "downloads")
MODEL_DIR = env_path("MODEL_DIR", DATA_DIR / "models")  # Embedding Projector exports, one folder per version
TENSORBOARD_DIR = env_path("TENSORBOARD_DIR", DATA_DIR / "tensorboard")  # training logs, one folder per run
MOVIELENS_DEMO_URL = env_str("MOVIELENS_DEMO_URL",
                             "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip")
# Wikipedia import: link targets in more than this share of the imported films are dropped as too
# common to say anything (newspapers, "Film director"), if at least that many films link to them: in a
# small dump (one film) every target is in all its films, which says nothing yet; and the compressed
# bytes one task parses.
WIKIPEDIA_COMMON_LINK_SHARE = env_float("WIKIPEDIA_COMMON_LINK_SHARE", 0.2)
WIKIPEDIA_COMMON_LINK_MIN_FILMS = env_int("WIKIPEDIA_COMMON_LINK_MIN_FILMS", 10)
WIKIPEDIA_PART_BYTES = env_int("WIKIPEDIA_PART_BYTES", 256 * 1024**2)
# Imports started over the web (API) read local paths only under these folders; the management
# commands, run by an operator on the server, read any path. Downloads: at most this many bytes,
# and this many seconds in all (a slow server cannot hold a worker forever).
IMPORT_ROOTS = [Path(root).expanduser().resolve() for root in env_list("IMPORT_ROOTS", [str(DATA_DIR)])]
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 4 * 1024**3)
IMPORT_DOWNLOAD_SECONDS = env_float("IMPORT_DOWNLOAD_SECONDS", 3 * 3600)
# A worker stamps the run or import it works on this often; one unstamped for JOB_STALE_SECONDS has
# lost its worker and is failed by the sweep every worker runs each JOB_SWEEP_SECONDS (work/recovery.py).
JOB_HEARTBEAT_SECONDS = env_float("JOB_HEARTBEAT_SECONDS", 10)
JOB_STALE_SECONDS = env_float("JOB_STALE_SECONDS", 40)
JOB_SWEEP_SECONDS = env_float("JOB_SWEEP_SECONDS", 15)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # trigram search and unaccent (unused on SQLite)
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as local static files
    "work",
    "movies",
    "ml",
    "api",
    "web",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files (already compressed) answered here
    # Pages and API answers gzipped for browsers that accept it (cached pages are stored so: web/page_cache.py).
    "django.middleware.gzip.GZipMiddleware",
    "recsite.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recsite.login_throttle.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "recsite.urls"
WSGI_APPLICATION = "recsite.wsgi.application"

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
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
# Health checks: a connection that PostgreSQL dropped (a restart) is replaced at the next request,
# so the web processes recover from an outage by themselves.
_database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
                                  conn_health_checks=True)
if _database["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # A file, not memory, so that worker processes started by the tests share the test database.
    _database["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
DATABASES = {
    "default": _database,
    # A second connection to the same database, so that an import's progress is committed (and
    # visible in the admin) while the import's own transaction is still open. In tests it is the
    # same connection as "default".
    "progress": {**_database, "TEST": {"MIRROR": "default"}},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env_path("STATIC_ROOT", DATA_DIR / "static")
# Served by whitenoise from STATIC_ROOT (`manage.py collectstatic`), compressed; no manifest, so that
# a checkout that never ran collectstatic (tests, development) still renders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Sign-in POSTs to these paths are limited per client address (recsite/login_throttle.py).
LOGIN_RATE = env_str("LOGIN_RATE", env_str("API_LOGIN_RATE", "10/minute"))
LOGIN_THROTTLE_PATHS = env_list("LOGIN_THROTTLE_PATHS", ["/admin/login/", "/accounts/login/", "/login/"])

# The cache holds the API's throttle counts and what pages keep for a while: per process by default, shared
# by every web process with CACHE_URL=redis://host:6379/1 (an outage of it is a cache miss: recsite/cache.py).
CACHE_URL = env_str("CACHE_URL")
# Whether every web process sees the same cache: what one process drops, none serves again.
CACHE_IS_SHARED = CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
CACHES = {"default": {"BACKEND": "recsite.cache.ForgivingRedisCache", "LOCATION": CACHE_URL,
                      "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
          if CACHE_IS_SHARED else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions are read from the shared cache (written through to the database): no query for them.
SESSION_ENGINE = ("django.contrib.sessions.backends.cached_db" if CACHE_IS_SHARED
                  else "django.contrib.sessions.backends.db")
# Messages after a form travel in a cookie, so that a cached page (web/page_cache.py) knows without the session
# that one is waiting to be shown.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
# Whole pages are kept per visitor this long (web/page_cache.py), only with a shared cache; 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300) if CACHE_IS_SHARED else 0

# The REST API under /api/ (see api/): token or session authentication, one error format, writes throttled.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a request without credentials is answered 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.WriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "writes": env_str("API_WRITE_RATE", "120/minute"),
        "login": env_str("API_LOGIN_RATE", "10/minute"),
    },
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "recsite API",
    "DESCRIPTION": "Movies, your ratings and picks, and (for staff) imports, training runs and model versions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ModelKindEnum": "ml.models.ModelKind", "ImportKindEnum": "movies.models.ImportJob.Kind",
                            "SimilarKindEnum": ["links", "ratings"]},
}

# Celery: a broker that needs no server by default (files under DATA_DIR), Redis in production.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DATA_DIR / "broker"
    (_broker_dir / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Long imports and trainings ack late; Redis redelivers a task unacked for this long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "recsite")
CELERY_TASK_IGNORE_RESULT = True  # job state lives in the database (ImportJob), not in a result backend
# A task is acknowledged when it ends, so a worker shut down while it waits hands it back. A worker
# *killed* while running one (SIGKILL, out of memory) does not get it redelivered: the task could kill
# every worker in turn. Its run or job is failed by the sweep (work/recovery.py) and, if Redis hands
# the message out again after the visibility timeout, the task sees the row is no longer queued and
# does nothing. So the visibility timeout only has to exceed the longest task (6 h by default).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With the broker down, queueing a task fails within about two seconds (the web says the queue is
# unavailable) instead of retrying for long.
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Workers lower their CPU priority by this much (nice), so that web processes on the same machine come first.
WORKER_NICENESS = env_int("WORKER_NICENESS", 19)
# ...and run, on Linux, only on CPU time nothing else wants (the SCHED_IDLE scheduling class).
WORKER_SCHED_IDLE = env_bool("WORKER_SCHED_IDLE", True)

# Production hardening (see `manage.py check --deploy`).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
# Cookies only over HTTPS in production; SECURE_COOKIES=false for a DEBUG-off site on plain http://127.0.0.1
# (bin/run-site).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG

# LOG_FORMAT=json: one JSON object a line (for a log collector); plain text otherwise.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
                   "json": {"()": "recsite.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
