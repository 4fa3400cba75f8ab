"""The unit import template, CSV and XLSX: the columns of :mod:`.unit_file` and example rows.

The CSV is UTF-8 with a BOM, separated by ``;`` (Excel set to Indonesian opens it in columns).
The XLSX keeps every cell as text, so a NIP keeps its 18 digits and 08:00 stays 08:00, and
explains each column on a second sheet.
"""

from __future__ import annotations

import csv
import io

from xlsxwriter import Workbook

from survey_app.services.administration.unit_file import COLUMNS

EXAMPLE = [
    {
        "kode_unit": "KANWIL-CONTOH",
        "nama_unit": "Kanwil Contoh",
        "jenis": "kanwil",
        "zona": "WITA",
        "jam_buka": "08:00",
        "jam_tutup": "16:00",
        "kota": "Makassar",
        "alamat": "Jl. Contoh No. 1",
        "kepala": "Nama Kepala Kanwil",
        "nip_kepala": "197001012000031001",
    },
    *(
        {
            "kode_unit": "LAPAS-CONTOH",
            "nama_unit": "Lapas Contoh",
            "jenis": "upt",
            "kode_induk": "KANWIL-CONTOH",
            "jam_buka": "08:00",
            "jam_tutup": "15:00",
            "kota": "Makassar",
            "alamat": "Jl. Contoh No. 2",
            "kepala": "Nama Kepala Lapas",
            "nip_kepala": "198002022005011002",
        }
        | layanan
        for layanan in (
            {
                "kode_layanan": "KUNJ",
                "nama_layanan": "Layanan Kunjungan",
                "survei": "skm ipak",
                "kebutuhan_utama": "ya",
            },
            {
                "kode_layanan": "TITIP",
                "nama_layanan": "Penitipan Barang",
                "survei": "skm ipak",
                "kebutuhan_utama": "tidak",
            },
        )
    ),
]

GUIDE = [
    ("kode_unit", "wajib", "Huruf besar, angka dan tanda hubung, 2-32 karakter: LAPAS-MKS."),
    ("nama_unit", "wajib untuk unit baru", "Lapas Kelas I Makassar."),
    ("jenis", "wajib untuk unit baru", "kementerian, eselon1, kanwil atau upt."),
    ("kode_induk", "tidak wajib", "Kode unit induk, di berkas ini atau yang sudah tersimpan."),
    ("zona", "tidak wajib", "WIB, WITA atau WIT; kosong: sama dengan unit induk."),
    ("jam_buka", "tidak wajib", "Jam buka layanan, 08:00 (kosong: 08:00)."),
    ("jam_tutup", "tidak wajib", "Jam tutup layanan, 16:00 (kosong: 16:00)."),
    ("kota", "tidak wajib", "Makassar."),
    ("alamat", "tidak wajib", "Alamat kantor."),
    ("kepala", "tidak wajib", "Nama kepala unit, untuk tanda tangan laporan."),
    ("nip_kepala", "tidak wajib", "NIP kepala unit, 18 angka."),
    ("kode_layanan", "tidak wajib", "Satu baris per layanan; kosong: baris unit saja. KUNJ."),
    ("nama_layanan", "wajib untuk layanan baru", "Layanan Kunjungan."),
    ("survei", "tidak wajib", "skm, ipak, ipkp dipisah spasi (kosong: skm ipak)."),
    ("kebutuhan_utama", "tidak wajib", "ya atau tidak (kosong: tidak)."),
]
NOTE = (
    "Kolom unit diulang pada setiap baris layanannya. Data yang sudah ada dicocokkan dengan "
    "kode: sel kosong tidak mengubah data tersimpan, dan mengimpor berkas yang sama dua kali "
    "tidak mengubah apa pun."
)


def template_csv() -> bytes:
    """The template as CSV: UTF-8 with a BOM, ``;`` between cells."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([row.get(column, "") for column in COLUMNS] for row in EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The template as an XLSX workbook: the sheet ``Unit``, every cell text, and ``Petunjuk``."""
    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#dbe8ef", "border": 1, "num_format": "@"})
    sheet = book.add_worksheet("Unit")
    sheet.set_column(0, len(COLUMNS) - 1, 20, text)
    sheet.write_row(0, 0, COLUMNS, head)
    for number, row in enumerate(EXAMPLE, start=1):
        for position, column in enumerate(COLUMNS):
            sheet.write_string(number, position, row.get(column, ""), text)
    sheet.freeze_panes(1, 0)
    guide = book.add_worksheet("Petunjuk")
    guide.set_column(0, 0, 18)
    guide.set_column(1, 1, 24)
    guide.set_column(2, 2, 70)
    guide.write_row(0, 0, ["Kolom", "Isian", "Keterangan dan contoh"], head)
    for number, line in enumerate(GUIDE, start=1):
        guide.write_row(number, 0, line)
    guide.write_string(len(GUIDE) + 2, 0, NOTE)
    book.close()
    return out.getvalue()
