"""Configuration: defaults, then ``SURVEY_*`` environment variables, then the mapping passed in."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.periods import now_utc

# SURVEY_<NAME> sets <NAME>; these few are renamed to the key the extension reads.
RENAMED = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'zisurvey.db'}",
        # hide_parameters: a logged database error never carries saran text or source hashes
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "INSTRUMENT_DIR": None,
        "BASE_URL": None,  # public address printed in QR codes; the request's host when unset
        # SURVEY_TRUSTED_HOSTS=survei.example.go.id[,...]: any other Host header answers 400
        "TRUSTED_HOSTS": None,
        "CLOCK": now_utc,  # the server's clock; tests pass a fixed one
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,  # uploads; form fields stay under 500 kB
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": False,  # SURVEY_SESSION_COOKIE_SECURE=1 behind HTTPS
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,
        "SARAN_MAX": 1000,
        "UNITS_PER_PAGE": 50,  # units below on a dashboard at once (a Kementerian has ~500)
        "RATELIMIT_STORAGE_URI": "memory://",  # SURVEY_RATELIMIT_STORAGE_URI=redis://... in prod
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: limits are not counted for a while rather than every request failing
        "RATELIMIT_SWALLOW_ERRORS": True,
        # a moving window: attempts straddling a clock minute still count together
        "RATELIMIT_STRATEGY": "moving-window",
        # where the day's source salt is kept: redis://... (shared by workers, expires), or
        # memory (one process); unset: the rate limits' Redis, else memory. Never the database.
        "SALT_STORE": None,
        "LOGIN_LIMIT": "10 per minute",
        # sign-in throttling: after LOGIN_LOCKOUT failures under one username (typed, existing
        # or not), each further attempt waits LOGIN_WAIT_SECONDS, doubled per failure, at most
        # LOGIN_LOCKOUT_MINUTES; one source waits the same way after LOGIN_SOURCE_LOCKOUT
        "LOGIN_LOCKOUT": 5,
        "LOGIN_WAIT_SECONDS": 60,
        "LOGIN_LOCKOUT_MINUTES": 15,
        # high: a whole office may sign in from one address (NAT); its wait is still capped
        "LOGIN_SOURCE_LOCKOUT": 100,
        # per source; a service hall's shared wifi puts many honest respondents behind one
        "SUBMIT_LIMIT": "20 per minute;200 per hour",
        "FORM_MAX_BYTES": 64 * 1024,  # a whole survey form is under 10 kB
        # kiosk mode (issue 21.3): the least seconds between two answers of one kiosk, the
        # idle seconds after which it returns to its welcome screen, the seconds its thank-you
        # screen stays, the minutes a pairing code is valid, and how many hours an answer kept
        # on the device while offline may wait to be sent
        "KIOSK_JEDA_DETIK": 20,
        "KIOSK_DIAM_DETIK": 60,
        "KIOSK_TERIMA_KASIH_DETIK": 8,
        "KIOSK_KODE_MENIT": 10,
        "KIOSK_BATAS_JAM": 72,
        # outgoing mail (reset links, weekly digest): none unless MAIL_SERVER is set
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_SECURITY": "starttls",  # starttls, ssl or none
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SENDER": "zisurvey@localhost",
        "JOBS_REDIS_URL": None,  # SURVEY_JOBS_REDIS_URL=redis://...: long exports as RQ jobs
        "JOBS_QUEUE": "zisurvey-ekspor",
        # responses uploads: per account per hour, rows per file, a workbook's size once
        # unzipped (a zip bomb is refused on its declared sizes), and the size from which a
        # file is checked and stored as a background job (with SURVEY_JOBS_REDIS_URL)
        "UPLOADS_PER_HOUR": 20,
        "UPLOAD_MAX_ROWS": 250_000,
        "UPLOAD_MAX_EXPANDED_MB": 100,
        "UPLOAD_JOB_BYTES": 1024 * 1024,
        "PROXY_COUNT": 0,  # SURVEY_PROXY_COUNT=1 behind one load balancer or reverse proxy
        # name=value[,name=value] set on each PostgreSQL connection (see create_app)
        "PG_SESSION_SETTINGS": "random_page_cost=1.1,jit=off",
    }


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the variable and what it takes."""


TRUE, FALSE = ("1", "true", "yes", "ya"), ("0", "false", "no", "tidak")


