"""Extensions, unbound: ``create_app`` binds them."""

import threading
import time

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic revisions name the same constraint on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def _source_key() -> str:
    """The request's salted source hash, by the function ``create_app`` registers.

    Looked up at request time, so this module imports nothing of the app (no import circle).
    """
    key: str = current_app.extensions["zisurvey.source_key"]()
    return key


# Keyed by the salted source hash, never the address: memory, or Redis with several workers.
limiter = Limiter(key_func=_source_key, default_limits=[])


class QuietMemoryStorage(MemoryStorage):
    """``memory://`` for the rate limits: limits' own in-process storage, counting the same,
    without its timer thread (issue 20.3).

    limits' ``MemoryStorage`` starts a ``threading.Timer`` on every counted hit once the last
    one has run (10 ms), only to drop entries already past their window: under load a thread
    started and ended for almost every form POST. Whether a hit is allowed never depends on
    that sweep (a moving window compares the entries' times, a fixed window its expiry), so
    here the same sweep runs in the request's own thread, at most once per ``SWEEP_SECONDS``.
    Registered under the ``memory`` scheme, so ``RATELIMIT_STORAGE_URI=memory://`` (the
    default) gets it; Redis is unchanged.
    """

    STORAGE_SCHEME = ["memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one limits starts in its constructor
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()

    def __setstate__(self, state: dict[str, object]) -> None:
        super().__setstate__(state)
        self.timer.cancel()
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (limits' private hook)
        """Called by every counting method of ``MemoryStorage`` in place of its timer."""
        now = time.monotonic()
        if now - self._swept < self.SWEEP_SECONDS or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._swept = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweeping.release()
