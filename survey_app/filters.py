"""Template helpers: Indonesian number and date formats, and the language cookie."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Flask, Response, current_app, request
from flask_babel import format_date, format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l

from analysis.mutu import bands
from analysis.periods import ZONES, Span, label_of, span_of
from analysis.sample import FORMULA_NAMES, Rule
from survey_app.services.collection.kuesioner import NOTE, NOTE_UNIT, Catatan
from survey_app.services.publishing.artefacts import left_out_once

# Integrity flags and the reasons for a review decision, as people read them.
REASONS = {
    "beruntun": _l("Banyak kiriman dari satu sumber dalam waktu singkat"),
    "identik": _l("Jawaban identik berulang dalam waktu singkat"),
    "cepat": _l("Diisi lebih cepat dari waktu membaca pertanyaan"),
    "luar_jam": _l("Dikirim di luar jam layanan"),
    "seragam": _l("Semua jawaban bernilai sama"),
    "pengarahan": _l("Responden menyatakan diarahkan petugas"),
    "lainnya": _l("Alasan lain (lihat catatan)"),
}


def angka(value: Decimal | float | int | None, places: int = 2) -> str:
    """87.55 -> '87,55' in Indonesian, '87.55' in English; '-' for no value.

    A figure already rounded to ``places`` (a nilai, a count) is written directly with the
    language's separators: Babel's formatter costs ~50 us a call, a page of 500 units makes
    thousands. Anything else (a float, more decimals, a negative) goes through Babel."""
    if value is None:
        return "-"
    language = str(get_locale() or "id")
    if language in SEPARATORS and _exact(value, places):
        decimal, group = SEPARATORS[language]
        return f"{value:,.{places}f}".translate({44: group, 46: decimal})
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return str(format_decimal(value, format=pattern))


# decimal and group symbols, as Babel's CLDR data has them (tests/web check they agree)
SEPARATORS = {"id": (",", "."), "en": (".", ",")}


def _exact(value: Decimal | float | int, places: int) -> bool:
    """A non-negative int, or a finite Decimal with at most ``places`` decimals: written with
    ``places`` decimals without rounding."""
    if type(value) is int:
        return value >= 0
    if type(value) is Decimal and value.is_finite() and not value.is_signed():
        exponent = value.as_tuple().exponent
        return isinstance(exponent, int) and exponent >= -places
    return False


def tanggal(value: date | str) -> str:
    """31 Januari 2026 (also from an ISO date kept in a snapshot)."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(day, format="d MMMM y"))


def waktu(value: datetime, tz: str) -> str:
    """A moment in the unit's own zone: 12 Jan 2026 09.05."""
    return str(format_datetime(value.astimezone(ZoneInfo(tz)), "d MMM y HH.mm", locale="id"))


def alasan(code: str) -> str:
    """The words for an integrity flag or review reason code."""
    return str(REASONS.get(code, code))


ACTIONS = {
    "akun_dibuat": _l("Akun dibuat"),
    "akun_diubah": _l("Akun diubah"),
    "akun_dinonaktifkan": _l("Akun dinonaktifkan"),
    "akun_diaktifkan": _l("Akun diaktifkan"),
    "tautan_sandi": _l("Tautan kata sandi dibuat"),
    "sandi_diatur_ulang": _l("Kata sandi diatur lewat tautan"),
    "sandi_diganti": _l("Kata sandi diganti pemiliknya"),
    "tunggu_dihapus": _l("Penundaan masuk dihapus"),
    "tambah": _l("Ditambahkan"),
    "ubah": _l("Diubah"),
    "simpan": _l("Disimpan"),
    "tutup": _l("Ditutup"),
    "buka": _l("Dibuka kembali"),
    "impor": _l("Diimpor dari berkas"),
    "tl_tambah": _l("Tindak lanjut ditambahkan"),
    "tl_ubah": _l("Tindak lanjut diubah"),
    "tl_hapus": _l("Tindak lanjut dihapus"),
    "tl_bukti": _l("Bukti ditambahkan"),
    "tl_bukti_hapus": _l("Bukti dihapus"),
    "kode_kiosk": _l("Kode pemasangan kios dibuat"),
    "pasang_kiosk": _l("Kios dipasangkan"),
    "cabut_kiosk": _l("Pemasangan kios dicabut"),
    "pilih_kuesioner": _l("Kuesioner layanan diganti"),
    "versi_baru": _l("Versi kuesioner baru"),
    "ganti_nama": _l("Varian kuesioner diganti nama"),
    "pensiun": _l("Varian kuesioner dipensiunkan"),
    "aktif_lagi": _l("Varian kuesioner diaktifkan lagi"),
}
AUDIT_FIELDS = {
    "role": _l("peran"),
    "unit": _l("unit"),
    "email": _l("surel"),
    "aktif": _l("status"),
    "berlaku_sampai": _l("berlaku sampai"),
    "nama": _l("nama"),
    "jenis": _l("jenis"),
    "induk": _l("induk"),
    "timezone": _l("zona waktu"),
    "zona": _l("zona waktu"),
    "jam_buka": _l("jam buka"),
    "jam_tutup": _l("jam tutup"),
    "kepala": _l("kepala unit"),
    "nip_kepala": _l("NIP kepala"),
    "kiosk_wajah": _l("wajah di kios"),
    "dipasang": _l("dipasangkan"),
    "dicabut": _l("dicabut"),
    "kuesioner": _l("Kuesioner"),
    "kuesioner_varian_id": _l("Kuesioner"),
}
ROLE_WORDS = {
    "admin": _l("Admin pusat"),
    "unit_admin": _l("Admin unit"),
    "viewer": _l("Pembaca (hanya melihat)"),
    "petugas": _l("Petugas loket (hanya tiket)"),
}


