"""Read a responses file (CSV or XLSX, INTERCHANGE.md) into a clean frame, or reject it whole.

Every problem is reported at once, by row (1 = first data row) and column, in the words of the
contract: ``row 7, column U3: value 5 is outside 1-4``. A file with any problem yields no frame.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from analysis.kuesioner import is_part, split_code, value_text
from analysis.mapping import ColumnMapping, apply_layanan
from analysis.periods import periods_of, zone_name
from analysis.tables import TableError, read_table, text_cells
from analysis.timestamps import ISO_START, arrow_stamps, iso_stamps, parse_stamps

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
    """What a responses file may hold: item scales, profile values and age bands.

    ``item_labels`` maps each item code to its answer labels (folded: trimmed, lower case) and
    their values 1..k; ``choice_labels`` maps each profile field's labels (folded) to its codes.
    """

    item_scales: Mapping[str, int]
    choices: Mapping[str, Collection[str]] = field(default_factory=dict)
    age_bands: Sequence[tuple[str, int, int]] = ()
    item_labels: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    choice_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def read_responses(
    source: str | Path | IO[bytes],
    schema: Schema,
    tz: str = "Asia/Jakarta",
    ignore: Iterable[str] = (),
    known_layanan: Collection[str] | None = None,
    filename: str | None = None,
    mapping: ColumnMapping | None = None,
    waktu: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read and check a responses file (INTERCHANGE.md), through a mapping file when given.

    Parameters
    ----------
    tz
        The unit's zone (IANA name, or WIB, WITA, WIT) for timestamps without an offset.
    known_layanan
        The service codes the rows may name; values are matched trimmed and ignoring case and
        replaced by the code as given here.
    filename
        Unused (the file's kind is read from its bytes); kept for callers that pass it.
    mapping
        A checked :class:`~analysis.mapping.ColumnMapping` for a spreadsheet export.
    waktu
        How timestamps are written: ``iso`` (default), ``dmy``, ``mdy``, ``gforms`` or a
        strptime pattern; overrides the mapping's ``waktu``.
    encoding
        The text encoding of a CSV that is not UTF-8.

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
    tz = zone_name(tz)
    mapping = mapping or ColumnMapping()
    plain = not mapping.kolom
    try:
        table = read_table(
            source,
            encoding=encoding,
            header_row=mapping.baris_judul,
            header_names=[mapping.kolom.get(c, c) for c in REQUIRED],
            dtype=dict.fromkeys(META, str) if plain else _mapped_types(mapping, schema),
            arrow_text=[mapping.kolom.get(c, c) for c in REQUIRED],
        )
    except TableError as exc:
        raise ResponsesError(exc.problems) from exc
    frame = table.frame
    problems: list[str] = []
    sources = _map_columns(frame, mapping, problems)
    frame = _check_columns(frame, schema, set(ignore), sources, mapping, problems)
    if problems:
        raise ResponsesError(problems)
    checks = _CellChecks(frame, problems, sources)
    items = [c for c in frame.columns if c in schema.item_scales]
    parts = part_columns(frame.columns, schema.item_scales)
    part_codes = [c for groups in parts.values() for group in groups for c in group]
    checked: set[str] = set()
    for code in [*part_codes, *items]:  # the parts first: an item's value is their mean
        item = split_code(code)[0]
        if mapping.jawaban == "label":
            extra = mapping.label_tambahan.get(code) or mapping.label_tambahan.get(item, {})
            frame[code] = checks.labels(code, schema, extra, item)
        if code == item:  # the parts are read: an item's cell on their rows is their mean
            for split in [s for s in parts if s not in checked]:
                checks.combined(split, parts[split])
                checked.add(split)
        values = checks.answers(code, schema.item_scales[item])
        if values is not frame[code]:  # a float column already right is not copied again
            frame[code] = values
    for split in [s for s in parts if s not in checked]:  # a file with no item column at all
        checks.combined(split, parts[split])
    frame["submitted_at"] = checks.timestamps(tz, waktu or mapping.waktu)
    if mapping.layanan:  # mapped value by value, as Python strings
        frame["layanan"] = apply_layanan(text_cells(frame["layanan"]), mapping.layanan)
    frame["layanan"] = checks.layanan(known_layanan)
    for key, allowed in schema.choices.items():
        if key in frame.columns:
            bands = schema.age_bands if key == "umur" else ()
            frame[key] = checks.choice(key, allowed, bands, schema.choice_labels.get(key, {}))
    if "id" in frame.columns:
        checks.unique("id")
    checks.some_answer([*items, *part_codes])
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


def _mapped_types(mapping: ColumnMapping, schema: Schema) -> Any:
    """Column types for a mapped file, given its header: text, except the answers when they
    are numbers (``jawaban: angka``), left to the parser's number inference, the fast path."""
    if mapping.jawaban == "label":
        return str
    items = {
        source.strip().casefold()
        for target, source in mapping.kolom.items()
        if target in schema.item_scales
    } | {code.casefold() for code in schema.item_scales}  # item columns named as in the contract

    def types(header: list[str]) -> dict[str, Any]:
        return {cell: str for cell in header if cell.strip().casefold() not in items}

    return types


