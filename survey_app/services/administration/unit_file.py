"""Reading a unit import file (CSV or XLSX) into text cells, rows numbered as the file shows.

The columns (named in any case, a space read as ``_``) are those of :data:`COLUMNS`: the
unit's, repeated on each of its rows, then the layanan's. Header names outside them, untitled
columns holding data and a missing ``kode_unit`` are problems of the whole file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import IO

from analysis.tables import Table, TableError, read_table
from survey_app.services.administration.unit_fields import N_, Problem, UnitError, parse_kode

UNIT_COLUMNS = {
    "kode_unit": "kode",
    "nama_unit": "nama",
    "jenis": "jenis",
    "kode_induk": "induk",
    "zona": "zona",
    "jam_buka": "jam_buka",
    "jam_tutup": "jam_tutup",
    "kota": "kota",
    "alamat": "alamat",
    "kepala": "kepala",
    "nip_kepala": "nip_kepala",
}
COLUMN_OF = {name: column for column, name in UNIT_COLUMNS.items()}
LAYANAN_COLUMNS = ("kode_layanan", "nama_layanan", "survei", "kebutuhan_utama")
COLUMNS = (*UNIT_COLUMNS, *LAYANAN_COLUMNS)

Rows = list[tuple[int, dict[str, str]]]  # (row as the file numbers it, column -> cell)
Cells = dict[str, tuple[str, int]]  # a unit's column -> (value, row it is written on)


def at(problem: Problem, row: int | None) -> Problem:
    """``problem`` placed in the file: its row, and the column of its field."""
    return replace(problem, row=row, field=COLUMN_OF.get(problem.field, problem.field))


# -- reading -----------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return str(value).strip()


def _column(name: object) -> str:
    return "_".join(str(name).strip().lower().split())


def read_rows(source: str | Path | IO[bytes] | Table) -> tuple[Rows, list[Problem]]:
    """The file's rows as trimmed text under known columns, or the problems of reading it."""
    try:
        table = (
            source
            if isinstance(source, Table)
            else read_table(source, header_names=["kode_unit"], dtype=str)
        )
    except TableError as exc:
        reason = N_("Berkas tidak dapat dibaca: %(sebab)s")
        return [], [Problem("", reason, {"sebab": p}) for p in exc.problems]
    names = [_column(c) for c in table.frame.columns]
    problems = []
    for position, name in enumerate(names, start=1):
        if name.startswith("unnamed:"):
            message = N_("Kolom ke-%(n)d berisi data tetapi tidak berjudul: beri judul atau hapus.")
            problems.append(Problem(name, message, {"n": position}))
        elif name not in COLUMNS or names.count(name) > 1:
            message = N_(
                "Kolom %(kolom)s tidak dikenal atau ganda. Kolom yang dikenal: %(daftar)s."
            )
            problems.append(Problem(name, message, {"kolom": name, "daftar": ", ".join(COLUMNS)}))
    if "kode_unit" not in names:
        message = N_("Kolom kode_unit tidak ada: salin judul kolom dari templat.")
        problems.append(Problem("kode_unit", message))
    if problems:
        return [], problems
    frame = table.frame.fillna("")
    rows = [
        (table.header_line + int(index), dict(zip(names, map(_cell, values), strict=True)))
        for index, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    if table.kind == "xlsx" and "nip_kepala" in names and not isinstance(source, Table):
        problems = _numeric_nips(source, table.header_line)
    return rows, problems


def _numeric_nips(source: str | Path | IO[bytes], header_line: int) -> list[Problem]:
    """An 18-digit NIP typed into a number cell: Excel keeps 15 significant digits, so the
    last ones are already lost (197001012000031001 comes back as ...008) and must be typed
    again as text. One problem per such row."""
    from openpyxl import load_workbook

    if not isinstance(source, str | Path):
        source.seek(0)
    book = load_workbook(source, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        found: list[Problem] = []
        column = None
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = list(row)
            if number == header_line:
                titles = [_column(c.value) if c.value is not None else "" for c in cells]
                column = titles.index("nip_kepala") if "nip_kepala" in titles else None
            elif column is not None and number > header_line and column < len(cells):
                if isinstance(cells[column].value, int | float):
                    message = N_(
                        "NIP kepala ditulis sebagai angka, sehingga Excel sudah membulatkan "
                        "digit terakhirnya: ubah format sel NIP menjadi Teks, lalu ketik ulang "
                        "ke-18 angkanya."
                    )
                    found.append(Problem("nip_kepala", message, {}, number))
        return found
    finally:
        book.close()


def group_rows(rows: Rows, problems: list[Problem]) -> tuple[dict[str, Rows], Rows]:
    """Rows by their unit's kode, in file order; and the rows whose kode is wrong (a problem)."""
    groups: dict[str, Rows] = {}
    strays: Rows = []
    for number, cells in rows:
        try:
            kode = parse_kode(cells.get("kode_unit", ""))
        except UnitError as exc:
            problems.extend(at(p, number) for p in exc.problems)
            strays.append((number, cells))
            continue
        groups.setdefault(kode, []).append((number, cells))
    return groups, strays


def merge_cells(kode: str, rows: Rows, problems: list[Problem]) -> Cells:
    """A unit's cells: each column's first value; a row writing another is a problem."""
    merged: Cells = {}
    for number, cells in rows:
        for column in UNIT_COLUMNS:
            value = " ".join(cells.get(column, "").split())
            if not value:
                continue
            if column not in merged:
                merged[column] = (value, number)
            elif merged[column][0].casefold() != value.casefold():
                first, row = merged[column]
                message = N_(
                    "Nilai %(nilai)s berbeda dari baris %(baris)d (%(pertama)s) untuk unit "
                    "%(kode)s yang sama: samakan isinya."
                )
                params = {"nilai": value, "baris": row, "pertama": first, "kode": kode}
                problems.append(Problem(column, message, params, number))
    return merged
