"""Files for evaluators: the interchange CSV and the SKM rekap workbook, from stored answers.

An item a variant asked in sub-questions (docs/kuesioner.md §4) is written as its value, the
mean of the respondent's sub-answers (``3.5``; half-up to 4 places for thirds), followed by its
parts (``U3.1/2``, ``U3.2/2``): the parts carry the answer exactly, so ``zisurvey score`` of the
file pools them as the dashboard does. An item a version left out is empty on its rows; the
workbook says why, and which version and wording each row answered.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from analysis.kuesioner import split_code, value_text
from analysis.responses import formula_safe
from analysis.scoring import IndexResult
from instruments import Instrument
from survey_app.services.collection.kuesioner import Catatan
from survey_app.services.reporting.asked import EXTRA_PREFIX, Asked, Line

PROFILE = ["umur", "jenis_kelamin", "pendidikan", "pekerjaan"]


def item_columns(instruments: Iterable[Instrument], parts: Iterable[str] = ()) -> list[str]:
    """The answer columns of an export: each item code, followed by its sub-question parts
    among ``parts``."""
    parts = list(parts)
    return [
        column
        for i in instruments
        for code in i.codes
        for column in (code, *(p for p in parts if split_code(p)[0] == code))
    ]


def header(instruments: Iterable[Instrument], parts: Iterable[str] = ()) -> list[str]:
    return ["id", "submitted_at", "layanan", *item_columns(instruments, parts), *PROFILE, "saran"]


def interchange(
    frame: pd.DataFrame, instruments: Iterable[Instrument], parts: Iterable[str] = ()
) -> pd.DataFrame:
    """Stored answers in the columns of INTERCHANGE.md (one row per respondent), each item's
    sub-question parts among ``parts`` after it, the item's cell their mean (§4)."""
    columns = item_columns(instruments, parts)
    out = pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "submitted_at": pd.to_datetime(frame["submitted_at"], utc=True).map(
                lambda t: t.isoformat()
            ),
            "layanan": frame["layanan"],
        }
    )
    for column in columns:
        values = frame[column] if column in frame.columns else pd.Series(pd.NA, index=frame.index)
        out[column] = values.astype("Int64")
    for code in {split_code(c)[0] for c in columns if split_code(c)[2] > 1}:
        out[code] = _combined(out, code, [c for c in columns if split_code(c)[0] == code][1:])
    for key in [*PROFILE, "saran"]:
        out[key] = frame[key]
    return out


def _combined(out: pd.DataFrame, code: str, parts: list[str]) -> pd.Series:
    """The item's column: its plain answer, or on a row answered in parts their mean as text
    (:func:`analysis.kuesioner.value_text`); object dtype, so 4 stays ``4`` and 7/2 ``3.5``."""
    values = out[code].astype(object).where(out[code].notna(), None)
    for k in sorted({split_code(p)[2] for p in parts}):
        group = [p for p in parts if split_code(p)[2] == k]
        every = out[group].notna().all(axis=1)
        for row in out.index[every]:
            total = sum(int(out.at[row, p]) for p in group)
            values[row] = value_text(Fraction(total, k))
    return values


def interchange_csv(
    frame: pd.DataFrame, instruments: Iterable[Instrument], parts: Iterable[str] = ()
) -> bytes:
    return b"".join(interchange_csv_chunks([frame], list(instruments), parts))


def interchange_csv_chunks(
    pages: Iterable[pd.DataFrame], instruments: list[Instrument], parts: Iterable[str] = ()
) -> Iterator[bytes]:
    """The interchange CSV, a chunk per page of answers: the header, then rows as they come.
    ``parts``: the sub-question columns of the period (the same on every page)."""
    parts = list(parts)
    first = True
    for page in pages:
        buffer = io.StringIO()
        table = interchange(page, instruments, parts)
        table["saran"] = table["saran"].map(formula_safe)  # a spreadsheet must not run it
        table.to_csv(buffer, index=False, header=first)
        first = False
        yield buffer.getvalue().encode("utf-8")
    if first:  # no answers at all: the header alone
        yield (",".join(header(instruments, parts)) + "\n").encode()


