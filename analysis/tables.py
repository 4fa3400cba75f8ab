"""A table as units save it, read into raw cells: CSV, XLSX, XLS or an HTML table saved as .xls.

What is accepted (INTERCHANGE.md, "What readers accept"): the separator ``,`` or ``;`` told apart
by the lines themselves; UTF-8 with or without a BOM (another encoding only when named); a title
above the header (the header row named, or found by the column names it must hold); rows and
columns that hold nothing are dropped, and row numbers stay those of the file (1 = the first row
under the header). A damaged workbook, a file in another encoding, a row with more or fewer cells
than the header and a quoted cell that swallows record-like lines are refused, each with one line
that says where and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

import analysis

SNIFF_BYTES = 64 * 1024
HEADER_SEARCH_ROWS = 30
MAX_SHAPE_PROBLEMS = 50
SAVE_AS_UTF8 = "save it in Excel as 'CSV UTF-8' (simpan sebagai CSV UTF-8)"
DAMAGED = (
    "the workbook is damaged or incomplete (a download cut short?): open it in Excel and save "
    "it again, or save it as CSV UTF-8"
)
NOT_A_TABLE = "the file is neither CSV nor an Excel workbook: export it as CSV UTF-8 or .xlsx"


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
    # the line (CSV) or sheet row of the header, 1 = the first: a data row's number as the file
    # shows it is ``header_line + index`` (a quoted value spanning lines aside)
    header_line: int = 1


def read_table(
    source: str | Path | IO[bytes],
    *,
    encoding: str | None = None,
    header_row: int | None = None,
    header_names: Collection[str] = (),
    dtype: Mapping[str, Any] | type | Callable[[list[str]], Mapping[str, Any]] | None = None,
    arrow_text: Collection[str] = (),
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
        ``header_row``, the first of the first 30 rows holding them all is the header; without
        either, the first row about as full as the fullest.
    dtype
        Column types for the CSV parser, or a function of the header's cells returning them
        (the workbook readers always give text).
    arrow_text
        Text columns (by header, trimmed, ignoring case) that a large CSV read by the fast
        reader may hand over as pyarrow-backed strings (``pd.ArrowDtype``) instead of Python
        objects, for a caller that reads them with pyarrow (stamps, service codes).

    A CSV of :data:`FAST_MIN_BYTES` or more that is plain enough (see :func:`_fast_csv`) is
    read by pyarrow; the cells are the same as pandas' C parser gives. Anything the fast
    reader cannot vouch for is read by pandas, which also words every problem.

    Raises
    ------
    TableError
        The file is empty, damaged, not UTF-8, not a table, or its rows do not fit the header.
    """
    head = _head(source)
    kind = _kind(head)
    if kind == "csv":
        table = _read_csv(source, head, encoding, header_row, header_names, dtype, arrow_text)
    else:
        frame, header_line = _read_workbook(source, kind, header_row, header_names)
        table = Table(frame, kind, header_line=header_line)
    return Table(_drop_empty(table.frame), table.kind, table.separator, table.header_line)


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


def _head(source: str | Path | IO[bytes]) -> bytes:
    with _opened(source) as handle:
        return handle.read(SNIFF_BYTES)


def _kind(head: bytes) -> str:
    """The file's kind from its first bytes, whatever its name says."""
    if head.startswith(b"PK\x03\x04"):
        if b"application/vnd.oasis.opendocument" in head[:200]:
            raise TableError(["the file is an OpenDocument spreadsheet: save it as .xlsx or CSV"])
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise TableError(["the file is empty"])
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            raise TableError(["the file is an Excel 2003 XML workbook: save it as .xlsx"])
        return "html"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError([NOT_A_TABLE])
    return "csv"


# -- CSV ----------------------------------------------------------------------------------------


