"""The SKM report as blocks, in the structure of REGULATION §8 (the de-facto national template):
sampul; kata pengantar; daftar isi; BAB I Pendahuluan; BAB II Pengumpulan Data; BAB III Hasil;
BAB IV Analisis (with the Rencana Tindak Lanjut and the trend); BAB V Kesimpulan with the
signature; lampiran (kuesioner, hasil olah data, dokumentasi publikasi, laporan tindak lanjut
periode sebelumnya). The report is an official document: always in Indonesian."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.exact import angka_id, round_half_up
from analysis.periods import nama_bulan, nama_periode, nama_tanggal
from analysis.scoring import IndexResult
from instruments import Instrument, apply_variant, extras
from survey_app import charts, filters
from survey_app.dokumen.blok import (
    Blok,
    Daftar,
    DaftarIsi,
    Gambar,
    Grafik,
    Judul,
    Paragraf,
    Sampul,
    Tabel,
    TandaTangan,
)
from survey_app.models import KuesionerVersi, TindakLanjut
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.kuesioner import and_list, notes, variant_of
from survey_app.services.laporan.isi import LaporanSKM, share

KANAL = {
    "qr": "Formulir daring (pindai kode QR di loket atau tautan)",
    "tiket": "Tiket sekali pakai dari petugas loket",
    "kiosk": "Kios survei (tablet di loket, satu pertanyaan per layar)",
    "unggahan": "Unggahan berkas (jawaban yang dikumpulkan di luar aplikasi)",
}
DASAR_HUKUM = [
    "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik;",
    "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 "
    "Tahun 2009 tentang Pelayanan Publik;",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun "
    "2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan "
    "Publik;",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 90 Tahun "
    "2021 tentang Pembangunan dan Evaluasi Zona Integritas Menuju Wilayah Bebas dari Korupsi "
    "dan Wilayah Birokrasi Bersih dan Melayani di Instansi Pemerintah.",
]
TUJUAN = [
    "mengetahui tingkat kepuasan pengguna layanan atas setiap unsur pelayanan;",
    "mengetahui unsur pelayanan yang masih lemah dan yang sudah baik;",
    "menjadi dasar rencana tindak lanjut perbaikan pelayanan;",
    "menyediakan bukti dukung hasil survei bagi evaluasi Zona Integritas.",
]
# a person's details a respondent may have typed: a run of 8 or more digits, perhaps split by
# spaces, dots, dashes or a bracketed area code (NIK, mobile or landline), or an e-mail
_NUMBER = re.compile(r"\+?\(?\d[\d ().-]*\d")
_EMAIL = re.compile(r"\S+@\S+")
PERSONAL_DIGITS = 8  # a price (Rp 1.500.000) has 7: kept; a phone has 10 or more


def blocks(lap: LaporanSKM, catalogue: Catalogue, base_url: str = "") -> list[Blok]:
    """Every block of the report of ``lap``, in order. ``base_url`` prefixes the addresses of
    the public pages named in the lampiran (the path alone when empty)."""
    return numbered(_blocks(lap, catalogue, base_url))


_CAPTION = re.compile(r"^Tabel [\dL]+\.\d+ ")
_CHAPTER = re.compile(r"^(?:BAB (I|II|III|IV|V)|LAMPIRAN (\d+)) ")
ROMAN_NUMBERS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


def numbered(blocks: list[Blok]) -> list[Blok]:
    """Tables numbered in order within their chapter (Tabel 3.1, 3.2 ...; L4.1 in Lampiran 4),
    whatever the period holds, so no number is used twice."""
    chapter, count, out = "", 0, []
    for block in blocks:
        if isinstance(block, Judul) and block.level == 1:
            found = _CHAPTER.match(block.teks)
            if found:
                roman, appendix = found.groups()
                chapter = str(ROMAN_NUMBERS[roman]) if roman else f"L{appendix}"
                count = 0
        if isinstance(block, Tabel) and block.judul and _CAPTION.match(block.judul):
            count += 1
            block = replace(block, judul=_CAPTION.sub(f"Tabel {chapter}.{count} ", block.judul))
        out.append(block)
    return out


def _blocks(lap: LaporanSKM, catalogue: Catalogue, base_url: str) -> list[Blok]:
    return [
        *_cover(lap),
        Judul("KATA PENGANTAR"),
        *_paragraphs(lap.teks["pengantar"]),
        Judul("DAFTAR ISI"),
        DaftarIsi(),
        *_bab_1(lap),
        *_bab_2(lap, catalogue),
        *_bab_3(lap, catalogue),
        *_bab_4(lap),
        Judul("BAB V KESIMPULAN"),
        *_paragraphs(lap.teks["kesimpulan"]),
        _signature(lap),
        *_lampiran(lap, catalogue, base_url),
    ]


def judul(lap: LaporanSKM) -> list[str]:
    """The title lines: SKM, and each other survey the period collected (IPAK, IPKP)."""
    lines = ["LAPORAN", "SURVEI KEPUASAN MASYARAKAT (SKM)"]
    for i in lap.instruments:
        if i.index != "IKM":
            lines.append(f"DAN {i.title.id.upper()} ({i.index})")
    return lines


def _cover(lap: LaporanSKM) -> list[Blok]:
    place = (lap.unit.kota or "").upper()
    return [
        Sampul(
            judul=judul(lap),
            unit=lap.unit.nama.upper(),
            periode=_periode_sampul(lap),
            tempat_tahun="\n".join(x for x in (place, str(lap.tanggal.year)) if x),
            logo=lap.unit.logo,
        )
    ]


def _periode_sampul(lap: LaporanSKM) -> str:
    text = nama_periode(lap.span).upper()
    if lap.berjalan:
        text += f" (SEMENTARA s.d. {nama_tanggal(lap.berjalan).upper()})"
    return text


def _paragraphs(text: str, gaya: str = "biasa") -> list[Blok]:
    return [Paragraf(line.strip(), gaya) for line in text.split("\n") if line.strip()]


def _bab_1(lap: LaporanSKM) -> list[Blok]:
    return [
        Judul("BAB I PENDAHULUAN"),
        Judul("A. Latar Belakang", 2, False),
        *_paragraphs(lap.teks["latar_belakang"]),
        Judul("B. Dasar Hukum", 2, False),
        Daftar(DASAR_HUKUM),
        Judul("C. Maksud dan Tujuan", 2, False),
        Paragraf(
            f"Survei dimaksudkan untuk mengukur kepuasan pengguna layanan {lap.unit.nama} "
            f"pada {nama_periode(lap.span)}, dengan tujuan:"
        ),
        Daftar(TUJUAN),
        Judul("D. Tim Pelaksana", 2, False),
        *_paragraphs(lap.teks["tim"]),
    ]


def _bab_2(lap: LaporanSKM, catalogue: Catalogue) -> list[Blok]:
    total = sum(k.n for k in lap.kanal)
    rows = [[KANAL.get(k.kode, k.kode), str(k.n), _persen(share(k.n, total))] for k in lap.kanal]
    rows.append(["Jumlah", str(total), _persen(share(total, total))])
    span = lap.span
    return [
        Judul("BAB II PENGUMPULAN DATA"),
        Judul("A. Metode dan Saluran", 2, False),
        Paragraf(
            "Data dikumpulkan dengan kuesioner tanpa nama (anonim) yang diisi sendiri oleh "
            "pengguna layanan setelah menerima layanan. Setiap pertanyaan dijawab pada skala 1 "
            "sampai 4 (4 terbaik). Identitas responden tidak dicatat; profil (umur, jenis "
            "kelamin, pendidikan, pekerjaan) bersifat pilihan."
        ),
        Tabel(
            ["Saluran", "Responden", "Persentase"],
            rows,
            frozenset({1, 2}),
            "Tabel 2.1 Responden menurut saluran",
            [0.6, 0.2, 0.2],
            tebal_akhir=True,
        ),
        Judul("B. Waktu Pelaksanaan", 2, False),
        Paragraf(
            f"Pengumpulan data dilaksanakan pada {nama_tanggal(span.start_date)} sampai "
            f"dengan {nama_tanggal(span.end_date)} ({nama_periode(span)})."
            if lap.berjalan is None
            else f"Pengumpulan data {nama_periode(span)} dimulai {nama_tanggal(span.start_date)}"
            f" dan masih berjalan: laporan ini memuat jawaban sampai dengan "
            f"{nama_tanggal(lap.berjalan)} dan bersifat sementara."
        ),
        Judul("C. Populasi dan Sampel", 2, False),
        *_sample(lap),
        Judul("D. Kuesioner", 2, False),
        Paragraf(
            "Kuesioner memuat "
            + ", ".join(f"{len(i.items)} {_unsur_word(i)} {i.index}" for i in lap.instruments)
            + ", sesuai instrumen yang ditetapkan; isi lengkapnya pada Lampiran 1."
            if lap.instruments
            else "Kuesioner sesuai instrumen yang ditetapkan; isi lengkapnya pada Lampiran 1."
        ),
    ]


STATUS = {"memenuhi": "memenuhi", "berjalan": "bulan berjalan", "tidak_dinilai": "tidak dinilai"}


def _sample(lap: LaporanSKM) -> list[Blok]:
    """Population and sample per layanan and month against each unit's rule (REGULATION §3),
    from the code the dashboard judges with: months not begun never appear, the running
    month is "berjalan", a layanan counts only in the months it was open."""
    found: list[Blok] = [
        Paragraf(
            "Populasi adalah pengguna layanan pada periode survei. Setiap bulan, setiap layanan "
            "yang buka harus memperoleh jumlah responden menurut aturan minimal unitnya: aturan "
            "tetap (30 responden untuk layanan kebutuhan utama dan 15 untuk layanan lain), atau "
            "aturan sampel (Krejcie-Morgan atau Slovin) dari jumlah orang yang dilayani."
        )
    ]
    rows, several = [], len(lap.kepatuhan) > 1
    for judged in lap.kepatuhan:
        for row in judged.rows():
            name = lap.nama_layanan.get(str(row.layanan.id), row.layanan.nama)
            for month in judged.months:
                count = row.cells.get(month.period)
                if count is not None:
                    rows.append(_sample_row(month, name, count))
        period = judged.period
        line = (f"{judged.unit.nama}: " if several else "") + (
            f"aturan minimal {_rule_words(judged)}; {period.met} dari {len(period.judged)} "
            "bulan memenuhi."
        )
        if period.running is not None:
            line += f" {nama_bulan(period.running.period)} masih berjalan."
        found.append(Paragraf(line))
    if rows:
        header = ["Bulan", "Layanan", "Dilayani (N)", "Target", "Responden", "Status"]
        found.append(
            Tabel(header, rows, frozenset({2, 3, 4}), "Tabel 2.2 Populasi dan sampel per layanan",
                  [0.14, 0.34, 0.12, 0.1, 0.12, 0.18])
        )  # fmt: skip
    return found


def _sample_row(month: Any, name: str, count: Any) -> list[str]:
    need = count.requirement
    if month.status in ("memenuhi", "kurang"):
        status = "memenuhi" if count.memenuhi else f"kurang {count.kurang}"
    else:
        status = STATUS.get(month.status, month.status)
    if need.aturan != need.diminta:
        status += " (aturan tetap: jumlah dilayani belum diisi)"
    return [nama_bulan(month.period), name, "-" if need.dilayani is None else str(need.dilayani),
            str(count.minimum), str(count.n), status]  # fmt: skip


def _rule_words(judged: Any) -> str:
    rule = judged.rule
    if rule.aturan == "sampel":
        return f"sampel {rule.rumus_nama} dari jumlah orang dilayani"
    return "tetap (30/15 per bulan)"


def _unsur_word(instrument: Instrument) -> str:
    return "unsur" if instrument.index == "IKM" else "indikator"


def _bab_3(lap: LaporanSKM, catalogue: Catalogue) -> list[Blok]:
    found: list[Blok] = [Judul("BAB III HASIL"), Judul("A. Responden", 2, False)]
    found += _respondents(lap)
    letter = ord("B")
    for instrument in lap.instruments:
        found.append(Judul(f"{chr(letter)}. {_result_title(instrument)}", 2, False))
        found += _items_table(
            instrument, lap.result(instrument.id), _split(lap, catalogue, instrument)
        )
        found += _left_out(instrument, lap)
        letter += 1
    if lap.per_layanan:
        found.append(Judul(f"{chr(letter)}. Nilai per Layanan", 2, False))
        found.append(_per_layanan(lap))
        letter += 1
    found.append(Judul(f"{chr(letter)}. Jawaban yang Dikecualikan", 2, False))
    found += _excluded(lap)
    return found


def _result_title(instrument: Instrument) -> str:
    if instrument.index == "IKM":
        return "Nilai per Unsur dan Indeks Kepuasan Masyarakat (IKM)"
    return _title(instrument)


def _respondents(lap: LaporanSKM) -> list[Blok]:
    n = lap.data.respondents
    found: list[Blok] = [
        Paragraf(f"Jumlah responden yang dihitung pada {nama_periode(lap.span)} adalah {n} orang.")
    ]
    rows = [
        [lap.nama_layanan[str(x.id)], str(lap.data.per_layanan.get(x.id, 0))] for x in lap.layanan
    ]
    if rows:
        found.append(Tabel(["Layanan", "Responden"], rows, frozenset({1}),
                           "Tabel 3.1 Responden per layanan", [0.75, 0.25]))  # fmt: skip
    number = 2
    for question, counts in lap.data.profile.items():
        answered = sum(counts.values())
        body = [[value, str(c), _persen(share(c, n))] for value, c in counts.items()]
        body.append(["Tidak menjawab", str(n - answered), _persen(share(n - answered, n))])
        found.append(Tabel([question, "Jumlah", "Persentase"], body, frozenset({1, 2}),
                           f"Tabel 3.{number} Responden menurut {question.lower()}",
                           [0.6, 0.2, 0.2]))  # fmt: skip
        number += 1
    return found


def _split(lap: LaporanSKM, catalogue: Catalogue, instrument: Instrument) -> list[str]:
    """The codes of ``instrument`` asked in sub-questions by a version answered in the period."""
    found = {
        code
        for versi in lap.data.versi
        for code, change in variant_of(versi, catalogue.instruments).changes(instrument.id).items()
        if change.sub
    }
    return [code for code in instrument.codes if code in found]


def _jumlah(total: Fraction, n: int) -> str:
    """A "Jumlah nilai": whole as it is; a sum of sub-answer means (docs/kuesioner.md §4) with
    the fewest decimals (at least 2) that give back the printed NRR as jumlah / n."""
    if total.denominator == 1:
        return angka_id(total, 0)
    nrr = round_half_up(total / n, 4)
    places = next(
        (p for p in range(2, 8) if round_half_up(round_half_up(total, p) / n, 4) == nrr), 8
    )
    return angka_id(total, places)


def _items_table(
    instrument: Instrument, result: IndexResult, split: list[str] | None = None
) -> list[Blok]:
    rows = [
        [x.code, instrument.item(x.code).dimension.id, str(x.n), _jumlah(x.total, x.n),
         angka_id(x.nrr_rounded, 4), angka_id(result.nrr_tertimbang(x.code), 4)]
        for x in result.items
    ]  # fmt: skip
    rows.append(["", "Indeks (jumlah NRR tertimbang)", "", "", "", angka_id(result.indeks, 4)])
    rows.append(["", f"Nilai {instrument.index} (indeks x 25)", "", "", "",
                 angka_id(result.nilai)])  # fmt: skip
    mutu = result.mutu
    rows.append(["", "Mutu pelayanan (kinerja)", "", "", "",
                 f"{mutu.mutu} ({mutu.kinerja})" if mutu else "-"])  # fmt: skip
    word = _unsur_word(instrument).capitalize()
    return [
        Tabel(["Kode", word, "n", "Jumlah nilai", "NRR", "NRR tertimbang"], rows,
              frozenset({2, 3, 4, 5}), f"NRR per {word.lower()} {instrument.index}, "
              f"n = {result.n}", [0.08, 0.42, 0.08, 0.14, 0.13, 0.15], tebal_akhir=True),
        Paragraf(
            f"NRR = jumlah nilai / jumlah responden yang menjawab; NRR tertimbang = NRR x 1/k "
            f"(k = {len(result.answered_items)} {word.lower()} yang dijawab); nilai = indeks "
            "x 25. Dihitung eksak, dibulatkan setengah ke atas hanya pada hasil (PermenPANRB "
            "14/2017)." + (
                f" {and_list(split)} ditanyakan dalam beberapa sub-pertanyaan: nilai seorang "
                "responden untuk butir itu adalah rata-rata jawaban sub-pertanyaannya, sehingga "
                "jumlah nilainya dapat berpecahan." if split else ""
            ),
            "kecil",
        ),
    ]  # fmt: skip


def _left_out(instrument: Instrument, lap: LaporanSKM) -> list[Blok]:
    """Which items a variant left out, why, and for which layanan (docs/kuesioner.md §4): the
    notes every report prints (:func:`notes`)."""
    gone = notes(lap.data.dihilangkan, {instrument.id: instrument}, units=bool(lap.data.children))
    if not gone:
        return []
    word = _unsur_word(instrument)
    return [
        Paragraf(
            f"{word.capitalize()} yang tidak ditanyakan: "
            f"{'; '.join(x.kalimat().rstrip('.') for x in gone)}. Indeks memakai {word} yang "
            "dijawab dengan bobot 1/k.",
            "kecil",
        )
    ]


def _per_layanan(lap: LaporanSKM) -> Tabel:
    instruments = lap.instruments
    rows = []
    for x, results in lap.per_layanan:
        row = [lap.nama_layanan[str(x.id)], str(max((r.n for r in results.values()), default=0))]
        for i in instruments:
            r = results[i.id]
            row.append(f"{angka_id(r.nilai)} ({r.mutu.mutu})" if r.n and r.mutu else "-")
        rows.append(row)
    return Tabel(["Layanan", "n", *[i.index for i in instruments]], rows,
                 frozenset(range(1, len(instruments) + 2)),
                 "Tabel 3.5 Nilai dan mutu per layanan")  # fmt: skip


def _excluded(lap: LaporanSKM) -> list[Blok]:
    report = lap.integritas
    rows = [
        ["Jawaban masuk", str(report.total)],
        ["Melalui tiket sekali pakai", str(report.via_ticket)],
        ["Ditandai untuk ditinjau", str(report.flagged_any)],
        ["Dikecualikan dari perhitungan", str(report.excluded_total)],
        *[[f"    {filters.alasan(reason)}", str(n)] for reason, n in report.excluded.items()],
        ["Dihitung dalam indeks", str(report.counted)],
    ]
    return [
        Paragraf(
            "Jawaban yang janggal (misalnya banyak kiriman dari satu sumber dalam waktu singkat "
            "atau diisi lebih cepat dari waktu membaca) ditandai dan ditinjau petugas; yang "
            "dikecualikan tidak dihitung dalam indeks, dengan alasannya."
        ),
        Tabel(["Keterangan", "Jumlah"], rows, frozenset({1}), None, [0.75, 0.25]),
    ]


def _bab_4(lap: LaporanSKM) -> list[Blok]:
    return [
        Judul("BAB IV ANALISIS"),
        Judul("A. Kelemahan dan Kelebihan", 2, False),
        *_extremes(lap),
        Judul("B. Yang Disampaikan Responden", 2, False),
        *_voices(lap),
        Judul("C. Rencana Tindak Lanjut", 2, False),
        *_rtl(lap),
        Judul("D. Tren", 2, False),
        *_trend(lap),
    ]


def _extremes(lap: LaporanSKM) -> list[Blok]:
    if not lap.ekstrem:
        return [Paragraf("Belum ada jawaban pada periode ini.")]
    found: list[Blok] = []
    for e in lap.ekstrem:
        item = e.instrument.item
        found.append(
            Paragraf(
                f"{e.instrument.index}: nilai terendah pada {e.terendah.code} "
                f"{item(e.terendah.code).dimension.id} (NRR {angka_id(e.terendah.nrr_rounded, 4)}"
                f", nilai {angka_id(e.terendah.nilai)}), tertinggi pada {e.tertinggi.code} "
                f"{item(e.tertinggi.code).dimension.id} (NRR "
                f"{angka_id(e.tertinggi.nrr_rounded, 4)}, nilai {angka_id(e.tertinggi.nilai)})."
            )
        )
        chart = _nrr_chart(e.instrument, lap.result(e.instrument.id))
        found.append(Grafik(chart, f"NRR per {_unsur_word(e.instrument)} {e.instrument.index}"))
    return found


def _nrr_chart(instrument: Instrument, result: IndexResult) -> go.Figure:
    items = pd.DataFrame(
        [
            {
                "code": x.code,
                "label": instrument.item(x.code).dimension.id,
                "nrr": float(x.nrr_rounded) if x.nrr_rounded is not None else None,
            }
            for x in result.items
        ]  # fmt: skip
    )
    return charts.nrr_bars(items, "")


def masked(text: str) -> str:
    """A respondent's words with what looks like a person's details (a NIK or phone number, an
    e-mail address) replaced: the report is handed on, the respondent stays anonymous."""
    hidden = _EMAIL.sub("[disamarkan]", text)
    return _NUMBER.sub(
        lambda m: "[disamarkan]"
        if sum(c.isdigit() for c in m.group()) >= PERSONAL_DIGITS
        else m.group(),
        hidden,
    )


def _voices(lap: LaporanSKM) -> list[Blok]:
    found: list[Blok] = []
    if lap.alasan:
        found.append(
            Paragraf(
                "Responden yang memberi nilai 1 atau 2 dapat menuliskan apa yang perlu "
                "diperbaiki. Jumlah alasan per unsur dan yang terbaru:"
            )
        )
        for group in lap.alasan:
            found.append(Paragraf(
                f"{group.item.code} {group.item.dimension.id} ({group.instrument.index}): "
                f"{group.n} alasan", "tebal"))  # fmt: skip
            said = Counter(
                (masked(row.teks), row.nilai, row.sub.id if row.sub else "") for row in group.rows
            )
            for (text, value, sub), times in said.items():
                again = f", {times} kali" if times > 1 else ""
                part = f", sub-pertanyaan \u201c{sub}\u201d" if sub else ""
                found.append(
                    Paragraf(f"\u201c{text}\u201d (nilai {value}{part}{again})", "kutipan")
                )
    else:
        found.append(Paragraf("Tidak ada alasan nilai rendah yang dituliskan responden."))
    if lap.saran_n:
        found.append(Paragraf(f"Saran tertulis: {lap.saran_n}; yang terbaru:", "tebal"))
        suggestions = Counter(masked(s.saran) for s in lap.saran)
        for suggestion, times in suggestions.items():
            again = f" ({times} kali)" if times > 1 else ""
            found.append(Paragraf(f"\u201c{suggestion}\u201d{again}", "kutipan"))
    else:
        found.append(Paragraf("Tidak ada saran tertulis pada periode ini."))
    return found


def _rtl(lap: LaporanSKM) -> list[Blok]:
    if not lap.rtl:
        proposal = ", ".join(
            f"{e.terendah.code} {e.instrument.item(e.terendah.code).dimension.id}"
            for e in lap.ekstrem
        )
        text = "Register tindak lanjut periode ini belum berisi rencana."
        if proposal:
            text += f" Prioritas yang diusulkan dari nilai terendah: {proposal}."
        return [Paragraf(text)]
    rows = [
        [str(n), _unsur(lap, e), e.program, _waktu(e.waktu), e.penanggung_jawab]
        for n, e in enumerate(lap.rtl, 1)
    ]
    return [
        Tabel(["No", "Prioritas Unsur", "Program/Kegiatan", "Waktu", "Penanggung Jawab"], rows,
              frozenset(), "Tabel 4.1 Rencana Tindak Lanjut", [0.06, 0.24, 0.34, 0.14, 0.22])
    ]  # fmt: skip


def _unsur(lap: LaporanSKM, entry: TindakLanjut) -> str:
    for f in lap.data.figures:
        if f.instrument.id == entry.instrument_id:
            try:
                return f"{entry.unsur} {f.instrument.item(entry.unsur).dimension.id}"
            except KeyError:
                break
    return entry.unsur


def _waktu(waktu: str) -> str:
    if len(waktu) == 7:
        return nama_bulan(waktu)
    return nama_tanggal(date.fromisoformat(waktu))


def _trend(lap: LaporanSKM) -> list[Blok]:
    shown = [i for i in lap.instruments]
    rows = [
        [nama_periode(t.span), *[_nilai_mutu(t.results[i.id]) for i in shown]] for t in lap.tren
    ]
    points = [
        {"period": nama_periode(t.span), "instrument": i.index, "nilai": float(r.nilai)}
        for t in lap.tren
        for i in shown
        if (r := t.results[i.id]).nilai is not None
    ]
    found: list[Blok] = []
    if len(lap.tren) > 1 and points:
        frame = pd.DataFrame(points, columns=["period", "instrument", "nilai"])
        found.append(Grafik(charts.trend_lines(frame, ""), "Tren nilai per periode"))
    if shown:
        numbers = frozenset(range(1, len(shown) + 1))
        header = ["Periode", *[i.index for i in shown]]
        found.append(Tabel(header, rows, numbers, "Tabel 4.2 Nilai per periode"))
    else:
        found.append(Paragraf("Belum ada nilai untuk dibandingkan."))
    return found


def _nilai_mutu(result: IndexResult) -> str:
    mutu = result.mutu
    return f"{angka_id(result.nilai)} ({mutu.mutu})" if mutu else "-"


def _signature(lap: LaporanSKM) -> TandaTangan:
    place = lap.unit.kota or "...................."
    return TandaTangan(
        tempat_tanggal=f"{place}, {nama_tanggal(lap.tanggal)}",
        jabatan=f"Kepala {lap.unit.nama}",
        nama=lap.unit.kepala or "(nama kepala unit)",
        nip=f"NIP. {lap.unit.nip_kepala}" if lap.unit.nip_kepala else "NIP. ....................",
    )


def _lampiran(lap: LaporanSKM, catalogue: Catalogue, base_url: str) -> list[Blok]:
    return [
        Judul("LAMPIRAN 1 KUESIONER"),
        *_questionnaire(lap, catalogue),
        Judul("LAMPIRAN 2 HASIL OLAH DATA PER LAYANAN"),
        *_per_layanan_detail(lap),
        Judul("LAMPIRAN 3 DOKUMENTASI PUBLIKASI"),
        *_publications(lap, base_url),
        Judul("LAMPIRAN 4 LAPORAN TINDAK LANJUT PERIODE SEBELUMNYA"),
        *_previous(lap),
    ]


def _questionnaire(lap: LaporanSKM, catalogue: Catalogue) -> list[Blok]:
    """The questionnaire the unit's forms carry (also for a period without answers): the base
    only when some respondent answered under it or no variant was answered; each table named
    (base, or variant, version and unit)."""
    carried = {i for x in lap.layanan for i in x.instrument_ids}
    shown = [i for i in catalogue.instruments.values() if i.id in carried] or lap.instruments
    if lap.data.versi and not lap.dasar_dijawab:  # the base only where a version keeps it
        adapted = [set(variant_of(v, catalogue.instruments).instrument_ids) for v in lap.data.versi]
        shown = [i for i in shown if i.id not in set.intersection(*adapted)]
    found: list[Blok] = []
    for instrument in shown:
        rows = [
            [x.code, x.question.id, " / ".join(f"{n}. {t.id}" for n, t in enumerate(x.labels, 1))]
            for x in instrument.items
        ]
        header = ["Kode", "Pertanyaan", "Pilihan jawaban"]
        title = f"Kuesioner dasar: {_title(instrument)}"
        found.append(Tabel(header, rows, frozenset(), title, [0.08, 0.52, 0.4]))
    for versi in lap.data.versi:
        found += _variant(lap, catalogue, versi)
    return found


def _variant(lap: LaporanSKM, catalogue: Catalogue, versi: KuesionerVersi) -> list[Blok]:
    """A variant version answered in the period, as its respondents read it (docs/kuesioner.md):
    sub-questions, help, the items left out with the reason, the extra questions."""
    variant = variant_of(versi, catalogue.instruments)
    nama, unit = _read_as(lap, versi)
    name = f'Varian kuesioner "{versi.varian.nama}" versi {versi.nomor} ({unit})'
    found: list[Blok] = []
    for ident in variant.instrument_ids:
        shown = apply_variant(catalogue.instruments[ident], variant, nama, unit)
        rows = [
            [
                x.code,
                " ".join(
                    [x.question.id, *(f"({n}) {s.id}" for n, s in enumerate(x.sub, 1))]
                    + ([f"Bantuan: {x.help.id}"] if x.help else [])
                ),
                " / ".join(f"{n}. {t.id}" for n, t in enumerate(x.labels, 1)),
            ]
            for x in shown.items
        ]
        rows += [[code, f"Tidak ditanyakan: {alasan}", "-"] for code, alasan in shown.dihilangkan]
        order = catalogue.instruments[ident].codes  # a left-out item in its place, not last
        rows.sort(key=lambda row: order.index(row[0]) if row[0] in order else len(order))
        header = ["Kode", "Pertanyaan", "Pilihan jawaban"]
        found.append(
            Tabel(header, rows, frozenset(), f"{name}: {_title(shown)}", [0.08, 0.52, 0.4])
        )
    for extra in extras(variant, nama, unit):
        choices = " / ".join(c.id for c in extra.choices) or "jawaban singkat"
        found.append(
            Paragraf(f"{name}, pertanyaan tambahan (tidak dinilai): {extra.pertanyaan.id} "
                     f"({choices}).", "kecil")
        )  # fmt: skip
    return found


def _read_as(lap: LaporanSKM, versi: KuesionerVersi) -> tuple[str, str]:
    """The layanan and unit names the respondents of ``versi`` read in its ``{layanan}`` and
    ``{unit}``: the variant's own unit, and the layanan choosing the variant (several or none:
    a marker)."""
    using = [x.nama for x in lap.layanan if x.kuesioner_varian_id == versi.varian_id]
    return (using[0] if len(using) == 1 else "[nama layanan]"), versi.varian.unit.nama


def _title(instrument: Instrument) -> str:
    """``Survei Persepsi Anti Korupsi (IPAK)``; the SKM's title already names itself."""
    title = instrument.title.id
    return title if "(" in title else f"{title} ({instrument.index})"