def from_environment(environ: Mapping[str, str], instance_path: str = "") -> dict[str, Any]:
    """``SURVEY_*`` variables, each typed once by its default: a whole number, a yes/no, or text.

    Raises :class:`ConfigError` naming the variable when a value does not fit its type, so a
    bad deployment refuses to start instead of failing on the first request that reads it.
    """
    known = defaults(instance_path)
    settings: dict[str, Any] = {}
    for key, value in environ.items():
        if key.startswith("SURVEY_"):
            name = RENAMED.get(key.removeprefix("SURVEY_"), key.removeprefix("SURVEY_"))
            settings[name] = _typed(key, value, known.get(name))
    return settings


def _typed(variable: str, value: str, default: Any) -> Any:
    lowered = value.strip().lower()
    if callable(default) or isinstance(default, dict | tuple | list):
        raise ConfigError(f"{variable}: this setting cannot be set from the environment")
    if isinstance(default, bool):
        if lowered in TRUE + FALSE:
            return lowered in TRUE
        raise ConfigError(f"{variable}: {value!r} is not 1/0, true/false or yes/no")
    if isinstance(default, int):
        if not lowered.isascii() or not lowered.isdigit() or int(lowered) > 2**31:
            raise ConfigError(f"{variable}: {value!r} is not a whole number (for example 65536)")
        return int(lowered)
    return value


def secret_key(instance_path: str) -> str:
    """A development secret kept in the instance folder; production sets SURVEY_SECRET_KEY."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
LIMIT_STORAGES = ("memory://", *REDIS_SCHEMES, "redis+sentinel://", "redis+cluster://")
KIOSK_SECONDS = (
    "KIOSK_JEDA_DETIK",
    "KIOSK_DIAM_DETIK",
    "KIOSK_TERIMA_KASIH_DETIK",
    "KIOSK_KODE_MENIT",
    "KIOSK_BATAS_JAM",
)
STRATEGIES = ("fixed-window", "moving-window", "sliding-window-counter")


def check(settings: Mapping[str, Any]) -> None:
    """Refuse, naming the variable, the values the app would only fail on later: rate limits,
    where limits and salts are kept, database addresses, the export queue, the time zone.

    Raises :class:`ConfigError`.
    """
    from limits import parse_many
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from analysis.periods import zone

    def fail(name: str, why: str) -> None:
        raise ConfigError(f"SURVEY_{name}: {settings[name]!r} {why}")

    for name in ("LOGIN_LIMIT", "SUBMIT_LIMIT"):
        try:
            parse_many(str(settings[name]))
        except ValueError:
            fail(
                name, "is not a rate limit such as '10 per minute' or '20 per minute;200 per hour'"
            )
    if not str(settings["RATELIMIT_STORAGE_URI"]).startswith(LIMIT_STORAGES):
        fail("RATELIMIT_STORAGE_URI", "is not memory:// or redis://host:port")
    if settings["RATELIMIT_STRATEGY"] not in STRATEGIES:
        fail("RATELIMIT_STRATEGY", f"is not one of {', '.join(STRATEGIES)}")
    for name in ("SALT_STORE", "JOBS_REDIS_URL"):
        value = settings.get(name)
        if value and value != "memory" and not str(value).startswith(REDIS_SCHEMES):
            fail(name, "is not a redis://host:port address")
    for name in ("SQLALCHEMY_DATABASE_URI", "REPORTS_DATABASE_URL"):
        if settings.get(name):
            try:
                make_url(str(settings[name]))
            except ArgumentError:
                name = "DATABASE_URL" if name == "SQLALCHEMY_DATABASE_URI" else name
                raise ConfigError(
                    f"SURVEY_{name}: not a database address such as "
                    "postgresql+psycopg://user@host/name or sqlite:///path"
                ) from None
    for name in KIOSK_SECONDS:
        if not isinstance(settings[name], int) or not 1 <= settings[name] <= 24 * 3600:
            fail(name, "is not a whole number of at least 1 (seconds, minutes or hours)")
    if settings.get("MAIL_SECURITY") not in ("starttls", "ssl", "none"):
        fail("MAIL_SECURITY", "is not one of starttls, ssl, none")
    try:
        zone(str(settings["BABEL_DEFAULT_TIMEZONE"]))
    except ValueError:
        fail("BABEL_DEFAULT_TIMEZONE", "is not a time zone such as Asia/Jakarta")


def load(instance_path: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    settings = defaults(instance_path)
    settings.update(from_environment(os.environ, instance_path))
    settings.update(overrides or {})
    if isinstance(settings.get("TRUSTED_HOSTS"), str):
        settings["TRUSTED_HOSTS"] = [
            h.strip() for h in settings["TRUSTED_HOSTS"].split(",") if h.strip()
        ]
    check(settings)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = secret_key(instance_path)
    return settings