def _map_columns(
    frame: pd.DataFrame, mapping: ColumnMapping, problems: list[str]
) -> dict[str, str]:
    """Rename mapped source headers to their targets and drop ``abaikan``; in place.

    Returns target -> source header, for messages that name the column the person sees.
    """
    headers = [str(c).strip() for c in frame.columns]
    frame.columns = pd.Index(headers)
    if not mapping.kolom and not mapping.abaikan:
        return {}
    folded = {h.casefold(): h for h in headers}
    renames, sources = {}, {}
    for target, header in mapping.kolom.items():
        found = folded.get(header.strip().casefold())
        if found is None:
            problems.append(f"mapping: kolom {target}: the file has no column {header!r}")
        else:
            renames[found], sources[target] = target, found
    skipped = {
        folded[a.strip().casefold()] for a in mapping.abaikan if a.strip().casefold() in folded
    }
    dropped = [h for h in skipped if h not in renames]
    if dropped:  # drop([]) would still copy every column
        frame.drop(columns=dropped, inplace=True)
    frame.rename(columns=renames, inplace=True)
    return sources


def _check_columns(
    frame: pd.DataFrame,
    schema: Schema,
    ignore: set[str],
    sources: Mapping[str, str],
    mapping: ColumnMapping,
    problems: list[str],
) -> pd.DataFrame:
    columns = [str(c) for c in frame.columns]
    parts = {c for c in columns if is_part(c, schema.item_scales.keys())}
    known = set(META) | set(schema.item_scales) | parts
    part_columns(columns, schema.item_scales, problems)
    for column in sorted({c for c in columns if columns.count(c) > 1}):
        problems.append(f"column {column}: appears more than once")
    unknown = [c for c in columns if c not in known and c not in ignore]
    fix = (
        "add it to the mapping under kolom, or under abaikan to skip it"
        if mapping.kolom
        else "list it with --ignore to skip it"
    )
    problems.extend(f"column {c}: unknown column ({fix})" for c in unknown)
    problems.extend(f"column {c}: required column is missing" for c in REQUIRED if c not in columns)
    if not any(c in schema.item_scales for c in columns):
        problems.append("the file has no item columns (U1-U9, AK1-AK5, PK1-PK8)")
        if unknown and not mapping.kolom:
            problems.append(
                "its columns look like question texts: a mapping file is needed "
                "(zisurvey mapping FILE --instrument skm proposes one; then --mapping FILE)"
            )
    dropped = [c for c in columns if c in ignore and c not in known]
    return frame.drop(columns=dropped) if dropped else frame  # drop([]) copies every column