@dataclass(frozen=True)
class Rekap:
    """One rekap sheet: its name, its title line, the result of each instrument, and the
    items a variant left out of the answers it sums (docs/kuesioner.md §4)."""

    name: str
    title: str
    results: dict[str, IndexResult]
    catatan: tuple[Catatan, ...] = ()


def rekap_xlsx(
    path: Path,
    pages: Iterable[pd.DataFrame],
    instruments: list[Instrument],
    rekaps: list[Rekap],
    excluded: dict[str, int] | None = None,
    mask: Callable[[str], str] | None = None,
    asked: Asked | None = None,
    lines: list[Line] | None = None,
) -> None:
    """Write a workbook to ``path``: the raw answers, a page at a time, then the rekaps.

    Each rekap lists per unsur the number answering, the total, the NRR and the NRR tertimbang
    (NRR x 1/k), then the index, nilai, mutu and kinerja, as SKM reports are laid out, and a
    line "Tidak ditanyakan" per item a variant left out (the reports' note); the first ends
    with the answers staff excluded after review, per reason (``excluded``).
    Written in XlsxWriter's constant-memory mode: a row goes to disk once the next begins, so
    100,000 answers take no more memory than a page of them.

    With ``asked`` (the versions of the period, :func:`~.asked.asked_in`) the answers sheet has
    each item's sub-question parts after it, the sheet ``Sebagaimana ditanyakan`` gives per row
    the version answered, the items it left out and why, and the extra questions' answers,
    and the sheet ``Kuesioner`` which text each column asked per version (``lines``).
    """
    asked = asked or Asked("")
    book = Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        "bold": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "bg_color": "#dbe8ef", "border": 1}),
        "n4": book.add_format({"num_format": "0.0000"}),
        "n2": book.add_format({"num_format": "0.00"}),
    }
    sheet = book.add_worksheet("Jawaban")
    sheet.write_row(0, 0, header(instruments, asked.parts), formats["head"])
    extra = book.add_worksheet("Sebagaimana ditanyakan") if asked.versions else None
    extra_head = ["id", "layanan", "kuesioner", "dihilangkan (alasan)"]
    extra_head += [EXTRA_PREFIX + k for k in asked.extra_codes]
    if extra is not None:
        extra.write_row(0, 0, extra_head, formats["head"])
    written = 0
    split_items = {split_code(p)[0] for p in asked.parts}  # their mean: a number in the sheet
    for page in pages:
        raw = interchange(page, instruments, asked.parts)
        if mask is not None:  # a copy handed on: what looks like a person's details goes
            raw["saran"] = raw["saran"].map(
                lambda text: mask(text) if isinstance(text, str) else text
            )
        start = written
        split = {n for n, c in enumerate(raw.columns) if c in split_items}
        for values in raw.itertuples(index=False):
            written += 1
            sheet.write_row(written, 0, [_cell(v, n in split) for n, v in enumerate(values)])
        if extra is not None:
            _as_asked(extra, start, page, asked, mask)
    if extra is not None:
        sheet.write(written + 2, 0, "Kolom butir yang kosong pada baris sebuah versi yang "
                    "menghilangkan butir itu: alasannya di lembar 'Sebagaimana ditanyakan'; "
                    "teks tiap kolom per versi di lembar 'Kuesioner'.")  # fmt: skip
        _questions_sheet(book, lines or [], formats)
    for number, rekap in enumerate(rekaps):
        sheet = _rekap(book, rekap, instruments, formats)
        if number == 0:
            _excluded(sheet, excluded or {}, formats)
    book.close()


