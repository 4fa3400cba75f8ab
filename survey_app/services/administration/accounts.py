"""Staff accounts: creation with checks, roles and units within the acting user's scope,
deactivation, password changes and one-time reset links; every change audited (issue 15.2)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.models import ROLES, Pengguna, ResetSandi, Unit
from survey_app.services import DbSession, audit
from survey_app.services.access import subtree_ids

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # the sign-in form's limit
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords.txt"


class AccountError(ValueError):
    """An account change that cannot be made; the message says why, ``field`` names the form
    field it belongs under (``username``, ``role``, ``unit``, ``email``, ``password``,
    ``sekarang``) or is None."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
    if lowered in _common_passwords() or len(set(lowered)) < 3 or _repeated(lowered):
        return "kata sandi ini terlalu umum: pilih yang lain"
    if username and normal_username(username) in lowered:
        return "kata sandi tidak boleh memuat nama pengguna"
    return None


def _repeated(text: str) -> bool:
    """Whether ``text`` is a shorter string said again (``passwordpassword``, ``abcabcabc``)."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(1, len(text) // 2 + 1)
    )


def create_user(
    session: DbSession,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    demo: bool = False,
    email: str | None = None,
    now: datetime | None = None,
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
            "hubung, misalnya operator.lapas",
            "username",
        )
    if role not in ROLES:
        raise AccountError(f"peran {role!r} harus salah satu dari {', '.join(ROLES)}", "role")
    _check_unit(role, unit)
    problem = None if demo else password_problem(password, username)
    if problem:
        raise AccountError(problem, "password")
    if session.scalar(select(Pengguna).where(Pengguna.username == username)):
        raise AccountError(f"nama pengguna {username} sudah dipakai", "username")
    user = Pengguna(
        username=username,
        password_hash=generate_password_hash(password),  # scrypt, werkzeug's current default
        role=role,
        unit=unit,
        email=email,
        dibuat=now,
    )
    session.add(user)
    session.flush()
    return user


RESET_VALID = timedelta(hours=24)
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
ROLE_NAMES = {
    "admin": "Admin pusat",
    "unit_admin": "Admin unit",
    "viewer": "Pembaca",
    "petugas": "Petugas loket",
}


def _check_unit(role: str, unit: Unit | None) -> None:
    if role != "admin" and unit is None:
        raise AccountError(
            f"peran {ROLE_NAMES.get(role, role)} memerlukan unit: pilih unitnya", "unit"
        )
    if role == "admin" and unit is not None:
        raise AccountError(
            "admin pusat tidak terikat unit: kosongkan unit, atau pilih peran lain", "unit"
        )


def check_email(email: str | None) -> str | None:
    """A trimmed address, None for an empty one; raises :class:`AccountError` on a bad one."""
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise AccountError("alamat surel tidak sah: tulis seperti operator@lapas.go.id", "email")
    return email


def grantable_roles(actor: Pengguna) -> list[str]:
    """The roles ``actor`` may give: the admin any; a unit admin its own and the lesser ones
    (nobody grants more than they hold); others none."""
    if actor.role == "admin":
        return list(ROLES)
    if actor.role == "unit_admin":
        return ["unit_admin", "viewer", "petugas"]
    return []


def scope_units(session: DbSession, actor: Pengguna) -> list[Unit]:
    """The units whose accounts ``actor`` manages, by name: all for the admin, a unit admin's
    own unit and every unit below it, none for others."""
    query = select(Unit).order_by(Unit.nama)
    if actor.role == "admin":
        return list(session.scalars(query))
    if actor.role != "unit_admin" or actor.unit_id is None:
        return []
    return list(session.scalars(query.where(Unit.id.in_(subtree_ids(session, actor.unit_id)))))


def can_manage_account(session: DbSession, actor: Pengguna, target: Pengguna) -> bool:
    """Whether ``actor`` may change ``target``: the admin anyone; a unit admin the accounts of
    the units below its own, and the viewers and petugas of its own unit (never an admin, never
    a peer)."""
    if actor.role == "admin":
        return True
    if actor.role != "unit_admin" or actor.unit_id is None or target.unit_id is None:
        return False
    if target.role == "admin" or target.unit_id not in subtree_ids(session, actor.unit_id):
        return False
    # a peer (another unit admin of the same unit) is its superiors' to manage: otherwise one
    # could reset a peer's password and sign in as it
    return target.unit_id != actor.unit_id or target.role in ("viewer", "petugas")


def accounts_in_scope(session: DbSession, actor: Pengguna) -> list[Pengguna]:
    """The accounts ``actor`` manages, admins first, then by unit and username."""
    query = select(Pengguna).order_by(Pengguna.unit_id.is_not(None), Pengguna.username)
    if actor.role == "admin":
        return list(session.scalars(query))
    units = [u.id for u in scope_units(session, actor)]
    return list(session.scalars(query.where(Pengguna.unit_id.in_(units)))) if units else []


def _snapshot(user: Pengguna) -> dict[str, Any]:
    """What the audit log keeps of an account: never a password or its hash."""
    return {
        "username": user.username,
        "role": user.role,
        "unit": user.unit.kode if user.unit else None,
        "email": user.email,
        "aktif": user.aktif,
    }


def _allowed(session: DbSession, actor: Pengguna, role: str, unit: Unit | None) -> None:
    if role not in grantable_roles(actor):
        raise AccountError(f"Anda tidak dapat memberi peran {ROLE_NAMES.get(role, role)}", "role")
    if actor.role != "admin" and (unit is None or unit not in scope_units(session, actor)):
        raise AccountError(
            "unit itu di luar cakupan Anda: pilih unit Anda atau unit di bawahnya", "unit"
        )
    if (
        actor.role == "unit_admin"
        and role == "unit_admin"
        and unit is not None
        and unit.id == actor.unit_id
    ):
        raise AccountError(
            "admin unit yang setara dengan Anda dibuat oleh admin di atas Anda (admin Kanwil "
            "atau admin pusat); Anda dapat membuat admin untuk unit di bawah Anda",
            "role",
        )


def add_account(
    session: DbSession,
    actor: Pengguna | None,
    username: str,
    role: str,
    unit: Unit | None,
    email: str | None,
    now: datetime,
) -> tuple[Pengguna, str]:
    """A new account made by ``actor`` (None: the command line) within their scope, with no
    password anyone knows: returns it with a one-time link token (valid 24 hours) by which its
    owner sets the first password. Raises :class:`AccountError`; audited."""
    if actor is not None:
        _allowed(session, actor, role, unit)
    unusable = secrets.token_urlsafe(32) + "Aa1!"  # passes the policy; nobody learns it
    user = create_user(session, username, unusable, role, unit, email=check_email(email), now=now)
    audit.record(session, actor, "akun_dibuat", "pengguna", user.id, None, _snapshot(user), now)
    token = issue_reset(session, actor, user, now, audited=False)
    return user, token


def change_account(
    session: DbSession,
    actor: Pengguna,
    target: Pengguna,
    role: str,
    unit: Unit | None,
    email: str | None,
    now: datetime,
) -> bool:
    """Give ``target`` another role, unit or e-mail; a role or unit change ends every session
    of the account. Nobody changes their own role or unit. Returns whether anything changed;
    raises :class:`AccountError`; audited."""
    if not can_manage_account(session, actor, target):
        raise AccountError("akun itu di luar cakupan Anda")
    email = check_email(email)
    if (role, unit) != (target.role, target.unit):
        if target.id == actor.id:
            raise AccountError("peran dan unit akun Anda sendiri diubah oleh admin lain")
        _allowed(session, actor, role, unit)
        _check_unit(role, unit)
    before = _snapshot(target)
    if (role, unit) != (target.role, target.unit):
        target.sesi_versi += 1
    target.role, target.unit, target.email = role, unit, email
    session.flush()
    after = _snapshot(target)
    if after == before:
        return False
    audit.record(session, actor, "akun_diubah", "pengguna", target.id, before, after, now)
    return True


def set_active(
    session: DbSession, actor: Pengguna, target: Pengguna, aktif: bool, now: datetime
) -> None:
    """Deactivate (every session ends, sign-in refused) or reactivate ``target``; not oneself.
    Raises :class:`AccountError`; audited."""
    if not can_manage_account(session, actor, target):
        raise AccountError("akun itu di luar cakupan Anda")
    if target.id == actor.id:
        raise AccountError("akun Anda sendiri tidak dapat Anda nonaktifkan")
    if target.aktif == aktif:
        return
    before = _snapshot(target)
    target.aktif = aktif
    target.sesi_versi += 1
    action = "akun_diaktifkan" if aktif else "akun_dinonaktifkan"
    audit.record(session, actor, action, "pengguna", target.id, before, _snapshot(target), now)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def issue_reset(
    session: DbSession,
    actor: Pengguna | None,
    target: Pengguna,
    now: datetime,
    audited: bool = True,
) -> str:
    """A one-time reset token for ``target``, valid 24 hours; any earlier unused link of the
    account stops working. Only its SHA-256 is stored; the token is shown once, to hand over
    or mail. Raises :class:`AccountError` outside the actor's scope or for an inactive
    account."""
    if actor is not None and not can_manage_account(session, actor, target):
        raise AccountError("akun itu di luar cakupan Anda")
    if not target.aktif:
        raise AccountError("akun ini nonaktif: aktifkan dulu, lalu buat tautan")
    session.execute(
        update(ResetSandi)
        .where(ResetSandi.pengguna_id == target.id, ResetSandi.dipakai.is_(None))
        .values(berlaku_sampai=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        ResetSandi(
            token_hash=token_hash(token),
            pengguna_id=target.id,
            dibuat=now,
            berlaku_sampai=now + RESET_VALID,
            pembuat_id=actor.id if actor else None,
        )
    )
    if audited:
        after = {"berlaku_sampai": (now + RESET_VALID).isoformat()}
        audit.record(session, actor, "tautan_sandi", "pengguna", target.id, None, after, now)
    session.flush()
    return token


def valid_reset(session: DbSession, token: str, now: datetime) -> ResetSandi | None:
    """The unused, unexpired reset link of an active account for ``token``, or None."""
    if not (20 <= len(token) <= 100):
        return None
    found = session.scalar(select(ResetSandi).where(ResetSandi.token_hash == token_hash(token)))
    if found is None or found.dipakai is not None or found.berlaku_sampai <= now:
        return None
    return found if found.pengguna.aktif else None


def redeem_reset(session: DbSession, token: str, password: str, now: datetime) -> Pengguna:
    """Set the password of the reset link ``token`` and use the link up; every session of the
    account ends. Raises :class:`AccountError` (link unknown, used or expired; weak
    password); audited."""
    link = valid_reset(session, token, now)
    if link is None:
        raise AccountError(
            "tautan ini tidak berlaku lagi (sudah dipakai, lewat 24 jam, atau diganti tautan "
            "yang lebih baru): minta tautan baru kepada admin unit Anda"
        )
    user = link.pengguna
    _set_password(user, password)
    link.dipakai = now
    audit.record(session, user, "sandi_diatur_ulang", "pengguna", user.id, None, None, now)
    return user


def change_password(
    session: DbSession, user: Pengguna, current: str, new: str, now: datetime
) -> None:
    """The owner changes their own password; every other session of the account ends.
    Raises :class:`AccountError`; audited."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError("kata sandi sekarang salah", "sekarang")
    if new == current:
        raise AccountError("kata sandi baru harus berbeda dari yang sekarang", "password")
    _set_password(user, new)
    audit.record(session, user, "sandi_diganti", "pengguna", user.id, None, None, now)


def _set_password(user: Pengguna, password: str) -> None:
    problem = password_problem(password, user.username)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = generate_password_hash(password)
    user.sesi_versi += 1
