"""create_app: the Flask application, its extensions, blueprints and request hooks."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, current_app, request
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from survey_app import config
from survey_app.extensions import babel, csrf, db, limiter, login_manager, migrate
from survey_app.models import Pengguna
from survey_app.services.catalogue import load_catalogue
from survey_app.services.collection.sources import salt_store


class DatabaseInteger(IntegerConverter):
    """``<int:...>`` in a route: a whole number that fits an INTEGER column, else no match (404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then SURVEY_* environment variables, then ``settings``."""
    app = Flask("survey_app", instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseInteger
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.load(app.instance_path, settings))
    if app.config["PROXY_COUNT"]:  # behind a load balancer: the client is in X-Forwarded-For
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    # A broken instrument file stops start-up here, with the file and the problem named.
    app.extensions["zisurvey.catalogue"] = load_catalogue(app.config["INSTRUMENT_DIR"])

    db.init_app(app)
    if app.config.get("REPORTS_DATABASE_URL"):  # a read replica for dashboards and exports
        app.extensions["zisurvey.reports"] = sa.create_engine(
            app.config["REPORTS_DATABASE_URL"], **app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
    _session_settings(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    app.before_request(_limit_public_bodies)  # before CSRF reads the body
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staf.login"
    login_manager.login_message = None
    # No hash of the address and browser in the session cookie (Flask-Login's "basic" mode):
    # nothing derived from an IP address leaves the server.
    login_manager.session_protection = None
    login_manager.user_loader(_load_user)

    from survey_app import errors, filters, hasil, home, kiosk, security, sources, staf, survei

    sources.install_log_filter()
    app.extensions["zisurvey.source_key"] = sources.request_source
    app.extensions["zisurvey.salts"] = salt_store(
        app.config["SALT_STORE"] or app.config["RATELIMIT_STORAGE_URI"]
    )

    errors.register(app)
    security.register(app)
    filters.register(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(survei.bp)
    app.register_blueprint(staf.bp)
    app.register_blueprint(hasil.bp)
    app.register_blueprint(kiosk.bp)
    return app


def _session_settings(app: Flask) -> None:
    """Planner settings for each new PostgreSQL connection (PG_SESSION_SETTINGS).

    The defaults: random_page_cost=1.1, the usual value for SSD storage (with the server's 4
    the planner picks a parallel scan of every submission over the (layanan, period) index for
    a unit's tallies, ten times slower at a million submissions); jit=off, as compiling a
    short query took 80-100 ms, more than running it. Reports plan each statement for its own
    values (``staf.scope.custom_plans``).
    """
    settings = [
        item.strip()
        for item in str(app.config["PG_SESSION_SETTINGS"] or "").split(",")
        if "=" in item
    ]
    with app.app_context():
        every = [*db.engines.values(), app.extensions.get("zisurvey.reports")]
    engines = [e for e in every if e is not None and e.dialect.name == "postgresql"]
    if not settings:
        return

    def apply(connection: Any, record: Any) -> None:
        with connection.cursor() as cursor:
            for item in settings:
                name, value = (part.strip() for part in item.split("=", 1))
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
        connection.commit()

    for engine in engines:
        event.listen(engine, "connect", apply)


def _limit_public_bodies() -> None:
    """A survey form is a few kB: refuse far larger bodies on public routes before parsing.

    A chunked body (no Content-Length) is read up to the limit here and refused with 413 when
    it goes past it; left to the parser, it was cut at the limit and the rest parsed as if whole.
    """
    if request.blueprint not in ("survei", "kiosk"):
        return
    limit = current_app.config["FORM_MAX_BYTES"]
    request.max_content_length = limit
    environ = request.environ
    if request.method == "POST" and not environ.get("CONTENT_LENGTH"):
        body = environ["wsgi.input"].read(limit + 1) if "wsgi.input" in environ else b""
        if len(body) > limit:
            abort(413)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)


def _load_user(user_id: str) -> Pengguna | None:
    """The account of a session cookie ``"<id>:<session version>"``: None (signed out) when the
    version is not the account's current one or the account is deactivated (issue 15.5)."""
    number, _, version = user_id.partition(":")
    if not (number.isascii() and number.isdigit() and version.isascii() and version.isdigit()):
        return None
    if len(number) > 10 or len(version) > 10:
        return None
    user = db.session.get(Pengguna, int(number))
    if user is None or user.sesi_versi != int(version) or not user.aktif:
        return None
    return user


def _locale() -> str:
    languages = ("id", "en")
    chosen = request.args.get("lang") or request.cookies.get("lang")
    return chosen if chosen in languages else "id"