def _per_layanan_detail(lap: LaporanSKM) -> list[Blok]:
    found: list[Blok] = []
    for x, results in lap.per_layanan:
        found.append(Judul(lap.nama_layanan[str(x.id)], 3, False))
        for instrument in lap.instruments:
            result = results[instrument.id]
            if result.n:
                found += _items_table(instrument, result)[:1]
    if not found:
        found.append(Paragraf("Belum ada jawaban pada periode ini."))
    return found


def _publications(lap: LaporanSKM, base_url: str) -> list[Blok]:
    if not lap.publikasi:
        return [Paragraf(f"Hasil {nama_periode(lap.span)} belum dipublikasikan.")]
    path = f"{base_url.rstrip('/')}/hasil/{lap.unit.kode}"
    rows = [
        [str(n), nama_tanggal(p.dibuat.date()), f"{path}?periode={p.label}"]
        for n, p in enumerate(lap.publikasi, 1)
    ]
    return [
        Paragraf(
            "Hasil survei dipublikasikan pada halaman hasil unit (terbuka untuk umum), dengan "
            "poster A3, X-banner dan gambar media sosial yang dibuat dari publikasi yang sama."
        ),
        Tabel(["No", "Tanggal publikasi", "Alamat halaman hasil"], rows, frozenset(),
              None, [0.08, 0.3, 0.62]),
    ]  # fmt: skip