def _cell(value: object, mean: bool = False) -> object:
    """A cell of the answers sheet: blank for none; an item's mean of parts (``mean``, written
    as text by :func:`interchange`) as a number."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return float(value) if mean and isinstance(value, str) else value


def _as_asked(
    sheet: Worksheet,
    start: int,
    page: pd.DataFrame,
    asked: Asked,
    mask: Callable[[str], str] | None,
) -> None:
    """The rows of ``page`` on the sheet of answers as asked: version, left out, extras."""
    versions = page["kuesioner_versi_id"] if "kuesioner_versi_id" in page.columns else None
    for n, (_index, row) in enumerate(page.iterrows(), start=start + 1):
        versi = versions.loc[_index] if versions is not None else None
        cells: list[object] = [str(row["id"]), row["layanan"], asked.label(versi)]
        cells.append(asked.left_out(versi))
        for kode in asked.extra_codes:
            value = asked.extra_answer(versi, kode, row.get(EXTRA_PREFIX + kode))
            cells.append(mask(value) if mask and value and asked.free_text(kode) else value)
        sheet.write_row(n, 0, cells)


def _questions_sheet(book: Workbook, lines: list[Line], formats: dict[str, Format]) -> None:
    sheet = book.add_worksheet("Kuesioner")
    sheet.write(0, 0, "Teks yang ditanyakan tiap kolom, per versi kuesioner dan layanan "
                "(baris berversi 'dasar': kuesioner bawaan, instruments/data)",
                formats["bold"])  # fmt: skip
    head = ["Versi", "Layanan", "Kolom", "Pertanyaan", "Question (en)", "Keterangan"]
    sheet.write_row(2, 0, head, formats["head"])
    for n, line in enumerate(lines, start=3):
        sheet.write_row(n, 0, [line.versi, line.layanan, line.kolom, line.id, line.en,
                               line.keterangan])  # fmt: skip


def _rekap(
    book: Workbook, rekap: Rekap, instruments: list[Instrument], formats: dict[str, Format]
) -> Worksheet:
    sheet = book.add_worksheet(rekap.name[:31])
    sheet.set_column(1, 1, 42)
    sheet.write(0, 0, rekap.title, formats["bold"])
    row = 2
    for instrument in instruments:
        result = rekap.results.get(instrument.id)
        if result is None or not result.n:
            continue
        row = _block(sheet, row, instrument, result, formats) + 1
        for note in (x for x in rekap.catatan if x.instrument_id == instrument.id):
            sheet.write(row, 0, "Tidak ditanyakan", formats["bold"])
            sheet.write(row, 1, note.kalimat())
            row += 1
        row += 1
    return sheet


def _excluded(sheet: Worksheet, excluded: dict[str, int], formats: dict[str, Format]) -> None:
    row = sheet.dim_rowmax + 2 if sheet.dim_rowmax is not None else 2
    total = sum(excluded.values())
    sheet.write(row, 0, f"Dikecualikan setelah ditinjau: {total} jawaban", formats["bold"])
    for reason, n in excluded.items():
        row += 1
        sheet.write_row(row, 1, [reason, n])


def _block(
    sheet: Worksheet,
    row: int,
    instrument: Instrument,
    result: IndexResult,
    formats: dict[str, Format],
) -> int:
    sheet.write(
        row, 0, f"{instrument.title.id} ({instrument.index}), n = {result.n}", formats["bold"]
    )
    row += 1
    header = ["Kode", "Unsur/indikator", "n", "Jumlah nilai", "NRR", "NRR tertimbang"]
    sheet.write_row(row, 0, header, formats["head"])
    for item in result.items:
        row += 1
        nrr = item.nrr_rounded
        weighted = result.nrr_tertimbang(item.code)
        sheet.write_row(row, 0, [item.code, instrument.item(item.code).dimension.id, item.n])
        sheet.write_number(row, 3, float(item.total))
        if nrr is not None and weighted is not None:
            sheet.write_number(row, 4, float(nrr), formats["n4"])
            sheet.write_number(row, 5, float(weighted), formats["n4"])
    mutu = result.mutu
    rows = [("Indeks", result.indeks, "n4"), (f"Nilai {instrument.index}", result.nilai, "n2")]
    for label, value, fmt in rows:
        row += 1
        sheet.write(row, 1, label, formats["bold"])
        if value is not None:
            sheet.write_number(row, 5, float(value), formats[fmt])
    row += 1
    sheet.write(row, 1, "Mutu / kinerja", formats["bold"])
    sheet.write(row, 5, f"{mutu.mutu} ({mutu.kinerja})" if mutu else "-")
    return row
