"""A table as units save it, read into raw cells: CSV, XLSX, XLS or an HTML table saved as .xls.

What is accepted (INTERCHANGE.md, "What readers accept"): the separator ``,`` or ``;`` told apart
by the header line; UTF-8 with or without a BOM (another encoding only when named); a title above
the header (the header row named, or found by the column names it must hold); rows and columns
that hold nothing are dropped. A damaged workbook, a file in another encoding and a quoted cell
that swallows record-like lines are refused with one line that says what to do.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

SNIFF_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 30
SAVE_AS_UTF8 = "save it in Excel as 'CSV UTF-8' (simpan sebagai CSV UTF-8)"
DAMAGED = (
    "the workbook is damaged or incomplete (a download cut short?): open it in Excel and save "
    "it again, or save it as CSV UTF-8"
)


class TableError(ValueError):
    """A file that cannot be read as a table; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Table:
    """Raw cells under their header; the index is the data row number (1 = first data row)."""

    frame: pd.DataFrame
    kind: str  # csv, xlsx, xls or html
    separator: str | None = None


def read_table(
    source: str | Path | IO[bytes],
    *,
    encoding: str | None = None,
    header_row: int | None = None,
    header_names: Collection[str] = (),
    dtype: Mapping[str, Any] | type | None = None,
) -> Table:
    """Read ``source`` (a path or a binary file object) into a :class:`Table`.

    Parameters
    ----------
    encoding
        The text encoding of a CSV file when it is not UTF-8 (``cp1252``, ``latin-1``, ...).
    header_row
        The row holding the header (1 = the first line), for a file with a title above it.
    header_names
        Names the header must contain (compared trimmed, ignoring case): without
        ``header_row``, the first of the first 30 rows holding them all is the header.
    dtype
        Column types for the CSV parser (the workbook readers always give text).

    Raises
    ------
    TableError
        The file is empty, damaged, not UTF-8, or a quoted cell swallowed record-like lines.
    """
    head = _head(source)
    kind = _kind(head)
    if kind == "csv":
        table = _read_csv(source, head, encoding, header_row, header_names, dtype)
    else:
        table = Table(_read_workbook(source, kind, header_row, header_names), kind)
    return Table(_drop_empty(table.frame), table.kind, table.separator)


def _head(source: str | Path | IO[bytes]) -> bytes:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    position = source.tell()
    head = source.read(SNIFF_BYTES)
    source.seek(position)
    return head


def _rewind(source: str | Path | IO[bytes]) -> str | Path | IO[bytes]:
    if not isinstance(source, str | Path):
        source.seek(0)
    return source


def _kind(head: bytes) -> str:
    """The file's kind from its first bytes, whatever its name says."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<meta", b"<head")):
        return "html"
    if not head.strip():
        raise TableError(["the file is empty"])
    return "csv"


# -- CSV ----------------------------------------------------------------------------------------


def _read_csv(
    source: str | Path | IO[bytes],
    head: bytes,
    encoding: str | None,
    header_row: int | None,
    header_names: Collection[str],
    dtype: Mapping[str, Any] | type | None,
) -> Table:
    encoding = encoding or _encoding(head)
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines()
    skip = (header_row - 1) if header_row else _header_line(lines, header_names)
    if skip >= len(lines):
        raise TableError([f"the header row {skip + 1} is past the end of the file"])
    separator = _separator(lines[skip])
    try:
        frame = pd.read_csv(
            _rewind(source),
            sep=separator,
            skiprows=skip,
            dtype=dtype,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
            encoding=encoding,
            index_col=False,  # a row with an extra cell is an error, never a shifted frame
        )
    except pd.errors.EmptyDataError as exc:
        raise TableError(["the file is empty"]) from exc
    except UnicodeDecodeError as exc:
        raise TableError([_not_utf8(exc, encoding)]) from exc
    except LookupError as exc:
        raise TableError([f"--encoding {encoding}: unknown encoding"]) from exc
    except pd.errors.ParserError as exc:
        raise TableError([_parser_problem(str(exc), separator, skip)]) from exc
    except (ValueError, OSError) as exc:
        raise TableError([f"the file cannot be read as CSV: {exc}"]) from exc
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    _refuse_swallowed_records(source, frame, separator, skip)
    return Table(frame, "csv", separator)


def _parser_problem(message: str, separator: str, skip: int) -> str:
    """The CSV parser's complaint in the contract's words: the data row and what to do."""
    if found := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message):
        expected, line, saw = (int(g) for g in found.groups())
        return (
            f"row {line - skip - 1}: {saw} cells where the header has {expected} "
            f"(a '{separator}' inside a value that is not quoted?): quote the value"
        )
    if found := re.search(r"EOF inside string starting at row (\d+)", message):
        return (
            f'row {int(found.group(1))}: a quoted value is never closed (a " without its '
            "pair): close the quote; nothing from this file was used"
        )
    return f"the file cannot be read as CSV: {message}"


def _encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError([f"the file is UTF-16 (Excel's 'Unicode text'): {SAVE_AS_UTF8}"])
    return "utf-8-sig"  # also reads UTF-8 without a BOM


def _not_utf8(exc: UnicodeDecodeError, encoding: str) -> str:
    if encoding.replace("-", "").lower() not in ("utf8", "utf8sig"):
        return f"the file is not valid {encoding}: {exc.reason}"
    byte = exc.object[exc.start : exc.start + 1].hex().upper()
    return (
        f"the file is not UTF-8 (byte 0x{byte} at position {exc.start}, likely Windows-1252 or "
        f"Latin-1): {SAVE_AS_UTF8}, or name the encoding with --encoding cp1252"
    )


def _separator(header: str) -> str:
    """``;`` when the header line has more of them than commas (Excel in an id-ID locale)."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _header_line(lines: list[str], names: Collection[str]) -> int:
    """The line holding every one of ``names`` (0 when the first does, or none does)."""
    wanted = {_fold(n) for n in names}
    if not wanted:
        return 0
    for number, line in enumerate(lines[:HEADER_SEARCH_ROWS]):
        cells = {_fold(c) for c in re.split(r"[,;\t]", line.replace('"', ""))}
        if wanted <= cells:
            return number
    return 0