def _previous(lap: LaporanSKM) -> list[Blok]:
    before = nama_periode(lap.sebelumnya)
    entries = lap.tindak_lanjut_sebelumnya
    if not entries:
        return [Paragraf(f"Register tindak lanjut {before} tidak berisi entri.")]
    rows = [
        [str(n), _unsur(lap, e), e.program, _waktu(e.waktu), e.penanggung_jawab,
         filters.status_tl(e.status), e.hasil or "-"]
        for n, e in enumerate(entries, 1)
    ]  # fmt: skip
    found: list[Blok] = [
        Paragraf(f"Tindak lanjut atas hasil survei {before} dan statusnya:"),
        Tabel(["No", "Prioritas Unsur", "Program/Kegiatan", "Waktu", "Penanggung Jawab",
               "Status", "Yang dilakukan"], rows, frozenset(),
              f"Tabel L4.1 Tindak lanjut {before}", [0.05, 0.15, 0.2, 0.11, 0.15, 0.1, 0.24]),
    ]  # fmt: skip
    for n, e in enumerate(entries, 1):
        for bukti in e.bukti:
            if bukti.jenis == "image/png":
                found.append(Gambar(bukti.isi, f"Bukti tindak lanjut {n}: {bukti.nama}"))
            else:
                found.append(Paragraf(f"Bukti tindak lanjut {n}: {bukti.nama} (PDF, dilampirkan "
                                      "terpisah dalam paket bukti LKE)", "kecil"))  # fmt: skip
    return found