def _read_csv(
    source: str | Path | IO[bytes],
    head: bytes,
    encoding: str | None,
    header_row: int | None,
    header_names: Collection[str],
    dtype: Mapping[str, Any] | type | Callable[[list[str]], Mapping[str, Any]] | None,
    arrow_text: Collection[str] = (),
) -> Table:
    encoding = encoding or _encoding(head)
    lines = head.decode(encoding, errors="replace").splitlines()
    separator = _separator(lines)
    skip = (header_row - 1) if header_row else _header_line(lines, header_names, separator)
    if skip >= len(lines):
        raise TableError([f"the header row {skip + 1} is past the end of the file"])
    if callable(dtype) and not isinstance(dtype, type):
        header = next(csv.reader([lines[skip]], delimiter=separator, skipinitialspace=True), [])
        dtype = dtype(header)
    with _opened(source) as handle:
        data = handle.read()
    _refuse_nul(data, encoding, separator, skip)
    fast = _fast_csv(data, encoding, separator, skip, dtype, arrow_text)
    if fast is not None:
        return Table(fast, "csv", separator, skip + 1)
    try:
        with warnings.catch_warnings():
            # index_col=False drops the extra cell of a long first row with only a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                _rewound(source),
                sep=separator,
                skiprows=skip,
                dtype=dtype,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
                skip_blank_lines=False,  # a blank line keeps its row number
                encoding=encoding,
                index_col=False,  # a row with an extra cell is an error, never a shifted frame
            )
    except pd.errors.ParserWarning as exc:
        raise TableError([_long_row(1, separator)]) from exc
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
    _check_shape(data, encoding, separator, skip, len(frame.columns))
    return Table(frame, "csv", separator, skip + 1)


# -- the fast reader ----------------------------------------------------------------------------

FAST_MIN_BYTES = analysis.FAST_MIN_BYTES
_BOM = b"\xef\xbb\xbf"
_LARGEST_EXACT = 2**53  # whole numbers a float64 holds exactly, whoever parsed them


