"""Staff accounts: creation with checks, and password sign-in."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from survey_app.models import ROLES, Pengguna, Unit
from survey_app.services import DbSession

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # the sign-in form's limit
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


class AccountError(ValueError):
    """An account that cannot be created; the message says why."""


def normal_username(username: str) -> str:
    """A username as stored and looked up: trimmed, lower case (``ADMIN`` is ``admin``)."""
    return username.strip().lower()


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` is refused, or None: at least 10 characters, not one of the common
    passwords shipped in ``data/common_passwords.txt``, not the username nor built on it."""
    if len(password) < MIN_PASSWORD:
        return f"kata sandi paling sedikit {MIN_PASSWORD} karakter"
    if len(password) > MAX_PASSWORD:
        return f"kata sandi paling banyak {MAX_PASSWORD} karakter"
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return "kata sandi ini terlalu umum: pilih yang lain"
    if username and normal_username(username) in lowered:
        return "kata sandi tidak boleh memuat nama pengguna"
    return None


def create_user(
    session: DbSession,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    demo: bool = False,
) -> Pengguna:
    """A new account, checked; raises :class:`AccountError` saying what to change.

    Usernames are 2-64 characters of a-z, 0-9, ``.``, ``_`` and ``-``, unique ignoring case;
    an admin has no unit, a unit admin or viewer has one; the password passes
    :func:`password_problem` (``demo=True``, for the demo data only, lets the published demo
    password through: it is on the list, so no real account can have it).
    """
    username = normal_username(username)
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "nama pengguna: 2-64 karakter huruf a-z, angka, titik, garis bawah atau tanda "
            "hubung, misalnya operator.lapas"
        )
    if role not in ROLES:
        raise AccountError(f"peran {role!r} harus salah satu dari {', '.join(ROLES)}")
    if role != "admin" and unit is None:
        raise AccountError(f"peran {role} memerlukan unit (--unit KODE)")
    if role == "admin" and unit is not None:
        raise AccountError("admin pusat tidak terikat unit: hapus --unit, atau pilih peran lain")
    problem = None if demo else password_problem(password, username)
    if problem:
        raise AccountError(problem)
    if session.scalar(select(Pengguna).where(Pengguna.username == username)):
        raise AccountError(f"nama pengguna {username} sudah dipakai")
    user = Pengguna(
        username=username,
        password_hash=generate_password_hash(password),  # scrypt, werkzeug's current default
        role=role,
        unit=unit,
    )
    session.add(user)
    session.flush()
    return user
