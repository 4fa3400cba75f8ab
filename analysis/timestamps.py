"""Timestamps as spreadsheets write them (INTERCHANGE.md, ``waktu``), read to UTC.

``dmy`` and ``mdy`` read ``31/01/2026 23:30`` (``/``, ``-`` or ``.`` between the parts, seconds
optional, a date alone at midnight); ``gforms`` reads Google Forms stamps such as
``2026/01/31 11:30:00 PM GMT+7`` (the offset is part of the value) and ``1/31/2026 23:30:00`` (no
offset: read in the unit's zone); any other value with ``%`` is a strptime pattern. Values that
do not fit come back as NaT, for the caller to report by row.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from analysis.stampbytes import CHUNK, civil_seconds, shaped_clock, string_buffers

_N = "[0-9]"  # ASCII digits only: other scripts' digits are no date here
_CLOCK = (
    rf"(?:[ T]+(?P<H>{_N}{{1,2}})[:.](?P<M>{_N}{{2}})(?:[:.](?P<S>{_N}{{2}}))?"
    r"(?:\s*(?P<ampm>[AaPp][Mm]))?)?"
)
_OFFSET = rf"(?:\s*(?:GMT|UTC)?\s*(?P<oh>[+-]{_N}{{1,2}})(?::?(?P<om>{_N}{{2}}))?)?"
_D, _M, _Y = (rf"(?P<{k}>{_N}{{{n}}})" for k, n in (("d", "1,2"), ("m", "1,2"), ("y", "4")))
_DAY_FIRST = rf"^\s*{_D}[/.-]{_M}[/.-]{_Y}{_CLOCK}\s*$"
_MONTH_FIRST = rf"^\s*{_M}[/.-]{_D}[/.-]{_Y}{_CLOCK}{_OFFSET}\s*$"
_YEAR_FIRST = rf"^\s*{_Y}[/.-]{_M}[/.-]{_D}{_CLOCK}{_OFFSET}\s*$"


ISO_START = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_OFFSET = r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
_ISO_CLOCK = r"^\s*[0-9]{4}-?[0-9]{2}-?[0-9]{2}[Tt ]"  # a date, then a time of day


def iso_stamps(raw: pd.Series, tz: str) -> pd.Series:
    """ISO 8601 stamps as UTC: with an offset exact, without one read in ``tz``; else NaT.

    A date alone (``2026-03-14``) has no offset: it is midnight in ``tz`` (INTERCHANGE.md,
    ``submitted_at``), also in a file whose other stamps carry offsets (pandas would read it
    as midnight UTC there, and its day ``-14`` looks like an offset to a pattern).

    Files written by one program write every stamp alike (``2026-03-14T09:05:00+07:00``):
    those are read by :func:`fixed_width_stamps` at numpy speed (pandas takes 3.5 s for a
    million stamps with offsets). Anything else goes through pandas: one vectorised parse
    when every stamp has the same offset (or none has one), two groups otherwise.
    """
    fast = fixed_width_stamps(raw, tz)
    if fast is not None:
        return fast
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # mixed zones: handled below
        parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
    if pd.api.types.is_datetime64_dtype(parsed):  # no stamp has an offset
        return parsed.dt.tz_localize(tz).dt.tz_convert("UTC")
    has_offset = _has_offset(raw)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype) and has_offset[parsed.notna()].all():
        return parsed.dt.tz_convert("UTC")  # every stamp has the same offset
    aware = pd.to_datetime(raw.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    naive = pd.to_datetime(raw.where(~has_offset), format="ISO8601", errors="coerce")
    local = naive.dt.tz_localize(tz).dt.tz_convert("UTC")
    return aware.where(has_offset, local)


def _has_offset(raw: pd.Series) -> pd.Series:
    """Whether each stamp ends in an offset after a time of day (``Z``, ``+07:00``, ``-0330``)."""
    ends = raw.str.contains(_ISO_OFFSET, regex=True, na=False)
    return ends & raw.str.contains(_ISO_CLOCK, regex=True, na=False)


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]  # YYYY-MM-DDTHH:MM:SS


def fixed_width_stamps(raw: pd.Series, tz: str) -> pd.Series | None:
    """Every stamp ``YYYY-MM-DDTHH:MM:SS`` (or with a space), all with an offset ``+HH:MM``, all
    with ``Z``, or all with none, as UTC; None when the column is not all of one such shape
    (or holds a blank or an impossible date), for the general parser to read and report.
    """
    values = raw.to_numpy()
    if not len(values) or pd.isna(values).any():
        return None
    try:
        text = values.astype("S26")  # ASCII only; a longer value keeps 26 bytes and fails below
    except (UnicodeEncodeError, ValueError, TypeError):
        return None
    width = int(np.char.str_len(text[:1])[0])
    if (np.char.str_len(text) != width).any():
        return None
    return _grid_stamps(text.view(np.uint8).reshape(len(text), 26), width, tz, raw.index)


def _grid_stamps(grid: np.ndarray, width: int, tz: str, index: pd.Index) -> pd.Series | None:
    """:func:`fixed_width_stamps` over the stamps' bytes, one stamp of ``width`` bytes per
    row of ``grid`` (which may be wider, padded): every byte of the stamp is checked."""
    if width not in (19, 20, 25) or grid.shape[1] < width:
        return None
    shape_ok = (
        (grid[:, 4] == ord("-"))
        & (grid[:, 7] == ord("-"))
        & np.isin(grid[:, 10], (ord("T"), ord(" ")))
        & (grid[:, 13] == ord(":"))
        & (grid[:, 16] == ord(":"))
    )
    if not shape_ok.all() or ((grid[:, _DIGITS] - np.uint8(ord("0"))) > 9).any():  # uint8 wraps
        return None
    local = _clock_seconds(grid)
    if local is None:  # counted in integers; else numpy's own calendar, as before
        local = _local_seconds(grid[:, _DIGITS].astype(np.int64) - ord("0"))
    if local is None:  # a day or time that does not exist, or one numpy alone may judge
        local_text = np.ascontiguousarray(grid[:, :19]).view("S19").ravel()
        if (grid[:, 10] == ord(" ")).any():
            local_text = np.char.replace(local_text, b" ", b"T")
        try:
            local = local_text.astype("datetime64[s]")
        except ValueError:  # 2026-02-30 and the like: the general parser names the row
            return None
    if width == 19:
        naive = pd.Series(local.astype("datetime64[ns]"), index=index)
        return naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    if width == 20:
        if not (grid[:, 19] == ord("Z")).all():
            return None
        minutes = np.zeros(len(grid), dtype=np.int64)
    else:
        sign = grid[:, 19]
        if not np.isin(sign, (ord("+"), ord("-"))).all() or not (grid[:, 22] == ord(":")).all():
            return None
        if ((grid[:, [20, 21, 23, 24]] - np.uint8(ord("0"))) > 9).any():  # uint8 wraps
            return None
        # int16 (at most 99 x 60 + 99): a fraction of the memory of int64 per digit
        hh, h, mm, m = (grid[:, i].astype(np.int16) - ord("0") for i in (20, 21, 23, 24))
        minutes = ((hh * 10 + h) * 60 + mm * 10 + m).astype(np.int64)
        minutes = np.where(sign == ord("-"), -minutes, minutes)
    utc = local - minutes.astype("timedelta64[m]")
    return pd.Series(utc.astype("datetime64[ns]"), index=index).dt.tz_localize("UTC")


def _clock_seconds(grid: np.ndarray) -> np.ndarray | None:
    """The clock readings ``YYYY-MM-DDTHH:MM:SS`` at the start of each row of ``grid`` (digits
    already checked) as datetime64[s], by :func:`analysis.stampbytes.civil_seconds`; None when
    that leaves them to :func:`_local_seconds`."""

    def number(rows: np.ndarray, first: int, last: int) -> np.ndarray:
        value: np.ndarray = np.zeros(len(rows), dtype=np.int64)
        for position in range(first, last):
            value = value * 10 + (rows[:, position] - np.uint8(ord("0")))
        return value

    seconds = np.empty(len(grid), dtype=np.int64)
    for start in range(0, len(grid), CHUNK):  # in blocks: small temporaries, reused
        rows = grid[start : start + CHUNK]
        fields = [
            number(rows, a, b) for a, b in ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19))
        ]
        part = civil_seconds(*fields)
        if part is None:
            return None
        seconds[start : start + CHUNK] = part
    return seconds.astype("datetime64[s]")


def _local_seconds(digits: np.ndarray) -> np.ndarray | None:
    """YYYY MM DD hh mm ss (14 digits a row, as numbers) as datetime64[s], computed rather
    than parsed; None unless every row is a real date and time of day (numpy's parser then
    decides, as it did before)."""
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month, day, hour, minute, second = (
        digits[:, i] * 10 + digits[:, i + 1] for i in range(4, 14, 2)
    )
    if not ((month >= 1) & (month <= 12) & (day >= 1)).all():
        return None
    if not ((hour <= 23) & (minute <= 59) & (second <= 59)).all():
        return None
    months = (year - 1970) * 12 + month - 1
    start = months.astype("datetime64[M]").astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - start).astype("int64")
    if (day > length).any():
        return None
    seconds = (day - 1) * 86400 + hour * 3600 + minute * 60 + second
    return start.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def arrow_stamps(raw: pd.Series, waktu: str, tz: str) -> pd.Series | None:
    r"""The stamps of a pyarrow-backed text column (``pd.ArrowDtype``, as the fast CSV reader
    gives them) as UTC, exactly as :func:`iso_stamps` or :func:`parse_stamps` read them; None
    unless every stamp is present and read, for the caller to take the general path (which
    also words each problem).

    ``iso``: stamps of one fixed width are read from the column's bytes by
    :func:`fixed_width_stamps`' rules, without a Python string per row. ``dmy``, ``mdy`` and
    ``gforms``: the same regular expressions run in pyarrow (RE2). RE2's ``\s`` is ASCII
    whitespace only, Python's also other spaces, so RE2 matches a subset of what ``re`` does,
    with the same groups; a stamp RE2 does not match sends the whole column to ``re``.
    """
    if not isinstance(raw.dtype, pd.ArrowDtype) or not len(raw):
        return None
    import pyarrow as pa

    column = raw.array.__arrow_array__().combine_chunks()
    if column.null_count or not (
        pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    ):
        return None
    if waktu == "iso":
        return _arrow_fixed_width(column, tz, raw.index)
    patterns = {"dmy": [_DAY_FIRST], "mdy": [_MONTH_FIRST.replace(_OFFSET, "")]}
    patterns["gforms"] = [_YEAR_FIRST, _MONTH_FIRST]
    if waktu not in patterns:
        return None
    fast = _shaped_stamps(column, patterns[waktu], tz, raw.index)
    if fast is not None:
        return fast
    parts = _arrow_parts(column, patterns[waktu])
    if parts is None:
        return None
    stamps = _from_parts(parts, tz, raw.index)
    return None if stamps.isna().any() else stamps


def _arrow_fixed_width(column: Any, tz: str, index: pd.Index) -> pd.Series | None:
    offsets, data = string_buffers(column)
    width = int(offsets[1] - offsets[0])
    if width not in (19, 20, 25) or (np.diff(offsets) != width).any():
        return None
    data = data[int(offsets[0]) : int(offsets[-1])]
    return _grid_stamps(data.reshape(len(column), width), width, tz, index)


def _arrow_parts(column: Any, patterns: list[str]) -> dict[str, np.ndarray] | None:
    """What ``Series.str.extract`` gives for the first of ``patterns`` a stamp matches: the
    numbers as floats and ``ampm`` as text, NaN where a group took no part; None when a stamp
    matches none of them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.extract_regex(column, patterns[0])
    fields = {field.name: found.field(i) for i, field in enumerate(found.type)}
    matched = pc.is_valid(found)
    for pattern in patterns[1:]:  # tried where the ones before did not match, as parse_stamps
        if matched.false_count == 0:
            break
        other = pc.extract_regex(column, pattern)
        for i, field in enumerate(other.type):
            fields[field.name] = pc.if_else(matched, fields[field.name], other.field(i))
        matched = pc.or_(matched, pc.is_valid(other))
    if matched.false_count:
        return None
    parts: dict[str, Any] = {}
    for name, values in fields.items():
        # a group that takes part takes a character: an empty capture took no part (NaN)
        absent = pc.equal(values, "")
        if name == "ampm":
            pm = pc.equal(pc.utf8_upper(values), "PM").to_numpy(zero_copy_only=False)
            missing = absent.to_numpy(zero_copy_only=False)
            ampm = np.full(len(values), np.nan, dtype=object)
            ampm[~missing & pm] = "PM"
            ampm[~missing & ~pm] = "AM"
            parts[name] = ampm
        elif absent.true_count == len(values):
            parts[name] = np.full(len(values), np.nan)
        else:  # digits, and an offset's sign: pyarrow reads "+7" and "-07" as Python does
            if absent.true_count:
                values = pc.if_else(absent, pa.scalar(None, pa.string()), values)
            parts[name] = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    return parts


