"""The tindak lanjut register of a unit (REGULATION §8, issue 17.1): per period, the entries that
answer its weakest unsur (prioritas unsur, program/kegiatan, waktu, penanggung jawab, status,
what was done) with their evidence files; every change audited.

The page proposes the period's unsur from the lowest NRR up, computed by the same tallies as
the dashboard. The previous period's entries (the same length, just before) are what the
report's lampiran and the public page show as "what was planned and done".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from analysis.periods import Span, check_month
from analysis.scoring import ItemScore
from instruments.loader import Instrument
from survey_app.models import TL_STATUS, BuktiTindakLanjut, Layanan, Pengguna, TindakLanjut, Unit
from survey_app.services import DbSession, audit
from survey_app.services.access import subtree_ids
from survey_app.services.catalogue import Catalogue
from survey_app.services.clean import clean_text
from survey_app.services.images import ImageError, reencoded_png
from survey_app.services.reporting.aggregates import tallies
from survey_app.services.reporting.dashboard import previous_span

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_EVIDENCE_FILES = 10
PHOTO_SIDE = 1600
# a private person's details: an NIP, NIK or phone number (8+ digits), or an e-mail address
_PERSONAL = re.compile(r"\d[\d .-]{7,}\d|@")
# a PDF has numbered objects and a cross-reference table or stream, not only its two markers
_PDF_BODY = re.compile(rb"\d+ \d+ obj\b.*?(?:\bxref\b|/XRef\b|\btrailer\b)", re.S)


class FollowUpError(ValueError):
    """An entry or file that cannot be stored; the Indonesian message names the field, and
    ``field`` is the form field it belongs beside."""

    def __init__(self, message: str, field: str = "program") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Priority:
    """An unsur of the period with its exact score (n, NRR, nilai, mutu as ``ItemScore``)."""

    instrument_id: str
    code: str
    label: str
    score: ItemScore


def priorities(session: DbSession, catalogue: Catalogue, unit: Unit, span: Span) -> list[Priority]:
    """The period's scored items of ``unit`` and the units below it, instrument by instrument
    in the catalogue's order (SKM first), each from its lowest NRR up (ties in the item's
    order): REGULATION §8 has the RTL start from the lowest-scoring unsur."""
    ids = [
        i
        for i in session.scalars(
            select(Layanan.id).where(Layanan.unit_id.in_(subtree_ids(session, unit.id)))
        )
    ]
    pooled = tallies(session, ids, span.months(), by="semua", per_month=False)
    found: list[tuple[int, Fraction, int, Priority]] = []
    for rank, instrument in enumerate(catalogue.instruments.values()):
        result = pooled.score(instrument)
        for order, item in enumerate(result.items):
            if item.nrr is None:
                continue
            label = _item_label(instrument, item.code)
            priority = Priority(instrument.id, item.code, label, item)
            found.append((rank, item.nrr, order, priority))
    return [p for *_key, p in sorted(found, key=lambda row: row[:3])]


def lowest_each(priorities: list[Priority], count: int = 3) -> list[Priority]:
    """The ``count`` lowest of each instrument, from :func:`priorities`' order."""
    seen: dict[str, int] = {}
    kept = []
    for priority in priorities:
        seen[priority.instrument_id] = seen.get(priority.instrument_id, 0) + 1
        if seen[priority.instrument_id] <= count:
            kept.append(priority)
    return kept


def _item_label(instrument: Instrument, code: str) -> str:
    """The item's dimension as people name it (``Waktu pelayanan``), in Indonesian."""
    for item in instrument.items:
        if item.code == code:
            return item.dimension.id
    return code


def unsur_labels(catalogue: Catalogue) -> dict[str, str]:
    """``"skm:U3"`` -> ``"U3 · Waktu pelayanan"`` for every scored item."""
    return {
        f"{i.id}:{item.code}": f"{item.code} · {item.dimension.id}"
        for i in catalogue.instruments.values()
        for item in i.items
    }


