"""IKM, IPAK and IPKP per layanan, with n and mutu (issue 16.5).

Each layanan's figures are pooled from its own raw tallies over the period (REGULATION §2.6),
never averaged; beside them, the judged months in which the layanan stayed below what its
unit's rule asks (REGULATION §3), so a page can note where n is below the minimum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from analysis.periods import Span
from analysis.sample import ServiceCount
from analysis.scoring import IndexResult
from survey_app.models import Layanan, Unit
from survey_app.services import DbSession, among
from survey_app.services.access import subtree_ids
from survey_app.services.catalogue import Catalogue
from survey_app.services.reporting.aggregates import Tallies, tallies
from survey_app.services.reporting.compliance import UnitCompliance, unit_compliance


@dataclass(frozen=True)
class LayananFigures:
    """One layanan over a period: respondents, each index, and its short judged months."""

    layanan: Layanan
    n: int  # counted submissions
    results: dict[str, IndexResult]  # instrument id -> index over the period
    short: tuple[tuple[str, ServiceCount], ...]  # (month, count) below the requirement

    @property
    def below_minimum(self) -> bool:
        return bool(self.short)


def layanan_indices(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    now: datetime,
    judged: Mapping[int, UnitCompliance] | None = None,
    read: tuple[Sequence[Layanan], Tallies] | None = None,
) -> list[LayananFigures]:
    """IKM, IPAK and IPKP per layanan of ``unit`` and every unit below it over ``span``, with
    n and mutu, ordered by unit (``unit`` first) then kode.

    A layanan is listed when it has answers in the period or was open in one of its begun
    months. ``judged`` (unit id -> :func:`~.compliance.unit_compliance`) reuses compliance a
    caller already has; a unit missing from it is judged here. ``read``: the subtree's layanan
    (their units loaded) and their tallies over ``span`` per layanan, pooled
    (:func:`pooled_tallies`), when the caller has read them already.
    """
    layanan, found = read or pooled_tallies(session, unit, span)
    parts = found.split()
    judged = dict(judged or {})
    out = []
    for x in sorted(layanan, key=lambda x: (x.unit_id != unit.id, x.unit.nama, x.kode, x.id)):
        if x.unit_id not in judged:
            judged[x.unit_id] = unit_compliance(session, x.unit, span, now)
        short = _short(judged[x.unit_id], str(x.id))
        part = parts.get(x.id, Tallies([], [], []))
        if not part.total and not _open(judged[x.unit_id], str(x.id)):
            continue
        results = {i.id: part.score(i) for i in catalogue.instruments.values()}
        out.append(LayananFigures(x, part.total, results, short))
    return out


def subtree_layanan(session: DbSession, unit: Unit) -> list[Layanan]:
    """The layanan of ``unit`` and of every unit below it, their units loaded in one more read
    (not one read per unit when a page names them)."""
    return list(
        session.scalars(
            select(Layanan)
            .where(among(session, Layanan.unit_id, subtree_ids(session, unit.id)))
            .order_by(Layanan.id)  # one order for every read of a page (and between pages)
            .options(joinedload(Layanan.unit))
        )
    )


def pooled_tallies(session: DbSession, unit: Unit, span: Span) -> tuple[list[Layanan], Tallies]:
    """The subtree's layanan (:func:`subtree_layanan`) and their tallies over ``span``, per
    layanan and pooled over the months (one read of the rollup)."""
    layanan = subtree_layanan(session, unit)
    return layanan, tallies(session, [x.id for x in layanan], span.months(), per_month=False)


def _short(judged: UnitCompliance, key: str) -> tuple[tuple[str, ServiceCount], ...]:
    return tuple(
        (month.period, count)
        for month in judged.period.judged
        for count in month.short
        if count.kode == key
    )


def _open(judged: UnitCompliance, key: str) -> bool:
    return any(count.kode == key for month in judged.months for count in month.layanan)
