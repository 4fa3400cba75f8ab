"""Tallies computed by the database (GROUP BY), for dashboards and reports at any size.

Instead of loading answers, the database returns per layanan and month: the submissions, the
respondents of each instrument, and per item the count and the sum of the answers. Tallies of
disjoint groups add up, so any pooling (a unit, its units below, a semester) is scored exactly
by :func:`analysis.scoring.score_totals` from these few rows. Excluded submissions never count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from analysis.scoring import IndexResult, score_totals
from instruments import Instrument
from survey_app.models import Answer, Layanan, Submission, Tinjauan
from survey_app.services import DbSession

PROFILE_KEYS = ("umur", "jenis_kelamin", "pendidikan", "pekerjaan")


def counted(layanan_ids: Iterable[int], months: Iterable[str]) -> ColumnElement[bool]:
    """The submissions of these layanan and months that staff did not exclude."""
    excluded = (
        select(Tinjauan.submission_id)
        .where(Tinjauan.submission_id == Submission.id, Tinjauan.keputusan == "kecualikan")
        .exists()
    )
    return and_(
        Submission.layanan_id.in_(list(layanan_ids)),
        Submission.period.in_(list(months)),
        ~excluded,
    )


@dataclass(frozen=True)
class Tallies:
    """Per (layanan_id, period): submissions, respondents per instrument, and item tallies.

    Plain tuples: a few hundred rows, where a pandas call would cost more than the sum.
    """

    submissions: list[tuple[int, str, int]]  # layanan_id, period, n
    respondents: list[tuple[int, str, str, int]]  # layanan_id, period, instrument_id, n
    items: list[tuple[int, str, str, int, int]]  # layanan_id, period, item_code, n, sum

    def where(
        self, months: Sequence[str] | None = None, layanan_ids: Sequence[int] | None = None
    ) -> Tallies:
        """The tallies of some months and/or layanan only."""
        wanted_months = None if months is None else set(months)
        wanted_ids = None if layanan_ids is None else set(layanan_ids)

        def keep(row: tuple[Any, ...]) -> bool:
            return (wanted_months is None or row[1] in wanted_months) and (
                wanted_ids is None or row[0] in wanted_ids
            )

        return Tallies(
            [r for r in self.submissions if keep(r)],
            [r for r in self.respondents if keep(r)],
            [r for r in self.items if keep(r)],
        )

    def split(self, group_of: dict[int, Hashable]) -> dict[Hashable, Tallies]:
        """The tallies per group of layanan (``group_of``: layanan id -> group), in one pass."""
        out: dict[Hashable, Tallies] = {}
        for name in ("submissions", "respondents", "items"):
            for row in getattr(self, name):
                group = group_of.get(row[0])
                if group is not None:
                    getattr(out.setdefault(group, Tallies([], [], [])), name).append(row)
        return out

    def score(self, instrument: Instrument) -> IndexResult:
        """``instrument`` over every submission in these tallies, pooled."""
        return self.score_by(instrument, lambda row: None).get(None, _nobody(instrument))

    def score_by_period(self, instrument: Instrument) -> dict[str, IndexResult]:
        return {str(k): v for k, v in self.score_by(instrument, lambda row: row[1]).items()}

    def score_by(
        self, instrument: Instrument, key: Callable[[tuple[Any, ...]], Hashable]
    ) -> dict[Hashable, IndexResult]:
        """``instrument`` for each group of ``key(row)`` (None pools everything)."""
        codes = set(instrument.codes)
        sums: dict[Hashable, dict[str, list[int]]] = {}
        for row in self.items:
            if row[2] in codes:
                cell = sums.setdefault(key(row), {}).setdefault(row[2], [0, 0])
                cell[0] += row[3]
                cell[1] += row[4]
        who: dict[Hashable, int] = {}
        for person in self.respondents:
            if person[2] == instrument.id:
                who[key(person)] = who.get(key(person), 0) + person[3]
        return {
            group: score_totals(
                instrument.codes,
                {c: (n, total) for c, (n, total) in sums.get(group, {}).items()},
                n,
                instrument.scale,
            )
            for group, n in sorted(who.items(), key=lambda kv: str(kv[0]))
        }

    def counts(self, month: str) -> dict[str, int]:
        """Submissions per layanan (id as text) in ``month``."""
        return {str(layanan): n for layanan, period, n in self.submissions if period == month}

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.submissions)


def _nobody(instrument: Instrument) -> IndexResult:
    return score_totals(instrument.codes, {}, 0, instrument.scale)


def tallies(session: DbSession, layanan_ids: Sequence[int], months: Sequence[str]) -> Tallies:
    """Three GROUP BY queries over the counted submissions of ``layanan_ids`` in ``months``."""
    where = counted(layanan_ids, months)
    by = (Submission.layanan_id, Submission.period)
    joined = Submission.__table__.join(Answer.__table__)
    submissions = select(*by, func.count()).where(where).group_by(*by)
    respondents = (
        select(*by, Answer.instrument_id, func.count(func.distinct(Submission.id)))
        .select_from(joined)
        .where(where)
        .group_by(*by, Answer.instrument_id)
    )
    items = (
        select(*by, Answer.item_code, func.count(), func.sum(Answer.value))
        .select_from(joined)
        .where(where)
        .group_by(*by, Answer.item_code)
    )
    return Tallies(
        [(int(a), str(b), int(c)) for a, b, c in session.execute(submissions)],
        [(int(a), str(b), str(c), int(d)) for a, b, c, d in session.execute(respondents)],
        [(int(a), str(b), str(c), int(d), int(e)) for a, b, c, d, e in session.execute(items)],
    )


def profile_counts(
    session: DbSession, layanan_ids: Sequence[int], months: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Respondents per answer of each profile question (blank answers left out)."""
    where = counted(layanan_ids, months)
    out: dict[str, dict[str, int]] = {}
    for key in PROFILE_KEYS:
        column = getattr(Submission, key)
        rows = session.execute(
            select(column, func.count()).where(where, column.is_not(None)).group_by(column)
        )
        out[key] = {str(value): int(n) for value, n in rows}
    return out


@dataclass(frozen=True)
class Saran:
    submitted_at: datetime
    layanan: str
    saran: str


def latest_saran(
    session: DbSession, layanan_ids: Sequence[int], months: Sequence[str], limit: int = 50
) -> list[Saran]:
    """The newest suggestions of the period (staff only; never published)."""
    rows = session.execute(
        select(Submission.submitted_at, Layanan.kode, Submission.saran)
        .join(Submission.layanan)
        .where(counted(layanan_ids, months), Submission.saran.is_not(None))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return [Saran(at, kode, text) for at, kode, text in rows]
