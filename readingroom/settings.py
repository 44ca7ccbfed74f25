"""Settings for Reading Room, read from the environment.

Every value has a default that boots a local reading room on SQLite. In
production (``DEBUG`` false) the server refuses to start with the development
secret key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from readingroom.env import email_settings, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEV_SECRET_KEY = "dev-only-reading-room-secret-not-for-production"
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: with DEBUG off the development key is refused.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "csp",
    "django_htmx",
    "template_partials",
    "axes",
    # Nested, sortable inlines: a cable, its passages and their telegram headers on one page.
    "nested_admin",
    "readingroom",
    # The apps, lowest layer first (pyproject.toml's import-linter contracts
    # check that each imports only those above it in this list).
    "cables",
    "telegrams",
    "annotations",
    "search",
    "interchange",
    "reading",
    "network",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every response (django-csp; CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with its lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Widgets render through the project's template engine (so templates/ can hold widget templates).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "readingroom.urls"
WSGI_APPLICATION = "readingroom.wsgi.application"

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
                "readingroom.caching.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'readingroom.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # One writer at a time; wait for it instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The tests' database is a file beside the one named (the browser tests'
    # live server reads it from another thread): var/test-readingroom.sqlite3.
    _db = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_db.with_name(f"test-{_db.name}"))}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the reading room's queries are short, and compiling them (the search's
    # facets query above all) costs more than it saves.
    # The word similarity a misspelt name needs (search.backends.postgres.FUZZY_THRESHOLD),
    # so the search's `<%` can use the names' trigram indexes.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (
        options.get("options", "") + " -c jit=off -c pg_trgm.word_similarity_threshold=0.5"
    ).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# django-axes first: it refuses a locked-out account or address before the password
# is checked; Django's backend last (the one sessions name).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)

# HTTPS ------------------------------------------------------------------------
# Off by default (a local reading room is plain HTTP); docker-compose.yml turns them
# on. Behind a proxy that ends TLS (the compose nginx, or a load balancer before
# it), SECURE_PROXY_SSL_HEADER=true trusts its X-Forwarded-Proto, so requests it
# received over HTTPS are secure to Django (absolute links and exports' permanent
# ids read https://, and SSL redirect does not loop). Only set it behind a proxy
# that sets that header itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The health check answers over plain HTTP inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): the site's own files only, with no inline
# script or style and no eval (every script and stylesheet is a file in static/;
# htmx's indicator styles are off, see templates/base.html; the admin's pages
# are Django's own, which need none either). tests/browser/test_csp.py checks
# that no page breaks it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Accounts: sign-in pages and password-reset mail ---------------------------
# Mail goes where EMAIL_URL says (readingroom.env.email_settings):
# smtp+tls://user:password@mail.example.org:587, smtps://… or smtp://…; the
# default, console://, prints it. (EMAIL_BACKEND alone names a backend class, as before.)
if os.environ.get("EMAIL_URL") and os.environ.get("EMAIL_BACKEND"):
    raise ImproperlyConfigured("Set EMAIL_URL or EMAIL_BACKEND, not both.")
_email = email_settings(env_str("EMAIL_URL", "console://"))
EMAIL_BACKEND = env_str("EMAIL_BACKEND", _email.pop("EMAIL_BACKEND"))
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT")
if "EMAIL_FILE_PATH" in _email:
    EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", "root@localhost")
LOGIN_URL = "login"
# Sign-in throttling (django-axes, issue 15): after AXES_FAILURE_LIMIT failed
# sign-ins for one account, or from one address, that account or address is
# refused for an hour (the page says so); a success clears the account's count.
# Editors unlock sooner in the admin (Axes → Access attempts: delete the rows).
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; successful sign-ins are not logged
AXES_CLIENT_IP_CALLABLE = "readingroom.throttle.client_address"
# Behind the site's own proxy (nginx in docker-compose), the client's address is the
# last one of X-Forwarded-For (readingroom.throttle.client_address).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Cache ------------------------------------------------------------------------
# CACHE_URL=redis://host:6379/0 (or rediss://) shares one Redis cache among all
# app servers (Django's built-in RedisCache, package `redis`); unset, each
# process keeps a local-memory cache. locmem:// and dummy:// are accepted too.
CACHE_URL = env_str("CACHE_URL", "")
# "pages" holds rendered pages under their ETag (readingroom/caching.py): a day
# at most in Redis; in local memory the 100 most recently used (a few MB of
# reading views), per process.
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": prefix,
            **extra,
        }
        for alias, prefix, extra in (
            ("default", "readingroom", {}),
            ("pages", "readingroom-pages", {"TIMEOUT": 24 * 3600}),
        )
    }
elif CACHE_URL in ("", "locmem://"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 100},
        },
    }
elif CACHE_URL == "dummy://":
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        for alias in ("default", "pages")
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://…, rediss://…, locmem:// or dummy://, not {CACHE_URL!r}"
    )

# Sessions ---------------------------------------------------------------------
# Kept in the database. With a shared cache (Redis) they are read through the
# default cache (cached_db): signing out deletes the one copy every process
# reads. A local-memory cache belongs to one process, so a copy kept there
# would outlive a sign-out (or any other session change) made in another
# worker or container; there the sessions are read from the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL.startswith(("redis://", "rediss://"))
    else "django.contrib.sessions.backends.db"
)