def kolom_audit(key: str) -> str:
    """The words for a field named in an audit entry."""
    return str(AUDIT_FIELDS.get(key, key))


def nilai_audit(value: object, key: str, tz: str) -> str:
    """An audited value as people read it: '-' for none, ya/tidak, a role's name, WIB for
    Asia/Jakarta, a stored moment in ``tz``; anything else as text."""
    if key in ("kuesioner", "kuesioner_varian_id"):
        return _questionnaire(value)
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        if key == "aktif":
            return str(_l("aktif") if value else _l("nonaktif"))
        return str(_l("ya") if value else _l("tidak"))
    if key == "role":
        return str(ROLE_WORDS.get(str(value), value))
    if isinstance(value, str) and value in ZONES:
        return ZONES[value]
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return f"{waktu(datetime.fromisoformat(value), tz)} {ZONES.get(tz, tz)}"
        except ValueError:
            return value
    if isinstance(value, (list, dict)):
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


UNIT_KINDS = {
    "kementerian": _l("Kementerian"),
    "eselon1": _l("Eselon I"),
    "kanwil": _l("Kanwil"),
    "upt": _l("UPT"),
}


def jenis(code: str) -> str:
    """The words for a unit kind: Kementerian, Eselon I, Kanwil, UPT."""
    return str(UNIT_KINDS.get(code, code))


ROMAN = ("I", "II", "III", "IV")


def _month_name(month: str) -> str:
    return str(format_date(date(int(month[:4]), int(month[5:7]), 1), format="MMMM y"))


def periode_filter(span_: Span) -> str:
    return periode(span_)


def periode(span_: Span | str) -> str:
    """A period as people read it: November 2026, Triwulan IV 2026, Semester II 2026,
    Tahun 2026, or Januari 2026 – Maret 2026 for a custom range (a month: ``2026-11``)."""
    if isinstance(span_, str):
        return _month_name(span_)
    year = span_.first[:4]
    number = (int(span_.first[5:7]) - 1) // {"triwulan": 3, "semester": 6}.get(span_.kind, 12)
    if span_.kind == "bulan":
        return _month_name(span_.first)
    if span_.kind == "triwulan":
        return str(_l("Triwulan %(n)s %(tahun)s", n=ROMAN[number], tahun=year))
    if span_.kind == "semester":
        return str(_l("Semester %(n)s %(tahun)s", n=ROMAN[number], tahun=year))
    if span_.kind == "tahun":
        return str(_l("Tahun %(tahun)s", tahun=year))
    return f"{_month_name(span_.first)} – {_month_name(span_.last)}"


def bulan(month: str) -> str:
    """A month code as people read it: ``2026-10`` -> Oktober 2026 (:func:`periode`)."""
    return periode(Span("bulan", month, month))


def aturan(rule: Rule) -> str:
    """A unit's minimum rule by name (REGULATION §3): "tetap (30/15)" or "sampel
    Krejcie-Morgan"."""
    if rule.aturan == "sampel":
        return str(_l("sampel %(rumus)s", rumus=rule.rumus_nama))
    return str(_l("tetap (30/15)"))


def rumus(code: str) -> str:
    """A sample formula's name: Krejcie-Morgan or Slovin."""
    return FORMULA_NAMES.get(code, code)


def groupby_unit(rows: list[Any]) -> list[tuple[Any, list[Any]]]:
    """Rows of layanan figures grouped by their unit, in their order."""
    groups: list[tuple[Any, list[Any]]] = []
    for row in rows:
        if not groups or groups[-1][0].id != row.layanan.unit_id:
            groups.append((row.layanan.unit, []))
        groups[-1][1].append(row)
    return groups


TL_STATUS = {"rencana": _l("Rencana"), "berjalan": _l("Berjalan"), "selesai": _l("Selesai")}


def status_tl(code: str) -> str:
    """The words for a follow-up entry's status."""
    return str(TL_STATUS.get(code, code))


def _questionnaire(value: object) -> str:
    """A layanan's questionnaire in its history: "varian Kunjungan versi 2", the shipped base
    for none, or an older entry's bare variant number."""
    if isinstance(value, dict):
        return str(
            _l("varian %(nama)s versi %(n)s", nama=value.get("varian"), n=value.get("versi"))
        )
    if value is None or value == "":
        return str(_l("bawaan (berkas resmi)"))
    return str(_l("varian nomor %(id)s", id=value))


