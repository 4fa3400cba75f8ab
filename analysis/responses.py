"""Read a responses file (CSV or XLSX, INTERCHANGE.md) into a clean frame, or reject it whole.

Every problem is reported at once, by row (1 = first data row) and column, in the words of the
contract: ``row 7, column U3: value 5 is outside 1-4``. A file with any problem yields no frame.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from analysis.periods import periods_of, zone

META = (
    "id",
    "submitted_at",
    "layanan",
    "umur",
    "jenis_kelamin",
    "pendidikan",
    "pekerjaan",
    "saran",
)
REQUIRED = ("submitted_at", "layanan")
MAX_MESSAGES = 1000
_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


class ResponsesError(ValueError):
    """A responses file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_MESSAGES]
        if len(problems) > MAX_MESSAGES:
            shown.append(f"... and {len(problems) - MAX_MESSAGES} more problems")
        super().__init__("\n".join(shown))
        self.problems = shown


@dataclass(frozen=True)
class Schema:
    """What a responses file may hold: item scales, profile values and age bands."""

    item_scales: Mapping[str, int]
    choices: Mapping[str, Collection[str]] = field(default_factory=dict)
    age_bands: Sequence[tuple[str, int, int]] = ()


def read_responses(
    source: str | Path | IO[bytes],
    schema: Schema,
    tz: str = "Asia/Jakarta",
    ignore: Iterable[str] = (),
    known_layanan: Collection[str] | None = None,
    filename: str | None = None,
) -> pd.DataFrame:
    """Read and check a responses file.

    Returns
    -------
    DataFrame
        One row per respondent: ``submitted_at`` (UTC), ``period`` (``YYYY-MM`` in ``tz``),
        ``layanan``, the item columns present (float, NaN for blank), the profile columns (umur
        as its band) and ``id``/``saran`` when present. Ignored columns are dropped.

    Raises
    ------
    ResponsesError
        Listing every problem; nothing is returned then.
    """
    zone(tz)
    frame = _load(source, filename)
    problems: list[str] = []
    frame = _check_columns(frame, schema, set(ignore), problems)
    if problems:
        raise ResponsesError(problems)
    checks = _CellChecks(frame, problems)
    items = [c for c in frame.columns if c in schema.item_scales]
    for code in items:
        frame[code] = checks.answers(code, schema.item_scales[code])
    frame["submitted_at"] = checks.timestamps(tz)
    checks.required("layanan", known_layanan)
    for key, allowed in schema.choices.items():
        if key in frame.columns:
            frame[key] = checks.choice(key, allowed, schema.age_bands if key == "umur" else ())
    if "id" in frame.columns:
        checks.unique("id")
    checks.some_answer(items)
    if problems:
        raise ResponsesError(sorted(problems, key=_row_order))
    frame["period"] = periods_of(frame["submitted_at"], tz)
    frame["layanan"] = frame["layanan"].astype("category")
    if "saran" in frame.columns:
        frame["saran"] = frame["saran"].map(formula_text)
    return frame


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """Text a spreadsheet shows as text: a leading apostrophe before a formula character.

    :func:`formula_text` undoes it on import, so the interchange CSV still round-trips.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def formula_text(value: object) -> object:
    """The text :func:`formula_safe` protected, as it was written."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _load(source: str | Path | IO[bytes], filename: str | None) -> pd.DataFrame:
    name = filename or (str(source) if isinstance(source, str | Path) else "")
    try:
        if name.lower().endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(source, dtype=object, engine="openpyxl")
            frame = frame.map(_cell_text).astype(object)
        else:
            # Item columns are left to the C parser's number inference (the fast path); a column
            # holding text such as "x" comes back as object and is checked cell by cell.
            frame = pd.read_csv(
                source,
                dtype=dict.fromkeys(META, str),
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
                encoding="utf-8-sig",
            )
    except pd.errors.EmptyDataError as exc:
        raise ResponsesError(["the file is empty"]) from exc
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as exc:
        raise ResponsesError([f"the file cannot be read: {exc}"]) from exc
    if frame.empty:
        raise ResponsesError(["the file has no data rows"])
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # row 1 = the first data row
    return frame