def _fold(value: object) -> str:
    return str(value).strip().casefold()


def _refuse_swallowed_records(
    source: str | Path | IO[bytes], frame: pd.DataFrame, separator: str, skip: int
) -> None:
    """A quote left open makes one cell of many lines: refuse when those lines look like rows.

    Cheap when nothing spans lines: the file's line count then equals the rows read.
    """
    if _line_count(source) <= skip + 1 + len(frame) + 1:
        return
    width = len(frame.columns)
    problems = []
    for column in frame.select_dtypes(include=object).columns:
        cells = frame[column].dropna()
        multi = cells[cells.str.contains("\n", regex=False)]
        for row, value in multi.items():
            swallowed = [
                line for line in value.split("\n")[1:] if line.count(separator) >= width // 2
            ]
            if swallowed:
                problems.append(
                    f"row {row}, column {column}: a quoted value runs over {len(swallowed)} "
                    f"following line(s) that look like records (a quote is not closed): "
                    f"close the quote, nothing from this file was used"
                )
    if problems:
        raise TableError(problems)


@contextmanager
def _opened(source: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """A binary handle on ``source`` from its start; a caller's file object is rewound after."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield handle
        return
    source.seek(0)
    try:
        yield source
    finally:
        source.seek(0)


def _line_count(source: str | Path | IO[bytes]) -> int:
    with _opened(source) as handle:
        count, last = 0, b"\n"
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
        return count + (last != b"\n")


# -- workbooks ----------------------------------------------------------------------------------


def _read_workbook(
    source: str | Path | IO[bytes], kind: str, header_row: int | None, names: Collection[str]
) -> pd.DataFrame:
    try:
        if kind == "html":
            grid = _html_table(source)
        else:
            engine = "openpyxl" if kind == "xlsx" else "xlrd"
            grid = pd.read_excel(_rewind(source), header=None, dtype=object, engine=engine)
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001  (each engine fails its own way on a broken file)
        raise TableError([DAMAGED]) from exc
    grid = grid.map(_cell_text).astype(object).dropna(how="all")
    if grid.empty:
        raise TableError(["the file has no data rows"])
    top = _grid_header(grid, header_row, names)
    header = [_header_text(value, i) for i, value in enumerate(grid.iloc[top])]
    frame = grid.iloc[top + 1 :].copy()
    frame.columns = pd.Index(header)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _html_table(source: str | Path | IO[bytes]) -> pd.DataFrame:
    with _opened(source) as handle:
        markup = handle.read()
    try:
        tables = pd.read_html(io.BytesIO(markup), header=None, flavor="lxml")
    except ValueError as exc:  # "No tables found"
        raise TableError(
            ["the file is a web page (HTML) with no table, not a workbook: export CSV UTF-8"]
        ) from exc
    table = max(tables, key=lambda t: t.size).astype(object)
    if isinstance(table.columns, pd.RangeIndex):
        return table
    # A <thead> became the column names: put it back as the grid's first row.
    header = [c[-1] if isinstance(c, tuple) else c for c in table.columns]
    width = range(len(header))
    return pd.concat([pd.DataFrame([header], columns=width), table.set_axis(width, axis=1)])


def _grid_header(grid: pd.DataFrame, header_row: int | None, names: Collection[str]) -> int:
    if header_row:
        if header_row > len(grid.index) or header_row - 1 not in grid.index:
            raise TableError([f"the header row {header_row} is past the end of the file"])
        return int(grid.index.get_loc(header_row - 1))
    wanted = {_fold(n) for n in names}
    for position in range(min(HEADER_SEARCH_ROWS, len(grid))):
        if wanted and wanted <= {_fold(v) for v in grid.iloc[position] if isinstance(v, str)}:
            return position
    return 0


def _header_text(value: object, position: int) -> str:
    if isinstance(value, str):
        return value
    return f"Unnamed: {position}"


def _cell_text(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or np.nan


# -- leftovers ----------------------------------------------------------------------------------


def _drop_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows and untitled columns that hold no value at all (Excel leftovers)."""
    untitled = [
        c
        for c in frame.columns
        if (str(c).startswith("Unnamed: ") or not str(c).strip()) and frame[c].isna().all()
    ]
    if untitled:
        frame = frame.drop(columns=untitled)
    empty = frame[frame.columns[0]].isna()
    for column in frame.columns[1:]:  # column by column, stopping once no row can be empty
        if not empty.any():
            break
        empty &= frame[column].isna()
    if empty.any():
        frame = frame[~empty]
    if frame.empty:
        raise TableError(["the file has no data rows"])
    return frame