def parse_stamps(raw: pd.Series, waktu: str, tz: str) -> pd.Series:
    """``raw`` text stamps written as ``waktu`` (dmy, mdy, gforms, or a pattern) as UTC times.

    Stamps without an offset are read in ``tz`` (an IANA name). Unreadable values are NaT.
    """
    if waktu == "dmy":
        return _from_parts(raw.str.extract(_DAY_FIRST), tz, raw.index)
    if waktu == "mdy":
        return _from_parts(raw.str.extract(_MONTH_FIRST.replace(_OFFSET, "")), tz, raw.index)
    if waktu == "gforms":
        parts = raw.str.extract(_YEAR_FIRST)
        rest = parts["y"].isna() & raw.notna()
        if rest.any():  # the other Google Forms style, tried on the rows the first did not fit
            parts.loc[rest] = raw[rest].str.extract(_MONTH_FIRST)[parts.columns]
        return _from_parts(parts, tz, raw.index)
    if "%" in waktu:
        return _pattern(raw, waktu, tz)
    raise ValueError(f"waktu {waktu!r} is not iso, dmy, mdy, gforms or a pattern with %")


def _numbers(column: pd.Series | np.ndarray | None, index: pd.Index) -> np.ndarray:
    """Digits captured by a regex as floats (NaN where nothing was captured)."""
    if column is None:
        return np.full(len(index), np.nan)
    values = column.astype("float64")
    return values.to_numpy() if isinstance(values, pd.Series) else values


