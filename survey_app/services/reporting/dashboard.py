"""The monthly dashboard of a unit: read tallies once, let :mod:`analysis` compute every figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import select

from analysis.compliance import Month, Pace, PeriodCompliance
from analysis.periods import Span
from analysis.sample import Compliance, ServiceCount
from analysis.scoring import IndexResult
from instruments import Instrument
from survey_app.models import KuesionerVersi, Layanan, Unit
from survey_app.services import DbSession
from survey_app.services.access import subtree_ids
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.integrity import KIOSK, exclusions, uploaded, via_channel
from survey_app.services.collection.kuesioner import (
    Catatan,
    Dihilangkan,
    left_out,
    notes,
    used_versions,
)
from survey_app.services.reporting.aggregates import (
    Saran,
    Tallies,
    latest_saran,
    profile_counts,
    tallies,
)
from survey_app.services.reporting.compliance import (
    UnitCompliance,
    judge_unit,
    served_in,
    spans_of,
)
from survey_app.services.reporting.exports import Rekap
from survey_app.services.reporting.per_layanan import (
    LayananFigures,
    layanan_indices,
    pooled_tallies,
)

TREND_MONTHS = 12


@dataclass(frozen=True)
class Figure:
    """One instrument over the period, and over the period just before it."""

    instrument: Instrument
    result: IndexResult
    previous: IndexResult

    @property
    def change(self) -> Decimal | None:
        now, before = self.result.nilai, self.previous.nilai
        return None if now is None or before is None else now - before


@dataclass(frozen=True)
class ServiceRow:
    """A layanan in the month the service table is about (the running month when the period
    holds it, else the period's last begun month)."""

    layanan: Layanan
    count: ServiceCount
    pace: Pace | None  # in the running month: the pace so far and the projection

    @property
    def projected(self) -> int | None:
        """By the end of a running month, at the pace so far."""
        return None if self.pace is None else self.pace.projected

    @property
    def warning(self) -> bool:
        return self.pace is not None and self.pace.warning


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    n: int
    compliance: UnitCompliance  # its own layanan over the period, under its own rule
    results: dict[str, IndexResult]

    @property
    def memenuhi(self) -> bool:
        """No judged month of the period is short."""
        return self.compliance.period.memenuhi


@dataclass(frozen=True)
class Dashboard:
    unit: Unit
    span: Span
    figures: list[Figure]
    services: list[ServiceRow]
    month: str  # the month the service table is about
    days_left: int | None  # whole days after today, when that month is running
    compliance: UnitCompliance  # every begun month of the period, judged (REGULATION §3)
    children: list[UnitRow]
    profile: dict[str, dict[str, int]]
    trend: pd.DataFrame  # period, instrument, nilai
    respondents: int  # counted submissions over the period
    per_layanan: dict[int, int]  # counted submissions per layanan id
    saran: list[Saran]  # the newest suggestions (staff only)
    excluded: dict[str, int]  # answers staff excluded over the period, per reason
    profile_codes: dict[str, dict[str, int]]  # question key -> answer value -> respondents
    layanan_figures: list[LayananFigures]  # IKM, IPAK, IPKP per layanan (own and below)
    uploaded: int = 0  # counted submissions over the period from a responses file (unggahan)
    kiosk: int = 0  # counted submissions over the period from a kiosk on the counter
    # items left out by a variant version that has answers in the period, with the reason
    # (docs/kuesioner.md §4): every index that lacks them says so
    dihilangkan: tuple[Dihilangkan, ...] = ()
    # the variant versions answered in the period (the report's lampiran kuesioner)
    versi: tuple[KuesionerVersi, ...] = ()

    @property
    def catatan(self) -> list[Catatan]:
        """The left-out items as every report says them (:func:`notes`), each naming its unit
        when the page covers units below."""
        base = {f.instrument.id: f.instrument for f in self.figures}
        return notes(self.dihilangkan, base, units=bool(self.children))

    @property
    def months(self) -> list[Compliance]:
        """The judged months (ended, with some layanan open) of the period."""
        return [month.compliance for month in self.compliance.period.judged]


def previous_span(span: Span) -> Span:
    length = len(span.months())
    return Span(span.kind, *_shift(span.first, -length, length))


def next_span(span: Span) -> Span:
    length = len(span.months())
    return Span(span.kind, *_shift(span.first, length, length))


def _shift(month: str, by: int, length: int) -> tuple[str, str]:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + by
    first = f"{index // 12:04d}-{index % 12 + 1:02d}"
    last_index = index + length - 1
    return first, f"{last_index // 12:04d}-{last_index % 12 + 1:02d}"


def build(
    session: DbSession, catalogue: Catalogue, unit: Unit, span: Span, now: datetime
) -> Dashboard:
    """Every figure of the dashboard of ``unit`` over ``span``, from tallies the database sums
    over the monthly rollup; no answer row is loaded. A few small reads: the whole subtree per
    month (figures, trend), submissions per layanan and month with the open spans and people
    served (minimums, each unit under its own rule), each unit below pooled (its row), per
    layanan pooled, and the profile answers."""
    layanan, pooled = pooled_tallies(session, unit, span)
    ids = [x.id for x in layanan]
    before = previous_span(span)
    window = tallies(session, ids, _window(span, before), by="semua")
    current = window.where(months=span.months())
    counts = tallies(session, ids, span.months(), counts_only=True)
    judged = _judged(session, unit, layanan, span, now, counts)
    mine = judged[unit.id]
    focus = _focus(mine.period)
    codes = profile_counts(session, ids, span.months())
    per_layanan = counts.totals()
    return Dashboard(
        unit=unit,
        span=span,
        figures=[
            Figure(i, current.score(i), window.where(months=before.months()).score(i))
            for i in catalogue.instruments.values()
        ],
        services=_services(mine, focus),
        month=focus.period if focus else span.last,
        days_left=focus.today.days_left if focus and focus.today else None,
        compliance=mine,
        children=_children(catalogue, unit, layanan, judged, pooled),
        profile=_profile(catalogue, codes),
        profile_codes=codes,
        trend=_trend(catalogue, window, span.last),
        respondents=current.total,
        per_layanan={x.id: per_layanan.get(x.id, 0) for x in layanan},
        saran=latest_saran(session, ids, span.months()),
        excluded=exclusions(session, ids, span.months()),
        layanan_figures=layanan_indices(
            session, catalogue, unit, span, now, judged, (layanan, pooled)
        ),
        uploaded=uploaded(session, ids, span.months()),
        kiosk=via_channel(session, ids, span.months(), KIOSK),
        dihilangkan=tuple(left_out(session, catalogue.instruments, ids, span.months())),
        versi=tuple(used_versions(session, ids, span.months())),
    )


def _window(span: Span, before: Span) -> list[str]:
    trend_first = _shift(span.last, -(TREND_MONTHS - 1), 1)[0]
    first = min(before.first, trend_first)
    return Span("rentang", first, span.last).months()


def _judged(
    session: DbSession,
    unit: Unit,
    layanan: Sequence[Layanan],
    span: Span,
    now: datetime,
    counts: Tallies,
) -> dict[int, UnitCompliance]:
    """Each unit of the subtree over ``span``: its own layanan under its own rule and zone,
    from one read of the open spans and one of people served."""
    ids = [x.id for x in layanan]
    spans = spans_of(session, ids)
    served = served_in(session, ids, span.months())
    theirs: dict[int, list[Layanan]] = {unit.id: []}
    units = {unit.id: unit}
    for x in layanan:
        theirs.setdefault(x.unit_id, []).append(x)
        units[x.unit_id] = x.unit
    return {
        key: judge_unit(units[key], rows, span.months(), now, counts, spans, served)
        for key, rows in theirs.items()
    }


def _focus(period: PeriodCompliance) -> Month | None:
    """The month the service table is about: the running month, else the last begun month
    with some layanan open."""
    with_services = [m for m in period.months if m.layanan]
    return period.running or (with_services[-1] if with_services else None)


def _services(mine: UnitCompliance, focus: Month | None) -> list[ServiceRow]:
    if focus is None:
        return []
    return [
        ServiceRow(mine.layanan[count.kode], count, focus.pace(count)) for count in focus.layanan
    ]


def _children(
    catalogue: Catalogue,
    unit: Unit,
    layanan: Sequence[Layanan],
    judged: Mapping[int, UnitCompliance],
    pooled: Tallies,
) -> list[UnitRow]:
    """Each unit below ``unit``, scored from its layanan's pooled tallies summed together."""
    unit_of = {x.id: x.unit_id for x in layanan if x.unit_id != unit.id}
    below = {x.unit for x in layanan if x.unit_id != unit.id}
    parts = pooled.split(unit_of)
    rows = []
    for child in sorted(below, key=lambda u: u.nama):
        part = parts.get(child.id, Tallies([], [], []))
        results = {i.id: part.score(i) for i in catalogue.instruments.values()}
        rows.append(UnitRow(child, part.total, judged[child.id], results))
    return rows


def _profile(catalogue: Catalogue, counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Respondents per answer of each profile question, in the questionnaire's order."""
    return {
        q.label.id: {c.text.id: counts.get(q.key, {}).get(c.value, 0) for c in q.choices}
        for q in catalogue.profile
    }


def _trend(catalogue: Catalogue, window: Tallies, last: str) -> pd.DataFrame:
    rows = [
        {
            "period": period,
            "instrument": instrument.index,
            "nilai": float(result.nilai) if result.nilai else None,
        }
        for instrument in catalogue.instruments.values()
        for period, result in window.score_by_period(instrument).items()
        if result.n and period <= last
    ]
    trend = pd.DataFrame(rows, columns=["period", "instrument", "nilai"])
    return trend.sort_values(["instrument", "period"])


def layanan_ids(session: DbSession, unit: Unit) -> list[int]:
    """The layanan of ``unit`` and of every unit below it."""
    unit_ids = subtree_ids(session, unit.id)
    return list(session.scalars(select(Layanan.id).where(Layanan.unit_id.in_(unit_ids))))


def rekaps(
    session: DbSession, unit: Unit, span: Span, instruments: Sequence[Instrument], label: str
) -> list[Rekap]:
    """The rekap sheets of a unit's workbook: the unit pooled, then each layanan with answers,
    all from database tallies, each with the items a variant left out of its answers."""
    layanan = list(
        session.scalars(
            select(Layanan)
            .where(Layanan.unit_id.in_(subtree_ids(session, unit.id)))
            .order_by(Layanan.kode, Layanan.id)
        )
    )
    found = tallies(session, [x.id for x in layanan], span.months(), per_month=False)
    parts = found.split()
    base = {i.id: i for i in instruments}

    several = len({x.unit_id for x in layanan}) > 1  # the unit sheet names each note's unit

    def gone(ids: list[int], units: bool = False) -> tuple[Catatan, ...]:
        return tuple(notes(left_out(session, base, ids, span.months()), base, units))

    sheets = [
        Rekap(
            "Rekap unit",
            f"{unit.nama} - {label}",
            {i.id: found.score(i) for i in instruments},
            gone([x.id for x in layanan], several),
        )
    ]
    names = {"Rekap unit"}
    for x in layanan:
        part = parts.get(x.id)
        if part is None or not part.total:
            continue
        name = sheet_name(f"Rekap {x.kode}", names)
        if name != sheet_name(f"Rekap {x.kode}", set()):
            name = sheet_name(f"Rekap {x.unit.kode} {x.kode}", names)
        names.add(name)
        title = f"{x.unit.nama} - layanan {x.kode} - {label}"
        results = {i.id: part.score(i) for i in instruments}
        sheets.append(Rekap(name, title, results, gone([x.id])))
    return sheets


def sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted`` as an Excel worksheet name not in ``taken``: at most 31 characters, none of
    ``[]:*?/\\``, and unique ignoring case (Excel's rule), with " (2)", " (3)" ... when needed."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in wanted).strip("'") or "Rekap"
    folded = {name.casefold() for name in taken}
    candidate, number = base[:31], 1
    while candidate.casefold() in folded:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    return candidate


def sorted_children(rows: Sequence[UnitRow], key: str) -> list[UnitRow]:
    """The units-below table sorted by name, by n (largest first) or by an index (best first)."""
    if key == "n":
        return sorted(rows, key=lambda r: (-r.n, r.unit.nama))
    if rows and key in rows[0].results:
        return sorted(
            rows, key=lambda r: (r.results[key].index is None, -(r.results[key].index or 0))
        )
    return sorted(rows, key=lambda r: r.unit.nama)
