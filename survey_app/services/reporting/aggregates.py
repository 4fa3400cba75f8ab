"""Tallies for dashboards and reports at any size, read from the monthly rollup.

Instead of loading answers, dashboards read per layanan (or unit, or everything) and month: the
submissions, the respondents of each instrument, and per item the count and the sum of the
answers, from ``rekap_bulanan`` (kept by :mod:`survey_app.services.rollup`). Tallies of disjoint
groups add up, so any pooling (a unit, its units below, a semester) is scored exactly by
:func:`analysis.scoring.score_totals` from these few rows. Excluded submissions never count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, func, literal, select

from analysis.kuesioner import item_totals, split_code
from analysis.scoring import IndexResult, score_totals
from instruments import Instrument
from survey_app.models import Layanan, RekapBulanan, Submission
from survey_app.services import DbSession, among, in_months
from survey_app.services.collection.rollup import PROFILE_KEYS, kept


def counted(
    layanan_ids: Iterable[int], months: Iterable[str], session: DbSession | None = None
) -> ColumnElement[bool]:
    """The submissions of these layanan and months that staff did not exclude (with
    ``session``, the ids as :func:`~survey_app.services.among` passes them)."""
    ids = list(layanan_ids)
    return and_(
        among(session, Submission.layanan_id, ids) if session else Submission.layanan_id.in_(ids),
        in_months(Submission.period, months),
        kept(),
    )


@dataclass(frozen=True)
class Tallies:
    """Per (key, period): submissions, respondents per instrument, and item tallies. The key is
    a layanan id, a unit id, or 0 for everything (see :func:`tallies`).

    Plain tuples: a few hundred rows, where a pandas call would cost more than the sum. Not
    changed once read (what is derived from the rows is kept).
    """

    submissions: list[tuple[int, str, int]]  # key, period, n
    respondents: list[tuple[int, str, str, int]]  # key, period, instrument_id, n
    items: list[tuple[int, str, str, int, int]]  # key, period, item_code, n, sum

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

    def split(self, group_of: Mapping[int, Hashable] | None = None) -> dict[Hashable, Tallies]:
        """The tallies per group of keys (``group_of``: key -> group; by default each key on its
        own), in one pass."""
        out: dict[Hashable, Tallies] = {}
        for name in ("submissions", "respondents", "items"):
            for row in getattr(self, name):
                group = row[0] if group_of is None else group_of.get(row[0])
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
        """``instrument`` for each group of ``key(row)`` (None pools everything). Answers to a
        variant's sub-questions pool into their item by code (docs/kuesioner.md §4)."""
        codes = set(instrument.codes)
        sums: dict[Hashable, dict[str, list[int]]] = {}
        for row in self.items:
            if split_code(row[2])[0] in codes:  # U3, and U3.1/2 of a variant's sub-questions
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
                item_totals({c: (n, total) for c, (n, total) in sums.get(group, {}).items()}),
                n,
                instrument.scale,
            )
            for group, n in sorted(who.items(), key=lambda kv: str(kv[0]))
        }

    def totals(self) -> dict[int, int]:
        """Submissions per key, over all months."""
        out: dict[int, int] = {}
        for key, _, n in self.submissions:
            out[key] = out.get(key, 0) + n
        return out

    def counts(self, month: str) -> dict[str, int]:
        """Submissions per layanan (id as text) in ``month``."""
        return dict(self._by_month.get(month, {}))

    @cached_property
    def _by_month(self) -> dict[str, dict[str, int]]:
        # read once, then judged for each of 500 units: one pass, not one per unit and month
        out: dict[str, dict[str, int]] = {}
        for layanan, period, n in self.submissions:
            out.setdefault(period, {})[str(layanan)] = n
        return out

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.submissions)


def _nobody(instrument: Instrument) -> IndexResult:
    return _nobody_of(instrument.codes, instrument.scale)


@cache
def _nobody_of(codes: tuple[str, ...], scale: int) -> IndexResult:
    # the same for every group nobody answered (IndexResult is frozen): scored once
    return score_totals(codes, {}, 0, scale)


POOLED = "*"  # the period of tallies pooled over all their months (``per_month=False``)
Grouping = Literal["layanan", "unit", "semua"]


def tallies(
    session: DbSession,
    layanan_ids: Sequence[int],
    months: Sequence[str],
    by: Grouping = "layanan",
    per_month: bool = True,
    counts_only: bool = False,
) -> Tallies:
    """The tallies of ``layanan_ids`` in ``months``, summed by the database per layanan, per
    unit or over everything (key 0), and per month or pooled (period :data:`POOLED`).
    ``counts_only``: the submissions alone, for minimum checks."""
    r = RekapBulanan
    key: Any = {"layanan": r.layanan_id, "unit": Layanan.unit_id, "semua": literal(0)}[by]
    period: Any = r.period if per_month else literal(POOLED)
    kinds = ["kiriman"] if counts_only else ["kiriman", "responden", "butir"]
    query = select(key, period, r.jenis, r.kunci, func.sum(r.n), func.sum(r.jumlah)).where(
        among(session, r.layanan_id, layanan_ids),
        in_months(r.period, months),
        r.jenis.in_(kinds),
    )
    if by == "unit":
        query = query.join(Layanan, Layanan.id == r.layanan_id)
    grouped = [c for c, wanted in ((key, by != "semua"), (period, per_month)) if wanted]
    query = query.group_by(*grouped, r.jenis, r.kunci).having(func.sum(r.n) > 0)
    found = Tallies([], [], [])
    for group, month, jenis, kunci, n, total in session.execute(query):
        where = (int(group), str(month))
        if jenis == "kiriman":
            found.submissions.append((*where, int(n)))
        elif jenis == "responden":
            found.respondents.append((*where, str(kunci), int(n)))
        else:
            found.items.append((*where, str(kunci), int(n), int(total)))
    return found


def profile_counts(
    session: DbSession, layanan_ids: Sequence[int], months: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Respondents per answer of each profile question (blank answers left out)."""
    r = RekapBulanan
    rows = session.execute(
        select(r.kunci, func.sum(r.n))
        .where(
            among(session, r.layanan_id, layanan_ids),
            in_months(r.period, months),
            r.jenis == "profil",
        )
        .group_by(r.kunci)
        .having(func.sum(r.n) > 0)
    )
    out: dict[str, dict[str, int]] = {key: {} for key in PROFILE_KEYS}
    for kunci, n in rows:
        key, _, value = str(kunci).partition("=")
        out.setdefault(key, {})[value] = int(n)
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
        .where(counted(layanan_ids, months, session), Submission.saran.is_not(None))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(limit)
    )
    return [Saran(at, kode, text) for at, kode, text in rows]
