"""The SKM report of a unit and period as a file: gather the content once, lay it out as DOCX
or PDF. Always in Indonesian (an official document), whatever language the person uses."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale

from analysis.periods import Span, label_of, nama_periode
from survey_app.dokumen import pdf, skm, word
from survey_app.dokumen.blok import sanitized
from survey_app.models import Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.laporan.isi import LaporanSKM, gather

FORMATS = ("docx", "pdf")


def file_name(unit: Unit, span: Span, fmt: str) -> str:
    """``laporan-skm-LPS-2026-T4.docx``: codes in file names, as elsewhere."""
    return f"laporan-skm-{unit.kode}-{label_of(span)}.{fmt}"


def write(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    now: datetime,
    fmt: str,
    base_url: str = "",
) -> bytes:
    """The report of ``unit`` over ``span`` as ``fmt`` ("docx" or "pdf"); needs an app
    context. Raises ValueError for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"format laporan {fmt!r}: pilih docx atau pdf")
    return render(gather(session, catalogue, unit, span, now), catalogue, fmt, base_url)


def render(lap: LaporanSKM, catalogue: Catalogue, fmt: str, base_url: str = "") -> bytes:
    """Lay out gathered content (so one gathering can give both files)."""
    with force_locale("id"):
        blocks = [sanitized(b) for b in skm.blocks(lap, catalogue, base_url)]
        title = " ".join(skm.judul(lap)[1:2]) + f" {lap.unit.nama} {nama_periode(lap.span)}"
        if fmt == "docx":
            return word.write(blocks, title, lap.unit.nama)
        return pdf.write(blocks, title, f"Laporan SKM {lap.unit.nama} {nama_periode(lap.span)}")
