"""What the SKM report of a unit and period says (REGULATION §8), gathered once.

Every figure comes from the code the dashboard and the XLSX rekap use: the same tallies over the
monthly rollup, the same :class:`~analysis.scoring.IndexResult`, the same minimum check. The
follow-up comes from the register, the reasons from :mod:`~survey_app.services.reporting.alasan`.
Nothing here formats a number: the renderers in ``survey_app.dokumen`` do that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import case, func, select

from analysis.periods import Span, zone
from analysis.scoring import IndexResult, ItemScore
from instruments import Instrument
from survey_app.models import Layanan, Publikasi, Submission, TindakLanjut, Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import integrity
from survey_app.services.collection.kuesioner import base_answered
from survey_app.services.followup import register
from survey_app.services.laporan import bawaan, teks
from survey_app.services.reporting import dashboard
from survey_app.services.reporting.aggregates import Saran, counted, latest_saran, tallies
from survey_app.services.reporting.alasan import AlasanUnsur, reasons_by_unsur
from survey_app.services.reporting.compliance import UnitCompliance, unit_compliance
from survey_app.services.reporting.exports import Rekap
from survey_app.services.reporting.settled import month_tallies

TREND_PERIODS = 5  # the period and the four before it
NEWEST_REASONS = 3
NEWEST_SARAN = 10


@dataclass(frozen=True)
class Kanal:
    """A channel answers came through, with its counted submissions."""

    kode: str  # "qr" (the public form), "tiket" (one-time ticket), "kiosk" (a tablet on the
    # counter), "unggahan" (uploaded file)
    n: int


@dataclass(frozen=True)
class Ekstrem:
    """The lowest and the highest item of one instrument over the period."""

    instrument: Instrument
    terendah: ItemScore
    tertinggi: ItemScore


@dataclass(frozen=True)
class Tren:
    """One earlier (or the current) period and each instrument's result over it."""

    span: Span
    results: dict[str, IndexResult]


@dataclass(frozen=True)
class LaporanSKM:
    """The whole content of one report. ``rekaps[0]`` is the unit pooled, the rest one per
    layanan with answers, exactly as the XLSX rekap's sheets."""

    unit: Unit
    span: Span
    dibuat: datetime
    tanggal: date  # the signature's date, in the unit's zone
    berjalan: date | None  # the period has not ended: the report runs up to this day
    kepatuhan: list[UnitCompliance]  # per unit with layanan (the unit's own first): its rule
    nama_layanan: dict[str, str]  # layanan id (text) -> its name (with its unit's below)
    data: dashboard.Dashboard
    rekaps: list[Rekap]
    layanan: list[Layanan]  # the unit's own and those of the units below, by kode
    per_layanan: list[tuple[Layanan, dict[str, IndexResult]]]  # those with answers
    integritas: integrity.Report
    kanal: list[Kanal]
    ekstrem: list[Ekstrem]
    alasan: list[AlasanUnsur]
    saran: list[Saran]
    saran_n: int
    rtl: list[TindakLanjut]
    sebelumnya: Span
    tindak_lanjut_sebelumnya: list[TindakLanjut]
    tren: list[Tren]
    publikasi: list[Publikasi]
    teks: dict[str, str]  # the free texts in force (staff's own, else the default)
    teks_bawaan: dict[str, str]  # the defaults, shown beside the editor
    dasar_dijawab: bool = True  # some counted answer of the period was given under the base

    @property
    def instruments(self) -> list[Instrument]:
        """The instruments with answers in the period, in the catalogue's order (SKM first)."""
        return [f.instrument for f in self.data.figures if f.result.n]

    def result(self, instrument_id: str) -> IndexResult:
        """The unit's pooled result of ``instrument_id`` over the period."""
        return self.rekaps[0].results[instrument_id]


def gather(
    session: DbSession, catalogue: Catalogue, unit: Unit, span: Span, now: datetime
) -> LaporanSKM:
    """Everything the report of ``unit`` (pooled with the units below it) over ``span`` says,
    as of ``now`` (an aware datetime). Reads only. An empty period gives a report that says
    there were no respondents; a period that has not begun raises :class:`NotBegun`; one not
    ended is reported as running (``berjalan``: today's date in the unit's zone)."""
    today = check_begun(unit, span, now)
    data = dashboard.build(session, catalogue, unit, span, now)
    ids = dashboard.layanan_ids(session, unit)
    instruments = list(catalogue.instruments.values())
    rekaps = dashboard.rekaps(session, unit, span, instruments, "")
    before = dashboard.previous_span(span)
    reasons = reasons_by_unsur(session, catalogue, ids, span.months(), newest=NEWEST_REASONS)
    defaults = default_texts(unit, span, data, catalogue)
    written = teks.saved(session, unit, span)
    layanan = _layanan(session, ids)
    units = sorted({x.unit for x in layanan}, key=lambda u: (u.id != unit.id, u.nama))
    return LaporanSKM(
        unit=unit,
        span=span,
        dibuat=now,
        tanggal=today,
        berjalan=today if span.end_date >= today else None,
        kepatuhan=[unit_compliance(session, u, span, now) for u in units],
        nama_layanan=_names(layanan),
        data=data,
        rekaps=rekaps,
        layanan=layanan,
        per_layanan=_per_layanan(session, catalogue, layanan, span),
        integritas=integrity.report(session, catalogue, unit, ids, span),
        kanal=channels(session, ids, span),
        ekstrem=_extremes(data),
        alasan=reasons,
        saran=latest_saran(session, ids, span.months(), limit=NEWEST_SARAN),
        saran_n=_saran_count(session, ids, span),
        rtl=register.entries(session, unit, span),
        sebelumnya=before,
        tindak_lanjut_sebelumnya=register.entries(session, unit, before),
        tren=trend(session, catalogue, ids, span),
        publikasi=_publications(session, unit, span),
        teks={key: written.get(key, value) for key, value in defaults.items()},
        teks_bawaan=defaults,
        dasar_dijawab=base_answered(session, ids, span.months()),
    )


