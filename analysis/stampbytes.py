"""Timestamps read from their bytes at numpy speed, as :mod:`analysis.timestamps` reads them.

A column of a million stamps written by one program holds a handful of *shapes*: a stamp with
every ASCII digit written as 0 (``2026/03/14 09:05:00 AM GMT+7`` has the shape ``0000/00/00
00:00:00 AM GMT+0``). The patterns of :mod:`analysis.timestamps` treat every ASCII digit alike
(``[0-9]``; no digit is written out in them), so every stamp of a shape matches a pattern as the
first stamp of that shape does, with each group at the same places. Python's ``re`` (what
``Series.str.extract`` runs) is run once per shape, and the numbers are read from the bytes at
those places for every stamp of the shape (issue 20).

Anything unusual (more than :data:`MAX_SHAPES` shapes, a stamp that is not ASCII or no pattern
reads, a day or time that does not exist, a year outside 1700-2199) gives None, for the
callers' general code to decide as it did before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_SHAPES = 64  # a file written by one program has a few (AM/PM, a one- or two-digit hour)
MAX_WIDTH = 64
FIRST_YEAR, LAST_YEAR = 1700, 2199  # well inside datetime64[ns]; other years: the general path
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # to hash a shape's 8-byte words into one key
_CLOCK = ("y", "m", "d", "H", "M", "S")


def civil_seconds(
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    hour: np.ndarray,
    minute: np.ndarray,
    second: np.ndarray,
) -> np.ndarray | None:
    """Seconds since 1970-01-01T00:00:00 of clock readings (int64 arrays, one row a stamp), on
    the proleptic Gregorian calendar numpy and pandas use.

    Returns None unless every row is a real date (month 1-12, day within its month, 29
    February in leap years only) and time of day (00:00:00-23:59:59) of the years 1700-2199.
    The day count is H. Hinnant's ``days_from_civil`` (chrono-Compatible Low-Level Date
    Algorithms), in integers: no calendar conversion per row.
    """
    fine = (year >= FIRST_YEAR) & (year <= LAST_YEAR) & (month >= 1) & (month <= 12)
    fine &= (day >= 1) & (hour >= 0) & (hour <= 23) & (minute >= 0) & (minute <= 59)
    fine &= (second >= 0) & (second <= 59)
    if not fine.all():
        return None
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    if (day > _MONTH_DAYS[month - 1] + (leap & (month == 2))).any():
        return None
    shifted = year - (month <= 2)  # years counted from March: the leap day ends a year
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second


def string_buffers(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (int64, one more than the rows) and the bytes of a pyarrow string array,
    without a copy of the bytes."""
    import pyarrow as pa

    _validity, offsets_buffer, data_buffer = column.buffers()
    kind = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=kind)[
        column.offset : column.offset + len(column) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def shaped_clock(
    column: Any, patterns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The clock readings of a pyarrow string column without blanks, every stamp read as the
    first of ``patterns`` that matches it (``re.search``, as ``Series.str.extract``) reads it.

    Returns
    -------
    tuple or None
        Local seconds since 1970-01-01 (int64, :func:`civil_seconds`, the 12-hour clock
        resolved), whether the stamp gave an offset (bool) and that offset in minutes (int64,
        computed as :func:`analysis.timestamps._from_parts` computes it); None when the stamps
        are not read here (see the module's docstring).
    """
    grid, lengths = _grid(column)
    if grid is None:
        return None
    shapes = _shapes(grid, lengths)
    if shapes is None:
        return None
    codes, first = shapes
    order = None
    if len(first) > 1:  # the rows of each shape together, so each is read as one block
        order = np.argsort(codes, kind="stable")
        grid = grid[order]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(first)))])
    compiled = [re.compile(pattern) for pattern in patterns]
    fields = {name: np.zeros(len(grid), dtype=np.int64) for name in (*_CLOCK, "shift")}
    fields |= {name: np.zeros(len(grid), dtype=bool) for name in ("twelve", "pm", "offset")}
    for number in range(len(first)):
        start, stop = int(bounds[number]), int(bounds[number + 1])
        length = int(lengths[first[number]])
        if not _read_block(grid[start:stop], length, compiled, fields, slice(start, stop)):
            return None
    hour, twelve = fields["H"], fields["twelve"]
    if (twelve & ((hour < 1) | (hour > 12))).any():  # 13 PM, 0 AM: no time of day
        return None
    hour = np.where(twelve, hour % 12 + 12 * fields["pm"], hour)
    seconds = civil_seconds(fields["y"], fields["m"], fields["d"], hour, fields["M"], fields["S"])
    if seconds is None:
        return None
    read = [seconds, fields["offset"], fields["shift"]]
    if order is not None:  # back to the file's order
        for values in read:
            values[order] = values.copy()
    return seconds, fields["offset"], fields["shift"]


def _grid(column: Any) -> tuple[np.ndarray | None, np.ndarray]:
    """The stamps' bytes as rows of one width (a multiple of 8, space-padded), and each
    stamp's length; (None, lengths) when a stamp is empty, too long or not ASCII-padded."""
    import pyarrow.compute as pc

    offsets, data = string_buffers(column)
    lengths = np.diff(offsets)
    rows = len(lengths)
    if not rows or lengths.min() < 1 or lengths.max() > MAX_WIDTH:
        return None, lengths
    width = -(-int(lengths.max()) // 8) * 8
    if (lengths != width).any():
        offsets, data = string_buffers(pc.utf8_rpad(column, width=width, padding=" "))
        if offsets[-1] - offsets[0] != rows * width or (np.diff(offsets) != width).any():
            return None, lengths  # a character of several bytes
    start = int(offsets[0])
    return data[start : start + rows * width].reshape(rows, width), lengths


def _shapes(grid: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A shape number per row (in order of first appearance) and the first row of each
    shape; None past :data:`MAX_SHAPES`. Each shape is taken from the first row not yet
    placed and compared with every row left, whole (its 8-byte words and its length)."""
    digit = (grid - np.uint8(ord("0"))) < 10  # uint8 wraps: ASCII digits only
    words = np.where(digit, np.uint8(ord("0")), grid).view(np.uint64)
    codes = np.zeros(len(grid), dtype=np.int64)
    first: list[int] = []
    left = None  # the rows not placed yet (None: every row)
    while left is None or len(left):
        if len(first) == MAX_SHAPES:
            return None
        here = words if left is None else words[left]
        row = 0 if left is None else int(left[0])
        same = lengths[row] == (lengths if left is None else lengths[left])
        for column in range(words.shape[1]):
            same &= here[:, column] == words[row, column]
        if left is not None:  # the first shape is number 0, as every row starts
            codes[left[same]] = len(first)
        first.append(row)
        left = np.flatnonzero(~same) if left is None else left[~same]
    return codes, np.array(first)


def _read_block(
    block: np.ndarray,
    length: int,
    compiled: Sequence[re.Pattern[str]],
    fields: dict[str, np.ndarray],
    rows: slice,
) -> bool:
    """Read the stamps of one shape (``block``: their bytes) into ``fields[...][rows]``;
    False when no pattern reads the shape (or it is not ASCII)."""
    sample = bytes(block[0, :length])
    if max(sample) >= 128:
        return False
    text = sample.decode("ascii")
    match = next((found for pattern in compiled if (found := pattern.search(text))), None)
    if match is None:
        return False
    spans = {name: match.span(name) for name in match.re.groupindex}
    for name in _CLOCK:
        if spans.get(name, (-1, -1))[0] >= 0:
            fields[name][rows] = _number(block, text, *spans[name])
    if spans.get("ampm", (-1, -1))[0] >= 0:
        start, stop = spans["ampm"]
        fields["twelve"][rows] = True
        fields["pm"][rows] = text[start:stop].upper() == "PM"
    if spans.get("oh", (-1, -1))[0] >= 0:
        # _from_parts: hours x 60 + minutes x sign(hours); an hour of 0 has sign 0, so +0:30
        # shifts nothing, as it did there
        hours = _number(block, text, *spans["oh"])
        start, stop = spans.get("om", (-1, -1))
        minutes = _number(block, text, start, stop) if start >= 0 else 0
        fields["offset"][rows] = True
        fields["shift"][rows] = hours * 60 + minutes * np.sign(hours)
    return True


def _number(block: np.ndarray, text: str, start: int, stop: int) -> np.ndarray:
    """The number written at ``text[start:stop]`` in every row of ``block``: its digits from
    the bytes, a leading ``+`` or ``-`` from the shape (the same on every row)."""
    value: np.ndarray = np.zeros(len(block), dtype=np.int64)
    for position in range(start, stop):
        if text[position].isdigit():
            value = value * 10 + (block[:, position] - np.uint8(ord("0")))
    return -value if text[start] == "-" else value
