"""Where an answer comes from, as a keyed hash under the day's random salt; never an address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from survey_app.models import GaramSumber


def source_hash(engine: Engine, cache: dict[str, str], address: str, now: datetime) -> str:
    """A 16-hex-digit keyed hash of ``address`` under the day's random salt.

    The salt lives in the database (one per UTC day, shared by every worker) and yesterday's is
    deleted when today's is made: a hash cannot be tied back to an address after that, even by
    someone holding the database and the app's secret. Salts are written in their own
    transaction, so a request that rolls back cannot lose one that others already used.
    """
    day = now.date().isoformat()
    salt = cache.get(day)
    if salt is None:
        salt = cache[day] = _salt(engine, day)
        for old in [d for d in cache if d != day]:
            del cache[old]
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


def _salt(engine: Engine, day: str) -> str:
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    today = select(GaramSumber.nilai).where(GaramSumber.hari == day)
    with engine.begin() as connection:
        found = connection.scalar(today)
        if found is None:
            insert = dialect.insert(GaramSumber).values(hari=day, nilai=secrets.token_hex(32))
            connection.execute(insert.on_conflict_do_nothing())
            connection.execute(delete(GaramSumber).where(GaramSumber.hari < day))
            found = connection.scalar(today)
    return str(found)