def _from_parts(parts: Mapping[str, Any], tz: str, index: pd.Index) -> pd.Series:
    """Captured date and clock parts as UTC times, computed with numpy (a million rows in a
    fraction of a second). A day past its month's end (31/02) or a time of day that does not
    exist (24:30, 12:75, 13 PM) is NaT, never rolled over into the next hour, day or month.
    ``parts`` maps each group to its column (a frame of ``str.extract``, or arrays)."""
    year, month, day = (_numbers(parts[k], index) for k in ("y", "m", "d"))
    hour, minute, second = (np.nan_to_num(_numbers(parts[k], index)) for k in ("H", "M", "S"))
    if "ampm" in parts:  # upper-cased once per distinct value (AM, pm, ...), not per row
        codes, marks = pd.factorize(parts["ampm"])
        upper = np.array([mark.upper() for mark in marks] + [None], dtype=object)
        ampm = upper[codes]  # a code of -1 (no mark) picks the trailing None
    else:
        ampm = np.full(len(index), None)
    twelve = pd.notna(ampm)
    valid = ~(np.isnan(year) | np.isnan(month) | np.isnan(day))
    valid &= (month >= 1) & (month <= 12) & (day >= 1)
    valid &= (hour <= 23) & (minute <= 59) & (second <= 59)
    valid &= ~twelve | ((hour >= 1) & (hour <= 12))
    hour = np.where(twelve, hour % 12 + np.where(ampm == "PM", 12, 0), hour)
    safe = valid.copy()
    months = np.where(safe, (year - 1970) * 12 + month - 1, 0).astype("int64")
    start = months.astype("datetime64[M]").astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[M]").astype("datetime64[D]") - start).astype("int64")
    safe &= day <= length
    seconds = (np.where(safe, day, 1) - 1) * 86400 + hour * 3600 + minute * 60 + second
    local = start.astype("datetime64[s]") + seconds.astype("int64").astype("timedelta64[s]")
    local = np.where(safe, local, np.datetime64("NaT"))
    offset_hours = _numbers(parts["oh"], index) if "oh" in parts else np.full(len(index), np.nan)
    no_offset = np.isnan(offset_hours)
    minutes = np.nan_to_num(_numbers(parts.get("om"), index)) * np.sign(offset_hours)
    shift = np.nan_to_num(offset_hours * 60 + minutes).astype("int64").astype("timedelta64[m]")
    return _utc(local, no_offset, shift, tz, index)