def tindakan(code: str) -> str:
    """The words for an audit action code (the code itself when it has none yet)."""
    return str(ACTIONS.get(code, code))


def zona(tz: str) -> str:
    """WIB, WITA or WIT for a zone name (the name itself for another zone)."""
    return ZONES.get(tz, tz)


def query_args(*names: str) -> dict[str, str]:
    """The named query parameters of this request, to carry into a link (``**query_args(...)``).

    Only those named: passing all of ``request.args`` let ``?kode=X`` collide with a route's
    own argument (a 500).
    """
    return {name: request.args[name] for name in names if name in request.args}


def kinerja(text: str | None) -> str:
    """A kinerja ("Baik": a band's Indonesian word, as results and published snapshots keep
    it) in the reader's language: "Good" in English. Every page printing a mutu's kinerja
    goes through here, so an English page never says "B · Baik"."""
    if not text:
        return "-"
    if str(get_locale() or "id") == "en":
        return next((b.kinerja_en for b in bands() if b.kinerja == text), text)
    return text


def pilihan(text: str, key: str) -> str:
    """A published profile answer ("Perempuan", frozen in Indonesian) in the reader's
    language, from the profile questions' own wording."""
    if str(get_locale() or "id") != "en":
        return text
    for question in current_app.extensions["zisurvey.catalogue"].profile:
        if question.key == key:
            for choice in question.choices:
                if choice.text.id == text:
                    return choice.text.en
    return text


def snapshot_period(periode: dict[str, str]) -> str:
    """The period of a snapshot as people read it (Triwulan IV 2026 / Quarter IV 2026)."""
    try:
        return periode_filter(Span(periode["jenis"], periode["dari"], periode["sampai"]))
    except (KeyError, ValueError, TypeError):
        return str(periode.get("label", ""))


def waktu_tl(value: str) -> str:
    """A follow-up's waktu as people read it: 2026-12 is "Desember 2026", 2026-12-15 is
    "15 Desember 2026"."""
    try:
        if len(value) == 7:
            return _month_name(value)
        return tanggal(value)
    except (ValueError, TypeError):
        return value


def label_periode(label: str) -> str:
    """A period code (2026-T4, as in a job's record) as people read it."""
    try:
        return periode(span_of(label))
    except ValueError:
        return label


def periode_query(span_: Span) -> dict[str, str]:
    """The query of a link to the same period: ``periode=2026-T4`` (or a range's label)."""
    return {"periode": label_of(span_)}


def b64(data: bytes) -> str:
    """Bytes as base64 text, for a data: URI (an image inside a page made into a PDF)."""
    return base64.b64encode(data).decode("ascii")


def butir_unik(items: Any) -> list[dict[str, Any]]:
    """Left-out items once per index, code and reason, with their layanan: see
    :func:`left_out_once`."""
    return left_out_once(items)


def kalimat(note: Catatan) -> str:
    """A left-out item's note (docs/kuesioner.md §4) in the page's language: the sentence the
    rekap and the SKM report print, translated on an English page (the reason as typed)."""
    language = str(get_locale() or "id")
    return note.kalimat(gettext(NOTE), language, gettext("dan"), gettext(NOTE_UNIT))


def register(app: Flask) -> None:
    app.jinja_env.filters["kalimat"] = kalimat
    app.jinja_env.filters["butir_unik"] = butir_unik
    app.jinja_env.filters["b64"] = b64
    app.jinja_env.filters["waktu_tl"] = waktu_tl
    app.jinja_env.filters["periode_query"] = periode_query
    app.jinja_env.filters["label_periode"] = label_periode
    app.jinja_env.filters["kinerja"] = kinerja
    app.jinja_env.filters["pilihan"] = pilihan
    app.jinja_env.filters["periode_publikasi"] = snapshot_period
    app.jinja_env.filters["alasan"] = alasan
    app.jinja_env.filters["tindakan"] = tindakan
    app.jinja_env.filters["jenis"] = jenis
    app.jinja_env.filters["periode"] = periode
    app.jinja_env.filters["bulan"] = bulan
    app.jinja_env.filters["aturan"] = aturan
    app.jinja_env.filters["groupby_unit"] = groupby_unit
    app.jinja_env.filters["rumus"] = rumus
    app.jinja_env.filters["status_tl"] = status_tl
    app.jinja_env.filters["kolom_audit"] = kolom_audit
    app.jinja_env.filters["nilai_audit"] = nilai_audit
    app.jinja_env.filters["zona"] = zona
    app.jinja_env.filters["waktu"] = waktu
    app.jinja_env.filters["angka"] = angka
    app.jinja_env.filters["tanggal"] = tanggal
    app.jinja_env.globals["current_language"] = lambda: str(get_locale() or "id")
    app.jinja_env.globals["query_args"] = query_args

    @app.after_request
    def remember_language(response: Response) -> Response:
        chosen = request.args.get("lang")
        if chosen and chosen in app.config["LANGUAGES"]:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response
