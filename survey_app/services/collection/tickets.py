"""One-time encounter tickets: a link that takes one answer for one layanan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from survey_app.models import TICKET_ALPHABET, TICKET_LENGTH, Layanan, Tiket
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
    """The ticket of ``token`` as printed or typed: spaces and dashes between groups ignored,
    and a code of the look-alike-free alphabet read in either case."""
    found = session.scalar(select(Tiket).where(Tiket.token == token))
    typed = "".join(token.split()).replace("-", "").upper()
    if found is None and typed != token:
        found = session.scalar(select(Tiket).where(Tiket.token == typed))
    return found


def printed(token: str) -> str:
    """A ticket code as printed on its slip, in groups of four: ``ABCD EFGH JKMN PQRS TUVW``
    (codes made before the look-alike-free alphabet are printed as they are)."""
    if len(token) == TICKET_LENGTH and set(token) <= set(TICKET_ALPHABET):
        return " ".join(token[i : i + 4] for i in range(0, len(token), 4))
    return token