def _cell_text(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or np.nan


def _check_columns(
    frame: pd.DataFrame, schema: Schema, ignore: set[str], problems: list[str]
) -> pd.DataFrame:
    columns = [str(c).strip() for c in frame.columns]
    frame.columns = pd.Index(columns)
    known = set(META) | set(schema.item_scales)
    for column in sorted({c for c in columns if columns.count(c) > 1}):
        problems.append(f"column {column}: appears more than once")
    for column in columns:
        if column not in known and column not in ignore:
            problems.append(f"column {column}: unknown column (list it with --ignore to skip it)")
    problems.extend(f"column {c}: required column is missing" for c in REQUIRED if c not in columns)
    if not any(c in schema.item_scales for c in columns):
        problems.append("the file has no item columns (U1-U9, AK1-AK5, PK1-PK8)")
    return frame.drop(columns=[c for c in columns if c in ignore and c not in known])


class _CellChecks:
    """Vectorised checks of one frame; each adds its messages to ``problems``."""

    def __init__(self, frame: pd.DataFrame, problems: list[str]) -> None:
        self.frame = frame
        self.problems = problems

    def _report(self, column: str, bad: pd.Series, why: str) -> None:
        if not bad.any():
            return
        for row, value in self.frame.loc[bad, column].items():
            shown = int(value) if isinstance(value, float) and value.is_integer() else value
            self.problems.append(f"row {row}, column {column}: value {shown} {why}")

    def answers(self, code: str, scale: int) -> pd.Series:
        raw = self.frame[code]
        if (
            pd.api.types.is_integer_dtype(raw)
            and len(raw)
            and raw.min() >= 1
            and raw.max() <= scale
        ):
            return raw.astype("float64")  # no blank, no fraction: the range is all to check
        if pd.api.types.is_float_dtype(raw):
            values = raw.to_numpy()
            with np.errstate(invalid="ignore"):
                fine = np.isnan(values) | ((values >= 1) & (values <= scale) & (values % 1 == 0))
            if fine.all():
                return raw
        numbers = pd.to_numeric(raw, errors="coerce")
        blank = raw.isna()
        unreadable = ~blank & numbers.isna()
        fractional = ~blank & ~unreadable & (numbers != np.floor(numbers))
        outside = ~blank & ~unreadable & ~fractional & ((numbers < 1) | (numbers > scale))
        self._report(code, unreadable | fractional, "is not a whole number")
        self._report(code, outside, f"is outside 1-{scale}")
        return numbers.astype("float64")

    def timestamps(self, tz: str) -> pd.Series:
        raw = self.frame["submitted_at"]
        self.required("submitted_at")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # mixed zones: handled below
            parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # every stamp has the same offset
            stamps = parsed.dt.tz_convert("UTC")
        elif pd.api.types.is_datetime64_dtype(parsed):  # no stamp has an offset
            stamps = parsed.dt.tz_localize(tz).dt.tz_convert("UTC")
        else:
            stamps = self._mixed_timestamps(raw, tz)
        self._report("submitted_at", raw.notna() & stamps.isna(), "is not an ISO 8601 timestamp")
        return stamps

    def _mixed_timestamps(self, raw: pd.Series, tz: str) -> pd.Series:
        """Stamps with different offsets, or some with and some without one."""
        has_offset = raw.str.contains(_OFFSET, regex=True, na=False)
        aware = pd.to_datetime(raw.where(has_offset), format="ISO8601", utc=True, errors="coerce")
        naive = pd.to_datetime(raw.where(~has_offset), format="ISO8601", errors="coerce")
        local = naive.dt.tz_localize(tz).dt.tz_convert("UTC")
        return aware.where(has_offset, local)

    def required(self, column: str, allowed: Collection[str] | None = None) -> None:
        raw = self.frame[column]
        for row in raw.index[raw.isna()]:
            self.problems.append(f"row {row}, column {column}: a value is required")
        if allowed is not None:
            self._report(column, raw.notna() & ~raw.isin(list(allowed)), "is not a known layanan")

    def choice(
        self, column: str, allowed: Collection[str], bands: Sequence[tuple[str, int, int]]
    ) -> pd.Series:
        raw = self.frame[column]
        values = raw.copy()
        if bands:
            years = pd.to_numeric(raw, errors="coerce")
            for band, low, high in bands:
                values = values.mask((years >= low) & (years <= high), band)
        bad = raw.notna() & ~values.isin(list(allowed))
        self._report(column, bad, f"is not one of {', '.join(allowed)}")
        return values

    def unique(self, column: str) -> None:
        raw = self.frame[column]
        repeated = raw.notna() & raw.duplicated(keep="first")
        if not repeated.any():
            return
        seen: dict[str, int] = {}
        for row, value in raw[raw.notna()].items():
            seen.setdefault(value, row)
        for row, value in raw[repeated].items():
            self.problems.append(
                f"row {row}, column {column}: value {value} appears more than once "
                f"(first on row {seen[value]})"
            )

    def some_answer(self, items: Sequence[str]) -> None:
        none = np.logical_and.reduce([self.frame[code].isna().to_numpy() for code in items])
        rows = self.frame.index[none]
        self.problems.extend(f"row {row}: no answer to any item" for row in rows)


def _row_order(message: str) -> tuple[int, str]:
    match = re.match(r"row (\d+)", message)
    return (int(match.group(1)) if match else 0, message)


def read_services(source: str | Path | IO[bytes]) -> pd.DataFrame:
    """Read a services file (``kode,nama,kebutuhan_utama``) or raise :class:`ResponsesError`."""
    try:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as exc:
        raise ResponsesError(["the services file is empty"]) from exc
    problems = [
        f"column {c}: required column is missing"
        for c in ("kode", "nama", "kebutuhan_utama")
        if c not in frame.columns
    ]
    if problems:
        raise ResponsesError(problems)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    truth = {"ya": True, "true": True, "1": True, "tidak": False, "false": False, "0": False}
    flags = frame["kebutuhan_utama"].str.strip().str.lower().map(truth)
    for row, value in frame.loc[flags.isna(), "kebutuhan_utama"].items():
        problems.append(f"row {row}, column kebutuhan_utama: value {value} is not ya or tidak")
    for row in frame.index[frame["kode"].str.strip() == ""]:
        problems.append(f"row {row}, column kode: a value is required")
    for row, value in frame.loc[frame["kode"].duplicated(), "kode"].items():
        problems.append(f"row {row}, column kode: value {value} appears more than once")
    if problems:
        raise ResponsesError(problems)
    return frame.assign(kode=frame["kode"].str.strip(), kebutuhan_utama=flags.astype(bool))
