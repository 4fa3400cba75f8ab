"""Who may see which unit: the central admin sees all; unit admins and viewers their unit and
everything below; a petugas loket no figures at all, only the tickets of its own unit."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.models import Layanan, Pengguna, Unit
from survey_app.services import DbSession


def subtree_ids(session: DbSession, unit_id: int) -> set[int]:
    """``unit_id`` and every unit below it (Kanwil -> its UPT)."""
    found, frontier = {unit_id}, {unit_id}
    while frontier:
        frontier = set(session.scalars(select(Unit.id).where(Unit.parent_id.in_(frontier))))
        frontier -= found
        found |= frontier
    return found


def can_view(session: DbSession, user: Pengguna, unit: Unit) -> bool:
    """Whether ``user`` may see ``unit``'s figures, answers and pages (never a petugas)."""
    if user.role == "admin":
        return True
    if user.role == "petugas":
        return False
    return user.unit_id is not None and unit.id in subtree_ids(session, user.unit_id)


def can_issue_tickets(session: DbSession, user: Pengguna, layanan: Layanan) -> bool:
    """Whether ``user`` may hand out one-time tickets of ``layanan``: those who manage its
    unit, and a petugas loket of that very unit (issue 15.3)."""
    if user.role == "petugas":
        return user.unit_id == layanan.unit_id
    return can_manage(session, user, layanan.unit)


def can_manage(session: DbSession, user: Pengguna, unit: Unit) -> bool:
    return user.role in ("admin", "unit_admin") and can_view(session, user, unit)


def home_units(session: DbSession, user: Pengguna) -> list[Unit]:
    """The units a user starts from: their own, or every top-level unit for the admin."""
    if user.role == "petugas":
        return []
    if user.role != "admin":
        return [user.unit] if user.unit else []
    return list(session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.nama)))
