"""The responses template as an XLSX workbook (issue 18.3): the columns of the responses format
(INTERCHANGE.md), the unit's layanan, the answer labels and the form's profile answers as
dropdowns, and a sheet ``Petunjuk`` telling how to fill it in and upload it.

A filled-in template is uploaded as it is: its headers are the format's own, and its answers are
the instrument's labels, which the mapping screen reads with ``jawaban: label``.
"""

from __future__ import annotations

import io

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name

from survey_app.models import Unit
from survey_app.services.catalogue import Catalogue

ROWS = 1000  # rows under the header given the dropdowns


def _instruments(catalogue: Catalogue, unit: Unit) -> list[str]:
    used = {i for item in unit.layanan for i in item.instrument_ids}
    return [i for i in catalogue.instruments if i in used] or list(catalogue.instruments)


def response_template(catalogue: Catalogue, unit: Unit) -> bytes:
    """The template for ``unit``: sheets ``Jawaban``, ``Petunjuk`` and ``Daftar`` (the lists)."""
    instruments = [catalogue.instruments[i] for i in _instruments(catalogue, unit)]
    items = [item for instrument in instruments for item in instrument.items]
    profile = list(catalogue.profile)
    columns = ["id", "submitted_at", "layanan", *[q.key for q in profile]]
    columns += [item.code for item in items] + ["saran"]

    out = io.BytesIO()
    book = Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#dbe8ef", "border": 1, "num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Jawaban")
    guide = book.add_worksheet("Petunjuk")
    lists = book.add_worksheet("Daftar")
    lists.hide()

    sheet.set_column(0, len(columns) - 1, 16, text)
    sheet.write_row(0, 0, columns, head)
    sheet.freeze_panes(1, 0)

    # each dropdown's values in a column of the hidden sheet Daftar
    choices: dict[str, list[str]] = {"layanan": [x.kode for x in unit.layanan]}
    for question in profile:
        choices[question.key] = [c.text.id for c in question.choices]
    for item in items:
        choices[item.code] = [label.id for label in item.labels]
    for position, (key, values) in enumerate(choices.items()):
        lists.write_string(0, position, key)
        for row, value in enumerate(values, start=1):
            lists.write_string(row, position, value)
        if not values or key not in columns:
            continue
        letter = xl_col_to_name(position)
        target = columns.index(key)
        sheet.data_validation(
            1, target, ROWS, target,
            {
                "validate": "list",
                "source": f"=Daftar!${letter}$2:${letter}${len(values) + 1}",
                "input_title": key[:32],
                "input_message": ", ".join(values)[:255],
                "error_title": "Pilih dari daftar",
                "error_message": "Pilih salah satu isian dari daftar (atau kosongkan).",
            },
        )  # fmt: skip

    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 18)
    guide.set_column(2, 2, 90, wrap)
    guide.write_row(0, 0, ["Kolom", "Isian", "Keterangan dan contoh"], head)
    lines = [
        ("id", "tidak wajib", "Nomor responden, mis. r001: mengunggah baris yang sama dua kali "
         "tidak menambahkannya lagi."),
        ("submitted_at", "wajib", "Waktu pengisian: 2026-01-31 08:30 (zona waktu unit) atau "
         "2026-01-31T08:30:00+08:00."),
        ("layanan", "wajib", "Kode layanan unit, pilih dari daftar: "
         + ", ".join(f"{x.kode} ({x.nama})" for x in unit.layanan) + "."),
        *[(q.key, "tidak wajib", f"{q.label.id}: pilih dari daftar.") for q in profile],
        *[(item.code, "jawaban", f"{item.dimension.id}: {item.question.id} Pilih label dari "
           "daftar, atau tulis angkanya (1 = " + item.labels[0].id + ").") for item in items],
        ("saran", "tidak wajib", "Saran dan masukan responden, paling banyak 1000 karakter. "
         "Jangan tulis nama, NIK, nomor telepon atau alamat responden."),
    ]  # fmt: skip
    for number, line in enumerate(lines, start=1):
        guide.write_row(number, 0, line)
    notes = [
        "Satu baris per responden, di bawah baris judul kolom. Jangan ubah judul kolom.",
        "Jawaban yang kosong berarti tidak dijawab; setiap baris menjawab paling sedikit satu "
        "pertanyaan.",
        "Unggah di menu Unggah jawaban unit: karena jawabannya berupa label, layar pemetaan "
        "menampilkan usulan; periksa lalu tekan Simpan pemetaan dan lanjutkan.",
        "Semua masalah ditampilkan sekaligus per baris dan kolom, dengan cara memperbaikinya; "
        "tidak ada yang disimpan sebelum berkas bebas masalah dan Anda menekan Simpan.",
    ]
    for number, note in enumerate(notes, start=len(lines) + 2):
        guide.write_string(number, 0, note)
    book.close()
    return out.getvalue()