def entries(session: DbSession, unit: Unit, span: Span) -> list[TindakLanjut]:
    """The register of ``unit`` for exactly ``span``, oldest first."""
    return list(
        session.scalars(
            select(TindakLanjut)
            .where(
                TindakLanjut.unit_id == unit.id,
                TindakLanjut.dari == span.first,
                TindakLanjut.sampai == span.last,
            )
            .order_by(TindakLanjut.id)
        )
    )


def previous_entries(session: DbSession, unit: Unit, span: Span) -> list[TindakLanjut]:
    """The register of the period of the same length just before ``span``."""
    return entries(session, unit, previous_span(span))


@dataclass
class EntryInput:
    """What a person typed for an entry, before it is checked."""

    unsur: str  # "skm:U3"
    program: str
    waktu: str
    penanggung_jawab: str
    status: str = "rencana"
    hasil: str = ""


def _checked(catalogue: Catalogue, typed: EntryInput, span: Span) -> dict[str, Any]:
    instrument_id, _, code = typed.unsur.partition(":")
    instrument = catalogue.instruments.get(instrument_id)
    if instrument is None or code not in {item.code for item in instrument.items}:
        raise FollowUpError("Prioritas unsur: pilih salah satu unsur dari daftar", "unsur")
    program = " ".join(clean_text(typed.program).split())
    if not 5 <= len(program) <= 500:
        raise FollowUpError(
            "Program/kegiatan: 5-500 karakter, misalnya 'Menambah kursi ruang tunggu'"
        )
    waktu = typed.waktu.strip()
    if not _valid_waktu(waktu):
        raise FollowUpError(
            "Waktu: tulis bulan seperti 2026-12 atau tanggal seperti 2026-12-15", "waktu"
        )
    latest = _shift_month(span.last, WAKTU_MONTHS_AFTER)
    if not span.first <= waktu[:7] <= latest:
        raise FollowUpError(
            f"Waktu: antara {span.first} (awal periode yang ditindaklanjuti) dan {latest}",
            "waktu",
        )
    pj = " ".join(clean_text(typed.penanggung_jawab).split())
    if not 3 <= len(pj) <= 200:
        raise FollowUpError(
            "Penanggung jawab: 3-200 karakter, sebuah jabatan, misalnya 'Kepala Subseksi "
            "Registrasi'",
            "penanggung_jawab",
        )
    if _PERSONAL.search(pj):
        raise FollowUpError(
            "Penanggung jawab: tulis jabatannya saja, tanpa NIP, nomor telepon atau surel",
            "penanggung_jawab",
        )
    if typed.status not in TL_STATUS:
        raise FollowUpError("Status: pilih rencana, berjalan atau selesai", "status")
    hasil = clean_text(typed.hasil).strip()
    if len(hasil) > 2000:
        raise FollowUpError("Yang sudah dilakukan: paling banyak 2000 karakter", "hasil")
    if _PERSONAL.search(hasil):  # it is shown on the public page
        raise FollowUpError(
            "Yang sudah dilakukan: tampil di halaman publik, jadi tanpa NIP, NIK, nomor telepon "
            "atau surel",
            "hasil",
        )
    return {
        "instrument_id": instrument_id,
        "unsur": code,
        "program": program,
        "waktu": waktu,
        "penanggung_jawab": pj,
        "status": typed.status,
        "hasil": hasil or None,
    }


WAKTU_MONTHS_AFTER = 24  # a follow-up is planned within two years of the period it answers


