"""Settings read from the environment; production refuses to start half-configured."""

import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def site_root() -> Path:
    """The site's files (templates/, static/, node_modules/, fixtures/): not package data, so an
    installed wheel is told where they are by TIMELINE_ROOT; a checkout defaults to itself."""
    given = os.environ.get("TIMELINE_ROOT")
    root = Path(given) if given is not None else Path(__file__).resolve().parents[2]
    if not root.is_absolute() or not (root / "templates").is_dir():
        raise ImproperlyConfigured(
            "TIMELINE_ROOT must be the absolute path of the site's files (a checkout holding "
            f"templates/ and static/), got {given!r}"
            if given is not None
            else f"no templates/ in {root}: set TIMELINE_ROOT to the site's files"
        )
    return root.resolve()


BASE_DIR = site_root()


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False", "true", "false", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be True or False, got {value!r}")
    return value in ("True", "true", "1")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "False")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
if SITE_URL and not re.fullmatch(r"https?://[^/\s?#]+", SITE_URL):
    raise ImproperlyConfigured(f"SITE_URL must be an origin like https://news.example: {SITE_URL}")
DEFAULT_TIMELINE_SLUG = os.environ.get("DEFAULT_TIMELINE", "us-iran-escalation-2019-2020")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "template_partials",
    "reversion",
    "axes",
    "ninja",
    "corsheaders",
    "timeline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks (its redirects need the headers too).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A database outage is a 503 with Retry-After, not a 500.
    "timeline.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "timeline.config.urls"
WSGI_APPLICATION = "timeline.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and a writer work at once; IMMEDIATE transactions plus a busy timeout
    # make concurrent editors wait their turn instead of seeing "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Read replicas of the primary (comma-separated URLs): readers' requests read one of them, the
# desk and every write the primary (timeline/config/routers.py; README, "Scaling out").
for _n, _url in enumerate(filter(None, os.environ.get("DATABASE_REPLICA_URLS", "").split(",")), 1):
    DATABASES[f"replica{_n}"] = {
        **dj_database_url.parse(
            _url.strip(),
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["timeline.config.routers.ReplicaRouter"]
    MIDDLEWARE.insert(1, "timeline.config.routers.ReplicaReads")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "timeline",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Other sites' scripts (TimelineJS on a newsroom's page, a data desk's notebook) read the
# public data: the API, feeds, exports and oEmbed answer any origin (static files, the embed
# loader among them, already do: whitenoise). All are published-only and need no cookie, so
# no credentials are allowed, and nothing else (pages, the desk, previews) is matched.
CORS_URLS_REGEX = r"^/(api/|oembed$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Public pages, embeds and the API: how long browsers and CDNs may keep them.
# How often an open page asks whether events were published or changed (timeline.reader.live).
TIMELINE_LIVE_POLL_SECONDS = int(os.environ.get("TIMELINE_LIVE_POLL_SECONDS", "15"))
TIMELINE_CACHE_CONTROL = os.environ.get(
    "TIMELINE_CACHE_CONTROL",
    "public, max-age=60, stale-while-revalidate=600, stale-if-error=86400",
)
TIMELINE_RESPONSE_CACHE_SECONDS = int(os.environ.get("TIMELINE_RESPONSE_CACHE_SECONDS", "3600"))
# Sites allowed to frame /embed/ (space-separated CSP sources); "*" lets any site embed.
TIMELINE_EMBED_ORIGINS = os.environ.get("TIMELINE_EMBED_ORIGINS", "*")

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

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end packages come from npm at set-up (package-lock.json); only what pages load is exposed.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # plotly-timeline.min.js: only what the chart uses, built by `make install` (static/build/).
    ("vendor/plotly", BASE_DIR / "node_modules" / ".timeline-build"),
    # chart.js and timeline.js minified by the same build (static/js/ holds their sources).
    ("vendor/site", BASE_DIR / "node_modules" / ".timeline-build-site"),
]
# Editors' uploads (event pictures). On one machine they are files served by the app under
# MEDIA_URL; past one machine, point the default storage at a shared bucket (README).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Scripts only from this site (no inline script anywhere); styles inline too, because
# Plotly sets them. Embeds relax frame-ancestors for their own responses only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        # Only the players a link card loads when the reader asks (timeline/media.py).
        "frame-src": [SELF, "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if DEBUG else "True")
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
if not SECURE_HSTS_PRELOAD:
    # Preloading is the domain owner's decision, hard to undo and made on hstspreload.org,
    # not an app default; `check --deploy` would otherwise warn about it on every deploy.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Editors' sessions end after a working day; failed logins are throttled per user and address.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(10 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# How many proxies (load balancers) sit in front of the app and append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "timeline.desk.accounts.client_ip"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False" if DEBUG else "True")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Any client can send X-Forwarded-Proto: it is believed only from a proxy we were told about,
# or a plain reader could make https:// links (and cache them for everyone).
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
