"""A unit's respondents per layanan and month against its minimum rule (REGULATION §3).

:func:`unit_compliance` is the one entry point for every page and file that judges the minimum
(dashboard, a Kanwil's table, the ZI page, the PDF report, publications and their artefacts,
the SKM report): the people served (population) and the sample or minimum each layanan needs in
each month of a period under the unit's rule, which months are judged, the running month's pace,
and the gaps. The database is read in three small queries (open spans, people served, counts);
:mod:`analysis.compliance` and :mod:`analysis.sample` decide everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from analysis.compliance import (
    Month,
    OpenSpan,
    PeriodCompliance,
    Service,
    judge,
    today,
)
from analysis.periods import Span
from analysis.sample import Rule, ServiceCount
from survey_app.models import Dilayani, Layanan, MasaLayanan, Unit
from survey_app.services import DbSession, among, in_months
from survey_app.services.reporting.aggregates import Tallies, tallies

Spans = Mapping[int, tuple[OpenSpan, ...]]
Served = Mapping[str, Mapping[str, int]]  # month -> layanan id as text -> people served


def rule_of(unit: Unit) -> Rule:
    """The unit's minimum rule, as stored (``tetap`` by default)."""
    return Rule(unit.aturan_minimal or "tetap", unit.rumus_sampel or "krejcie_morgan")


@dataclass(frozen=True)
class LayananRow:
    """One layanan across the begun months of a period: its count and requirement in each
    month it was open (None where it was not)."""

    layanan: Layanan
    cells: dict[str, ServiceCount | None]


@dataclass(frozen=True)
class UnitCompliance:
    """The months of a period for one unit's own layanan, judged under its rule."""

    unit: Unit
    layanan: dict[str, Layanan]  # id as text -> layanan
    period: PeriodCompliance

    @property
    def rule(self) -> Rule:
        return self.period.rule

    @property
    def months(self) -> tuple[Month, ...]:
        return self.period.months

    def name(self, key: str) -> str:
        found = self.layanan.get(key)
        return found.nama if found else key

    def rows(self) -> list[LayananRow]:
        """Population and sample per layanan and month: every layanan open in a begun month,
        by kode, with its :class:`~analysis.sample.ServiceCount` (n, people served, what the
        rule in force asks) per month."""
        found: dict[str, dict[str, ServiceCount | None]] = {}
        for month in self.period.months:
            for count in month.layanan:
                found.setdefault(count.kode, {})[month.period] = count
        keys = sorted(found, key=lambda k: (self.layanan[k].kode, int(k)))
        return [
            LayananRow(self.layanan[k], {m.period: found[k].get(m.period) for m in self.months})
            for k in keys
        ]


def spans_of(session: DbSession, layanan_ids: Sequence[int]) -> dict[int, tuple[OpenSpan, ...]]:
    """The open spans of each layanan, oldest first."""
    rows = session.execute(
        select(MasaLayanan.layanan_id, MasaLayanan.dari, MasaLayanan.sampai)
        .where(among(session, MasaLayanan.layanan_id, layanan_ids))
        .order_by(MasaLayanan.layanan_id, MasaLayanan.dari)
    )
    out: dict[int, tuple[OpenSpan, ...]] = {}
    for layanan_id, dari, sampai in rows:
        out[layanan_id] = (*out.get(layanan_id, ()), OpenSpan(dari, sampai))
    return out


def served_in(session: DbSession, layanan_ids: Sequence[int], months: Sequence[str]) -> Served:
    """People served per month and layanan (id as text), where staff entered a figure."""
    rows = session.execute(
        select(Dilayani.period, Dilayani.layanan_id, Dilayani.jumlah).where(
            among(session, Dilayani.layanan_id, layanan_ids), in_months(Dilayani.period, months)
        )
    )
    out: dict[str, dict[str, int]] = {}
    for period, layanan_id, jumlah in rows:
        out.setdefault(period, {})[str(layanan_id)] = jumlah
    return out


def judge_unit(
    unit: Unit,
    layanan: Sequence[Layanan],
    months: Sequence[str],
    now: datetime,
    counts: Tallies,
    spans: Spans,
    served: Served,
) -> UnitCompliance:
    """:func:`unit_compliance` from figures already read (a Kanwil judges each unit below it
    from one read of each)."""
    services = [Service(str(x.id), x.kebutuhan_utama, spans.get(x.id, ())) for x in layanan]
    period = judge(
        months,
        today(now, unit.timezone),
        rule_of(unit),
        services,
        {month: counts.counts(month) for month in months},
        served,
    )
    return UnitCompliance(unit, {str(x.id): x for x in layanan}, period)


def own_layanan(session: DbSession, unit: Unit) -> list[Layanan]:
    return list(session.scalars(select(Layanan).where(Layanan.unit_id == unit.id)))


def unit_compliance(session: DbSession, unit: Unit, span: Span, now: datetime) -> UnitCompliance:
    """Population and sample per layanan against the unit's rule over ``span``.

    The unit's own layanan, each month of ``span`` that has begun in the unit's zone at
    ``now``: respondents (excluded answers left out), people served, and what the rule in
    force asks (``tetap``, ``sampel`` or its fallback), the status of each month and, for the
    running month, the pace. Months after the running one are listed in ``period.not_begun``
    and never judged.
    """
    layanan = own_layanan(session, unit)
    ids = [x.id for x in layanan]
    months = span.months()
    return judge_unit(
        unit,
        layanan,
        months,
        now,
        tallies(session, ids, months, counts_only=True),
        spans_of(session, ids),
        served_in(session, ids, months),
    )