def _shift_month(month: str, by: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _valid_waktu(waktu: str) -> bool:
    try:
        if len(waktu) == 7:
            check_month(waktu)
            return True
        if len(waktu) == 10 and waktu.isascii():
            return 2000 <= date.fromisoformat(waktu).year <= 2099
    except ValueError:
        return False
    return False


def _snapshot(entry: TindakLanjut) -> dict[str, Any]:
    return {
        "periode": f"{entry.dari}..{entry.sampai}",
        "unsur": f"{entry.instrument_id}:{entry.unsur}",
        "program": entry.program,
        "waktu": entry.waktu,
        "penanggung_jawab": entry.penanggung_jawab,
        "status": entry.status,
        "hasil": entry.hasil,
    }


def add_entry(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    typed: EntryInput,
    user: Pengguna | None,
    now: datetime,
) -> TindakLanjut:
    """A new entry of ``unit``'s register for ``span``; raises :class:`FollowUpError`."""
    entry = TindakLanjut(
        unit=unit,
        dari=span.first,
        sampai=span.last,
        dibuat=now,
        diubah=now,
        **_checked(catalogue, typed, span),
    )
    session.add(entry)
    session.flush()
    audit.record(session, user, "tl_tambah", "tindak_lanjut", entry.id, None, _snapshot(entry), now)
    return entry


def update_entry(
    session: DbSession,
    catalogue: Catalogue,
    entry: TindakLanjut,
    typed: EntryInput,
    user: Pengguna | None,
    now: datetime,
) -> bool:
    """Change an entry (its status, what was done, ...); returns whether anything changed."""
    values = _checked(catalogue, typed, Span("rentang", entry.dari, entry.sampai))
    before = _snapshot(entry)
    for name, value in values.items():
        setattr(entry, name, value)
    after = _snapshot(entry)
    if after == before:
        return False
    entry.diubah = now
    audit.record(session, user, "tl_ubah", "tindak_lanjut", entry.id, before, after, now)
    return True


def remove_entry(
    session: DbSession, entry: TindakLanjut, user: Pengguna | None, now: datetime
) -> None:
    """Delete an entry and its evidence (the audit log keeps what it said)."""
    audit.record(session, user, "tl_hapus", "tindak_lanjut", entry.id, _snapshot(entry), None, now)
    session.delete(entry)


def _safe_name(filename: str, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", filename.rsplit(".", 1)[0]).strip("-._")[:80]
    return f"{stem or 'bukti'}.{extension}"


def add_evidence(
    session: DbSession,
    entry: TindakLanjut,
    filename: str,
    data: bytes,
    user: Pengguna | None,
    now: datetime,
) -> BuktiTindakLanjut:
    """Attach a photo (PNG or JPEG, drawn again as a PNG of at most 1600 px) or a PDF (kept as
    sent, once it is seen to be a PDF) of at most 5 MB; at most 10 per entry. Raises
    :class:`FollowUpError`."""
    if not data:
        raise FollowUpError("Bukti: berkasnya kosong")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise FollowUpError("Bukti: paling besar 5 MB per berkas")
    if len(entry.bukti) >= MAX_EVIDENCE_FILES:
        raise FollowUpError(f"Bukti: paling banyak {MAX_EVIDENCE_FILES} berkas per kegiatan")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:] or not _PDF_BODY.search(data):
            raise FollowUpError("Bukti: berkas PDF ini terpotong atau rusak; simpan ulang")
        kept, jenis, name = data, "application/pdf", _safe_name(filename, "pdf")
    else:
        try:
            kept = reencoded_png(data, PHOTO_SIDE, "bukti")
        except ImageError as exc:
            raise FollowUpError(
                f"Bukti: {exc}; kirim foto (PNG atau JPEG) atau dokumen PDF"
            ) from exc
        jenis, name = "image/png", _safe_name(filename, "png")
    bukti = BuktiTindakLanjut(
        nama=name,
        jenis=jenis,
        ukuran=len(kept),
        sha256=hashlib.sha256(kept).hexdigest(),
        isi=kept,
        dibuat=now,
    )
    entry.bukti.append(bukti)
    session.flush()
    after = {"bukti": name, "sha256": bukti.sha256}
    audit.record(session, user, "tl_bukti", "tindak_lanjut", entry.id, None, after, now)
    return bukti


def remove_evidence(
    session: DbSession, bukti: BuktiTindakLanjut, user: Pengguna | None, now: datetime
) -> None:
    before = {"bukti": bukti.nama, "sha256": bukti.sha256}
    audit.record(
        session, user, "tl_bukti_hapus", "tindak_lanjut", bukti.tindak_lanjut_id, before, None, now
    )
    session.delete(bukti)
