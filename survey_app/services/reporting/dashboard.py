"""The monthly dashboard of a unit: read tallies once, let :mod:`analysis` compute every figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
from survey_app.services.collection.integrity import KIOSK, UPLOAD, channels, exclusions
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
    subtree_layanan,
)
from survey_app.services.reporting.settled import month_tallies

TREND_MONTHS = 12
PAGE_SIZE = 50  # units below listed at once (a Kementerian has about 500)
FEW_LAYANAN = 12  # up to this many layanan in the subtree, one read of the rollup per page


@dataclass(frozen=True)
class Below:
    """Which units below a page lists: the table of a Kementerian's 500 units is shown a page
    at a time, the per-layanan table with it (the layanan of the units on that page).

    ``urut``: ``nama`` (the default), ``n`` (most respondents first) or an instrument id (the
    lowest index first, units nobody answered last); ``cari``: part of a unit's name or kode,
    any case (empty: every unit); ``hal``: the page, from 1 (past the last: the last), of
    ``size`` units.
    """

    urut: str = "nama"
    cari: str = ""
    hal: int = 1
    size: int = PAGE_SIZE

    def matches(self, unit: Unit) -> bool:
        wanted = self.cari.strip().casefold()
        return not wanted or wanted in unit.nama.casefold() or wanted in unit.kode.casefold()


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
    # with a :class:`Below`: how many units below there are, how many match its search, and
    # the page shown (children and layanan_figures then hold that page's units only)
    below_all: int = 0
    below_found: int = 0
    below: Below | None = None

    @property
    def pages(self) -> int:
        """The pages of units below matching the search (at least one)."""
        size = self.below.size if self.below else max(len(self.children), 1)
        return max(1, -(-self.below_found // size))

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
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    now: datetime,
    below: Below | None = None,
) -> Dashboard:
    """Every figure of the dashboard of ``unit`` over ``span``, from tallies the database sums
    over the monthly rollup; no answer row is loaded. A few small reads: the whole subtree per
    month (figures, trend), submissions per layanan and month with the open spans and people
    served (minimums, each unit under its own rule), each unit below pooled (its row), per
    layanan pooled, and the profile answers.

    ``below``: only one page of the units below (:class:`Below`): their rows and their layanan's
    figures, each exactly what the whole table shows for it; only those units are judged and
    scored (a Kementerian page need not score and write 500 units and 1,000 layanan)."""
    layanan = subtree_layanan(session, unit)
    ids = [x.id for x in layanan]
    shown, order, found = layanan, None, 0
    before = previous_span(span)
    few = len(layanan) <= FEW_LAYANAN
    paged = below is not None and any(x.unit_id != unit.id for x in layanan)
    if few:
        # a UPT's few layanan: one read per layanan and month serves the figures, the trend,
        # the per-layanan and per-unit rows and the minimums (tallies add up exactly)
        window = tallies(session, ids, _window(span, before))
        pooled = counts = window.where(months=span.months())
        totals = pooled.totals()
    elif paged:  # every layanan counted, only the page's scored
        totals = tallies(session, ids, span.months(), per_month=False, counts_only=True).totals()
    else:
        pooled = tallies(session, ids, span.months(), per_month=False)
        totals = pooled.totals()
    if below is not None and paged:
        below, order, found = _page(session, catalogue, unit, layanan, totals, span, below)
        chosen = {unit.id, *order}
        shown = [x for x in layanan if x.unit_id in chosen]
    if not few:
        if paged:
            pooled = tallies(session, [x.id for x in shown], span.months(), per_month=False)
        window = month_tallies(session, ids, _window(span, before))  # settled months kept
        counts = tallies(session, [x.id for x in shown], span.months(), counts_only=True)
    current = window.where(months=span.months())
    judged = _judged(session, unit, shown, span, now, counts)
    mine = judged[unit.id]
    focus = _focus(mine.period)
    codes = profile_counts(session, ids, span.months())
    per_layanan = totals
    children = _children(catalogue, unit, shown, judged, pooled)
    versions = used_versions(session, ids, span.months())
    channel = channels(session, ids, span.months())
    if order is not None:
        place = {key: number for number, key in enumerate(order)}
        children.sort(key=lambda row: place[row.unit.id])
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
        children=children,
        profile=_profile(catalogue, codes),
        profile_codes=codes,
        trend=_trend(catalogue, window, span.last),
        respondents=current.total,
        per_layanan={x.id: per_layanan.get(x.id, 0) for x in layanan},
        saran=latest_saran(session, ids, span.months()),
        excluded=exclusions(session, ids, span.months()),
        layanan_figures=layanan_indices(
            session, catalogue, unit, span, now, judged, (shown, pooled)
        ),
        uploaded=channel.get(UPLOAD, 0),
        kiosk=channel.get(KIOSK, 0),
        dihilangkan=tuple(left_out(session, catalogue.instruments, ids, span.months(), versions)),
        versi=tuple(versions),
        below_all=len({x.unit_id for x in layanan} - {unit.id}),
        below_found=found,
        below=below,
    )


def _page(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    layanan: Sequence[Layanan],
    totals: Mapping[int, int],
    span: Span,
    below: Below,
) -> tuple[Below, list[int], int]:
    """The page ``below`` asks for (its page number kept within the pages there are), the ids
    of its units in their order, and how many units match the search. ``totals``: counted
    submissions per layanan over ``span``; sorting by an index reads each unit's tallies."""
    units = {x.unit_id: x.unit for x in layanan if x.unit_id != unit.id}
    found = sorted((u for u in units.values() if below.matches(u)), key=lambda u: (u.nama, u.id))
    if below.urut == "n":
        n: dict[int, int] = {}
        for x in layanan:
            n[x.unit_id] = n.get(x.unit_id, 0) + totals.get(x.id, 0)
        found.sort(key=lambda u: -n.get(u.id, 0))
    elif below.urut in catalogue.instruments and found:
        instrument = catalogue.instruments[below.urut]
        chosen = {u.id for u in found}
        wanted = {x.id: x.unit_id for x in layanan if x.unit_id in chosen}
        # per unit and month (settled months kept); a unit's score pools its months
        parts = month_tallies(session, list(wanted), span.months(), wanted).split()
        index = {
            u.id: parts[u.id].score(instrument).index if u.id in parts else None for u in found
        }
        found.sort(key=lambda u: (index[u.id] is None, index[u.id] or 0))
    pages = max(1, -(-len(found) // below.size))
    below = replace(below, hal=min(max(below.hal, 1), pages))
    start = (below.hal - 1) * below.size
    return below, [u.id for u in found[start : start + below.size]], len(found)


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