def _ascii_compatible(encoding: str) -> bool:
    """Whether a NUL byte in ``encoding`` is a NUL character (not so in UTF-16 or UTF-32)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False  # the reader names the unknown encoding
    return not name.startswith(("utf-16", "utf-32"))


def _refuse_nul(data: bytes, encoding: str, separator: str, skip: int) -> None:
    """A NUL byte anywhere in a text file is refused, naming its row and column.

    pandas' C parser ends a cell at a NUL and drops the rest without a word; no spreadsheet
    writes one into a CSV, so the file is damaged (or not text), and nothing of it is used.
    """
    if b"\x00" not in data or not _ascii_compatible(encoding):
        return
    at = data.index(b"\x00")
    line_start = data.rfind(b"\n", 0, at) + 1
    row = data.count(b"\n", 0, at) - skip
    where = f"row {row}" if row >= 1 else "the header"
    before = data[line_start:at]
    if row >= 1 and b'"' not in before:
        header_start = 0
        for _ in range(skip):
            header_start = data.index(b"\n", header_start) + 1
        header_line = data[header_start : data.find(b"\n", header_start)]
        header = header_line.decode(encoding, errors="replace").lstrip("\ufeff")
        names = [name.strip() for name in header.rstrip("\r").split(separator)]
        position = before.count(separator.encode())
        if position < len(names):
            where += f", column {names[position]}"
    raise TableError(
        [
            f"the file is not valid text: {where} holds a NUL byte (0x00), which no "
            "spreadsheet writes into a CSV (a damaged file?): open it in Excel and save it "
            f"again, or {SAVE_AS_UTF8}; nothing from this file was used"
        ]
    )


def _fast_csv(
    data: bytes,
    encoding: str,
    separator: str,
    skip: int,
    dtype: Mapping[str, Any] | type | None,
    arrow_text: Collection[str] = (),
) -> pd.DataFrame | None:
    """The cells of a large, plain CSV read by pyarrow, as pandas' C parser reads them; None
    when the file is small or anything in it is not plain, for pandas to read it.

    Plain means: UTF-8, the header on the first line, no quote character, no lone carriage
    return, no text cell or header starting with a space or tab (pandas drops those), a
    header of distinct names, and every row as long as the header (pyarrow refuses any
    other; a blank line is a row of blanks to both). Columns typed ``str`` are text, blank as
    NaN; every other column must be int64 (float64 with NaN when it has a blank, as pandas
    makes it) of whole numbers of at most 2**53, or the file goes to pandas: a value such as
    ``3.5``, ``x`` or ``+3`` is always read, and reported, by pandas.
    """
    if len(data) < FAST_MIN_BYTES or skip:
        return None
    try:
        if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
            return None
    except LookupError:
        return None
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if b'"' in body or body[:1] in (b" ", b"\t", b"\r", b"\n"):
        return None
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None  # a carriage return alone ends a line for pandas, not for the cell count
    try:
        import pyarrow as pa
        import pyarrow.csv as pv
    except ImportError:  # pragma: no cover - pinned in pyproject.toml
        return None
    try:
        header = body[: body.find(b"\n")].rstrip(b"\r").decode("utf-8").split(separator)
    except UnicodeDecodeError:
        return None
    if len(set(header)) != len(header) or not all(name.strip() for name in header):
        return None
    if any(name.startswith((" ", "\t")) for name in header):
        return None  # pandas drops the spaces that start a cell (skipinitialspace)
    text = [name for name in header if _is_text(dtype, name)]
    try:
        table = pv.read_csv(
            pa.py_buffer(body),
            parse_options=pv.ParseOptions(
                delimiter=separator,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(text, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                check_utf8=True,
            ),
        )
    except (pa.ArrowException, ValueError):  # a row of another length, bytes not UTF-8, ...
        return None
    if table.column_names != header:
        return None
    lazy = {_fold(name) for name in arrow_text}
    numeric = [name for name in header if name not in text]
    for name in numeric:
        column = table.column(name)
        if not _whole_numbers(column):
            return None
        if pa.types.is_null(column.type):  # a column with no value: float NaN, as pandas
            table = table.set_column(header.index(name), name, column.cast(pa.float64()))
    # one block per column, so nothing is copied once more into a 2-D block
    frame = table.select(numeric).to_pandas(split_blocks=True)
    frame.index = pd.RangeIndex(1, table.num_rows + 1)
    for position, name in enumerate(header):
        if name in text:
            column = table.column(name)
            if _starts_with_space(column):
                return None  # pandas drops the spaces that start a cell (skipinitialspace)
            values = (
                pd.arrays.ArrowExtensionArray(column) if _fold(name) in lazy else _objects(column)
            )
            frame.insert(position, name, values)
    return frame


def _starts_with_space(column: Any) -> bool:
    import pyarrow.compute as pc

    spaced = pc.or_(pc.starts_with(column, " "), pc.starts_with(column, "\t"))
    return bool(pc.any(spaced).as_py())


def _is_text(dtype: Mapping[str, Any] | type | None, name: str) -> bool:
    if isinstance(dtype, type):
        return dtype is str
    return dtype is not None and dtype.get(name) is str


def text_cells(series: pd.Series) -> pd.Series:
    """A pyarrow-backed text column of the fast reader as pandas' parser gives it: Python
    strings, NaN for a blank (any other series is returned as it is)."""
    if not isinstance(series.dtype, pd.ArrowDtype):
        return series
    return pd.Series(_objects(series.array.__arrow_array__()), index=series.index, name=series.name)


def _objects(column: Any) -> np.ndarray:
    """Text cells as pandas' parser gives them: Python strings, NaN for a blank. Each distinct
    text is made once (a million rows of five service codes are five strings)."""

    encoded = column.dictionary_encode().combine_chunks()
    texts = np.append(encoded.dictionary.to_numpy(zero_copy_only=False), np.nan)
    positions = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()
    return texts[positions]


def _whole_numbers(column: Any) -> bool:
    """Whether pandas' parser reads this numeric column as pyarrow did: int64, or float64
    with NaN for a blank, every value a whole number of at most 2**53 (exact either way)."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_null(kind):
        return True
    if not (pa.types.is_int64(kind) or pa.types.is_float64(kind)):
        return False
    if not column.null_count and pa.types.is_int64(kind):
        return True  # int64 to both parsers, whatever the size
    values = column.to_numpy()  # float64 with NaN for the blanks
    if not column.null_count:
        return False  # "+3" is a float to pyarrow, an integer to pandas: only a blank decides
    blank = np.isnan(values)
    if int(blank.sum()) != column.null_count:
        return False  # "nan" written as text: pandas reads that another way
    given = values[~blank]
    if not np.isfinite(given).all() or np.abs(given).max(initial=0) > _LARGEST_EXACT:
        return False
    return bool((given == np.floor(given)).all())


