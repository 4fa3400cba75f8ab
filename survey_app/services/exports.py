"""Files for evaluators: the interchange CSV and the SKM rekap workbook, from stored answers."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from analysis.exact import round_half_up
from analysis.responses import formula_safe
from analysis.scoring import IndexResult, score
from instruments import Instrument

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


def rekap_xlsx(
    frame: pd.DataFrame,
    instruments: list[Instrument],
    unit_name: str,
    period_label: str,
    excluded: dict[str, int] | None = None,
) -> bytes:
    """A workbook: the raw answers, then a rekap for the unit and one per layanan.

    Each rekap lists per unsur the number answering, the total, the NRR and the NRR tertimbang
    (NRR x 1/k), then the index, nilai, mutu and kinerja, as SKM reports are laid out. The unit's
    rekap ends with the answers staff excluded after review, per reason (``excluded``).
    """
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    formats = {
        "bold": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "bg_color": "#dbe8ef", "border": 1}),
        "n4": book.add_format({"num_format": "0.0000"}),
        "n2": book.add_format({"num_format": "0.00"}),
    }
    raw = interchange(frame, instruments)
    sheet = book.add_worksheet("Jawaban")
    sheet.write_row(0, 0, list(raw.columns), formats["head"])
    for row, values in enumerate(raw.itertuples(index=False), start=1):
        sheet.write_row(row, 0, ["" if pd.isna(v) else v for v in values])
    sheet = _rekap(book, "Rekap unit", frame, instruments, f"{unit_name} - {period_label}", formats)
    _excluded(sheet, excluded or {}, formats)
    for kode, part in frame.groupby("layanan", sort=True):
        title = f"{unit_name} - layanan {kode} - {period_label}"
        _rekap(book, f"Rekap {kode}"[:31], part, instruments, title, formats)
    book.close()
    return buffer.getvalue()


def _rekap(
    book: Workbook,
    name: str,
    frame: pd.DataFrame,
    instruments: list[Instrument],
    title: str,
    formats: dict[str, Format],
) -> Worksheet:
    sheet = book.add_worksheet(name)
    sheet.set_column(1, 1, 42)
    sheet.write(0, 0, title, formats["bold"])
    row = 2
    for instrument in instruments:
        if not set(instrument.codes) <= set(frame.columns):
            continue
        result = score(frame, instrument.codes, instrument.scale)
        row = _block(sheet, row, instrument, result, formats) + 2
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
    k = len(result.answered_items) or 1
    for item in result.items:
        row += 1
        nrr = item.nrr_rounded
        weighted = None if item.nrr is None else round_half_up(item.nrr / k, 4)
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
