"""Password sign-in with throttling: failures counted per typed username and per source.

Issue 15.4: a lock that any anonymous visitor could renew kept the real user out, and only
existing usernames locked (telling which exist). Now every failure is counted atomically under
the username typed (existing or not) and under the request's salted source hash; after
``after`` failures under a key, each further attempt waits a delay that doubles from
``first_wait``, capped at ``cap``. An attempt during the wait checks no password and counts
nothing; the right password works as soon as the wait has passed, and a success clears the
username's count. Known and unknown usernames take the same path: one password hash checked,
the same rows counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.models import Pengguna, PercobaanMasuk
from survey_app.services import DbSession
from survey_app.services.administration.accounts import normal_username

# Checked when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")
FORGET_AFTER = timedelta(hours=24)  # a count with no failure for this long starts again


@dataclass(frozen=True)
class Throttle:
    """How many failures open a wait, and how long the waits are."""

    after: int = 5
    first_wait: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(minutes=15)
    source_after: int = 20  # one source guessing across many usernames

    def wait(self, failures: int, after: int) -> timedelta | None:
        """The wait after ``failures`` in a row: none below ``after``, then 1, 2, 4 ... minutes
        (``first_wait`` doubled per failure past ``after``), never more than ``cap``."""
        if failures < after:
            return None
        doubled = self.first_wait * (2 ** min(failures - after, 30))
        return min(doubled, self.cap)


DEFAULT = Throttle()


class SignInWait(Exception):
    """Too many failures under this username or source; try again at ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"wait until {until.isoformat()}")
        self.until = until


def account_key(username: str) -> str:
    """The throttle key of a typed username: its SHA-256, so a row names no one."""
    typed = normal_username(username)[:256].encode("utf-8", "replace")
    return "akun:" + hashlib.sha256(typed).hexdigest()


def source_key(source: str) -> str:
    return "sumber:" + source[:64]


def _count(dialect: Any, now: datetime) -> Any:
    """Add one failure to a key atomically (a stale count starts again at 1)."""
    table = PercobaanMasuk.__table__
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.kunci],
        set_={
            "gagal": case((table.c.terakhir < now - FORGET_AFTER, 1), else_=table.c.gagal + 1),
            "terakhir": statement.excluded.terakhir,
        },
    ).returning(table.c.gagal)


_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def waiting_until(session: DbSession, keys: list[str], now: datetime) -> datetime | None:
    """The latest wait still running under ``keys``, or None."""
    found = session.scalars(
        select(PercobaanMasuk.tunggu_sampai).where(
            PercobaanMasuk.kunci.in_(keys), PercobaanMasuk.tunggu_sampai > now
        )
    ).all()
    return max((t for t in found if t is not None), default=None)


def _fail(session: DbSession, keys: dict[str, int], now: datetime, throttle: Throttle) -> None:
    dialect = _DIALECTS[session.get_bind().dialect.name]
    for key, after in keys.items():
        failures = session.execute(
            _count(dialect, now), {"kunci": key, "gagal": 1, "terakhir": now}
        ).scalar_one()
        wait = throttle.wait(failures, after)
        session.execute(
            update(PercobaanMasuk)
            .where(PercobaanMasuk.kunci == key)
            .values(tunggu_sampai=now + wait if wait else None)
        )


def authenticate(
    session: DbSession,
    username: str,
    password: str,
    source: str,
    now: datetime,
    throttle: Throttle = DEFAULT,
) -> Pengguna | None:
    """The active user whose password this is, or None (unknown name, wrong password or
    deactivated account alike). Raises :class:`SignInWait` while a wait runs under the username
    or the source. Records the sign-in time on success; the caller commits either way, so
    failures are counted.
    """
    keys = {account_key(username): throttle.after, source_key(source): throttle.source_after}
    until = waiting_until(session, list(keys), now)
    if until is not None:
        raise SignInWait(until)
    user = session.scalar(select(Pengguna).where(Pengguna.username == normal_username(username)))
    right = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not right or not user.aktif:
        _fail(session, keys, now, throttle)
        return None
    session.execute(delete(PercobaanMasuk).where(PercobaanMasuk.kunci == account_key(username)))
    user.terakhir_masuk = now
    return user


def clear(session: DbSession, user: Pengguna) -> bool:
    """Lift a wait on ``user``'s username (an admin's action); True when there was one."""
    result = session.execute(
        delete(PercobaanMasuk).where(PercobaanMasuk.kunci == account_key(user.username))
    )
    return bool(getattr(result, "rowcount", 0))


def waiting(session: DbSession, user: Pengguna, now: datetime) -> datetime | None:
    """When ``user``'s current wait ends, or None (for the accounts list)."""
    return waiting_until(session, [account_key(user.username)], now)