def _rewound(source: str | Path | IO[bytes]) -> str | Path | IO[bytes]:
    if not isinstance(source, str | Path):
        source.seek(0)
    return source


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


def _long_row(row: int, separator: str) -> str:
    return (
        f"row {row}: more cells than the header (a '{separator}' inside a value that is not "
        "quoted?): quote the value"
    )


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


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def _separator(lines: list[str]) -> str:
    """The separator most lines agree on: ``;`` for Excel in an id-ID locale, else ``,``.

    A header may hold commas inside unquoted titles ("Sistem, Mekanisme, dan Prosedur"), so
    the count must repeat over the first lines, not only appear in the header.
    """
    sample = [_unquoted(line) for line in lines[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_score = ",", (0, 0)
    for separator in (",", ";", "\t"):
        counts = Counter(line.count(separator) for line in sample)
        counts.pop(0, None)
        if counts:
            width, agreeing = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
            if (agreeing, width) > best_score:
                best, best_score = separator, (agreeing, width)
    return best


def _header_line(lines: list[str], names: Collection[str], separator: str) -> int:
    """The line of the header: the first holding every one of ``names``, or else the first
    about as full as the fullest (a title line above a header holds one cell)."""
    rows = [
        [cell.strip().strip('"') for cell in line.split(separator)]
        for line in lines[:HEADER_SEARCH_ROWS]
    ]
    return _header_position(rows, names)


def _header_position(rows: list[list[Any]], names: Collection[str]) -> int:
    wanted = {_fold(n) for n in names}
    if wanted:
        for number, row in enumerate(rows):
            if wanted <= {_fold(c) for c in row if isinstance(c, str)}:
                return number
    filled = [sum(1 for c in row if isinstance(c, str) and c.strip()) for row in rows]
    fullest = max(filled, default=0)
    return next((n for n, count in enumerate(filled) if count * 2 > fullest), 0)


def _fold(value: object) -> str:
    return str(value).strip().casefold()


def _check_shape(data: bytes, encoding: str, separator: str, skip: int, width: int) -> None:
    """Every row has the header's number of cells, and no quoted cell swallowed records.

    Without a quote in the file this is one vectorised count of separators per line; with
    quotes, the records are walked with the csv module (quotes change what a line is).
    """
    if b'"' in data:
        problems = _walk_records(data.decode(encoding), separator, skip, width)
    else:
        problems = _count_cells(data, separator, skip, width)
    if problems:
        raise TableError(problems[:MAX_SHAPE_PROBLEMS])


def _count_cells(data: bytes, separator: str, skip: int, width: int) -> list[str]:
    """Rows whose number of cells is not the header's, by counting separators per line: a
    running count over blocks of whole lines (a few MB each), read at each line's end."""
    raw = np.frombuffer(data, dtype=np.uint8)
    problems: list[str] = []
    line, start = 0, 0
    while start < len(raw) and len(problems) < MAX_SHAPE_PROBLEMS:
        stop = min(start + (8 << 20), len(raw))
        if stop < len(raw):
            stop = data.rfind(b"\n", start, stop) + 1 or len(raw)
        block = raw[start:stop]
        ends = np.flatnonzero(block == ord("\n"))
        if not len(ends) or ends[-1] != len(block) - 1:
            ends = np.append(ends, len(block) - 1)  # a last line with no newline
        running = np.cumsum(block == ord(separator), dtype=np.int32)
        per_line = np.diff(running[ends], prepend=0)
        for offset in np.flatnonzero(per_line != width - 1):  # rare: checked one by one
            number = line + int(offset)
            first = start + (int(ends[offset - 1]) + 1 if offset else 0)
            text = data[first : start + int(ends[offset]) + 1]
            if number <= skip or not text.replace(separator.encode(), b"").strip():
                continue  # the title above the header, or a line that holds no value
            cells = int(per_line[offset]) + 1
            hint = f" (a '{separator}' inside a value that is not quoted?)" if cells > width else ""
            problems.append(
                f"row {number - skip}: {cells} cells where the header has {width}{hint}"
            )
            if len(problems) >= MAX_SHAPE_PROBLEMS:
                break
        line += len(ends)
        start = stop
    return problems


def _shape(text: str) -> str:
    """What a value looks like: digits as 9, letters as a (2026-01-05T08:00 -> 9999-99-99a99:99)."""
    return re.sub(r"[^\W\d_]", "a", re.sub(r"\d", "9", text.strip()))


def _walk_records(text: str, separator: str, skip: int, width: int) -> list[str]:
    """Walk the records: each has ``width`` cells, and no quoted cell holds lines that look
    like records (a line with a whole record's separators, or one that starts like the first
    cell of the records around it, a timestamp or an id)."""
    problems: list[str] = []
    header: list[str] = []
    reader = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)
    firsts = {
        _shape(record[0])
        for number, record in zip(range(skip + 1 + 50), reader, strict=False)
        if number > skip and record and len(record[0].strip()) >= 4
    }
    reader = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)
    for number, record in enumerate(reader):
        row = number - skip
        if row == 0:
            header = [cell.strip() for cell in record]
        if row < 1 or not any(cell.strip() for cell in record):
            continue
        if len(record) != width:
            problems.append(f"row {row}: {len(record)} cells where the header has {width}")
        for position, cell in enumerate(record):
            swallowed = [
                line
                for line in cell.split("\n")[1:]
                if line.count(separator) >= width - 1
                or (separator in line and _shape(line.split(separator)[0]) in firsts)
            ]
            if swallowed:
                name = header[position] if position < len(header) else str(position + 1)
                problems.append(
                    f"row {row}, column {name}: a quoted value runs over {len(swallowed)} "
                    "following line(s) that look like records (a quote is not closed): close "
                    "the quote; nothing from this file was used"
                )
        if len(problems) >= MAX_SHAPE_PROBLEMS:
            break
    return problems


