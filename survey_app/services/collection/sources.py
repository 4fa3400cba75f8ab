"""Where an answer comes from, as a keyed hash under the day's random salt; never an address.

The salt is kept where a copy of the database does not carry it: in Redis with a two-day expiry
when Redis is configured (every worker of a deployment shares it), or else in the process's
memory. Either way it is gone once its day is over, so a stored hash cannot be tied back to an
address, not by someone holding the database, a backup, or the app's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from datetime import datetime
from typing import Protocol

SALT_SECONDS = 2 * 24 * 3600  # today's salt outlives its day only long enough to be unused


class SaltStore(Protocol):
    def salt(self, day: str) -> str:
        """The random salt of ``day`` (YYYY-MM-DD, UTC), made on first use."""
        ...


class MemorySalts:
    """One salt a day in this process only. With several workers (or after a restart) one
    address hashes differently in each, so bursts are seen per worker: use Redis there."""

    def __init__(self) -> None:
        self._salts: dict[str, str] = {}
        self._lock = threading.Lock()

    def salt(self, day: str) -> str:
        with self._lock:
            if day not in self._salts:
                self._salts = {day: secrets.token_hex(32)}  # yesterday's is dropped
            return self._salts[day]


class RedisSalts:
    """The day's salt in Redis, shared by every worker, expiring two days after it is made.

    While Redis cannot be reached the salt comes from this process's memory (logged once), so
    the form keeps taking answers; their hashes then match only within this worker.
    """

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._errors = redis.exceptions.RedisError
        self._cache: dict[str, str] = {}
        self._fallback = MemorySalts()

    def salt(self, day: str) -> str:
        found = self._cache.get(day)
        if found is None:
            key = f"zisurvey:garam:{day}"
            try:
                self._redis.set(key, secrets.token_hex(32), nx=True, ex=SALT_SECONDS)
                value = self._redis.get(key)
            except self._errors:
                logging.getLogger(__name__).warning("Redis unreachable: salt kept in memory")
                return self._fallback.salt(day)
            found = self._cache[day] = value.decode() if isinstance(value, bytes) else str(value)
            for old in [d for d in self._cache if d != day]:
                del self._cache[old]
        return found


def salt_store(url: str | None) -> SaltStore:
    """Redis at ``url`` (``redis://...``), else this process's memory."""
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisSalts(url)
    return MemorySalts()


def source_hash(store: SaltStore, address: str, now: datetime) -> str:
    """A 16-hex-digit keyed hash of ``address`` under the salt of ``now``'s UTC day."""
    salt = store.salt(now.date().isoformat())
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]
