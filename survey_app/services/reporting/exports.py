"""Files for evaluators: the interchange CSV and the SKM rekap workbook, from stored answers."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from analysis.responses import formula_safe
from analysis.scoring import IndexResult
from instruments import Instrument
from survey_app.services.collection.kuesioner import Catatan

PROFILE = ["umur", "jenis_kelamin", "pendidikan", "pekerjaan"]


def interchange(frame: pd.DataFrame, instruments: Iterable[Instrument]) -> pd.DataFrame:
    """Stored answers in the columns of INTERCHANGE.md (one row per respondent)."""
    codes = [c for i in instruments for c in i.codes]
    out = pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "submitted_at": pd.to_datetime(frame["submitted_at"], utc=True).map(
                lambda t: t.isoformat()
            ),
            "layanan": frame["layanan"],
        }
    )
    for code in codes:
        values = frame[code] if code in frame.columns else pd.Series(pd.NA, index=frame.index)
        out[code] = values.astype("Int64")
    for key in [*PROFILE, "saran"]:
        out[key] = frame[key]
    return out


def interchange_csv(frame: pd.DataFrame, instruments: Iterable[Instrument]) -> bytes:
    return b"".join(interchange_csv_chunks([frame], list(instruments)))


def interchange_csv_chunks(
    pages: Iterable[pd.DataFrame], instruments: list[Instrument]
) -> Iterator[bytes]:
    """The interchange CSV, a chunk per page of answers: the header, then rows as they come."""
    header = True
    for page in pages:
        buffer = io.StringIO()
        table = interchange(page, instruments)
        table["saran"] = table["saran"].map(formula_safe)  # a spreadsheet must not run it
        table.to_csv(buffer, index=False, header=header)
        header = False
        yield buffer.getvalue().encode("utf-8")
    if header:  # no answers at all: the header alone
        codes = [c for i in instruments for c in i.codes]
        yield (
            ",".join(["id", "submitted_at", "layanan", *codes, *PROFILE, "saran"]) + "\n"
        ).encode()


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
) -> None:
    """Write a workbook to ``path``: the raw answers, a page at a time, then the rekaps.

    Each rekap lists per unsur the number answering, the total, the NRR and the NRR tertimbang
    (NRR x 1/k), then the index, nilai, mutu and kinerja, as SKM reports are laid out, and a
    line "Tidak ditanyakan" per item a variant left out (the reports' note); the first ends
    with the answers staff excluded after review, per reason (``excluded``).
    Written in XlsxWriter's constant-memory mode: a row goes to disk once the next begins, so
    100,000 answers take no more memory than a page of them.
    """
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
    written = 0
    for page in pages:
        raw = interchange(page, instruments)
        if mask is not None:  # a copy handed on: what looks like a person's details goes
            raw["saran"] = raw["saran"].map(
                lambda text: mask(text) if isinstance(text, str) else text
            )
        if written == 0:
            sheet.write_row(0, 0, list(raw.columns), formats["head"])
        for values in raw.itertuples(index=False):
            written += 1
            sheet.write_row(written, 0, ["" if pd.isna(v) else v for v in values])
    if written == 0:
        codes = [c for i in instruments for c in i.codes]
        header = ["id", "submitted_at", "layanan", *codes, *PROFILE, "saran"]
        sheet.write_row(0, 0, header, formats["head"])
    for number, rekap in enumerate(rekaps):
        sheet = _rekap(book, rekap, instruments, formats)
        if number == 0:
            _excluded(sheet, excluded or {}, formats)
    book.close()


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