# -- workbooks ----------------------------------------------------------------------------------


def _read_workbook(
    source: str | Path | IO[bytes], kind: str, header_row: int | None, names: Collection[str]
) -> tuple[pd.DataFrame, int]:
    """The cells under the header, and the sheet row of the header (1 = the first)."""
    try:
        if kind == "html":
            grid = _html_grid(source)
        elif kind == "xlsx":
            grid = pd.read_excel(_rewound(source), header=None, dtype=object, engine="openpyxl")
        else:  # xlrd writes its complaints to stdout unless given a log of its own
            grid = pd.read_excel(
                _rewound(source),
                header=None,
                dtype=object,
                engine="xlrd",
                engine_kwargs={"logfile": io.StringIO()},
            )
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001  (each engine fails its own way on a broken file)
        raise TableError([DAMAGED]) from exc
    grid = grid.map(_cell_text).astype(object).dropna(how="all")
    if grid.empty:
        raise TableError(["the file has no data rows"])
    if header_row:
        if header_row - 1 not in grid.index:
            raise TableError([f"the header row {header_row} is empty or past the end"])
        top = int(grid.index.get_loc(header_row - 1))
    else:
        top = _header_position(grid.head(HEADER_SEARCH_ROWS).values.tolist(), names)
    header = [_header_text(value, i) for i, value in enumerate(grid.iloc[top])]
    frame = grid.iloc[top + 1 :].copy()
    frame.columns = pd.Index(header)
    frame.index = frame.index - grid.index[top]  # rows as the sheet numbers them, under the header
    return frame, int(grid.index[top]) + 1


def _html_grid(source: str | Path | IO[bytes]) -> pd.DataFrame:
    """The largest table of an HTML page, every cell as its text (never converted)."""
    import lxml.html

    with _opened(source) as handle:
        markup = handle.read()
    try:
        document = lxml.html.fromstring(markup)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise TableError([NOT_A_TABLE]) from exc
    tables = [
        [[cell.text_content().strip() for cell in tr.xpath("./th|./td")] for tr in t.xpath(".//tr")]
        for t in document.xpath("//table")
    ]
    tables = [t for t in tables if t]
    if not tables:
        raise TableError(
            ["the file is a web page (HTML) with no table, not a workbook: export CSV UTF-8"]
        )
    rows = max(tables, key=lambda t: sum(len(r) for r in t))
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


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
    if frame.columns.empty:
        raise TableError(["the file has no data rows"])
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
