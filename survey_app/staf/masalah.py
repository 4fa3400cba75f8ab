"""The problems of an uploaded file as staff read them: in Indonesian, by row and by the source
column's header, with the fix beside each (issue 18.3).

The readers (``analysis``) speak the command line's contract, one English line per problem
(INTERCHANGE.md, "Errors": ``row 7, column U3: value 5 is outside 1-4``), and outside checks
read those lines from ``zisurvey``: they stay as they are. Here each kind of line is recognised
by its shape and said again in the request's language with what to do about it; a line of no
known shape is shown as it is, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _


@dataclass(frozen=True)
class Masalah:
    baris: str  # the data row (1 = first under the header), or "" for the whole file
    kolom: str  # the column as the person sees it: the source header, the target in brackets
    teks: str
    perbaikan: str


_ROW_COLUMN_VALUE = re.compile(
    r'^row (?P<row>\d+), column (?P<col>".*?" \([\w./]+\)|[\w./]+): value (?P<value>.*?) '
    r"(?P<why>is outside 1-(?P<k>\d+)|is not a whole number|is not one of the answer labels "
    r"\((?P<labels>.*)\)|is not a timestamp written as (?P<waktu>.+)|is not an ISO 8601 "
    r"timestamp, and dd/mm/yyyy or mm/dd/yyyy cannot be told apart.*|is not an ISO 8601 "
    r"timestamp|is not a known layanan|is not a layanan of this unit|is in the future|"
    r"appears more than once \(first on row (?P<first>\d+)\)|is longer than (?P<room>\d+) "
    r"characters|is not the mean of its sub-questions \((?P<mean>[\d.]+)\)|"
    r"is not one of (?P<choices>.+))$"
)
_REQUIRED = re.compile(
    r'^row (?P<row>\d+), column (?P<col>".*?" \([\w./]+\)|[\w./]+): a value is required$'
)
# an item answered in sub-questions (docs/kuesioner.md §4), and what a layanan's variant asks
_PART_REQUIRED = re.compile(
    r'^row (?P<row>\d+), column (?P<col>".*?" \([\w./]+\)|[\w./]+): a value is required when '
    r"another sub-question of (?P<item>\w+) is answered \((?P<parts>.+)\)$"
)
_PART_MISSING = re.compile(
    r"^column (?P<col>\S+): a sub-question of (?P<item>\w+) whose other part (?P<missing>.+) "
    r"is missing$"
)
_PART_TWICE = re.compile(r"^row (?P<row>\d+), column (?P<col>\w+): answered in two sets of sub")
_NOT_ASKED = re.compile(
    r"^row (?P<row>\d+), column (?P<col>\S+): layanan (?P<kode>\S+) (?:does not ask (?P<left>\w+) "
    r"\(its questionnaire (?P<varian>.+) v(?P<versi>\d+) leaves it out\)|asks (?P<split>\w+) in "
    r"(?P<k>\d+) sub-questions \((?P<parts>.+)\)|does not ask (?P<plain>\w+) in sub-questions "
    r"of this kind)$"
)
_NO_ANSWER = re.compile(r"^row (?P<row>\d+): no answer to any item$")
_STRAY = re.compile(
    r"^rows (?P<rows>.+?) \((?P<n>\d+) in all\), columns (?P<first>\w+)-(?P<last>\w+): "
    r"layanan (?P<kode>\S+) does not carry (?P<instrument>\w+);"
)
_CELLS = re.compile(r"^row (?P<row>\d+): (?P<saw>\d+) cells where the header has (?P<width>\d+)")
_MORE_CELLS = re.compile(r"^row (?P<row>\d+): more cells than the header")
_UNCLOSED = re.compile(r"^row (?P<row>\d+): a quoted value is never closed")
_SWALLOWED = re.compile(r"^row (?P<row>\d+), column (?P<col>.+?): a quoted value runs over")
_COLUMN = re.compile(
    r"^column (?P<col>.+?): (?P<why>appears more than once|unknown column.*|"
    r"required column is missing)$"
)
_MAPPING_MISSING = re.compile(r"^mapping: kolom (?P<target>\w+): the file has no column (?P<h>.+)$")
_MORE = re.compile(r"^\.\.\. and (?P<n>\d+) more problems$")
_INDONESIAN = re.compile(r"^baris (?P<row>\d+), kolom (?P<col>[^:]+): (?P<text>.*)$")

ALL_ROWS = "-"


def _fixes_by_file(line: str) -> Masalah | None:
    """Problems of the file as a whole (not a table, another encoding, damaged)."""
    known: list[tuple[str, Callable[[], str], Callable[[], str]]] = [
        ("the file is empty", lambda: _("Berkas kosong."),
         lambda: _("Unggah berkas yang berisi baris judul kolom dan baris jawaban.")),
        ("the file has no data rows", lambda: _("Berkas tidak berisi baris jawaban."),
         lambda: _("Periksa lembar pertama berkas: jawaban ada di bawah baris judul kolom.")),
        ("the file is an OpenDocument spreadsheet",
         lambda: _("Berkas ini lembar kerja OpenDocument (.ods)."),
         lambda: _("Simpan sebagai .xlsx atau CSV UTF-8, lalu unggah lagi.")),
        ("the file is an Excel 2003 XML workbook",
         lambda: _("Berkas ini buku kerja XML Excel 2003."),
         lambda: _("Simpan sebagai .xlsx, lalu unggah lagi.")),
        ("the file is neither CSV nor an Excel workbook",
         lambda: _("Berkas ini bukan CSV dan bukan buku kerja Excel."),
         lambda: _("Ekspor sebagai CSV UTF-8 atau .xlsx, lalu unggah lagi.")),
        ("the file is UTF-16", lambda: _("Berkas ini teks UTF-16 (\"Unicode text\" Excel)."),
         lambda: _("Di Excel: Simpan sebagai > CSV UTF-8, lalu unggah lagi.")),
        ("the file is not UTF-8", lambda: _("Berkas ini bukan UTF-8 (mungkin Windows-1252)."),
         lambda: _("Di Excel: Simpan sebagai > CSV UTF-8, lalu unggah lagi.")),
        ("the file is not valid", lambda: _("Berkas ini tidak dapat dibaca sebagai teks."),
         lambda: _("Di Excel: Simpan sebagai > CSV UTF-8, lalu unggah lagi.")),
        ("the workbook is damaged or incomplete",
         lambda: _("Buku kerja rusak atau tidak lengkap (unduhan terputus?)."),
         lambda: _("Buka di Excel lalu simpan lagi, atau simpan sebagai CSV UTF-8; "
                   "atau unduh ulang berkasnya.")),
        ("the file is a web page (HTML) with no table",
         lambda: _("Berkas ini halaman web (HTML) tanpa tabel, bukan buku kerja."),
         lambda: _("Ekspor jawaban sebagai CSV UTF-8 atau .xlsx dari aplikasinya.")),
        ("the file cannot be read as CSV", lambda: _("Berkas tidak dapat dibaca sebagai CSV."),
         lambda: _("Buka di Excel lalu simpan sebagai CSV UTF-8, atau unggah .xlsx.")),
        ("the file has no item columns",
         lambda: _("Berkas tidak berisi kolom pertanyaan (U1-U9, AK1-AK5, PK1-PK8)."),
         lambda: _("Pilih kolom tiap pertanyaan di pemetaan kolom.")),
        ("its columns look like question texts",
         lambda: _("Judul kolomnya berupa teks pertanyaan, bukan kolom format jawaban."),
         lambda: _("Petakan setiap kolom di layar pemetaan kolom.")),
        ("the header row", lambda: _("Baris judul kolom yang disebut kosong atau di luar berkas."),
         lambda: _("Pastikan judul kolom ada di atas baris jawaban.")),
    ]  # fmt: skip
    for start, text, fix in known:
        if line.startswith(start):
            return Masalah("", "", text(), fix())
    return None


def _value_problem(found: re.Match[str], layanan: Sequence[str]) -> Masalah:
    row, col, value, why = found["row"], found["col"], found["value"], found["why"]
    codes = ", ".join(layanan)
    if found["k"]:
        return Masalah(row, col, _("Nilai %(v)s di luar 1-%(k)s.", v=value, k=found["k"]),
                       _("Tulis angka 1 sampai %(k)s, atau kosongkan bila tidak dijawab.",
                         k=found["k"]))  # fmt: skip
    if why == "is not a whole number":
        return Masalah(row, col, _("Nilai %(v)s bukan angka bulat.", v=value),
                       _("Tulis angka bulat, misalnya 4; bila kolom berisi label jawaban "
                         "(\"Sangat sesuai\"), pilih Jawaban: label di pemetaan."))  # fmt: skip
    if found["labels"] is not None:
        return Masalah(row, col, _("Nilai \"%(v)s\" bukan label jawaban pertanyaan ini.", v=value),
                       _("Pakai salah satu label: %(labels)s (atau angkanya).",
                         labels=found["labels"]))  # fmt: skip
    if found["waktu"]:
        return Masalah(row, col, _("Nilai %(v)s tidak terbaca sebagai waktu dengan format "
                                   "%(waktu)s.", v=value, waktu=found["waktu"]),
                       _("Pilih format waktu yang sesuai di pemetaan (lihat waktu yang "
                         "terbaca), atau perbaiki nilainya."))  # fmt: skip
    if why.startswith("is not an ISO 8601 timestamp, and"):
        return Masalah(row, col, _("Nilai %(v)s bukan waktu ISO 8601; tanggal seperti ini bisa "
                                   "hari/bulan atau bulan/hari.", v=value),
                       _("Pilih format waktu di pemetaan: dmy (31/01/2026) atau mdy "
                         "(01/31/2026)."))  # fmt: skip
    if why == "is not an ISO 8601 timestamp":
        return Masalah(row, col, _("Nilai %(v)s bukan waktu yang dikenali.", v=value),
                       _("Tulis seperti 2026-01-31 23:30 atau 2026-01-31T23:30:00+08:00, atau "
                         "pilih format waktu di pemetaan."))  # fmt: skip
    if why in ("is not a known layanan", "is not a layanan of this unit"):
        return Masalah(row, col, _("Nilai \"%(v)s\" bukan layanan unit ini.", v=value),
                       _("Pilih layanannya untuk nilai ini di pemetaan, atau tulis salah satu "
                         "kode: %(codes)s.", codes=codes))  # fmt: skip
    if why == "is in the future":
        return Masalah(
            row,
            col,
            _("Waktu %(v)s belum terjadi.", v=value),
            _("Periksa tanggalnya dan format waktu di pemetaan (dmy atau mdy)."),
        )
    if found["first"]:
        return Masalah(row, col, _("Nilai %(v)s muncul lebih dari sekali (pertama di baris "
                                   "%(first)s).", v=value, first=found["first"]),
                       _("Beri id yang berbeda, atau hapus baris yang ganda."))  # fmt: skip
    if found["room"]:
        return Masalah(row, col, _("Nilai %(v)s lebih panjang dari %(n)s karakter.", v=value,
                                   n=found["room"]),
                       _("Persingkat id itu."))  # fmt: skip
    if found["mean"]:
        return Masalah(row, col, _("Nilai %(v)s bukan rata-rata jawaban sub-pertanyaannya "
                                   "(%(mean)s).", v=value, mean=found["mean"]),
                       _("Kosongkan sel ini atau tulis %(mean)s: nilai butir dihitung dari "
                         "sub-pertanyaannya.", mean=found["mean"]))  # fmt: skip
    return Masalah(row, col, _("Nilai \"%(v)s\" bukan pilihan kolom ini.", v=value),
                   _("Pakai salah satu: %(choices)s; atau abaikan kolom ini di pemetaan.",
                     choices=found["choices"]))  # fmt: skip


def masalah(line: str, layanan: Sequence[str] = ()) -> Masalah:
    """One problem line of the readers as the person reads it; ``layanan``: the unit's codes."""
    if found := _ROW_COLUMN_VALUE.match(line):
        return _value_problem(found, layanan)
    if found := _REQUIRED.match(line):
        return Masalah(found["row"], found["col"], _("Wajib diisi, tetapi kosong."),
                       _("Isi nilainya, atau hapus baris ini."))  # fmt: skip
    if (sub := _sub_question(line)) is not None:
        return sub
    if found := _NO_ANSWER.match(line):
        return Masalah(found["row"], ALL_ROWS, _("Tidak ada pertanyaan yang dijawab."),
                       _("Isi jawabannya, atau hapus baris ini."))  # fmt: skip
    if found := _STRAY.match(line):
        return Masalah(found["rows"], f"{found['first']}-{found['last']}",
                       _("Layanan %(kode)s tidak memakai survei %(survei)s (%(n)s baris).",
                         kode=found["kode"], survei=found["instrument"].upper(), n=found["n"]),
                       _("Tambahkan survei itu ke layanan %(kode)s di Kelola layanan, atau "
                         "abaikan kolom itu di pemetaan.", kode=found["kode"]))  # fmt: skip
    if found := _CELLS.match(line):
        return Masalah(found["row"], ALL_ROWS,
                       _("%(saw)s sel, padahal judul kolom ada %(width)s.", saw=found["saw"],
                         width=found["width"]),
                       _("Beri tanda kutip pada nilai yang berisi pemisah (, atau ;), atau "
                         "simpan ulang dari Excel sebagai CSV UTF-8."))  # fmt: skip
    if found := _MORE_CELLS.match(line):
        return Masalah(
            found["row"],
            ALL_ROWS,
            _("Lebih banyak sel daripada judul kolom."),
            _("Beri tanda kutip pada nilai yang berisi pemisah (, atau ;)."),
        )
    if found := _UNCLOSED.match(line):
        return Masalah(
            found["row"],
            ALL_ROWS,
            _('Tanda kutip (") dibuka tetapi tidak ditutup.'),
            _("Tutup tanda kutipnya; tidak ada isi berkas yang dipakai."),
        )
    if found := _SWALLOWED.match(line):
        return Masalah(
            found["row"],
            found["col"],
            _("Nilai bertanda kutip menelan baris-baris berikutnya."),
            _("Tutup tanda kutipnya; tidak ada isi berkas yang dipakai."),
        )
    if found := _COLUMN.match(line):
        why = found["why"]
        if why == "appears more than once":
            text, fix = (
                _("Kolom ini ada lebih dari sekali."),
                _("Hapus atau ganti judul salah satunya, atau pilih satu saja di pemetaan."),
            )
        elif why.startswith("unknown column"):
            text, fix = (
                _("Kolom tidak dikenal."),
                _("Pilih sasarannya di pemetaan kolom, atau pilih Abaikan."),
            )
        else:
            text, fix = (
                _("Kolom wajib tidak ada."),
                _("Tambahkan kolom itu ke berkas, atau pilih kolom sumbernya di pemetaan."),
            )
        return Masalah("", found["col"], text, fix)
    if found := _MAPPING_MISSING.match(line):
        return Masalah(
            "",
            found["target"],
            _("Pemetaan memakai kolom %(h)s, tetapi berkas tidak memilikinya.", h=found["h"]),
            _("Pilih kolom lain untuk %(t)s di pemetaan.", t=found["target"]),
        )
    if found := _MORE.match(line):
        return Masalah(
            "",
            "",
            _("... dan %(n)s masalah lain.", n=found["n"]),
            _("Perbaiki masalah di atas, lalu periksa lagi."),
        )
    if found := _INDONESIAN.match(line):  # already said in Indonesian, its fix after ";"
        text, _sep, fix = found["text"].partition("; ")
        return Masalah(found["row"], found["col"], text, fix)
    if (whole := _fixes_by_file(line)) is not None:
        return whole
    text, _sep, fix = line.partition("; ")
    return Masalah("", "", text, fix)