class _CellChecks:
    """Vectorised checks of one frame; each adds its messages to ``problems``."""

    def __init__(
        self, frame: pd.DataFrame, problems: list[str], sources: Mapping[str, str] | None = None
    ) -> None:
        self.frame = frame
        self.problems = problems
        self.sources = sources or {}

    def name(self, column: str) -> str:
        """The column as the person sees it: the source header first when it was mapped."""
        source = self.sources.get(column)
        return f'"{source}" ({column})' if source and source != column else column

    def _report(
        self, column: str, bad: pd.Series, why: str, values: pd.Series | None = None
    ) -> None:
        if not bad.any():
            return
        shown_values = self.frame[column] if values is None else values
        for row, value in shown_values[bad].items():
            shown = int(value) if isinstance(value, float) and value.is_integer() else value
            self.problems.append(f"row {row}, column {self.name(column)}: value {shown} {why}")

    def labels(
        self, code: str, schema: Schema, extra: Mapping[str, int], item: str | None = None
    ) -> pd.Series:
        """Answer labels (trimmed, any case) as their values 1..k; numbers pass as they are.
        A sub-question's column (``code`` ``U3.1/2``) reads the labels of its ``item``."""
        raw = self.frame[code]
        known = {**schema.item_labels.get(item or code, {}), **extra}
        folded = raw.str.strip().str.casefold()
        values = folded.map(known)
        digits = folded.str.fullmatch(r"\d+", na=False)
        unknown = raw.notna() & values.isna() & ~digits
        if unknown.any():
            listed = ", ".join(label for label, _v in sorted(known.items(), key=lambda kv: kv[1]))
            self._report(code, unknown, f"is not one of the answer labels ({listed})")
        return values.astype(object).where(~digits, raw.str.strip())

    def combined(self, code: str, groups: Sequence[Sequence[str]]) -> None:
        """Check an item answered in sub-questions (docs/kuesioner.md §4) on every row; in place.

        On a row where a group of part columns (``U3.1/2``, ``U3.2/2``) holds answers, every
        part must hold one, and the item's own cell is blank or the mean of the parts (as the
        export writes it: exact, or half-up to 4 places for thirds); that cell is then blanked,
        the parts carrying the answer exactly. Values of the parts are checked by
        :meth:`answers` afterwards.
        """
        index = self.frame.index
        mean = pd.Series(np.nan, index=index)
        for group in groups:
            given = [self.frame[c].notna().to_numpy() for c in group]
            some, every = np.logical_or.reduce(given), np.logical_and.reduce(given)
            for column, present in zip(group, given, strict=True):
                for row in index[some & ~every & ~present]:
                    self.problems.append(
                        f"row {row}, column {self.name(column)}: a value is required when "
                        f"another sub-question of {code} is answered ({', '.join(group)})"
                    )
            again = every & mean.notna().to_numpy()
            for row in index[again]:
                self.problems.append(
                    f"row {row}, column {code}: answered in two sets of sub-questions"
                )
            numbers = [pd.to_numeric(self.frame[c], errors="coerce") for c in group]
            value = sum(numbers) / len(group)
            mean = mean.where(~every | again, value)
        if code not in self.frame.columns:
            return
        raw = self.frame[code]
        split = mean.notna()
        if not split.any():
            return
        written = pd.to_numeric(raw, errors="coerce")
        wrong = split & raw.notna() & ~((written - mean).abs() <= 0.00005 + 1e-9)
        for row in index[wrong]:
            value = raw[row]
            shown = int(value) if isinstance(value, float) and value.is_integer() else value
            self.problems.append(
                f"row {row}, column {self.name(code)}: value {shown} is not the mean of "
                f"its sub-questions ({_decimal(mean[row])})"
            )
        self.frame[code] = raw.where(~split)

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

    def timestamps(self, tz: str, waktu: str = "iso") -> pd.Series:
        raw = self.frame["submitted_at"]
        if isinstance(raw.dtype, pd.ArrowDtype):  # from the fast reader: read in pyarrow
            fast = arrow_stamps(raw, waktu, tz)
            if fast is not None:
                return fast  # every stamp present and read: nothing to report
            raw = self.frame["submitted_at"] = text_cells(raw)
        self.required("submitted_at")
        if waktu != "iso":
            stamps = parse_stamps(raw, waktu, tz)
            # ISO 8601 is never ambiguous: a workbook's real date cells arrive written so
            iso = _matching(raw, stamps.isna() & raw.notna(), ISO_START)
            if iso.any():
                stamps = stamps.where(~iso, iso_stamps(raw.where(iso), tz))
            why = f"is not a timestamp written as {waktu}"
            self._report("submitted_at", raw.notna() & stamps.isna(), why)
            return stamps
        stamps = iso_stamps(raw, tz)
        bad = raw.notna() & stamps.isna()
        slashed = _matching(raw, bad, r"^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
        self._report(
            "submitted_at",
            slashed,
            "is not an ISO 8601 timestamp, and dd/mm/yyyy or mm/dd/yyyy cannot be told apart: "
            "say which with --waktu dmy or --waktu mdy (waktu: in a mapping file)",
        )
        self._report("submitted_at", bad & ~slashed, "is not an ISO 8601 timestamp")
        return stamps

    def required(self, column: str) -> None:
        raw = self.frame[column]
        for row in raw.index[raw.isna()]:
            self.problems.append(f"row {row}, column {self.name(column)}: a value is required")

    def layanan(self, known: Collection[str] | None) -> pd.Series:
        """Service codes trimmed and matched ignoring case (INTERCHANGE.md), in one spelling.

        With ``known`` codes each value becomes the known code it matches; without, every
        spelling of a code becomes its first spelling in the file. Worked on the distinct
        values only (a million rows hold a handful of codes); the result is categorical.
        """
        raw = self.frame["layanan"]
        fast = _arrow_codes(raw)
        if fast is None:
            raw = self.frame["layanan"] = text_cells(raw)
            self.required("layanan")
            positions, distinct = pd.factorize(raw)
        else:  # every cell given, numbered in pyarrow (distinct values in order of appearance)
            positions, distinct = fast
        spelled = {str(c).strip().casefold(): str(c).strip() for c in known or ()}
        canonical: list[str] = []
        unknown: list[int] = []
        for number, value in enumerate(distinct):
            text = str(value).strip()
            if known is None:
                canonical.append(spelled.setdefault(text.casefold(), text))
            else:
                canonical.append(spelled.get(text.casefold(), str(value)))
                if text.casefold() not in spelled:
                    unknown.append(number)
        if unknown:
            if fast is not None:  # the messages from the cells as Python strings
                self.frame["layanan"] = text_cells(raw)
            bad = pd.Series(np.isin(positions, unknown), index=raw.index)
            self._report("layanan", bad, "is not a known layanan")
        categories = list(dict.fromkeys(canonical))
        codes = np.array([categories.index(c) for c in canonical] + [-1], dtype=np.int64)
        # positions is -1 for a blank, which picks the trailing -1: blank stays blank
        values = pd.Categorical.from_codes(codes[positions], categories=categories)
        return pd.Series(values, index=raw.index)

    def choice(
        self,
        column: str,
        allowed: Collection[str],
        bands: Sequence[tuple[str, int, int]],
        labels: Mapping[str, str] | None = None,
    ) -> pd.Series:
        """A profile field: its codes, its labels on the form (any case), ages as bands."""
        raw = self.frame[column]
        values = raw.copy()
        if labels:
            folded = raw.str.strip().str.casefold().map(labels)
            values = folded.where(folded.notna(), raw)
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


def _arrow_codes(raw: pd.Series) -> tuple[np.ndarray, list[str]] | None:
    """What ``pd.factorize`` gives for a pyarrow-backed text column with no blank (a number per
    row, the distinct values in order of first appearance), counted by pyarrow without a
    Python string per row; None for any other column."""
    if not isinstance(raw.dtype, pd.ArrowDtype):
        return None
    column = raw.array.__arrow_array__().combine_chunks()  # one dictionary, in row order
    if column.null_count or not len(column):
        return None
    encoded = column.dictionary_encode()
    positions = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return positions, encoded.dictionary.to_pylist()


def part_columns(
    columns: Iterable[object], scales: Mapping[str, int], problems: list[str] | None = None
) -> dict[str, list[list[str]]]:
    """The sub-question columns of a file (``U3.1/2``, ``U3.2/2``: part j of k of an item,
    docs/kuesioner.md §4), per item code, each group complete and in part order. An item may
    have groups of several sizes (an export pooling two versions). A group missing a part is
    left out and, with ``problems``, reported once per column it has."""
    found: dict[tuple[str, int], dict[int, str]] = {}
    for column in columns:
        if is_part(column, scales.keys()):
            code, part, k = split_code(str(column))
            found.setdefault((code, k), {})[part] = str(column)
    out: dict[str, list[list[str]]] = {}
    for (code, k), got in sorted(found.items()):
        missing = [f"{code}.{j}/{k}" for j in range(1, k + 1) if j not in got]
        if missing:
            if problems is not None:
                problems.extend(
                    f"column {column}: a sub-question of {code} whose other part "
                    f"{', '.join(missing)} is missing"
                    for column in got.values()
                )
            continue
        out.setdefault(code, []).append([got[j] for j in range(1, k + 1)])
    return out


def _decimal(value: float) -> str:
    """A mean of sub-answers as the export writes it: half-up to 4 places, no trailing 0."""
    return value_text(Fraction(value).limit_denominator(12))


def _matching(raw: pd.Series, among: pd.Series, pattern: str) -> pd.Series:
    """``among`` & ``raw`` matching ``pattern``, the regex run on those rows only (a million
    rows of which a few are in question)."""
    mask = among.to_numpy(dtype=bool)
    found = np.zeros(len(raw), dtype=bool)
    if mask.any():
        found[mask] = raw[mask].astype(str).str.match(pattern).to_numpy(dtype=bool)
    return pd.Series(found, index=raw.index)


def _row_order(message: str) -> tuple[int, str]:
    match = re.match(r"row (\d+)", message)
    return (int(match.group(1)) if match else 0, message)


def read_services(source: str | Path | IO[bytes], encoding: str | None = None) -> pd.DataFrame:
    """Read a services file (``kode,nama,kebutuhan_utama``) or raise :class:`ResponsesError`.

    Read as a responses file is (``,`` or ``;``, BOM, workbooks, titles); codes are trimmed, and
    two that differ only in case or spaces are one code written twice.
    """
    try:
        table = read_table(source, encoding=encoding, header_names=["kode"], dtype=str)
    except TableError as exc:
        raise ResponsesError([f"services file: {p}" for p in exc.problems]) from exc
    frame = table.frame.fillna("")
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    problems = [
        f"column {c}: required column is missing"
        for c in ("kode", "nama", "kebutuhan_utama")
        if c not in frame.columns
    ]
    if problems:
        raise ResponsesError(problems)
    truth = {"ya": True, "true": True, "1": True, "tidak": False, "false": False, "0": False}
    flags = frame["kebutuhan_utama"].str.strip().str.lower().map(truth)
    for row, value in frame.loc[flags.isna(), "kebutuhan_utama"].items():
        problems.append(f"row {row}, column kebutuhan_utama: value {value} is not ya or tidak")
    kode = frame["kode"].str.strip()
    for row in frame.index[kode == ""]:
        problems.append(f"row {row}, column kode: a value is required")
    folded = kode.str.casefold()
    for row, value in kode[folded.duplicated() & (kode != "")].items():
        problems.append(f"row {row}, column kode: value {value} appears more than once")
    if problems:
        raise ResponsesError(sorted(problems, key=_row_order))
    return frame.assign(kode=kode, kebutuhan_utama=flags.astype(bool))
