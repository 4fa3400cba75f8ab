"""Who may see which unit: the central admin sees all; others their unit and everything below."""

from __future__ import annotations

from sqlalchemy import select

from survey_app.models import Pengguna, Unit
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
    if user.role == "admin":
        return True
    return user.unit_id is not None and unit.id in subtree_ids(session, user.unit_id)


def can_manage(session: DbSession, user: Pengguna, unit: Unit) -> bool:
    return user.role in ("admin", "unit_admin") and can_view(session, user, unit)


def home_units(session: DbSession, user: Pengguna) -> list[Unit]:
    """The units a user starts from: their own, or every top-level unit for the admin."""
    if user.role != "admin":
        return [user.unit] if user.unit else []
    return list(session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.nama)))
