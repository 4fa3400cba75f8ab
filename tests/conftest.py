"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL is used when reachable (SURVEY_TEST_POSTGRES_URL, default the local ``test``
database); it is skipped otherwise, except under CI=true where an unreachable server fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g
from hypothesis import settings

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Layanan, LayananInstrumen, MasaLayanan, Unit

# Every file a test reads lives in the repository; tests/test_fixtures.py compares these copies
# with the shared specification's, when that folder sits beside the checkout.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POSTGRES_URL = os.environ.get(
    "SURVEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_postgres_ok: bool | None = None

# The property tests check results, not speed: on a loaded machine (CI beside other work) an
# example may take longer than Hypothesis' 200 ms deadline without anything being wrong.
settings.register_profile("zisurvey", deadline=None)
settings.load_profile("zisurvey")


def postgres_reachable() -> bool:
    global _postgres_ok
    if _postgres_ok is None:
        engine = sa.create_engine(POSTGRES_URL)
        try:
            with engine.connect():
                _postgres_ok = True
        except sa.exc.OperationalError:
            _postgres_ok = False
        finally:
            engine.dispose()
    return _postgres_ok


# Each test run works in a schema of its own, so two runs (a developer's and CI's) never drop
# each other's tables.
SCHEMA = f"zisurvey_test_{os.getpid()}"


def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}")
        pytest.skip("PostgreSQL is not reachable")
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{SCHEMA}"


@pytest.fixture(scope="session", autouse=True)
def postgres_schema():
    """Create this run's schema when PostgreSQL is there; drop it at the end."""
    if not postgres_reachable():
        yield
        return
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    yield
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def require_redis() -> None:
    """Skip when Redis is not there, except under CI=true, where that fails the test."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip("Redis is not reachable")


def empty_database() -> None:
    """Drop every table of the app, and Alembic's, so a migration starts from nothing."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


class Clock:
    """The server clock, set by a test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(backend: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url(backend, tmp_path),
            "SECRET_KEY": "test",
            "CLOCK": clock,
            "BASE_URL": "http://127.0.0.1:5000",
        }
    )
    # Uploads and exports of this test only (a real instance folder collects every run's, and
    # the upload quota counts an account's files of the last hour)
    app.instance_path = str(tmp_path / "instance")
    # Tests hold one app context for db.session, so requests would share flask.g (the signed-in
    # user, the CSRF token). In production every request has its own; clear g to match.
    app.teardown_request(lambda exc: [g.pop(name, None) for name in list(g)])
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def unit(app: Flask) -> Unit:
    return make_unit()


def make_unit(
    kode: str = "LAPAS-X",
    timezone: str = "Asia/Makassar",
    parent: Unit | None = None,
    jenis: str = "upt",
) -> Unit:
    unit = Unit(kode=kode, nama=f"Unit {kode}", jenis=jenis, timezone=timezone, parent=parent)
    db.session.add(unit)
    db.session.commit()
    return unit


def make_layanan(
    unit: Unit,
    kode: str = "KUNJ",
    instruments: tuple[str, ...] = ("skm", "ipak"),
    aktif: bool = True,
    kebutuhan_utama: bool = True,
    since: str = "2026-01",
) -> Layanan:
    """A layanan open from the month ``since`` (the test clock's default month); a closed one
    (``aktif=False``) was never open."""
    layanan = Layanan(
        unit=unit,
        kode=kode,
        nama=f"Layanan {kode}",
        aktif=aktif,
        kebutuhan_utama=kebutuhan_utama,
        instrumen=[LayananInstrumen(instrument_id=i, urutan=n) for n, i in enumerate(instruments)],
        masa=[MasaLayanan(dari=since)] if aktif else [],
    )
    db.session.add(layanan)
    db.session.commit()
    return layanan


@pytest.fixture
def layanan(unit: Unit) -> Layanan:
    return make_layanan(unit)
