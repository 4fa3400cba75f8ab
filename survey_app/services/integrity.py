"""Survey integrity: source hashes, encounter tickets, flags, and staff review decisions.

Flags come from :mod:`analysis.integrity` over the stored rows, so they are always current and
never stored. A decision (exclude or keep) is stored per submission, reversible, audit-logged;
the answers themselves are never edited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from analysis.integrity import FLAGS, Rules, flags
from analysis.periods import Span
from survey_app.models import (
    REVIEW_DECISIONS,
    REVIEW_REASONS,
    GaramSumber,
    Layanan,
    Pengguna,
    Submission,
    Tiket,
    Tinjauan,
    Unit,
)
from survey_app.services import DbSession, audit, rollup
from survey_app.services.catalogue import Catalogue
from survey_app.services.results import answers_frame

CATATAN_MAX = 500


class ReviewError(ValueError):
    """A review decision that cannot be saved; the message says why."""


# -- sources ---------------------------------------------------------------------------------


def source_hash(engine: Engine, cache: dict[str, str], address: str, now: datetime) -> str:
    """A 16-hex-digit keyed hash of ``address`` under the day's random salt.

    The salt lives in the database (one per UTC day, shared by every worker) and yesterday's is
    deleted when today's is made: a hash cannot be tied back to an address after that, even by
    someone holding the database and the app's secret. Salts are written in their own
    transaction, so a request that rolls back cannot lose one that others already used.
    """
    day = now.date().isoformat()
    salt = cache.get(day)
    if salt is None:
        salt = cache[day] = _salt(engine, day)
        for old in [d for d in cache if d != day]:
            del cache[old]
    return hmac.new(salt.encode(), address.encode(), hashlib.sha256).hexdigest()[:16]


def _salt(engine: Engine, day: str) -> str:
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    today = select(GaramSumber.nilai).where(GaramSumber.hari == day)
    with engine.begin() as connection:
        found = connection.scalar(today)
        if found is None:
            insert = dialect.insert(GaramSumber).values(hari=day, nilai=secrets.token_hex(32))
            connection.execute(insert.on_conflict_do_nothing())
            connection.execute(delete(GaramSumber).where(GaramSumber.hari < day))
            found = connection.scalar(today)
    return str(found)


# -- encounter tickets -------------------------------------------------------------------------


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


# -- review ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flagged:
    submission_id: int
    layanan: str
    submitted_at: datetime
    durasi: int | None
    flags: tuple[str, ...]
    keputusan: str | None
    alasan: str | None


@dataclass(frozen=True)
class Report:
    """The integrity state of a unit over a period."""

    span: Span
    total: int  # every stored submission, excluded ones included
    via_ticket: int
    flagged: dict[str, int]  # per flag
    flagged_any: int
    excluded: dict[str, int]  # per reason
    kept: int
    rows: list[Flagged] = field(default_factory=list)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    @property
    def ticket_share(self) -> float | None:
        return None if self.total == 0 else self.via_ticket / self.total

    @property
    def counted(self) -> int:
        return self.total - self.excluded_total


def report(
    session: DbSession, catalogue: Catalogue, unit: Unit, layanan_ids: list[int], span: Span
) -> Report:
    """Flags, decisions and ticket share of every submission of ``layanan_ids`` in ``span``."""
    frame = answers_frame(session, layanan_ids, span.months(), with_excluded=True)
    if frame.empty:
        return Report(span, 0, 0, dict.fromkeys(FLAGS, 0), 0, {}, 0)
    marks = flags(_with_hours(session, frame), catalogue.item_codes(), Rules())
    any_flag = marks.any(axis=1)
    decisions = frame["keputusan"]
    excluded = frame.loc[decisions == "kecualikan", "alasan"]
    rows = [
        Flagged(
            int(row.id),
            str(row.layanan),
            row.submitted_at,
            None if pd.isna(row.durasi) else int(row.durasi),
            tuple(f for f in FLAGS if marks.at[index, f]),
            None if pd.isna(row.keputusan) else str(row.keputusan),
            None if pd.isna(row.alasan) else str(row.alasan),
        )
        for index, row in frame[any_flag | decisions.notna()].iterrows()
    ]
    return Report(
        span=span,
        total=len(frame),
        via_ticket=int(frame["tiket_id"].notna().sum()),
        flagged={f: int(marks[f].sum()) for f in FLAGS},
        flagged_any=int(any_flag.sum()),
        excluded=dict(Counter(str(a) for a in excluded)),
        kept=int((decisions == "pertahankan").sum()),
        rows=rows,
    )


def _with_hours(session: DbSession, frame: pd.DataFrame) -> pd.DataFrame:
    hours = pd.DataFrame(
        session.execute(
            select(Layanan.id, Unit.timezone, Unit.jam_buka, Unit.jam_tutup)
            .join(Layanan.unit)
            .where(Layanan.id.in_(frame["layanan_id"].unique().tolist()))
        ).all(),
        columns=["layanan_id", "timezone", "jam_buka", "jam_tutup"],
    )
    return frame.merge(hours, on="layanan_id", how="left").set_index(frame.index)


def decide(
    session: DbSession,
    user: Pengguna,
    submission: Submission,
    keputusan: str,
    alasan: str,
    catatan: str,
    now: datetime,
) -> Tinjauan:
    """Exclude or keep ``submission``, or change an earlier decision; always audit-logged."""
    catatan = catatan.strip()
    if keputusan not in REVIEW_DECISIONS:
        raise ReviewError(f"keputusan harus salah satu dari {', '.join(REVIEW_DECISIONS)}")
    if alasan not in REVIEW_REASONS:
        raise ReviewError(f"alasan harus salah satu dari {', '.join(REVIEW_REASONS)}")
    if alasan == "lainnya" and not catatan:
        raise ReviewError("alasan 'lainnya' perlu catatan")
    if len(catatan) > CATATAN_MAX:
        raise ReviewError(f"catatan paling banyak {CATATAN_MAX} karakter")
    review = submission.tinjauan
    before = _state(review)
    was_counted = review is None or review.keputusan != "kecualikan"
    if review is None:
        review = Tinjauan(submission=submission, keputusan=keputusan, alasan=alasan, at=now)
        session.add(review)
    review.keputusan, review.alasan, review.catatan = keputusan, alasan, catatan
    review.pengguna_id, review.at = user.id, now
    audit.record(session, user, "tinjau", "submission", submission.id, before, _state(review), now)
    session.flush()
    counted = keputusan != "kecualikan"
    if counted != was_counted:
        rollup.add(session, [submission], sign=1 if counted else -1)
    return review


def _state(review: Tinjauan | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {"keputusan": review.keputusan, "alasan": review.alasan, "catatan": review.catatan}


def exclusions(session: DbSession, layanan_ids: list[int], months: list[str]) -> dict[str, int]:
    """How many answers were excluded in ``months``, per reason (for reports and publications)."""
    rows = session.execute(
        select(Tinjauan.alasan, func.count())
        .join(Tinjauan.submission)
        .where(
            Tinjauan.keputusan == "kecualikan",
            Submission.layanan_id.in_(layanan_ids),
            Submission.period.in_(months),
        )
        .group_by(Tinjauan.alasan)
        .order_by(Tinjauan.alasan)
    )
    return {alasan: int(n) for alasan, n in rows}
