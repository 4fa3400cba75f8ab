"""One-time encounter tickets: a link that takes one answer for one layanan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from survey_app.models import Layanan, Tiket
from survey_app.services import DbSession


def issue_tickets(session: DbSession, layanan: Layanan, count: int, now: datetime) -> list[Tiket]:
    """``count`` new one-time links for ``layanan`` (1 to 500 at a time)."""
    if not 1 <= count <= 500:
        raise ValueError("jumlah tiket harus antara 1 dan 500")
    tickets = [Tiket(layanan=layanan, dibuat=now) for _ in range(count)]
    session.add_all(tickets)
    session.flush()
    return tickets


def find_ticket(session: DbSession, token: str) -> Tiket | None:
    return session.scalar(select(Tiket).where(Tiket.token == token))