def _sub_question(line: str) -> Masalah | None:
    """Problems of an item answered in sub-questions and of what a layanan's variant asks."""
    if found := _PART_REQUIRED.match(line):
        return Masalah(found["row"], found["col"],
                       _("Kosong, padahal sub-pertanyaan lain dari %(item)s dijawab.",
                         item=found["item"]),
                       _("Isi semua sub-pertanyaan %(item)s (%(parts)s) atau kosongkan "
                         "semuanya.", item=found["item"], parts=found["parts"]))  # fmt: skip
    if found := _PART_MISSING.match(line):
        return Masalah("", found["col"],
                       _("Sub-pertanyaan %(item)s tanpa pasangannya %(missing)s.",
                         item=found["item"], missing=found["missing"]),
                       _("Petakan kolom %(missing)s juga, atau abaikan semua kolom "
                         "sub-pertanyaan %(item)s.", missing=found["missing"],
                         item=found["item"]))  # fmt: skip
    if found := _PART_TWICE.match(line):
        return Masalah(
            found["row"],
            found["col"],
            _("Dijawab dalam dua set sub-pertanyaan."),
            _("Satu responden menjawab satu set saja; hapus salah satunya."),
        )
    if found := _NOT_ASKED.match(line):
        row, col, kode = found["row"], found["col"], found["kode"]
        if found["left"]:
            return Masalah(row, col,
                           _("Layanan %(kode)s tidak menanyakan %(item)s (kuesioner %(varian)s "
                             "versi %(versi)s menghilangkannya).", kode=kode, item=found["left"],
                             varian=found["varian"], versi=found["versi"]),
                           _("Kosongkan kolom itu untuk layanan %(kode)s, atau abaikan kolomnya "
                             "di pemetaan.", kode=kode))  # fmt: skip
        if found["split"]:
            return Masalah(row, col,
                           _("Layanan %(kode)s menanyakan %(item)s dalam %(k)s sub-pertanyaan "
                             "(%(parts)s), bukan satu jawaban.", kode=kode, item=found["split"],
                             k=found["k"], parts=found["parts"]),
                           _("Petakan kolom tiap sub-pertanyaan ke %(parts)s.",
                             parts=found["parts"]))  # fmt: skip
        return Masalah(row, col,
                       _("Layanan %(kode)s tidak menanyakan %(item)s dengan sub-pertanyaan "
                         "seperti ini.", kode=kode, item=found["plain"]),
                       _("Petakan jawabannya ke kolom butir %(item)s, atau pilih layanan yang "
                         "memakai sub-pertanyaan itu.", item=found["plain"]))  # fmt: skip
    return None


def semua(lines: Sequence[str], layanan: Sequence[str] = ()) -> list[Masalah]:
    return [masalah(line, layanan) for line in lines]
