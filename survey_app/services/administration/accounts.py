"""Staff accounts: creation with checks, and password sign-in."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.models import ROLES, Pengguna, Unit
from survey_app.services import DbSession

MIN_PASSWORD = 10
# Checked when the user does not exist, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")


class AccountError(ValueError):
    """An account that cannot be created; the message says why."""


def create_user(
    session: DbSession, username: str, password: str, role: str, unit: Unit | None = None
) -> Pengguna:
    username = username.strip()
    if not username:
        raise AccountError("username is required")
    if role not in ROLES:
        raise AccountError(f"role {role!r} must be one of {', '.join(ROLES)}")
    if role != "admin" and unit is None:
        raise AccountError(f"a {role} needs a unit")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(Pengguna).where(Pengguna.username == username)):
        raise AccountError(f"username {username} is taken")
    user = Pengguna(
        username=username,
        password_hash=generate_password_hash(password),  # scrypt, werkzeug's current default
        role=role,
        unit=None if role == "admin" else unit,
    )
    session.add(user)
    session.flush()
    return user


class AccountLocked(Exception):
    """Too many failed sign-ins in a row; the account opens again at ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def authenticate(
    session: DbSession,
    username: str,
    password: str,
    now: datetime,
    lockout: int = 5,
    minutes: int = 15,
) -> Pengguna | None:
    """The user whose password this is, or None.

    ``lockout`` failures in a row lock the account for ``minutes`` (raising
    :class:`AccountLocked`, even for the right password, so guessing on cannot find it); a
    success resets the count. The caller commits either way, so failures are counted.
    """
    user = session.scalar(select(Pengguna).where(Pengguna.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if user.terkunci_sampai is not None and user.terkunci_sampai > now:
        raise AccountLocked(user.terkunci_sampai)
    if not check_password_hash(user.password_hash, password):
        user.gagal_masuk += 1
        if user.gagal_masuk >= lockout:
            user.gagal_masuk, user.terkunci_sampai = 0, now + timedelta(minutes=minutes)
            session.flush()
            raise AccountLocked(user.terkunci_sampai)
        session.flush()
        return None
    user.gagal_masuk, user.terkunci_sampai = 0, None
    return user if user.aktif else None
