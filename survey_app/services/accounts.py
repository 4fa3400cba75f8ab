"""Staff accounts: creation with checks, and password sign-in."""

from __future__ import annotations

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


def authenticate(session: DbSession, username: str, password: str) -> Pengguna | None:
    user = session.scalar(select(Pengguna).where(Pengguna.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.aktif or not check_password_hash(user.password_hash, password):
        return None
    return user