class NotBegun(ValueError):
    """A report asked for a period that has not begun (Indonesian message)."""


def check_begun(unit: Unit, span: Span, now: datetime) -> date:
    """Today in the unit's zone; raises :class:`NotBegun` when ``span`` starts after it."""
    today = now.astimezone(zone(unit.timezone)).date()
    if span.start_date > today:
        raise NotBegun(
            "Periode ini belum dimulai, jadi belum ada yang dapat dilaporkan. Pilih periode yang "
            "sudah berjalan atau selesai."
        )
    return today


def _names(layanan: list[Layanan]) -> dict[str, str]:
    """Each layanan's name; with the unit's name when the report pools several units (two
    units both have a "Layanan Kunjungan")."""
    several = len({x.unit_id for x in layanan}) > 1
    return {str(x.id): f"{x.unit.nama} · {x.nama}" if several else x.nama for x in layanan}


def channels(session: DbSession, layanan_ids: list[int], span: Span) -> list[Kanal]:
    """Counted submissions of the period per channel: the public form reached by QR, a one-time
    ticket, a kiosk on the counter, an uploaded file (REGULATION §8, BAB II: "metode and
    channels")."""
    kode = case(
        (Submission.source.in_(("import", "unggahan")), "unggahan"),
        (Submission.source == "kiosk", "kiosk"),
        (Submission.tiket_id.is_not(None), "tiket"),
        else_="qr",
    )
    rows = session.execute(
        select(kode, func.count()).where(counted(layanan_ids, span.months())).group_by(kode)
    )
    found = {str(k): int(n) for k, n in rows}
    return [Kanal(k, int(found[k])) for k in ("qr", "tiket", "kiosk", "unggahan") if found.get(k)]


def trend(
    session: DbSession, catalogue: Catalogue, layanan_ids: list[int], span: Span
) -> list[Tren]:
    """The period and up to four periods of the same length before it, oldest first, each
    instrument scored over the period (one read of the monthly tallies)."""
    spans = [span]
    for _ in range(TREND_PERIODS - 1):
        spans.insert(0, dashboard.previous_span(spans[0]))
    months = [m for s in spans for m in s.months()]
    window = month_tallies(session, layanan_ids, months)  # settled months kept
    rows = []
    for s in spans:
        part = window.where(months=s.months())
        rows.append(Tren(s, {i.id: part.score(i) for i in catalogue.instruments.values()}))
    while len(rows) > 1 and not any(r.n for r in rows[0].results.values()):
        rows.pop(0)  # no empty periods before the first with answers
    return rows


def _extremes(data: dashboard.Dashboard) -> list[Ekstrem]:
    found = []
    for figure in data.figures:
        low, high = figure.result.terendah, figure.result.tertinggi
        if low is not None and high is not None:
            found.append(Ekstrem(figure.instrument, low, high))
    return found


def _layanan(session: DbSession, ids: list[int]) -> list[Layanan]:
    return list(session.scalars(select(Layanan).where(Layanan.id.in_(ids)).order_by(Layanan.kode)))


def _per_layanan(
    session: DbSession, catalogue: Catalogue, layanan: list[Layanan], span: Span
) -> list[tuple[Layanan, dict[str, IndexResult]]]:
    """Each layanan's results over the period, from the tallies the XLSX rekap sheets use."""
    parts = tallies(session, [x.id for x in layanan], span.months(), per_month=False).split()
    found = []
    for x in layanan:
        part = parts.get(x.id)
        if part is not None and part.total:
            found.append((x, {i.id: part.score(i) for i in catalogue.instruments.values()}))
    return found


def _saran_count(session: DbSession, ids: list[int], span: Span) -> int:
    return int(
        session.scalar(
            select(func.count()).where(counted(ids, span.months()), Submission.saran.is_not(None))
        )
        or 0
    )


def _publications(session: DbSession, unit: Unit, span: Span) -> list[Publikasi]:
    """The unit's publications of exactly this period, oldest first."""
    return list(
        session.scalars(
            select(Publikasi)
            .where(
                Publikasi.unit_id == unit.id,
                Publikasi.dari == span.first,
                Publikasi.sampai == span.last,
            )
            .order_by(Publikasi.dibuat)
        )
    )


def share(part: int, whole: int) -> Fraction | None:
    """``part`` of ``whole`` as an exact fraction (None of nothing)."""
    return Fraction(part, whole) if whole else None


def default_texts(
    unit: Unit, span: Span, data: dashboard.Dashboard, catalogue: Catalogue
) -> dict[str, str]:
    """The defaults of the four free texts, written from the unit and the period's figures."""
    return bawaan.defaults(unit, span, data, catalogue)
