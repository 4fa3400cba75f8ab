"""The LKE evidence pack of a unit and period (REGULATION §8; data dukung handed in every
triwulan): one ZIP with the SKM report (PDF and DOCX), the period's publication artefacts, the
follow-up report with its evidence files, the monthly XLSX rekaps, and ``manifest.csv`` naming
each file, its SHA-256 and the LKE item it supports."""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import force_locale

from analysis.periods import Span, label_of, nama_bulan, nama_periode, period_of
from survey_app import alamat, filters
from survey_app.dokumen import laporan, pdf, skm, word
from survey_app.dokumen.blok import sanitized
from survey_app.models import Publikasi, Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.submissions import unit_minutes
from survey_app.services.laporan.isi import gather
from survey_app.services.publishing import artefacts, publications
from survey_app.services.reporting.jobs import write_rekap

SURVEI = "Survei dilakukan (laporan SKM sesuai PermenPANRB 14/2017)"
PUBLIKASI = "Hasil survei dipublikasikan"
TINDAK_LANJUT = "Tindak lanjut hasil survei"
STEPS = 6


@dataclass(frozen=True)
class Berkas:
    """One file of the pack and what it proves."""

    nama: str  # path inside the ZIP
    isi: bytes
    butir: str  # the LKE item
    keterangan: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.isi).hexdigest()


def file_name(unit: Unit, span: Span) -> str:
    return f"bukti-lke-skm-{unit.kode}-{label_of(span)}.zip"


def write(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    now: datetime,
    base_url: str = "",
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> bytes:
    """The ZIP (bytes). Needs a request context (artefacts print the survey's address)."""
    files = collect(session, catalogue, unit, span, now, base_url, progress)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pack:
        for berkas in files:
            pack.writestr(berkas.nama, berkas.isi)
        pack.writestr("manifest.csv", manifest(files))
    progress(STEPS, STEPS)
    return out.getvalue()


def collect(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    now: datetime,
    base_url: str,
    progress: Callable[[int, int], None],
) -> list[Berkas]:
    """Every file of the pack, in the manifest's order."""
    progress(0, STEPS)
    lap = gather(session, catalogue, unit, span, now)
    periode = nama_periode(span)
    files = []
    for step, fmt in enumerate(laporan.FORMATS, 1):
        body = laporan.render(lap, catalogue, fmt, base_url)
        name = f"1-laporan-skm/{laporan.file_name(unit, span, fmt)}"
        files.append(Berkas(name, body, SURVEI, f"Laporan SKM {periode} ({fmt.upper()})"))
        progress(step, STEPS)
    files += _rekaps(session, catalogue, unit, span, now)
    progress(3, STEPS)
    files += _publication(session, catalogue, unit, span)
    progress(4, STEPS)
    with force_locale("id"):
        blocks = [sanitized(b) for b in skm.follow_up_blocks(lap)]
        title = f"Laporan Tindak Lanjut SKM {unit.nama} {periode}"
        stem = f"3-tindak-lanjut/laporan-tindak-lanjut-{unit.kode}-{label_of(span)}"
        about = f"Laporan tindak lanjut atas hasil {nama_periode(lap.sebelumnya)}"
        files.append(Berkas(f"{stem}.pdf", pdf.write(blocks, title, title), TINDAK_LANJUT, about))
        files.append(Berkas(f"{stem}.docx", word.write(blocks, title, unit.nama), TINDAK_LANJUT,
                            "Laporan tindak lanjut (DOCX, dapat diubah)"))  # fmt: skip
    for number, entry in enumerate(lap.tindak_lanjut_sebelumnya, 1):
        for index, bukti in enumerate(entry.bukti, 1):  # numbered: two "bukti.png" never clash
            name = f"3-tindak-lanjut/bukti/{number:02d}-{index:02d}-{bukti.nama}"
            files.append(Berkas(name, bukti.isi, TINDAK_LANJUT,
                                f"Bukti tindak lanjut {number}: {entry.program[:80]}"))  # fmt: skip
    progress(5, STEPS)
    return files


def _rekaps(
    session: DbSession, catalogue: Catalogue, unit: Unit, span: Span, now: datetime
) -> list[Berkas]:
    """One XLSX rekap per month of the period that has begun in the unit's zone."""
    found = []
    started = period_of(now, unit.timezone)
    for month in [m for m in span.months() if m <= started]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "rekap.xlsx"
            month_span = Span("bulan", month, month)
            write_rekap(session, catalogue, unit, month_span, path, mask=skm.masked)
            body = path.read_bytes()
        name = f"1-laporan-skm/rekap-bulanan/rekap-{unit.kode}-{month}.xlsx"
        found.append(Berkas(name, body, SURVEI, f"Rekap XLSX {nama_bulan(month)}"))
    return found


def _publication(session: DbSession, catalogue: Catalogue, unit: Unit, span: Span) -> list[Berkas]:
    """The artefacts of the period's current publication (none when it is not published)."""
    shown: Publikasi | None = next(
        (
            p
            for p in publications.current(publications.publications(session, unit))
            if p.dari == span.first and p.sampai == span.last
        ),
        None,
    )
    if shown is None:
        return []
    page = alamat.address("hasil.show", kode=unit.kode, periode=shown.label)
    minutes = unit_minutes(catalogue, unit)
    survey = alamat.survey_url(unit)
    text = artefacts.content(shown.data, survey, filters.tanggal, unit.logo, minutes)
    found = [
        Berkas("2-publikasi/halaman-hasil.txt", f"{page}\n".encode(), PUBLIKASI,
               "Alamat halaman hasil yang terbuka untuk umum"),
    ]  # fmt: skip
    for name in artefacts.FILES:
        about = f"Publikasi {filters.tanggal(shown.dibuat.date())}: {name}"
        body = artefacts.draw(text, name)
        found.append(
            Berkas(f"2-publikasi/{unit.kode}-{shown.label}-{name}", body, PUBLIKASI, about)
        )
    return found


def manifest(files: list[Berkas]) -> bytes:
    """``manifest.csv``: berkas, sha256, ukuran (bytes), butir LKE, keterangan (UTF-8 with a BOM
    so Excel shows it right)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["berkas", "sha256", "ukuran_byte", "butir_lke", "keterangan"])
    for berkas in files:
        writer.writerow([berkas.nama, berkas.sha256, len(berkas.isi), berkas.butir,
                         berkas.keterangan])  # fmt: skip
    missing = {SURVEI, PUBLIKASI, TINDAK_LANJUT} - {b.butir for b in files}
    for butir in sorted(missing):
        writer.writerow(["", "", "", butir, "Belum ada berkas untuk butir ini pada periode ini"])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