def _utc(
    local: np.ndarray, no_offset: np.ndarray, shift: np.ndarray, tz: str, index: pd.Index
) -> pd.Series:
    """Clock readings (datetime64[s], NaT allowed) as UTC: read in ``tz`` where ``no_offset``
    (an hour the zone skips or repeats is NaT), else less their offset ``shift``
    (timedelta64[m])."""
    if no_offset.any():  # read in the unit's zone (skipped when every stamp has its offset)
        local_series = pd.Series(local.astype("datetime64[ns]"), index=index)
        naive_utc = local_series.dt.tz_localize(
            tz, ambiguous="NaT", nonexistent="NaT"
        ).dt.tz_convert("UTC")
        if no_offset.all():
            return naive_utc
    aware = pd.Series((local - shift).astype("datetime64[ns]"), index=index).dt.tz_localize("UTC")
    return aware.where(~no_offset, naive_utc) if no_offset.any() else aware


def _shaped_stamps(column: Any, patterns: list[str], tz: str, index: pd.Index) -> pd.Series | None:
    """:func:`_from_parts` of what ``patterns`` capture, read shape by shape from the stamps'
    bytes (:func:`analysis.stampbytes.shaped_clock`); None unless every stamp is read there
    and is a real time, for the pyarrow and Python readers to decide."""
    clock = shaped_clock(column, patterns)
    if clock is None:
        return None
    seconds, offset, shift = clock
    local = seconds.astype("datetime64[s]")
    stamps = _utc(local, ~offset, shift.astype("timedelta64[m]"), tz, index)
    return None if stamps.isna().any() else stamps


def _pattern(raw: pd.Series, pattern: str, tz: str) -> pd.Series:
    def one(value: object) -> pd.Timestamp:
        if not isinstance(value, str):
            return pd.NaT
        try:
            parsed = datetime.strptime(value.strip(), pattern)
        except ValueError:
            return pd.NaT
        stamp = pd.Timestamp(parsed)
        return stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize(tz).tz_convert("UTC")

    return pd.to_datetime(raw.map(one), utc=True)