def _persen(value: Fraction | None) -> str:
    return "-" if value is None else f"{angka_id(value * 100, 1)}%"


def follow_up_blocks(lap: LaporanSKM) -> list[Blok]:
    """The follow-up report the LKE asks for (REGULATION §8 (c)): what the unit did after the
    previous period's survey, with status and evidence, "mengacu pada" that period's report,
    then the plan for this period's results; signed like the report."""
    before = nama_periode(lap.sebelumnya)
    return [
        Sampul(
            judul=["LAPORAN TINDAK LANJUT", "HASIL SURVEI KEPUASAN MASYARAKAT"],
            unit=lap.unit.nama.upper(),
            periode=nama_periode(lap.span).upper(),
            tempat_tahun="\n".join(
                x for x in ((lap.unit.kota or "").upper(), str(lap.tanggal.year)) if x
            ),
            logo=lap.unit.logo,
        ),
        Judul("TINDAK LANJUT HASIL SURVEI PERIODE SEBELUMNYA"),
        Paragraf(
            f"Laporan ini mengacu pada Laporan Survei Kepuasan Masyarakat {lap.unit.nama} "
            f"{before}, dan memuat pelaksanaan rencana tindak lanjutnya selama "
            f"{nama_periode(lap.span)}."
        ),
        *_previous(lap),
        Judul("RENCANA TINDAK LANJUT HASIL SURVEI PERIODE INI", 1, False),
        *_rtl(lap),
        _signature(lap),
    ]
